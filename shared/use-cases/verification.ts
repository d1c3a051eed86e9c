import { verificationDecisionEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import { claimed, emailIntent } from '../domain/outbox.js';
import type { Principal } from '../domain/roles.js';
import {
  applyDecision,
  outcomeAllowed,
  partnerOfToken,
  recentSends,
  resendWait,
  tokenMatches,
  verificationView,
  type Decision,
  type VerificationDoc,
} from '../domain/verification.js';
import { newEmailLink, requirePartner } from './accounts.js';
import { committing, deliverNow } from './outbox.js';
import type { AccountDoc, UseCaseDeps, Write } from './ports.js';
import { readDecideWrite, writeOver } from './write.js';

function emailOwnership(doc: VerificationDoc): 'none' | 'pending' | 'accepted' {
  const checks = doc.tabs.flatMap((t) => t.checks.filter((c) => c.type === 'EmailOwnership'));
  if (checks.length === 0) return 'none';
  return checks.some((c) => c.status === 'Accepted') ? 'accepted' : 'pending';
}

/**
 * Rendered views per snapshot of a verification state. The portal polls this view: within a
 * snapshot's window (VIEW_CACHE_MS) each role set gets the same text, rendered once. The view
 * changes with the UTC day (business days elapsed) and the roles, which make the key; a new state
 * is a new snapshot object, so its views are never stale beyond the snapshot's own window.
 */
const renderedViews = new WeakMap<VerificationDoc, Map<string, string>>();
const day = 86_400_000;

/** The legal-info view of the tabs the caller may see (VER-1, VER-4, VER-5), rendered by `render`. */
export async function getVerificationView(deps: UseCaseDeps, partnerId: string, principal: Principal, render: (view: unknown) => string): Promise<string> {
  const { partner, verification } = await deps.accounts.snapshot(partnerId);
  if (!partner) throw DomainError.notFound(`Partner ${partnerId} does not exist.`); // from the snapshot, not a read
  const now = deps.now();
  const key = `${Math.floor(now.getTime() / day)}|${[...principal.roles].sort().join(',')}`;
  let views = renderedViews.get(verification);
  if (!views) renderedViews.set(verification, (views = new Map<string, string>()));
  let text = views.get(key);
  if (text === undefined) {
    text = render(verificationView(verification, principal.roles, now, new Set(deps.config.VERIFICATION_HOLIDAYS)));
    views.set(key, text);
  }
  return text;
}

/**
 * VER-6: a new one-time link, superseding every earlier one. The cooldown and daily cap are checked
 * and the send recorded, with the email owed, in one version-guarded write, so concurrent requests
 * send one email; the email is then delivered (or, if the service is down, by the sweep).
 */
export async function resendVerificationEmail(deps: UseCaseDeps, partnerId: string, log?: (message: string) => void) {
  const { VERIFICATION_RESEND_COOLDOWN_SECONDS: cooldown, VERIFICATION_RESEND_DAILY_CAP: cap } = deps.config;
  // The partner (for the email) and the verification state in one round trip; the state is decided on
  // as read, and read again only if the write then loses a race.
  const [stored, first] = await Promise.all([requirePartner(deps, partnerId), deps.accounts.verification(partnerId)]);
  const partner = stored.doc;
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const outcome = await readDecideWrite({
    read: async () => ({ ...(await deps.accounts.verification(partnerId)), now: deps.now() }),
    assumed: { state: { ...first, now: deps.now() } },
    decide: ({ doc, etag, now }) => {
      const ownership = emailOwnership(doc);
      if (ownership === 'accepted') throw DomainError.conflict('Email ownership is already verified.', 'EmailOwnershipAlreadyVerified');
      if (ownership === 'none') throw DomainError.conflict('No email verification is in progress for this partner.', 'NoEmailVerification');
      const wait = resendWait(doc.emailSends, now, cooldown, cap);
      if (wait > 0) throw DomainError.rateLimited(`A verification email was sent recently; try again in ${wait} seconds.`, wait);
      const link = newEmailLink(deps, partner, now);
      const next: VerificationDoc = { ...doc, emailToken: link.emailToken, emailSends: [...recentSends(doc.emailSends, now), now.toISOString()] };
      const writes: Write<AccountDoc>[] = [writeOver<AccountDoc>(next, etag), { kind: 'create', doc: link.intent }];
      return { result: { sends: next.emailSends, now }, write: writes };
    },
    write: commit.write,
  });
  await deliverNow(deps, commit.owed(), log);
  const { sends, now } = outcome;
  return {
    sentTo: partner.primaryContact.email,
    resendCount: sends.length,
    nextAllowedAt: new Date(now.getTime() + resendWait(sends, now, cooldown, cap) * 1000).toISOString(),
  };
}

/** The one-time link: accepted once, while it is the latest link and not expired. */
export async function confirmVerificationEmail(deps: UseCaseDeps, token: string): Promise<{ emailOwnership: 'Accepted' }> {
  const invalid = () => DomainError.invalid('The verification link is invalid, already used, superseded or expired.', 'InvalidVerificationToken');
  const partnerId = partnerOfToken(token);
  if (!partnerId) throw invalid();
  return readDecideWrite({
    read: async () => ({ ...(await deps.accounts.verification(partnerId)), now: deps.now() }),
    decide: ({ doc, etag, now }) => {
      if (!etag || !tokenMatches(doc.emailToken, token, now)) throw invalid();
      const next = structuredClone(doc);
      delete next.emailToken;
      for (const tab of next.tabs) {
        for (const check of tab.checks) {
          if (check.type === 'EmailOwnership') Object.assign(check, { status: 'Accepted', fixNowAvailable: false, updatedAt: now.toISOString() });
        }
      }
      return { result: { emailOwnership: 'Accepted' as const }, write: [{ kind: 'replace', doc: next, etag } satisfies Write<AccountDoc>] };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
}

/**
 * Applies an upstream decision (idempotent on decisionId, ordered by decidedAt) and owes the primary
 * contact an email in the same write (VER-10); a decision that changes nothing owes nothing.
 */
export async function handleVerificationDecision(
  deps: UseCaseDeps,
  decision: Decision,
  log?: (message: string) => void,
): Promise<{ applied: boolean; emailsSent: number }> {
  if (!outcomeAllowed(decision.check, decision.outcome)) {
    throw DomainError.unprocessableMessage(`outcome ${decision.outcome} is not possible for the ${decision.check} check`);
  }
  const commit = committing(deps.accounts, 'accounts', decision.partnerId);
  const outcome = await readDecideWrite({
    // The partner (for the email) and the verification state in one round trip.
    read: async () => {
      const [partner, verification] = await Promise.all([deps.accounts.partner(decision.partnerId), deps.accounts.verification(decision.partnerId)]);
      return { partner, ...verification, now: deps.now() };
    },
    decide: ({ partner, doc, etag, now }) => {
      if (!partner) throw DomainError.unprocessableMessage(`unknown partner ${decision.partnerId}`);
      const result = applyDecision(doc, decision, now);
      if (!result.applied) return { result: { applied: false } };
      const intent = claimed(
        emailIntent(
          decision.partnerId,
          `verification-decision:${decision.decisionId}`,
          verificationDecisionEmail(partner.doc, result.email),
          now.toISOString(),
        ),
        now,
      );
      const writes: Write<AccountDoc>[] = [writeOver<AccountDoc>(result.doc, etag), { kind: 'create', doc: intent }];
      return { result: { applied: true }, write: writes };
    },
    write: commit.write,
  });
  const emailsSent = outcome.applied ? await deliverNow(deps, commit.owed(), log) : 0;
  return { applied: outcome.applied, emailsSent };
}
