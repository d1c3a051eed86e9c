import { carriedDirectBill } from '../domain/csp.js';
import { creditCheckPassedEmail } from '../domain/emails.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import type { Partner, PartnerInput } from '../domain/partner.js';
import { recentSends, startVerification } from '../domain/verification.js';
import { newEmailLink } from './accounts.js';
import { committing, deliverNow } from './outbox.js';
import type { AccountDoc, UseCaseDeps, Write } from './ports.js';
import { readDecideWrite, writeOver } from './write.js';

export interface UpsertPartnerResult {
  created: boolean;
  partner: Partner;
}

function sameInput(stored: Partner, input: PartnerInput): boolean {
  const { id: _id, type: _type, partnerId: _p, createdAt: _c, updatedAt: _u, directBill: _d, ...rest } = stored;
  return JSON.stringify(rest) === JSON.stringify(input);
}

/**
 * Creates or replaces a partner (upstream systems). Enrolling in a program or changing legal details
 * starts verification (VER-2); the email-ownership email and, when the credit check has just passed,
 * the CSP-2 email are owed in the same atomic write (outbox), then delivered. A PUT that changes
 * nothing writes and sends nothing.
 */
export async function upsertPartner(deps: UseCaseDeps, partnerId: string, input: PartnerInput, log?: (message: string) => void): Promise<UpsertPartnerResult> {
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const outcome = await readDecideWrite({
    read: async () => {
      const [existing, verification] = await Promise.all([deps.accounts.partner(partnerId), deps.accounts.verification(partnerId)]);
      return { existing, verification, now: deps.now() };
    },
    decide: ({ existing, verification, now }) => {
      const before = existing?.doc;
      if (before && sameInput(before, input)) return { result: { created: false, partner: before, intents: [] as EmailIntent[] } };
      const partner: Partner = {
        ...input,
        id: 'partner',
        type: 'partner',
        partnerId,
        createdAt: before?.createdAt ?? now.toISOString(),
        updatedAt: now.toISOString(),
      };
      // The suite's own direct-bill record (plan bought, assessment, abilities) is not upstream's to replace (CSP-3).
      const directBill = carriedDirectBill(before, input, now);
      if (directBill) partner.directBill = directBill;
      const started = startVerification(verification.doc, before, input, now);
      const intents: EmailIntent[] = [];
      if (started.sendEmail) {
        const link = newEmailLink(deps, partner, now);
        started.doc.emailToken = link.emailToken;
        started.doc.emailSends = [...recentSends(started.doc.emailSends, now), now.toISOString()];
        intents.push(link.intent);
      }
      // CSP-2: told once per time the check passes (the transition is decided under the partner's version).
      if (before?.csp?.creditCheck !== 'Passed' && input.csp?.creditCheck === 'Passed') {
        intents.push(
          claimed(emailIntent(partnerId, `credit-check-passed:${partnerId}:${now.toISOString()}`, creditCheckPassedEmail(partner), now.toISOString()), now),
        );
      }
      const writes: Write<AccountDoc>[] = [
        writeOver<AccountDoc>(partner, existing?.etag),
        ...(started.started || intents.length > 0 || !verification.etag ? [writeOver<AccountDoc>(started.doc, verification.etag)] : []),
        ...intents.map((doc) => ({ kind: 'create' as const, doc })),
      ];
      return { result: { created: !existing, partner, intents }, write: writes };
    },
    write: commit.write,
  });
  await deliverNow(deps, commit.owed(), log);
  return { created: outcome.created, partner: outcome.partner };
}
