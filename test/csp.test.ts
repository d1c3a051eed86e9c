import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overrideServices } from '../shared/composition-root.js';
import { addMonths } from '../shared/domain/csp.js';
import { call, drainOutbox, emailOutage, emailsTo, eventually, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const admin = (partnerId: string) => tokenFor({ partnerId, roles: ['GlobalAdmin'] });
const isoDaysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

const qualifying = {
  indirectResellerSince: '2024-01-15',
  trailing12MonthRevenueUsd: 350_000,
  supportPlan: 'Advanced',
  managedServices: 1,
  authorityToSign: true,
  firstLineSupport: true,
  infrastructure: true,
  capabilityAssessmentPassed: true,
  creditCheck: 'NotStarted',
};

async function partnerWith(csp: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  const partnerId = unique('P');
  const body = partnerBody({ ...(csp ? { csp } : {}), ...extra });
  if (!csp) delete body.csp;
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  return { partnerId, body };
}

async function eligibility(partnerId: string) {
  const response = await call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/eligibility`, { token: await admin(partnerId) });
  expect(response.status).toBe(200);
  return (await response.json()) as { eligible: boolean; requirements: { id: string; met: boolean; detail: string }[] };
}

describe('direct-bill eligibility (CSP-1)', () => {
  it('CSP-1: a partner meeting every requirement is eligible, with one entry per requirement', async () => {
    const { partnerId } = await partnerWith(qualifying);
    const result = await eligibility(partnerId);
    expect(result.requirements.map((r) => r.id)).toEqual([
      'ActiveCloudPartnerLocation',
      'AuthorityToSign',
      'FirstLineSupport',
      'SupportPlan',
      'TrailingRevenue',
      'IndirectResellerTenure',
      'BillingAndProvisioningInfrastructure',
      'CapabilityAssessment',
      'ManagedServices',
    ]);
    expect(result.requirements.filter((r) => !r.met)).toEqual([]);
    expect(result.eligible).toBe(true);
  });

  it('CSP-1: USD 299,999 of trailing revenue is not enough, and says so', async () => {
    const { partnerId } = await partnerWith({ ...qualifying, trailing12MonthRevenueUsd: 299_999 });
    const result = await eligibility(partnerId);
    expect(result.eligible).toBe(false);
    expect(result.requirements.find((r) => r.id === 'TrailingRevenue')).toEqual({
      id: 'TrailingRevenue',
      met: false,
      detail: 'trailing 12-month revenue USD 299,999 is below USD 300,000',
    });
  });

  it('CSP-1: 12 months as an indirect reseller are counted to the day', async () => {
    const exactly = addMonths(new Date().toISOString().slice(0, 10), -12);
    const dayShort = addMonths(isoDaysAgo(-1), -12);
    expect(
      (await eligibility((await partnerWith({ ...qualifying, indirectResellerSince: exactly })).partnerId)).requirements.find(
        (r) => r.id === 'IndirectResellerTenure',
      )?.met,
    ).toBe(true);
    const short = (await eligibility((await partnerWith({ ...qualifying, indirectResellerSince: dayShort })).partnerId)).requirements.find(
      (r) => r.id === 'IndirectResellerTenure',
    );
    expect(short?.met).toBe(false);
    expect(short?.detail).toMatch(/12 months are reached on/);
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-28');
  });

  it('CSP-1: no CSP data, no program, no active location: not eligible, each with its reason', async () => {
    const { partnerId } = await partnerWith(undefined, { programs: ['developer'], locations: [{ partnerId: '4011111', country: 'US', active: false }] });
    const result = await eligibility(partnerId);
    expect(result.eligible).toBe(false);
    expect(result.requirements.every((r) => !r.met)).toBe(true);
    expect(result.requirements.find((r) => r.id === 'ActiveCloudPartnerLocation')?.detail).toBe('not enrolled in the AI Cloud Partner Program');
    expect(result.requirements.find((r) => r.id === 'AuthorityToSign')?.detail).toBe('no CSP information on record');
  });

  it('ACC-3: only a GlobalAdmin of the partner asks', async () => {
    const { partnerId } = await partnerWith(qualifying);
    expect(
      (await call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/eligibility`, { token: await tokenFor({ partnerId, roles: ['AccountAdmin'] }) }))
        .status,
    ).toBe(403);
    expect((await call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/eligibility`, { token: await admin('other') })).status).toBe(403);
  });
});

describe('the credit check and the support plan (CSP-2)', () => {
  it('CSP-2: no support plan before the credit check passed; the pass is emailed once; then the plan is bought once', async () => {
    const { partnerId, body } = await partnerWith(qualifying);
    const buy = async () =>
      call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/support-plan`, { token: await admin(partnerId), body: { plan: 'Premier' } });
    const early = await buy();
    expect(early.status).toBe(409);
    expect(((await early.json()) as { code: string }).code).toBe('CreditCheckNotPassed');

    const passed = { ...body, csp: { ...qualifying, creditCheck: 'Passed' } };
    await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: passed });
    await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: passed });
    await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: { ...passed, companyName: 'Contoso Group' } });
    const creditEmails = async () =>
      (await emailsTo(body.primaryContact.email)).filter((e) => e.message.headers?.['x-notification-type'] === 'CreditCheckPassed');
    await eventually(async () => ((await creditEmails()).length > 0 ? true : undefined));
    expect(await creditEmails()).toHaveLength(1);

    const bought = await buy();
    expect(bought.status).toBe(201);
    expect(await bought.json()).toMatchObject({ plan: 'Premier' });
    expect((await buy()).status).toBe(200);
  });

  it('CSP-2: a pass that cannot be emailed at once is recorded and owed: the sweep emails it exactly once', async () => {
    const { partnerId, body } = await partnerWith(qualifying);
    const passed = { ...body, csp: { ...qualifying, creditCheck: 'Passed' } };
    const outage = await emailOutage();
    const restore = await overrideServices({ email: outage.sender });
    try {
      expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: passed })).status).toBe(200);
    } finally {
      restore();
      await outage.endpoint.stop();
    }
    const creditEmails = async () =>
      (await emailsTo(body.primaryContact.email)).filter((e) => e.message.headers?.['x-notification-type'] === 'CreditCheckPassed');
    expect(await creditEmails()).toHaveLength(0);
    const buy = async () =>
      call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/support-plan`, { token: await admin(partnerId), body: { plan: 'Premier' } });
    expect((await buy()).status).toBe(201); // the pass was recorded

    await drainOutbox();
    expect(await creditEmails()).toHaveLength(1);
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: passed })).status).toBe(200);
    await drainOutbox();
    expect(await creditEmails()).toHaveLength(1);
  });
});
