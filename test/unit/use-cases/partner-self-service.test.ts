import { describe, expect, it } from 'vitest';
import { legalPatchSchema } from '../../../shared/domain/account.js';
import { enrollmentIdOf, newEnrollment } from '../../../shared/domain/incentives.js';
import { partnerInputSchema, type Partner, type PartnerInput } from '../../../shared/domain/partner.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import type { Decision } from '../../../shared/domain/verification.js';
import { enroll, listEnrollments } from '../../../shared/use-cases/incentives.js';
import { getAccount, patchLegalDetails, putBankProfile, putTaxProfile, upsertPartner } from '../../../shared/use-cases/partners.js';
import { confirmVerificationEmail, enforceVerificationGate, handleVerificationDecision } from '../../../shared/use-cases/verification.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

const START = Date.parse('2026-06-02T09:00:00.000Z');
const as = (...roles: Role[]): Principal => ({ userId: 'u1', partnerId: 'P1', roles: new Set(roles), email: undefined });
const admin = as('GlobalAdmin');

function partnerInput(overrides: Record<string, unknown> = {}): PartnerInput {
  return partnerInputSchema.parse({
    companyName: 'Contoso Ltd',
    address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
    primaryContact: { firstName: 'Ana', lastName: 'Lee', email: 'ana@contoso.example', phone: '+1 555 0100' },
    programs: ['ai-cloud-partner', 'csp'],
    cspModel: 'DirectBill',
    locations: [{ partnerId: 'L-US', country: 'US', active: true }],
    agreementActive: true,
    bankProfiles: [{ id: 'bank-up', locationPartnerId: 'L-US', default: true, complete: false }],
    taxProfiles: [{ id: 'tax-up', locationPartnerId: 'L-US', complete: true }],
    ...overrides,
  });
}

async function setup(overrides: Record<string, unknown> = {}) {
  const clock = { now: START };
  const memory = memoryDeps({ now: () => new Date(clock.now) });
  await upsertPartner(memory.deps, 'P1', partnerInput(overrides));
  return { ...memory, advance: (seconds: number) => (clock.now += seconds * 1000) };
}

const patch = (body: unknown) => legalPatchSchema.parse(body);
const checksOf = async (deps: ReturnType<typeof memoryDeps>['deps']) =>
  Object.fromEntries(((await deps.accounts.verification('P1')).doc.tabs[0]?.checks ?? []).map((c) => [c.type, c.status]));
const decision = (overrides: Partial<Decision>): Decision => ({
  decisionId: `d-${Math.random()}`,
  partnerId: 'P1',
  tab: 'partner',
  check: 'Business',
  outcome: 'Accepted',
  decidedAt: new Date(START + 60_000).toISOString(),
  ...overrides,
});
async function acceptAllBut(deps: ReturnType<typeof memoryDeps>['deps'], except: string[] = []) {
  const all: [Decision['check'], Decision['outcome']][] = [
    ['EmailOwnership', 'Accepted'],
    ['Identity', 'Passed'],
    ['Employment', 'Accepted'],
    ['Business', 'Accepted'],
  ];
  for (const [check, outcome] of all.filter(([c]) => !except.includes(c))) await handleVerificationDecision(deps, decision({ check, outcome }));
}

describe('getAccount (ACC-1, ACC-5)', () => {
  it('ACC-5: the account with its partner ids and verification summary; payout summaries by role', async () => {
    const { deps } = await setup();
    const view = await getAccount(deps, 'P1', admin);
    expect(view).toMatchObject({ partnerId: 'P1', locations: [{ partnerId: 'L-US', country: 'US', active: true }], verification: { accountSuspended: false } });
    expect(view.verification.tabs).toEqual([{ tab: 'partner', status: 'Pending' }]);
    expect(view.bankProfiles).toEqual([{ id: 'bank-up', locationPartnerId: 'L-US', default: true, complete: false }]);
    expect((await getAccount(deps, 'P1', as('SalesAgent'))).bankProfiles).toBeUndefined();
    expect(await errorOf(getAccount(deps, 'P2', admin))).toMatchObject({ kind: 'NotFound' });
  });
});

