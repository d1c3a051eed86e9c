// Partner self-service (api.md "Partner self-service", "What verification unlocks"): the account view,
// the legal-details merge patch, bank and tax profiles, and the verification gates declared on routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices } from '../shared/composition-root.js';
import type { Role } from '../shared/domain/roles.js';
import { verificationGateOf } from '../shared/platform/auth.js';
import { httpDefinitions } from '../shared/platform/functions.js';
import { handleVerificationDecision } from '../shared/use-cases/verification.js';
import { acceptPartnerTab, call, emailsTo, eventually, partnerBody, queueService, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: `u-${roles.join('-')}` });
const problem = async (response: Response) => (await response.json()) as { code?: string; detail: string; errors?: { path: string; message: string }[] };

async function newPartner(overrides: Record<string, unknown> = {}) {
  const partnerId = unique('SS');
  const location = `${partnerId}-US`;
  const body = partnerBody({
    locations: [{ partnerId: location, country: 'US', active: true }],
    bankProfiles: [{ id: 'bank-up', locationPartnerId: location, default: true, complete: false }],
    taxProfiles: [{ id: 'tax-up', locationPartnerId: location, complete: true }],
    ...overrides,
  });
  const put = await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body });
  expect(put.status, await put.clone().text()).toBe(201);
  return { partnerId, location, body, email: body.primaryContact.email };
}

async function suspend(partnerId: string) {
  await handleVerificationDecision(await getServices(), {
    decisionId: unique('suspend'),
    partnerId,
    tab: 'partner',
    check: 'Identity',
    outcome: 'Rejected',
    fixNowAvailable: false,
    decidedAt: new Date().toISOString(),
  });
}

