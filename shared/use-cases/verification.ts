import type { Services } from '../composition-root.js';
import { PartnerStore } from '../data/partner-store.js';
import { ConcurrencyConflict } from '../data/repository.js';
import type { Partner } from '../domain/partner.js';
import {
  applyDecision,
  issueEmailToken,
  outcomeAllowed,
  partnerOfToken,
  recentSends,
  resendWait,
  tokenMatches,
  verificationView,
  type Decision,
  type DecisionEmail,
  type VerificationDoc,
} from '../domain/verification.js';
import type { Principal } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import { PoisonMessage } from '../platform/functions.js';
import { htmlSafeJson } from '../platform/html-safe-json.js';
import { undoSend } from './partners.js';
import { sendVerificationEmail } from './verification-email.js';

function emailOwnership(doc: VerificationDoc): 'none' | 'pending' | 'accepted' {
  const checks = doc.tabs.flatMap((t) => t.checks.filter((c) => c.type === 'EmailOwnership'));
  if (checks.length === 0) return 'none';
  return checks.some((c) => c.status === 'Accepted') ? 'accepted' : 'pending';
}

/**
 * Rendered views per snapshot of a verification state. The portal polls this view: within a
 * snapshot's window (VIEW_CACHE_MS) each role set gets the same JSON, rendered once. The view
 * changes with the UTC day (business days elapsed) and the roles, which make the key; a new state
 * is a new snapshot object, so its views are never stale beyond the snapshot's own window.
 */
const renderedViews = new WeakMap<VerificationDoc, Map<string, string>>();
const day = 86_400_000;

/** The legal-info view of the tabs the caller may see (VER-1, VER-4, VER-5), as JSON text. */
export async function getVerificationJson(services: Services, partnerId: string, principal: Principal): Promise<string> {
  const { partner, verification } = await services.partners.snapshot(partnerId);
  if (!partner) throw AppError.notFound(`Partner ${partnerId} does not exist.`); // from the snapshot, not a read
  const now = services.now();
  const key = `${Math.floor(now.getTime() / day)}|${[...principal.roles].sort().join(',')}`;
  let views = renderedViews.get(verification);
  if (!views) renderedViews.set(verification, (views = new Map()));
  let json = views.get(key);
  if (json === undefined) {
    json = htmlSafeJson(verificationView(verification, principal.roles, now, new Set(services.config.VERIFICATION_HOLIDAYS)));
    views.set(key, json);
  }
  return json;
}

/**
 * VER-6: sends a new one-time link, superseding every earlier one. The cooldown and daily cap are
 * checked and the send recorded in one ETag-guarded write, so concurrent requests send one email.
 */
export async function resendVerificationEmail(services: Services, partnerId: string) {
  const { VERIFICATION_RESEND_COOLDOWN_SECONDS: cooldown, VERIFICATION_RESEND_DAILY_CAP: cap, VERIFICATION_TOKEN_TTL_HOURS: ttl } = services.config;
  const partner = (await services.partners.required(partnerId)).doc;
  for (let attempt = 1; attempt <= 10; attempt++) {
    const { doc, etag } = await services.partners.verification(partnerId);
    const ownership = emailOwnership(doc);
    if (ownership === 'accepted') throw AppError.conflict('Email ownership is already verified.', 'EmailOwnershipAlreadyVerified');
    if (ownership === 'none') throw AppError.conflict('No email verification is in progress for this partner.', 'NoEmailVerification');
    const now = services.now();
    const wait = resendWait(doc.emailSends, now, cooldown, cap);
    if (wait > 0) throw AppError.rateLimited(`A verification email was sent recently; try again in ${wait} seconds.`, wait);

    const token = issueEmailToken(partnerId);
    const next: VerificationDoc = {
      ...doc,
      emailToken: { hash: token.hash, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttl * 3_600_000).toISOString() },
      emailSends: [...recentSends(doc.emailSends, now), now.toISOString()],
    };
    try {
      await services.partners.transact(partnerId, [PartnerStore.verificationWrite(next, etag)]);
    } catch (error) {
      if (error instanceof ConcurrencyConflict || (error instanceof AppError && error.status === 409)) continue;
      throw error;
    }
    try {
      await sendVerificationEmail(services, partner, token.token, token.hash);
    } catch (error) {
      await undoSend(services, partnerId, now.toISOString());
      throw new AppError(503, 'The verification email could not be sent; try again shortly.', { cause: error, headers: { 'Retry-After': '30' } });
    }
    const sends = next.emailSends;
    return {
      sentTo: partner.primaryContact.email,
      resendCount: sends.length,
      nextAllowedAt: new Date(now.getTime() + resendWait(sends, now, cooldown, cap) * 1000).toISOString(),
    };
  }
  throw AppError.conflict('The verification is being changed by another request; try again.');
}