describe('patchLegalDetails (ACC-5, VER-2, VER-3)', () => {
  it('VER-2: a new company name sets Business Pending, and only Business; no email', async () => {
    const { deps, email } = await setup();
    await acceptAllBut(deps);
    const sentBefore = email.sent.length;
    const view = await patchLegalDetails(deps, 'P1', patch({ companyName: 'Contoso Group' }), admin);
    expect(view.companyName).toBe('Contoso Group');
    expect(await checksOf(deps)).toEqual({ EmailOwnership: 'Accepted', Identity: 'Passed', Employment: 'Accepted', Business: 'Pending' });
    expect(email.sent.length).toBe(sentBefore);
    expect(view.verification.tabs).toEqual([{ tab: 'partner', status: 'Pending' }]);
  });

  it('VER-2: a new address sets Business Pending', async () => {
    const { deps } = await setup();
    await acceptAllBut(deps);
    await patchLegalDetails(deps, 'P1', patch({ address: { city: 'Redmond', postalCode: '98052' } }), admin);
    expect(await checksOf(deps)).toMatchObject({ Business: 'Pending', EmailOwnership: 'Accepted', Employment: 'Accepted' });
  });

  it('VER-2: a new primary contact email sets EmailOwnership Pending and sends the verification email to the new address', async () => {
    const { deps, email } = await setup();
    await acceptAllBut(deps);
    await patchLegalDetails(deps, 'P1', patch({ primaryContact: { email: 'kai@contoso.example' } }), admin);
    expect(await checksOf(deps)).toMatchObject({ EmailOwnership: 'Pending', Business: 'Accepted', Identity: 'Passed' });
    const sent = email.ofType('EmailVerification');
    expect(sent.at(-1)?.message.to[0]?.address).toBe('kai@contoso.example');
    expect((await deps.accounts.verification('P1')).doc.emailToken).toBeDefined();
  });

  it('VER-2: a patch that changes nothing restarts nothing, writes nothing and sends nothing', async () => {
    const { deps, accounts, email } = await setup();
    await acceptAllBut(deps);
    const commits = accounts.commits;
    const sent = email.sent.length;
    await patchLegalDetails(deps, 'P1', patch({ companyName: 'Contoso Ltd', primaryContact: { email: 'ana@contoso.example' } }), admin);
    expect(accounts.commits).toBe(commits);
    expect(email.sent.length).toBe(sent);
    expect(await checksOf(deps)).toEqual({ EmailOwnership: 'Accepted', Identity: 'Passed', Employment: 'Accepted', Business: 'Accepted' });
  });

  it('VER-3: a consumer or onmicrosoft.com contact address is Invalid WorkEmailRequired and changes nothing', async () => {
    const { deps, accounts } = await setup();
    const commits = accounts.commits;
    for (const address of ['ana@gmail.com', 'ana@contoso.onmicrosoft.com']) {
      const error = await errorOf(patchLegalDetails(deps, 'P1', patch({ primaryContact: { email: address } }), admin));
      expect(error).toMatchObject({ kind: 'Invalid', code: 'WorkEmailRequired' });
    }
    expect(accounts.commits).toBe(commits);
    expect(await errorOf(upsertPartner(deps, 'P1', partnerInput({ primaryContact: { firstName: 'A', lastName: 'B', email: 'a@hotmail.com' } })))).toMatchObject(
      {
        code: 'WorkEmailRequired',
      },
    );
  });

  it('ACC-5: Manager and Owner patch only a developer-only partner', async () => {
    const { deps } = await setup();
    expect(await errorOf(patchLegalDetails(deps, 'P1', patch({ companyName: 'X' }), as('Manager')))).toMatchObject({ kind: 'Forbidden' });
    const dev = await setup({ programs: ['developer'] });
    expect((await patchLegalDetails(dev.deps, 'P1', patch({ companyName: 'X' }), as('Owner'))).companyName).toBe('X');
  });

  it('ACC-5: concurrent patches of different details lose nothing (the write is over the version read)', async () => {
    const { deps } = await setup();
    await Promise.all([
      patchLegalDetails(deps, 'P1', patch({ companyName: 'Contoso Group' }), admin),
      patchLegalDetails(deps, 'P1', patch({ address: { city: 'Redmond' } }), admin),
      patchLegalDetails(deps, 'P1', patch({ primaryContact: { phone: '+1 555 0199' } }), admin),
    ]);
    const partner = (await deps.accounts.partner('P1'))?.doc;
    expect(partner).toMatchObject({ companyName: 'Contoso Group', address: { city: 'Redmond' }, primaryContact: { phone: '+1 555 0199' } });
  });
});