const account = async (partnerId: string, ...roles: Role[]) => call(host, 'GET', `/api/partners/${partnerId}`, { token: await as(partnerId, ...roles) });
const patchLegal = async (partnerId: string, body: unknown, roles: Role[] = ['GlobalAdmin'], raw?: string) =>
  raw === undefined
    ? call(host, 'PATCH', `/api/partners/${partnerId}/legal`, {
        token: await as(partnerId, ...roles),
        body,
        headers: { 'content-type': 'application/merge-patch+json' },
      })
    : fetch(`${host.url}/api/partners/${partnerId}/legal`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${await as(partnerId, ...roles)}`, 'content-type': 'application/merge-patch+json' },
        body: raw,
      });
const checks = async (partnerId: string) =>
  Object.fromEntries(((await (await getServices()).accounts.verification(partnerId)).doc.tabs[0]?.checks ?? []).map((c) => [c.type, c.status]));

describe('GET /api/partners/{partnerId} (ACC-1, ACC-5)', () => {
  it('ACC-5: any role of the partner sees its account, partner ids and verification summary', async () => {
    const { partnerId, location } = await newPartner();
    for (const role of ['SalesAgent', 'Manager', 'ReferralAdmin'] as const) {
      const response = await account(partnerId, role);
      expect(response.status, role).toBe(200);
      const view = (await response.json()) as Record<string, unknown>;
      expect(view).toMatchObject({ partnerId, companyName: 'Contoso Ltd', locations: [{ partnerId: location, country: 'US', active: true }] });
      expect(view.verification).toEqual({ accountSuspended: false, tabs: [{ tab: 'partner', status: 'Pending' }] });
      expect(view.bankProfiles, role).toBeUndefined();
      expect(view.taxProfiles, role).toBeUndefined();
    }
    expect((await call(host, 'GET', `/api/partners/${partnerId}`, { token: await operator() })).status).toBe(200);
  });

  it('ACC-3: another partner\u2019s account answers 403 with nothing of it in the body', async () => {
    const { partnerId } = await newPartner();
    const other = await newPartner();
    const response = await call(host, 'GET', `/api/partners/${other.partnerId}`, { token: await as(partnerId, 'GlobalAdmin') });
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).not.toContain(other.email);
    expect(text).not.toContain(other.location);
    expect(text).not.toContain('Contoso');
  });

  it('ACC-5: bank and tax summaries only for GlobalAdmin, AccountAdmin and IncentiveAdmin, the account number masked', async () => {
    const { partnerId, location } = await newPartner();
    const put = await call(host, 'PUT', `/api/partners/${partnerId}/bank-profiles/bank-mine`, {
      token: await as(partnerId, 'IncentiveAdmin'),
      body: { locationPartnerId: location, accountHolderName: 'Contoso Ltd', accountNumber: 'GB33BUKB20201555555555', bankCountry: 'GB', currency: 'GBP' },
    });
    expect(put.status).toBe(201);
    for (const role of ['GlobalAdmin', 'AccountAdmin', 'IncentiveAdmin'] as const) {
      const text = await (await account(partnerId, role)).text();
      expect(text, role).not.toContain('GB33BUKB20201555555555');
      expect(text, role).not.toContain('20201555555555');
      const view = JSON.parse(text) as { bankProfiles: { id: string; maskedAccountNumber?: string; complete: boolean }[]; taxProfiles: unknown[] };
      expect(view.bankProfiles.find((b) => b.id === 'bank-mine')).toMatchObject({ complete: true, maskedAccountNumber: expect.stringMatching(/^\*+5555$/) });
      expect(view.taxProfiles).toHaveLength(1);
    }
    for (const role of ['PartnerAdmin', 'SalesAgent'] as const)
      expect(((await (await account(partnerId, role)).json()) as Record<string, unknown>).bankProfiles).toBeUndefined();
  });
});

describe('PATCH /api/partners/{partnerId}/legal (ACC-5, VER-2, VER-3)', () => {
  it('ACC-5: bad patches answer 400 and change nothing: unknown fields, empty body, {}, non-object, 300-character company name, invalid country', async () => {
    const { partnerId } = await newPartner();
    const before = (await (await getServices()).accounts.partner(partnerId))?.etag;
    const bad: [string, unknown, string | undefined][] = [
      ['unknown field', { companyName: 'Fabrikam', taxId: '1' }, undefined],
      ['unknown nested field', { address: { planet: 'Mars' } }, undefined],
      ['empty body', undefined, ''],
      ['empty object', {}, undefined],
      ['array', [{ companyName: 'Fabrikam' }], undefined],
      ['string', 'Fabrikam', undefined],
      ['malformed JSON', undefined, '{"companyName":'],
      ['300-character company name', { companyName: 'x'.repeat(300) }, undefined],
      ['invalid country', { address: { country: 'XX' } }, undefined],
      ['null for a required member', { address: { city: null } }, undefined],
    ];
    for (const [what, body, raw] of bad) {
      const response = await patchLegal(partnerId, body, ['GlobalAdmin'], raw);
      expect(response.status, what).toBe(400);
      expect(response.headers.get('content-type'), what).toContain('application/problem+json');
    }
    expect((await (await getServices()).accounts.partner(partnerId))?.etag).toBe(before);
  });

  it('VER-3: a consumer or onmicrosoft.com contact address answers 400 WorkEmailRequired, on the PATCH and on the operator\u2019s PUT', async () => {
    const { partnerId, body } = await newPartner();
    for (const address of ['ana.lee@gmail.com', 'ana@outlook.com', 'jsmith@testcompany.onmicrosoft.com']) {
      const patched = await patchLegal(partnerId, { primaryContact: { email: address } });
      expect(patched.status, address).toBe(400);
      expect((await problem(patched)).code, address).toBe('WorkEmailRequired');
      const put = await call(host, 'PUT', `/api/partners/${partnerId}`, {
        token: await operator(),
        body: { ...body, primaryContact: { ...body.primaryContact, email: address } },
      });
      expect(put.status, address).toBe(400);
      expect((await problem(put)).code, address).toBe('WorkEmailRequired');
      expect(await emailsTo(address)).toEqual([]);
    }
  });

  it('VER-2: a new primary contact email sets EmailOwnership Pending and sends the verification email to the new address; 200 with the account', async () => {
    const { partnerId } = await newPartner();
    await acceptPartnerTab(partnerId);
    const address = `${unique('kai').toLowerCase()}@contoso.example`;
    const response = await patchLegal(partnerId, { primaryContact: { email: address } });
    expect(response.status).toBe(200);
    const view = (await response.json()) as { primaryContact: { email: string; firstName: string }; verification: { tabs: { status: string }[] } };
    expect(view.primaryContact).toMatchObject({ email: address, firstName: 'Ana' });
    expect(view.verification.tabs[0]?.status).toBe('Pending');
    expect(await checks(partnerId)).toMatchObject({ EmailOwnership: 'Pending', Business: 'Accepted', Identity: 'Passed' });
    const sent = await emailsTo(address);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.message.headers?.['x-notification-type']).toBe('EmailVerification');
  });

  it('VER-2: a new company name sets Business Pending; a patch that changes nothing restarts nothing and sends nothing', async () => {
    const { partnerId, email } = await newPartner();
    await acceptPartnerTab(partnerId);
    const sentBefore = (await emailsTo(email)).length;
    const same = await patchLegal(partnerId, { companyName: 'Contoso Ltd', address: { city: 'Seattle' } });
    expect(same.status).toBe(200);
    expect(await checks(partnerId)).toEqual({ EmailOwnership: 'Accepted', Identity: 'Passed', Employment: 'Accepted', Business: 'Accepted' });
    const renamed = await patchLegal(partnerId, { companyName: 'Contoso Group' });
    expect(renamed.status).toBe(200);
    expect(await checks(partnerId)).toMatchObject({ Business: 'Pending', EmailOwnership: 'Accepted', Employment: 'Accepted' });
    await host.host.idle();
    expect((await emailsTo(email)).length).toBe(sentBefore);
  });

  it('ACC-5: concurrent patches lose nothing', async () => {
    const { partnerId } = await newPartner();
    const responses = await Promise.all([
      patchLegal(partnerId, { companyName: 'Contoso Group' }),
      patchLegal(partnerId, { address: { line2: 'Floor 7' } }),
      patchLegal(partnerId, { primaryContact: { phone: '+1 555 0123' } }),
      patchLegal(partnerId, { address: { postalCode: '98109' } }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const view = (await (await account(partnerId, 'GlobalAdmin')).json()) as Record<string, unknown>;
    expect(view).toMatchObject({ companyName: 'Contoso Group', address: { line2: 'Floor 7', postalCode: '98109' }, primaryContact: { phone: '+1 555 0123' } });
  });

  it('ACC-5: a role outside the list answers 403; Manager and Owner only for a developer-only partner', async () => {
    const { partnerId } = await newPartner();
    for (const role of ['SalesAgent', 'IncentiveAdmin', 'ReferralAdmin'] as const)
      expect((await patchLegal(partnerId, { companyName: 'X' }, [role])).status, role).toBe(403);
    expect((await patchLegal(partnerId, { companyName: 'X' }, ['Manager'])).status).toBe(403);
    const developer = await newPartner({ programs: ['developer'], cspModel: 'None' });
    expect((await patchLegal(developer.partnerId, { companyName: 'X' }, ['Owner'])).status).toBe(200);
    const other = await newPartner();
    expect(
      (await call(host, 'PATCH', `/api/partners/${other.partnerId}/legal`, { token: await as(partnerId, 'GlobalAdmin'), body: { companyName: 'X' } })).status,
    ).toBe(403);
  });
});

describe('PUT .../bank-profiles/{profileId}, .../tax-profiles/{profileId} (INC-4)', () => {
  const bank = (location: string, extra: Record<string, unknown> = {}) => ({
    locationPartnerId: location,
    accountHolderName: 'Contoso Ltd',
    accountNumber: '000123456789',
    bankCountry: 'US',
    currency: 'USD',
    ...extra,
  });
  const putBank = async (partnerId: string, profileId: string, body: unknown, roles: Role[] = ['IncentiveAdmin']) =>
    call(host, 'PUT', `/api/partners/${partnerId}/bank-profiles/${profileId}`, { token: await as(partnerId, ...roles), body });

  it('INC-4: 201 then 200 with complete computed and the account number masked, never whole', async () => {
    const { partnerId, location } = await newPartner();
    const created = await putBank(partnerId, 'bank-mine', bank(location, { default: true }));
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toContain('000123456789');
    expect(JSON.parse(text)).toEqual({
      id: 'bank-mine',
      locationPartnerId: location,
      default: true,
      complete: true,
      accountHolderName: 'Contoso Ltd',
      maskedAccountNumber: '********6789',
      bankCountry: 'US',
      currency: 'USD',
    });
    const replaced = await putBank(partnerId, 'bank-mine', bank(location, { currency: undefined }));
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toMatchObject({ complete: false, default: false });
    const tax = await call(host, 'PUT', `/api/partners/${partnerId}/tax-profiles/tax-mine`, {
      token: await as(partnerId, 'AccountAdmin'),
      body: { locationPartnerId: location, taxCountry: 'US', taxId: '12-3456789' },
    });
    expect(tax.status).toBe(201);
    expect(await tax.json()).toMatchObject({ id: 'tax-mine', complete: true, maskedTaxId: expect.stringMatching(/6789$/) });
  });

  it('INC-4: a location the partner does not have, a currency XXX, a sent complete, a role outside the list: refused', async () => {
    const { partnerId, location } = await newPartner();
    const unknownLocation = await putBank(partnerId, 'b1', bank(`${partnerId}-FR`));
    expect(unknownLocation.status).toBe(400);
    expect((await problem(unknownLocation)).errors?.[0]?.path).toBe('body.locationPartnerId');
    const tax = await call(host, 'PUT', `/api/partners/${partnerId}/tax-profiles/t1`, {
      token: await as(partnerId, 'GlobalAdmin'),
      body: { locationPartnerId: 'nowhere' },
    });
    expect(tax.status).toBe(400);
    const xxx = await putBank(partnerId, 'b1', bank(location, { currency: 'XXX' }));
    expect(xxx.status).toBe(400);
    expect((await problem(xxx)).errors?.[0]?.path).toBe('body.currency');
    expect((await putBank(partnerId, 'b1', bank(location, { complete: true }))).status).toBe(400);
    const badNumber = await putBank(partnerId, 'b1', bank(location, { accountNumber: 'SECRET$4242424242' }));
    expect(badNumber.status).toBe(400);
    expect(await badNumber.text()).not.toContain('4242424242'); // the problem names the field, not the number
    for (const role of ['PartnerAdmin', 'SalesAgent', 'Manager'] as const)
      expect((await putBank(partnerId, 'b1', bank(location), [role])).status, role).toBe(403);
    const partner = (await (await getServices()).accounts.partner(partnerId))?.doc;
    expect(partner?.bankProfiles.map((b) => b.id)).toEqual(['bank-up']);
  });

  it('INC-4: two concurrent default bank profiles for one location leave exactly one default', async () => {
    const { partnerId, location } = await newPartner();
    const responses = await Promise.all(['a', 'b', 'c'].map((id) => putBank(partnerId, id, bank(location, { default: true }))));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const partner = (await (await getServices()).accounts.partner(partnerId))?.doc;
    expect(partner?.bankProfiles.filter((b) => b.locationPartnerId === location && b.default)).toHaveLength(1);
  });

  it('INC-4: a later upstream PUT that does not list the partner\u2019s profile leaves it; upstream\u2019s keep their stated complete; the PUT answers no account number', async () => {
    const { partnerId, location, body } = await newPartner();
    await putBank(partnerId, 'bank-mine', bank(location));
    const put = await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: { ...body, agreementActive: false } });
    expect(put.status).toBe(200);
    expect(await put.clone().text()).not.toContain('000123456789');
    const view = (await put.json()) as { bankProfiles: { id: string; complete: boolean }[] };
    expect(view.bankProfiles.map((b) => [b.id, b.complete])).toEqual([
      ['bank-up', false],
      ['bank-mine', true],
    ]);
  });
});

describe('what verification unlocks (VER-7, VER-11)', () => {
  it('VER-11: an order answers 409 AccountVerificationIncomplete naming the unfinished checks until the partner tab is Accepted, then ATT-6 applies', async () => {
    const { partnerId } = await newPartner();
    const customerId = unique('C');
    const agent = await as(partnerId, 'AdminAgent');
    const customer = {
      companyName: 'Fabrikam',
      primaryContact: { firstName: 'Kai', lastName: 'Ito', email: 'kai@fabrikam.example' },
      agreementOption: 'PartnerAttestation',
    };
    expect((await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, { token: agent, body: customer })).status).toBe(201);
    const order = () => call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, { token: agent, body: { offerId: 'o1', quantity: 1 } });
    const refused = await order();
    expect(refused.status).toBe(409);
    const body = await problem(refused);
    expect(body.code).toBe('AccountVerificationIncomplete');
    for (const check of ['EmailOwnership', 'Identity', 'Employment', 'Business']) expect(body.detail).toContain(check);
    await acceptPartnerTab(partnerId);
    const att6 = await order();
    expect(att6.status).toBe(409);
    expect((await problem(att6)).code).not.toBe('AccountVerificationIncomplete');
  });

  it('VER-7: a suspended partner is refused 403 AccountSuspended on every state-changing partner route; reads still work', async () => {
    const { partnerId } = await newPartner();
    await suspend(partnerId);
    const gated = httpDefinitions.filter((d) => verificationGateOf(d.method, d.access) !== 'none');
    const names = gated.map((d) => `${d.method} ${d.route}`);
    // Every non-GET route with a partner parameter is gated unless it declares otherwise.
    for (const d of httpDefinitions) {
      if ('anonymous' in d.access || d.method === 'GET' || !d.access.partnerParam) continue;
      if (d.access.verification === 'none') continue; // a declared exception
      expect(names, `${d.method} ${d.route}`).toContain(`${d.method} ${d.route}`);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'PATCH partners/{partnerId}/legal',
        'PUT partners/{partnerId}/bank-profiles/{profileId}',
        'POST partners/{partnerId}/customers/{customerId}/orders',
      ]),
    );
    let tried = 0;
    for (const d of gated) {
      if ('anonymous' in d.access) continue;
      const roles = d.access.roles.filter((r) => r !== 'PlatformOperator');
      if (roles.length === 0) continue; // only upstream systems call it: they are not gated
      const path = `/api/${d.route.replace('{partnerId}', partnerId).replace(/\{(\w+)\}/g, (_m, name: string) => `${name}-1`)}`;
      const response = await call(host, d.method, path, { token: await as(partnerId, ...roles), body: {} });
      expect(response.status, `${d.method} ${d.route}`).toBe(403);
      expect((await problem(response)).code, `${d.method} ${d.route}`).toBe('AccountSuspended');
      tried++;
    }
    expect(tried).toBeGreaterThanOrEqual(12);
    const view = await account(partnerId, 'GlobalAdmin');
    expect(view.status).toBe(200);
    expect(((await view.json()) as { verification: { accountSuspended: boolean } }).verification.accountSuspended).toBe(true);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/verification`, { token: await as(partnerId, 'GlobalAdmin') })).status).toBe(200);
  });

  it('VER-7: upstream systems and PlatformOperator still act on a suspended partner', async () => {
    const { partnerId, body, location } = await newPartner();
    await suspend(partnerId);
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: { ...body, agreementActive: false } })).status).toBe(200);
    const put = await call(host, 'PUT', `/api/partners/${partnerId}/tax-profiles/t-op`, { token: await operator(), body: { locationPartnerId: location } });
    expect(put.status).toBe(201);
    const decision = await handleVerificationDecision(await getServices(), {
      decisionId: unique('d'),
      partnerId,
      tab: 'partner',
      check: 'Business',
      outcome: 'Accepted',
      decidedAt: new Date().toISOString(),
    });
    expect(decision.applied).toBe(true);
  });
});

