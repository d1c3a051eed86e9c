import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getServices, overrideServices } from '../shared/composition-root.js';
import { enrollmentIdOf, newEnrollment, type Enrollment } from '../shared/domain/incentives.js';
import { partnerInputSchema, type Partner } from '../shared/domain/partner.js';
import { renewalOf as renewalDecision } from '../shared/domain/rollover.js';
import { call, emailsTo, eventually, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

// Two enrolments a page, so that every run here spans several pages (and queue messages). Runs are
// global: each test rolls over a fiscal year no other test writes into (renewals land in year + 1).
vi.stubEnv('ROLLOVER_PAGE_SIZE', '2');

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });

interface PartnerSetup {
  agreementActive?: boolean;
  locationActive?: boolean;
  taxComplete?: boolean;
  status?: Enrollment['status'];
}

/** A partner with one location and one enrolment of `fiscalYear` in the given state. */
async function enrolled(
  fiscalYear: number,
  setup: PartnerSetup = {},
): Promise<{ partnerId: string; enrollmentId: string; location: string; adminEmail: string }> {
  const partnerId = unique('R');
  const location = `${partnerId}-L`;
  const body = partnerBody({
    agreementActive: setup.agreementActive ?? true,
    locations: [{ partnerId: location, country: 'US', active: setup.locationActive ?? true }],
    bankProfiles: [{ id: 'bank', locationPartnerId: location, default: true, complete: true }],
    taxProfiles: [{ id: 'tax', locationPartnerId: location, complete: setup.taxComplete ?? true }],
  });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  const enrollment = newEnrollment(
    { partnerId, locationPartnerId: location, programId: 'azure-growth', fiscalYear, status: setup.status ?? 'Enrolled', openProgram: false },
    new Date(),
  );
  await (await getServices()).repository<Enrollment>('enrollments').create({ ...enrollment, bankProfileId: 'bank', taxProfileId: 'tax' });
  const { enrollmentId } = enrollment;
  const adminEmail = `ia.${partnerId.toLowerCase()}@contoso.example`;
  const user = await call(host, 'PUT', `/api/partners/${partnerId}/users/ia`, {
    token: await tokenFor({ partnerId, roles: ['GlobalAdmin'] }),
    body: { email: adminEmail, roles: ['IncentiveAdmin'] },
  });
  expect(user.status).toBe(201);
  return { partnerId, enrollmentId, location, adminEmail };
}

const summaries = async (address: string) => (await emailsTo(address)).filter((e) => e.message.headers?.['x-notification-type'] === 'RolloverSummary');

async function start(fromFiscalYear: unknown, dryRun?: boolean): Promise<Response> {
  return call(host, 'POST', '/api/operations/rollovers', { token: await operator(), body: { fromFiscalYear, ...(dryRun === undefined ? {} : { dryRun }) } });
}

interface RunStatus {
  status: string;
  dryRun: boolean;
  scanned: number;
  renewed: number;
  actionRequired: number;
  notEligible: number;
  alreadyRenewed: number;
  failed: number;
}

async function completed(runId: string): Promise<RunStatus> {
  return eventually(
    async () => {
      const response = await call(host, 'GET', `/api/operations/rollovers/${runId}`, { token: await operator() });
      const status = (await response.json()) as RunStatus;
      return status.status === 'Completed' ? status : undefined;
    },
    30_000,
    100,
  );
}

async function renewalOf(partnerId: string, location: string, fiscalYear: number): Promise<Enrollment | undefined> {
  return (await (await getServices()).repository<Enrollment>('enrollments').read(partnerId, enrollmentIdOf(location, 'azure-growth', fiscalYear)))?.doc;
}

