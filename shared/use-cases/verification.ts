import { documentsRequestedEmail, verificationCompletedEmail, verificationDecisionEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import type { Principal } from '../domain/roles.js';
import {
  applyDecision,
  gateRefusal,
  newlyAccepted,
  outcomeAllowed,
  partnerOfToken,
  recentSends,
  resendWait,
  tokenMatches,
  verificationView,
  type Decision,
  type VerificationDoc,
  type VerificationGate,
} from '../domain/verification.js';
import { newEmailLink, requirePartner } from './accounts.js';
import { committing, deliverNow } from './outbox.js';
import type { AccountDoc, UseCaseDeps, Versioned, Write } from './ports.js';
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

/**
 * The one-time link: accepted once, while it is the latest link and not expired. When email ownership
 * was the last open check of a tab, the partner is told the tab is accepted (VER-12) in the same write.
 */
export async function confirmVerificationEmail(deps: UseCaseDeps, token: string, log?: (message: string) => void): Promise<{ emailOwnership: 'Accepted' }> {
  const invalid = () => DomainError.invalid('The verification link is invalid, already used, superseded or expired.', 'InvalidVerificationToken');
  const partnerId = partnerOfToken(token);
  if (!partnerId) throw invalid();
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const result = await readDecideWrite({
    read: async () => {
      const state = { ...(await deps.accounts.verification(partnerId)), now: deps.now() };
      // The partner is read (for the email) only when accepting the address completes a tab.
      const completes = newlyAccepted(state.doc, emailAccepted(state.doc, state.now), state.now).tabs.length > 0;
      return { ...state, partner: completes ? await deps.accounts.partner(partnerId) : undefined };
    },
    decide: ({ doc, etag, now, partner }) => {
      if (!etag || !tokenMatches(doc.emailToken, token, now)) throw invalid();
      const completion = completionEmails(partner, doc, emailAccepted(doc, now), now);
      const writes: Write<AccountDoc>[] = [
        { kind: 'replace', doc: completion.doc, etag },
        ...completion.intents.map((i) => ({ kind: 'create' as const, doc: i })),
      ];
      return { result: { emailOwnership: 'Accepted' as const }, write: writes };
    },
    write: commit.write,
  });
  await deliverNow(deps, commit.owed(), log);
  return result;
}

function emailAccepted(doc: VerificationDoc, now: Date): VerificationDoc {
  const next = structuredClone(doc);
  delete next.emailToken;
  for (const tab of next.tabs) {
    for (const check of tab.checks) {
      if (check.type === 'EmailOwnership') Object.assign(check, { status: 'Accepted', fixNowAvailable: false, updatedAt: now.toISOString() });
    }
  }
  return next;
}

/** VER-12: the state with the newly accepted tabs marked as told, and the emails that tell them. */
function completionEmails(
  partner: Versioned<Partner> | undefined,
  before: VerificationDoc,
  after: VerificationDoc,
  now: Date,
): { doc: VerificationDoc; intents: EmailIntent[] } {
  const accepted = newlyAccepted(before, after, now);
  if (accepted.tabs.length === 0 || !partner) return { doc: after, intents: [] };
  const intents = accepted.tabs.map((tab) =>
    claimed(
      emailIntent(
        partner.doc.partnerId,
        `verification-completed:${partner.doc.partnerId}:${tab}`,
        verificationCompletedEmail(partner.doc, tab),
        now.toISOString(),
      ),
      now,
    ),
  );
  return { doc: accepted.doc, intents };
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
      const owe = (key: string, message: Parameters<typeof emailIntent>[2]) => claimed(emailIntent(decision.partnerId, key, message, now.toISOString()), now);
      const intents = [owe(`verification-decision:${decision.decisionId}`, verificationDecisionEmail(partner.doc, result.email))];
      // VER-8: the documents the check asks for, told in their own email.
      const documents = [...new Set(decision.documentsRequested ?? [])];
      if (documents.length > 0) {
        intents.push(
          owe(
            `verification-documents-requested:${decision.decisionId}`,
            documentsRequestedEmail(partner.doc, { tab: decision.tab, check: decision.check, documents }),
          ),
        );
      }
      const completion = completionEmails(partner, doc, result.doc, now);
      intents.push(...completion.intents);
      const writes: Write<AccountDoc>[] = [writeOver<AccountDoc>(completion.doc, etag), ...intents.map((i) => ({ kind: 'create' as const, doc: i }))];
      return { result: { applied: true }, write: writes };
    },
    write: commit.write,
  });
  const emailsSent = outcome.applied ? await deliverNow(deps, commit.owed(), log) : 0;
  return { applied: outcome.applied, emailsSent };
}

/**
 * VER-7, VER-11: the verification gate a route declares, enforced before the route runs (one point
 * read of the verification state). A suspended account may change nothing; buying needs the partner
 * tab Accepted. Upstream systems and operators (PlatformOperator) are not gated: the edge skips them.
 */
export async function enforceVerificationGate(deps: Pick<UseCaseDeps, 'accounts'>, partnerId: string, gate: VerificationGate): Promise<void> {
  if (gate === 'none') return;
  const refusal = gateRefusal((await deps.accounts.verification(partnerId)).doc, gate);
  if (refusal) throw refusal;
}