describe('verification emails (VER-8, VER-12)', () => {
  const decide = (message: Record<string, unknown>) => queueService().getQueueClient('verification-decisions').sendMessage(encodeQueueMessage(message));
  const ofType = async (address: string, type: string) => (await emailsTo(address)).filter((e) => e.message.headers?.['x-notification-type'] === type);

  it('VER-8: documentsRequested on a decision emails the primary contact what to upload', async () => {
    const { partnerId, email } = await newPartner();
    await decide({
      decisionId: unique('d'),
      partnerId,
      tab: 'partner',
      check: 'Business',
      outcome: 'Rejected',
      fixNowAvailable: true,
      documentsRequested: ['BusinessRegistration', 'MunicipalityDocument'],
      decidedAt: new Date().toISOString(),
    });
    const [sent] = await eventually(async () => {
      const found = await ofType(email, 'VerificationDocumentsRequested');
      return found.length > 0 ? found : undefined;
    });
    expect(sent?.message.content.plainText).toContain('BusinessRegistration');
    expect(sent?.message.content.plainText).toContain('MunicipalityDocument');
  });

  it('VER-8: an unknown document type in documentsRequested sends the message to verification-decisions-poison', async () => {
    const { partnerId } = await newPartner();
    const decisionId = unique('d');
    await decide({
      decisionId,
      partnerId,
      tab: 'partner',
      check: 'Business',
      outcome: 'Rejected',
      documentsRequested: ['Selfie'],
      decidedAt: new Date().toISOString(),
    });
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('verification-decisions-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(decisionId)) ? true : undefined;
    });
  });

  it('VER-12: a decision redelivered after the tab became Accepted sends one VerificationCompleted email', async () => {
    const { partnerId, email } = await newPartner();
    const decidedAt = new Date().toISOString();
    const last = { decisionId: unique('d'), partnerId, tab: 'partner', check: 'Business', outcome: 'Accepted', decidedAt };
    for (const [check, outcome] of [
      ['EmailOwnership', 'Accepted'],
      ['Identity', 'Passed'],
      ['Employment', 'Accepted'],
    ]) {
      await decide({ decisionId: unique('d'), partnerId, tab: 'partner', check, outcome, decidedAt });
    }
    await host.host.idle();
    expect(await ofType(email, 'VerificationCompleted')).toEqual([]);
    await decide(last);
    await host.host.idle();
    await decide(last);
    const later = new Date(Date.now() + 1000).toISOString();
    await decide({ ...last, decisionId: unique('d'), decidedAt: later });
    await host.host.idle();
    // The later decision was applied (not refused by its email), and told nothing new.
    const business = (await (await getServices()).accounts.verification(partnerId)).doc.tabs[0]?.checks.find((c) => c.type === 'Business');
    expect(business?.decidedAt).toBe(later);
    const completed = await ofType(email, 'VerificationCompleted');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.message.content.subject).toMatch(/verification is complete/);
  });
});