describe('fiscal-year rollover (INC-5)', () => {
  it('a dry run counts and writes no enrolment', async () => {
    const year = 2023; // first: no other test has written into 2023 yet
    const one = await enrolled(year);
    await enrolled(year, { taxComplete: false });
    await enrolled(year);
    const { runId } = (await (await start(year, true)).json()) as { runId: string };
    expect(await completed(runId)).toMatchObject({ dryRun: true, scanned: 3, renewed: 2, actionRequired: 1 });
    expect(await renewalOf(one.partnerId, one.location, year + 1)).toBeUndefined();
    await host.host.idle();
    expect(await summaries(one.adminEmail)).toHaveLength(0); // a dry run emails nobody
  });

  it('INC-5: carries eligible enrolments with complete profiles as Enrolled; others ActionRequired or NotEligible; counts exact', async () => {
    const year = 2022;
    const carried = await enrolled(year);
    const taxIncomplete = await enrolled(year, { taxComplete: false }); // became incomplete after eligibility
    const noAgreement = await enrolled(year, { agreementActive: false });
    const inactive = await enrolled(year, { locationActive: false });
    const outcomes: Record<string, number> = {};
    const restore = await overrideServices({
      metrics: {
        record: (name, value, attributes) => {
          if (name === 'rollover.enrollments' && attributes?.fiscalYear === year + 1)
            outcomes[String(attributes.outcome)] = (outcomes[String(attributes.outcome)] ?? 0) + value;
        },
      },
    });
    const started = await start(year);
    expect(started.status).toBe(202);
    const { runId } = (await started.json()) as { runId: string };
    const status = await completed(runId);
    expect(status).toMatchObject({ dryRun: false, scanned: 4, renewed: 1, actionRequired: 1, notEligible: 2, failed: 0 });
    restore();
    // The same outcomes reach the operators' metric, once per page.
    expect(outcomes).toEqual({ Enrolled: 1, ActionRequired: 1, NotEligible: 2 });

    expect(await renewalOf(carried.partnerId, carried.location, year + 1)).toMatchObject({
      status: 'Enrolled',
      bankProfileId: 'bank',
      taxProfileId: 'tax',
      renewedFrom: carried.enrollmentId,
      fiscalYear: year + 1,
    });
    expect(await renewalOf(taxIncomplete.partnerId, taxIncomplete.location, year + 1)).toMatchObject({
      status: 'ActionRequired',
      actionsNeeded: ['CompleteTaxProfile'],
    });
    expect((await renewalOf(noAgreement.partnerId, noAgreement.location, year + 1))?.status).toBe('NotEligible');
    expect((await renewalOf(inactive.partnerId, inactive.location, year + 1))?.unmetRequirements).toContain('location partner id is not active');

    // Each partner's incentive admins get one summary of what renewed and what needs action.
    const [carriedSummary] = await eventually(async () => ((await summaries(carried.adminEmail)).length > 0 ? summaries(carried.adminEmail) : undefined));
    expect(carriedSummary?.message.content.plainText).toMatch(/Renewed \(1\)/);
    const actionSummary = await eventually(async () =>
      (await summaries(taxIncomplete.adminEmail)).length > 0 ? summaries(taxIncomplete.adminEmail) : undefined,
    );
    expect(actionSummary[0]?.message.content.plainText).toMatch(/Needs action \(1\):\n- azure-growth, location .*: CompleteTaxProfile/);
    await host.host.idle();
    expect(await summaries(carried.adminEmail)).toHaveLength(1);
  });

  it('INC-5: two runs started together renew nothing twice and count each renewal once; a later run counts 0/0/0 and alreadyRenewed', async () => {
    const year = 2024;
    const parts = [await enrolled(year), await enrolled(year), await enrolled(year)];
    const [a, b] = await Promise.all([start(year), start(year)]);
    const runs = [((await a?.json()) as { runId: string }).runId, ((await b?.json()) as { runId: string }).runId];
    const statuses = await Promise.all(runs.map((runId) => completed(runId)));
    for (const status of statuses) expect(status.scanned).toBe(3);
    // Between them the two runs created each renewal once: what one created the other found there.
    expect(statuses.reduce((n, s) => n + s.renewed, 0)).toBe(3);
    expect(statuses.reduce((n, s) => n + s.alreadyRenewed, 0)).toBe(3);
    const again = ((await (await start(year)).json()) as { runId: string }).runId;
    expect(await completed(again)).toMatchObject({ scanned: 3, renewed: 0, actionRequired: 0, notEligible: 0, alreadyRenewed: 3, failed: 0 });
    const services = await getServices();
    for (const p of parts) {
      const renewals = await services.repository<Enrollment>('enrollments').queryAll(
        {
          query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND c.fiscalYear = @fiscalYear',
          parameters: [
            { name: '@partnerId', value: p.partnerId },
            { name: '@type', value: 'enrollment' },
            { name: '@fiscalYear', value: year + 1 },
          ],
        },
        { partnerId: p.partnerId },
      );
      expect(renewals.map((r) => r.renewedFrom)).toEqual([p.enrollmentId]);
    }
  });

  it('a worker that crashes half-way through a page is retried, completes the page, and counts exactly', async () => {
    const year = 2026;
    const parts = [await enrolled(year), await enrolled(year), await enrolled(year), await enrolled(year)];
    const services = await getServices();
    let crashed = false;
    // The first bulk write stores its first renewal and then the process "dies".
    const real = services.enrollments;
    const enrollments = Object.assign(Object.create(Object.getPrototypeOf(real) as object) as typeof real, real, {
      createRenewals: async (renewals: Parameters<typeof real.createRenewals>[0]) => {
        if (crashed) return real.createRenewals(renewals);
        crashed = true;
        await real.createRenewals(renewals.slice(0, 1));
        throw new Error('worker crashed half-way through the page');
      },
    });
    const restore = await overrideServices({ enrollments });
    try {
      const { runId } = (await (await start(year)).json()) as { runId: string };
      const status = await completed(runId);
      expect(crashed).toBe(true);
      expect(status).toMatchObject({ scanned: 4, renewed: 4, alreadyRenewed: 0, failed: 0 });
    } finally {
      restore();
    }
    for (const p of parts) expect((await renewalOf(p.partnerId, p.location, year + 1))?.status).toBe('Enrolled');
  });

  it('a page that fails every delivery marks the run Failed (poison handler); resuming completes it with exact counts', async () => {
    const year = 2024; // renewals of this dry run are not written, so other tests' years stay untouched
    const broken = await enrolled(year);
    const services = await getServices();
    const failingPartners = Object.assign(Object.create(Object.getPrototypeOf(services.accounts) as object) as typeof services.accounts, services.accounts, {
      partner: async (partnerId: string) => {
        if (partnerId === broken.partnerId) throw new Error('partner store unavailable (test)');
        return services.accounts.partner(partnerId);
      },
    });
    const restore = await overrideServices({ accounts: failingPartners });
    let runId = '';
    try {
      runId = ((await (await start(year, true)).json()) as { runId: string }).runId;
      const failed = await eventually(
        async () => {
          const status = (await (await call(host, 'GET', `/api/operations/rollovers/${runId}`, { token: await operator() })).json()) as RunStatus & {
            failedPages?: { page: number }[];
          };
          return status.status === 'Failed' ? status : undefined;
        },
        30_000,
        100,
      );
      expect(failed.failedPages?.length).toBeGreaterThan(0);
    } finally {
      restore();
    }
    const resumed = await call(host, 'POST', `/api/operations/rollovers/${runId}/resume`, { token: await operator() });
    expect(resumed.status).toBe(202);
    expect(((await resumed.json()) as { requeued: number[] }).requeued.length).toBeGreaterThan(0);
    const done = await completed(runId);
    const scannedBefore = await (await getServices()).repository<Enrollment>('enrollments').queryAll({
      query: 'SELECT * FROM c WHERE c.type = @type AND c.fiscalYear = @year',
      parameters: [
        { name: '@type', value: 'enrollment' },
        { name: '@year', value: year },
      ],
    });
    expect(done.scanned).toBe(scannedBefore.length);
    expect((await call(host, 'POST', '/api/operations/rollovers/nope/resume', { token: await operator() })).status).toBe(404);
  });

  it('the daily timer starts one run per ended fiscal year, however often it runs', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${host.url}/admin/functions/enrollmentRollover`, { method: 'POST', body: '{}' })).status).toBe(202);
    const status = await eventually(async () => {
      const response = await call(host, 'GET', '/api/operations/rollovers/fy2026', { token: await operator() });
      return response.status === 200 ? ((await response.json()) as { fromFiscalYear: number }) : undefined;
    });
    expect(status.fromFiscalYear).toBe(2026);
  });

  it('INC-5: a renewal is a new enrolment: nothing of the old one\u2019s history (events, invitation, validation) is carried', () => {
    const source: Enrollment = {
      ...newEnrollment({ partnerId: 'p', locationPartnerId: 'p-L', programId: 'x', fiscalYear: 2026, status: 'Enrolled', openProgram: false }, new Date()),
      lastEventId: 'e-1',
      invitationSentAt: '2025-08-01T00:00:00.000Z',
      validationReason: 'old reason',
      bankProfileId: 'bank',
      taxProfileId: 'tax',
    };
    const input = partnerInputSchema.parse(
      partnerBody({
        locations: [{ partnerId: 'p-L', country: 'US', active: true }],
        bankProfiles: [{ id: 'bank', locationPartnerId: 'p-L', default: true, complete: true }],
        taxProfiles: [{ id: 'tax', locationPartnerId: 'p-L', complete: true }],
      }),
    );
    const partner: Partner = { ...input, id: 'partner', type: 'partner', partnerId: 'p', createdAt: source.createdAt, updatedAt: source.createdAt };
    const renewal = renewalDecision(source, partner, new Date());
    expect(renewal).toMatchObject({
      id: enrollmentIdOf('p-L', 'x', 2027),
      status: 'Enrolled',
      renewedFrom: source.enrollmentId,
      bankProfileId: 'bank',
      taxProfileId: 'tax',
    });
    expect(renewal).not.toHaveProperty('lastEventId');
    expect(renewal).not.toHaveProperty('invitationSentAt');
    expect(renewal).not.toHaveProperty('validationReason');
  });

  it('INC-5: a worker that fails while queueing the summaries is retried, and every partner gets one summary', async () => {
    // Last here: 2025 holds the renewals of the 2024 runs, and this run writes into 2026 after the tests that count it.
    const year = 2025;
    const parts = [await enrolled(year), await enrolled(year), await enrolled(year)];
    const services = await getServices();
    let queued = 0;
    let failed = false;
    // A fault no emulator gives: the worker "dies" after queueing the second summary.
    const restore = await overrideServices({
      queues: {
        send: async (queueName, message, options) => {
          if (queueName === 'rollover-summaries' && !failed && ++queued === 2) {
            failed = true;
            throw new Error('worker died while queueing summaries');
          }
          return services.queues.send(queueName, message, options);
        },
      },
    });
    try {
      const { runId } = (await (await start(year)).json()) as { runId: string };
      await completed(runId);
      // Only this run's summaries: the timer's run of 2026 may pick up these renewals too.
      const ofThisRun = async (address: string) =>
        (await summaries(address)).filter((e) => e.message.content.subject === `Incentive enrollments for fiscal year ${year + 1}`);
      for (const p of parts) await eventually(async () => ((await ofThisRun(p.adminEmail)).length > 0 ? true : undefined), 30_000);
      expect(failed).toBe(true);
      await host.host.idle();
      for (const p of parts) expect(await ofThisRun(p.adminEmail), p.partnerId).toHaveLength(1);
    } finally {
      restore();
    }
  });

  it('refuses a fiscal year that has not ended, a too old one, a negative or a string year (400), and non-operators (403)', async () => {
    for (const year of [2027, 2030, 2010, -1, '2025']) expect((await start(year)).status, String(year)).toBe(400);
    const forbidden = await call(host, 'POST', '/api/operations/rollovers', {
      token: await tokenFor({ partnerId: 'p', roles: ['GlobalAdmin'] }),
      body: { fromFiscalYear: 2025 },
    });
    expect(forbidden.status).toBe(403);
    expect((await call(host, 'GET', '/api/operations/rollovers/no-such-run', { token: await operator() })).status).toBe(404);
  });
});