describe('putBankProfile, putTaxProfile (INC-4)', () => {
  const full = { locationPartnerId: 'L-US', accountHolderName: 'Contoso Ltd', accountNumber: '000123456789', bankCountry: 'US' as const, currency: 'USD' };

  it('INC-4: complete is computed; the answer masks the account number; the stored profile keeps it as given', async () => {
    const { deps } = await setup();
    const created = await putBankProfile(deps, 'P1', 'bank-mine', { ...full, default: true });
    expect(created).toMatchObject({ created: true, profile: { id: 'bank-mine', complete: true, default: true, maskedAccountNumber: '********6789' } });
    expect(JSON.stringify(created)).not.toContain('000123456789');
    const stored = (await deps.accounts.partner('P1'))?.doc.bankProfiles;
    expect(stored?.find((b) => b.id === 'bank-mine')?.accountNumber).toBe('000123456789');
    expect(stored?.filter((b) => b.default).map((b) => b.id)).toEqual(['bank-mine']);
    const { currency: _c, ...noCurrency } = full;
    expect((await putBankProfile(deps, 'P1', 'bank-mine', noCurrency)).profile).toMatchObject({ complete: false, default: false });
    expect((await putTaxProfile(deps, 'P1', 'tax-mine', { locationPartnerId: 'L-US', taxCountry: 'US' })).profile.complete).toBe(false);
  });

  it('INC-4: a profile for a location the partner does not have is Invalid and writes nothing', async () => {
    const { deps, accounts } = await setup();
    const commits = accounts.commits;
    expect(await errorOf(putBankProfile(deps, 'P1', 'b', { ...full, locationPartnerId: 'L-XX' }))).toMatchObject({ kind: 'Invalid' });
    expect(await errorOf(putTaxProfile(deps, 'P1', 't', { locationPartnerId: 'L-XX' }))).toMatchObject({ kind: 'Invalid' });
    expect(accounts.commits).toBe(commits);
  });

  it('INC-4: two concurrent default bank profiles for one location leave exactly one default', async () => {
    const { deps } = await setup();
    await Promise.all([putBankProfile(deps, 'P1', 'a', { ...full, default: true }), putBankProfile(deps, 'P1', 'b', { ...full, default: true })]);
    const defaults = (await deps.accounts.partner('P1'))?.doc.bankProfiles.filter((p) => p.locationPartnerId === 'L-US' && p.default) ?? [];
    expect(defaults).toHaveLength(1);
  });

  it('INC-4: a later upstream PUT that does not list the partner\u2019s own profile leaves it; upstream profiles keep their stated complete', async () => {
    const { deps } = await setup();
    await putBankProfile(deps, 'P1', 'bank-mine', full);
    await upsertPartner(deps, 'P1', partnerInput({ companyName: 'Contoso Group' }));
    const partner = (await deps.accounts.partner('P1'))?.doc as Partner;
    expect(partner.bankProfiles.map((b) => [b.id, b.complete])).toEqual([
      ['bank-up', false],
      ['bank-mine', true],
    ]);
    // And a repeated upstream PUT with the partner's profile kept is still "unchanged".
    const commits = (await deps.accounts.partner('P1'))?.etag;
    await upsertPartner(deps, 'P1', partnerInput({ companyName: 'Contoso Group' }));
    expect((await deps.accounts.partner('P1'))?.etag).toBe(commits);
  });

  it('INC-3, INC-4: an ActionRequired enrolment lists no action once the profile is complete, and can be enrolled again', async () => {
    const { deps, enrollments } = await setup();
    const fiscalYear = 2027;
    const id = enrollmentIdOf('L-US', 'azure-growth', fiscalYear);
    await enrollments.commit('P1', [
      {
        kind: 'create',
        doc: newEnrollment(
          { partnerId: 'P1', locationPartnerId: 'L-US', programId: 'azure-growth', fiscalYear, status: 'Invited', openProgram: true },
          new Date(START),
        ),
      },
    ]);
    const incentiveAdmin = as('IncentiveAdmin');
    expect(await enroll(deps, 'P1', id, {}, incentiveAdmin)).toMatchObject({ status: 'ActionRequired', actionsNeeded: ['CompleteBankProfile'] });
    await putBankProfile(deps, 'P1', 'bank-up', { ...full, default: true });
    const listed = await listEnrollments(deps, 'P1', fiscalYear, incentiveAdmin);
    expect(listed.items[0]).toMatchObject({ status: 'ActionRequired', actionsNeeded: [] });
    expect(await enroll(deps, 'P1', id, {}, incentiveAdmin)).toMatchObject({ status: 'ValidatingEnrollment', actionsNeeded: [] });
  });
});

