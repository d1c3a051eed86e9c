import { carriedDirectBill } from '../domain/csp.js';
import { accountView, applyLegalPatch, mayEditLegal, type LegalPatch } from '../domain/account.js';
import { creditCheckPassedEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import { legalChanges, type Partner, type PartnerInput } from '../domain/partner.js';
import {
  bankProfileView,
  mergeUpstreamProfiles,
  taxProfileView,
  withBankProfile,
  withTaxProfile,
  type BankProfileInput,
  type TaxProfileInput,
} from '../domain/payout-profiles.js';
import type { Principal } from '../domain/roles.js';
import { recentSends, startVerification, type VerificationDoc } from '../domain/verification.js';
import { isWorkEmail } from '../domain/work-email.js';
import { newEmailLink, requirePartner } from './accounts.js';
import { committing, deliverNow } from './outbox.js';
import type { AccountDoc, UseCaseDeps, Versioned, Write } from './ports.js';
import { readDecideWrite, writeOver } from './write.js';

export interface UpsertPartnerResult {
  created: boolean;
  partner: Partner;
}

function sameInput(stored: Partner, input: PartnerInput): boolean {
  const { id: _id, type: _type, partnerId: _p, createdAt: _c, updatedAt: _u, directBill: _d, ...rest } = stored;
  return JSON.stringify(rest) === JSON.stringify(input);
}

/** VER-3: the primary contact must be a monitored work address (400 WorkEmailRequired otherwise). */
function requireWorkEmail(address: string): void {
  if (!isWorkEmail(address)) {
    throw DomainError.invalid(
      'The primary contact must be a monitored work address: not a consumer mail provider, not an onmicrosoft.com sign-in name (VER-3).',
      'WorkEmailRequired',
      [{ path: 'body.primaryContact.email', message: 'must be a work address' }],
    );
  }
}

/**
 * The writes of a change to a stored account: the partner as `input`, verification restarted for what
 * changed (VER-2) with the email-ownership email when `sendEmail` allows, and the CSP-2 email when the
 * credit check has just passed. Decided under the versions read, committed as one batch.
 */
function accountChange(
  deps: UseCaseDeps,
  partnerId: string,
  existing: Versioned<Partner> | undefined,
  verification: { doc: VerificationDoc; etag: string | undefined },
  input: PartnerInput,
  now: Date,
  sendEmail: (started: { sendEmail: boolean }) => boolean,
): { partner: Partner; verification: VerificationDoc; writes: Write<AccountDoc>[] } {
  const before = existing?.doc;
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
  if (sendEmail(started)) {
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
  return { partner, verification: started.doc, writes };
}

/**
 * Creates or replaces a partner (upstream systems). Enrolling in a program or changing legal details
 * starts verification (VER-2); the email-ownership email and, when the credit check has just passed,
 * the CSP-2 email are owed in the same atomic write (outbox), then delivered. A PUT that changes
 * nothing writes and sends nothing. Bank and tax profiles the partner wrote itself and the PUT does
 * not list stay (mergeUpstreamProfiles).
 */
export async function upsertPartner(deps: UseCaseDeps, partnerId: string, input: PartnerInput, log?: (message: string) => void): Promise<UpsertPartnerResult> {
  requireWorkEmail(input.primaryContact.email);
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const outcome = await readDecideWrite({
    read: async () => {
      const [existing, verification] = await Promise.all([deps.accounts.partner(partnerId), deps.accounts.verification(partnerId)]);
      return { existing, verification, now: deps.now() };
    },
    decide: ({ existing, verification, now }) => {
      const before = existing?.doc;
      const merged: PartnerInput = { ...input, ...mergeUpstreamProfiles(before, input) };
      if (before && sameInput(before, merged)) return { result: { created: false, partner: before } };
      const change = accountChange(deps, partnerId, existing, verification, merged, now, (started) => started.sendEmail);
      return { result: { created: !existing, partner: change.partner }, write: change.writes };
    },
    write: commit.write,
  });
  await deliverNow(deps, commit.owed(), log);
  return { created: outcome.created, partner: outcome.partner };
}

/** ACC-1, ACC-5: the account as the caller may see it (payout summaries for the payout roles only). */
export async function getAccount(deps: UseCaseDeps, partnerId: string, principal: Principal) {
  const { partner, verification } = await deps.accounts.snapshot(partnerId);
  if (!partner) throw DomainError.notFound(`Partner ${partnerId} does not exist.`);
  return accountView(partner, verification, principal.roles);
}

/**
 * ACC-5, VER-2, VER-3: the partner's admins correct the legal details with a JSON merge patch. What
 * changed restarts verification of it (company name or address: Business; contact: Employment; a new
 * address: EmailOwnership, with a verification email to the new address, owed in the same write). The
 * patch is applied to the version read and written over it, so concurrent patches lose nothing; a
 * patch that changes nothing writes and sends nothing.
 */
export async function patchLegalDetails(deps: UseCaseDeps, partnerId: string, patch: LegalPatch, principal: Principal, log?: (message: string) => void) {
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const outcome = await readDecideWrite({
    read: async () => {
      const [existing, verification] = await Promise.all([requirePartner(deps, partnerId), deps.accounts.verification(partnerId)]);
      return { existing, verification, now: deps.now() };
    },
    decide: ({ existing, verification, now }) => {
      const before = existing.doc;
      if (!mayEditLegal(principal.roles, before.programs)) {
        throw DomainError.forbidden('Manager and Owner may change the legal details only of a partner whose only program is developer (ACC-5).');
      }
      const input = applyLegalPatch(before, patch);
      requireWorkEmail(input.primaryContact.email);
      const changes = legalChanges(before, input);
      if (!changes.company && !changes.contact) return { result: { partner: before, verification: verification.doc } };
      const change = accountChange(deps, partnerId, existing, verification, input, now, (started) => started.sendEmail && changes.contactEmail);
      return { result: { partner: change.partner, verification: change.verification }, write: change.writes };
    },
    write: commit.write,
  });
  await deliverNow(deps, commit.owed(), log);
  return accountView(outcome.partner, outcome.verification, principal.roles);
}

function requireLocation(partner: Partner, locationPartnerId: string): void {
  if (!partner.locations.some((l) => l.partnerId === locationPartnerId)) {
    throw DomainError.validation('The profile names a location the partner does not have.', [
      { path: 'body.locationPartnerId', message: `${locationPartnerId} is not a location of the partner` },
    ]);
  }
}

/**
 * ACC-5, INC-4: the partner writes one of its bank profiles: `complete` computed, a new default clears
 * the location's old one in the same write (the partner document, over its version: two concurrent
 * defaults leave exactly one). Answers the profile with its account number masked.
 */
export async function putBankProfile(deps: UseCaseDeps, partnerId: string, profileId: string, input: BankProfileInput) {
  return readDecideWrite({
    read: async () => ({ existing: await requirePartner(deps, partnerId), now: deps.now() }),
    decide: ({ existing, now }) => {
      requireLocation(existing.doc, input.locationPartnerId);
      const written = withBankProfile(existing.doc.bankProfiles, profileId, input, now);
      const partner: Partner = { ...existing.doc, bankProfiles: written.profiles, updatedAt: now.toISOString() };
      return {
        result: { created: written.created, profile: bankProfileView(written.profile) },
        write: [{ kind: 'replace', doc: partner, etag: existing.etag }] satisfies Write<AccountDoc>[],
      };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
}

/** ACC-5, INC-4: the partner writes one of its tax profiles (`complete` computed, tax id masked in the answer). */
export async function putTaxProfile(deps: UseCaseDeps, partnerId: string, profileId: string, input: TaxProfileInput) {
  return readDecideWrite({
    read: async () => ({ existing: await requirePartner(deps, partnerId), now: deps.now() }),
    decide: ({ existing, now }) => {
      requireLocation(existing.doc, input.locationPartnerId);
      const written = withTaxProfile(existing.doc.taxProfiles, profileId, input, now);
      const partner: Partner = { ...existing.doc, taxProfiles: written.profiles, updatedAt: now.toISOString() };
      return {
        result: { created: written.created, profile: taxProfileView(written.profile) },
        write: [{ kind: 'replace', doc: partner, etag: existing.etag }] satisfies Write<AccountDoc>[],
      };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
}