/** The one-time link: accepted once, while it is the latest link and not expired. */
export async function confirmVerificationEmail(services: Services, token: string): Promise<{ emailOwnership: 'Accepted' }> {
  const invalid = () => AppError.badRequest('The verification link is invalid, already used, superseded or expired.', 'InvalidVerificationToken');
  const partnerId = partnerOfToken(token);
  if (!partnerId) throw invalid();
  for (let attempt = 1; attempt <= 10; attempt++) {
    const { doc, etag } = await services.partners.verification(partnerId);
    const now = services.now();
    if (!etag || !tokenMatches(doc.emailToken, token, now)) throw invalid();
    const next = structuredClone(doc);
    delete next.emailToken;
    for (const tab of next.tabs) {
      for (const check of tab.checks) {
        if (check.type === 'EmailOwnership') Object.assign(check, { status: 'Accepted', fixNowAvailable: false, updatedAt: now.toISOString() });
      }
    }
    try {
      await services.partners.transact(partnerId, [{ kind: 'replace', doc: next, etag }]);
      return { emailOwnership: 'Accepted' };
    } catch (error) {
      if (error instanceof ConcurrencyConflict) continue;
      throw error;
    }
  }
  throw AppError.conflict('The verification is being changed by another request; try again.');
}

/**
 * Applies an upstream decision (idempotent on decisionId, ordered by decidedAt) and emails the primary
 * contact once per applied decision (VER-10). The email is recorded with the decision and removed only
 * after the send succeeded, so a crash in between is healed by the redelivery, with the same operation id.
 */
export async function handleVerificationDecision(services: Services, decision: Decision): Promise<{ applied: boolean; emailsSent: number }> {
  if (!outcomeAllowed(decision.check, decision.outcome)) {
    throw new PoisonMessage(`outcome ${decision.outcome} is not possible for the ${decision.check} check`);
  }
  const partner = await services.partners.partner(decision.partnerId);
  if (!partner) throw new PoisonMessage(`unknown partner ${decision.partnerId}`);

  let applied = false;
  let pending: DecisionEmail[] = [];
  for (let attempt = 1; ; attempt++) {
    const { doc, etag } = await services.partners.verification(decision.partnerId);
    const result = applyDecision(doc, decision, services.now());
    applied = result.applied;
    pending = result.doc.pendingDecisionEmails;
    if (!result.applied) break;
    try {
      await services.partners.transact(decision.partnerId, [PartnerStore.verificationWrite(result.doc, etag)]);
      break;
    } catch (error) {
      const retry = error instanceof ConcurrencyConflict || (error instanceof AppError && error.status === 409);
      if (!retry || attempt >= 20) throw error;
    }
  }
  let emailsSent = 0;
  for (const email of pending) {
    await sendDecisionEmail(services, partner.doc, email);
    await services.partners.update(decision.partnerId, 'verification', (doc) =>
      doc.type === 'verification' ? { ...doc, pendingDecisionEmails: doc.pendingDecisionEmails.filter((e) => e.decisionId !== email.decisionId) } : doc,
    );
    emailsSent++;
  }
  return { applied, emailsSent };
}

const outcomeText: Record<DecisionEmail['outcome'], string> = {
  Accepted: 'has been accepted',
  Passed: 'has passed',
  Rejected: 'was rejected',
  Challenged: 'needs a verifiable credential',
};

async function sendDecisionEmail(services: Services, partner: Partner, email: DecisionEmail): Promise<void> {
  const contact = partner.primaryContact;
  const lines = [
    `Hello ${contact.firstName},`,
    '',
    `The ${email.check} verification of ${partner.companyName} (${email.tab} tab) ${outcomeText[email.outcome]}.`,
  ];
  if (email.reason) lines.push('', `Reason: ${email.reason}`);
  if (email.outcome === 'Rejected') {
    lines.push(
      '',
      email.fixNowAvailable
        ? 'You can appeal: open Legal info in Partner Center, choose "Fix now", pick the document type, add a comment and upload the document.'
        : 'No further action is possible.',
    );
  }
  await services.email.send({
    idempotencyKey: `verification-decision:${email.decisionId}`,
    type: 'VerificationDecision',
    to: [{ address: contact.email, displayName: `${contact.firstName} ${contact.lastName}` }],
    subject: `Account verification: ${email.check} ${outcomeText[email.outcome]}`,
    plainText: lines.join('\n'),
  });
}