describe('verification emails and gates (VER-7, VER-8, VER-11, VER-12)', () => {
  it('VER-8: documentsRequested on a decision emails the primary contact what to upload, once per decision', async () => {
    const { deps, email } = await setup();
    const asked = decision({
      check: 'Business',
      outcome: 'Rejected',
      fixNowAvailable: true,
      documentsRequested: ['BusinessRegistration', 'TaxRegistrationCertificate'],
    });
    await handleVerificationDecision(deps, asked);
    await handleVerificationDecision(deps, asked);
    const sent = email.ofType('VerificationDocumentsRequested');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.message.to[0]?.address).toBe('ana@contoso.example');
    expect(sent[0]?.message.plainText).toContain('BusinessRegistration');
    expect(sent[0]?.message.plainText).toContain('TaxRegistrationCertificate');
    await handleVerificationDecision(deps, decision({ check: 'Employment', outcome: 'Accepted' }));
    expect(email.ofType('VerificationDocumentsRequested')).toHaveLength(1);
  });

  it('VER-12: the tab becoming Accepted sends VerificationCompleted once, whatever decisions or redeliveries follow', async () => {
    const { deps, email, advance } = await setup();
    await acceptAllBut(deps, ['Business']);
    expect(email.ofType('VerificationCompleted')).toHaveLength(0);
    const last = decision({ check: 'Business', outcome: 'Accepted' });
    await handleVerificationDecision(deps, last);
    expect(email.ofType('VerificationCompleted')).toHaveLength(1);
    expect(email.ofType('VerificationCompleted')[0]?.message.plainText).toContain('ai-cloud-partner, csp');
    await handleVerificationDecision(deps, last);
    advance(3600);
    await handleVerificationDecision(deps, decision({ check: 'Business', outcome: 'Accepted', decidedAt: new Date(START + 7_200_000).toISOString() }));
    expect(email.ofType('VerificationCompleted')).toHaveLength(1);
  });

  it('VER-12: accepting the email link that completes the tab sends VerificationCompleted once', async () => {
    const { deps, email } = await setup();
    await acceptAllBut(deps, ['EmailOwnership']);
    const link = /token=([^\s&]+)/.exec(email.ofType('EmailVerification')[0]?.message.plainText ?? '')?.[1] ?? '';
    await confirmVerificationEmail(deps, decodeURIComponent(link));
    expect(email.ofType('VerificationCompleted')).toHaveLength(1);
  });

  it('VER-7, VER-11: the gates: suspended refused on every gate; buying waits for the partner tab', async () => {
    const { deps } = await setup();
    await enforceVerificationGate(deps, 'P1', 'notSuspended');
    expect(await errorOf(enforceVerificationGate(deps, 'P1', 'partnerAccepted'))).toMatchObject({ code: 'AccountVerificationIncomplete' });
    await acceptAllBut(deps);
    await enforceVerificationGate(deps, 'P1', 'partnerAccepted');
    await handleVerificationDecision(deps, decision({ check: 'Identity', outcome: 'Rejected', decidedAt: new Date(START + 120_000).toISOString() }));
    for (const gate of ['notSuspended', 'partnerAccepted'] as const) {
      expect(await errorOf(enforceVerificationGate(deps, 'P1', gate))).toMatchObject({ kind: 'Forbidden', code: 'AccountSuspended' });
    }
    await enforceVerificationGate(deps, 'P1', 'none');
  });
});
