import type { Services } from '../composition-root.js';
import { ConcurrencyConflict } from '../data/repository.js';
import { PartnerStore } from '../data/partner-store.js';
import type { Partner, PartnerInput } from '../domain/partner.js';
import { emailLinkOwed, issueEmailToken, recentSends, startVerification } from '../domain/verification.js';
import { AppError } from '../platform/errors.js';
import { sendVerificationEmail } from './verification-email.js';

export interface UpsertPartnerResult {
  created: boolean;
  partner: Partner;
}

/**
 * Creates or replaces a partner (upstream systems). Enrolling in a program or changing legal details
 * starts verification (VER-2) in the same atomic write, then sends the email-ownership email. A PUT
 * that changes nothing writes and sends nothing, unless a link is still owed. No email is lost to a
 * failed send, because the upstream retries a PUT that fails:
 * - the email-ownership link is sent after the write (its hash must be stored first). A failed send
 *   answers 503 and marks the link unsent, so the retried PUT, identical as it is, sends a new link;
 * - a credit check that passes (CSP-2) is emailed before the write. A failed send answers 503 with
 *   nothing written, so the retry still sees the change and sends it (a fixed key: one email).
 */
export async function upsertPartner(services: Services, partnerId: string, input: PartnerInput): Promise<UpsertPartnerResult> {
  const store = services.partners;
  let creditCheckEmailed = false;
  for (let attempt = 1; attempt <= 10; attempt++) {
    const [existing, verification] = await Promise.all([store.partner(partnerId), store.verification(partnerId)]);
    const now = services.now();
    const before = existing?.doc;
    const unchanged = before && sameInput(before, input) ? before : undefined;
    const owed = emailLinkOwed(verification.doc);
    if (unchanged && !owed) return { created: false, partner: unchanged };
    const partner: Partner = unchanged ?? { ...input, id: 'partner', type: 'partner', partnerId, createdAt: before?.createdAt ?? now.toISOString(), updatedAt: now.toISOString() };

    const started = startVerification(verification.doc, before, input, now);
    let token: { token: string; hash: string } | undefined;
    if (started.sendEmail || owed) {
      token = issueEmailToken(partnerId);
      started.doc.emailToken = {
        hash: token.hash,
        issuedAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + services.config.VERIFICATION_TOKEN_TTL_HOURS * 3_600_000).toISOString(),
      };
      started.doc.emailSends = [...recentSends(started.doc.emailSends, now), now.toISOString()];
    }
    if (!creditCheckEmailed && before?.csp?.creditCheck !== 'Passed' && input.csp?.creditCheck === 'Passed') {
      try {
        await sendCreditCheckPassed(services, partner);
      } catch (error) {
        throw new AppError(503, 'The credit-check email could not be sent, so nothing was changed; send the request again shortly.', { cause: error, headers: { 'Retry-After': '30' } });
      }
      creditCheckEmailed = true;
    }
    try {
      await store.transact(partnerId, [
        ...(unchanged ? [] : [existing ? { kind: 'replace' as const, doc: partner, etag: existing.etag } : { kind: 'create' as const, doc: partner }]),
        ...(started.started || token || !verification.etag ? [PartnerStore.verificationWrite(started.doc, verification.etag)] : []),
      ]);
    } catch (error) {
      // Someone else wrote first (a concurrent PUT or a decision): read again and redo.
      if (error instanceof ConcurrencyConflict || (error instanceof AppError && error.status === 409)) continue;
      throw error;
    }
    if (token) {
      try {
        await sendVerificationEmail(services, partner, token.token, token.hash);
      } catch (error) {
        await undoSend(services, partnerId, now.toISOString());
        throw new AppError(503, 'The verification email could not be sent; send the request again shortly.', { cause: error, headers: { 'Retry-After': '30' } });
      }
    }
    return { created: !existing, partner };
  }
  throw AppError.conflict('The partner is being changed by another request; try again.');
}

function sameInput(stored: Partner, input: PartnerInput): boolean {
  const { id: _id, type: _type, partnerId: _p, createdAt: _c, updatedAt: _u, ...rest } = stored;
  return JSON.stringify(rest) === JSON.stringify(input);
}

/** CSP-2: the partner is told by email when the credit check passes; once per partner (fixed key). */
async function sendCreditCheckPassed(services: Services, partner: Partner): Promise<void> {
  const contact = partner.primaryContact;
  await services.email.send({
    idempotencyKey: `credit-check-passed:${partner.partnerId}`,
    type: 'CreditCheckPassed',
    to: [{ address: contact.email, displayName: `${contact.firstName} ${contact.lastName}` }],
    subject: 'Your CSP direct-bill credit check has passed',
    plainText: [
      `Hello ${contact.firstName},`,
      '',
      `The credit check for ${partner.companyName}'s direct-bill application has passed.`,
      'You can now buy an Advanced or Premier support plan for partners, the next step of your enrolment.',
    ].join('\n'),
  });
}

/**
 * Undoes a send that failed: it counts neither for the cooldown nor for the daily cap, and its link,
 * if still the latest, is marked unsent so the next PUT of the partner sends a new one.
 */
export async function undoSend(services: Services, partnerId: string, sentAt: string): Promise<void> {
  await services.partners.update(partnerId, 'verification', (doc) => {
    if (doc.type !== 'verification') return doc;
    const token = doc.emailToken?.issuedAt === sentAt ? { emailToken: { ...doc.emailToken, unsent: true as const } } : {};
    return { ...doc, ...token, emailSends: doc.emailSends.filter((s) => s !== sentAt) };
  });
}
