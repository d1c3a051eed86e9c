import { describe, expect, it } from 'vitest';
import { assessmentPageId, assessmentPartition, type DirectBillRecord } from '../../../shared/domain/direct-bill.js';
import { type DomainError } from '../../../shared/domain/errors.js';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import type { Partner } from '../../../shared/domain/partner.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import { attestAgreement, placeOrder, putCustomer } from '../../../shared/use-cases/agreements.js';
import { buySupportPlan, directBillEligibility } from '../../../shared/use-cases/csp.js';
import { upsertPartner } from '../../../shared/use-cases/partners.js';
import { deliverIntent } from '../../../shared/use-cases/outbox.js';
import type { IntentRef } from '../../../shared/use-cases/ports.js';
import {
  applyForDirectBill,
  directBillAssessmentStatus,
  handleDirectBillEvent,
  latestDirectBillApplication,
  planDirectBillAssessment,
  processAssessmentPage,
  recordFailedAssessmentPage,
  resumeDirectBillAssessment,
  type AssessmentPageMessage,
} from '../../../shared/use-cases/direct-bill.js';
import { cspFixture, partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

const NOW = new Date('2025-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();
const admin: Principal = { userId: 'admin-1', partnerId: 'P1', roles: new Set<Role>(['GlobalAdmin']), email: 'admin@contoso.com' };

async function setup(partners: Partial<Partner>[] = [{}]) {
  const memory = memoryDeps({ now: () => NOW });
  for (const [i, p] of partners.entries()) {
    const partnerId = p.partnerId ?? (i === 0 ? 'P1' : `P${i + 1}`);
    await memory.accounts.commit(partnerId, [{ kind: 'create', doc: partnerFixture({ partnerId, csp: cspFixture({ supportPlan: 'None' }), ...p }) }]);
  }
  return memory;
}

const intents = (docs: { type: string }[]) => docs.filter((d): d is EmailIntent => d.type === 'emailIntent');

describe('applyForDirectBill (CSP-4)', () => {
  it('CSP-4: two concurrent submissions make one application; the other answers DirectBillApplicationOpen', async () => {
    const { deps, accounts } = await setup();
    const results = await Promise.allSettled([applyForDirectBill(deps, 'P1', admin), applyForDirectBill(deps, 'P1', admin)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected?.reason as DomainError).code).toBe('DirectBillApplicationOpen');
    const record = (await accounts.read('P1', 'direct-bill'))?.doc as DirectBillRecord;
    expect(record.applications).toHaveLength(1);
    expect((await deps.accounts.partner('P1'))?.doc.csp?.creditCheck).toBe('Pending');
    expect(await latestDirectBillApplication(deps, 'P1')).toMatchObject({ status: 'Submitted', history: [{ status: 'Submitted', at: NOW.toISOString() }] });
  });

  it('CSP-4: unknown partner 404; never applied 404 on the read', async () => {
    const { deps } = await setup();
    expect((await errorOf(applyForDirectBill(deps, 'nope', admin))).kind).toBe('NotFound');
    expect((await errorOf(latestDirectBillApplication(deps, 'P1'))).kind).toBe('NotFound');
  });
});

describe('handleDirectBillEvent (CSP-2, CSP-4)', () => {
  it('CSP-2, CSP-4: credit check passed (one email), plan bought, approved (one email): the partner is DirectBill; repeats send nothing', async () => {
    const { deps, email, accounts } = await setup();
    const { applicationId } = await applyForDirectBill(deps, 'P1', admin);
    expect((await errorOf(buySupportPlan(deps, 'P1', 'Premier', admin))).code).toBe('CreditCheckNotPassed');
    const passed = { eventId: 'e1', partnerId: 'P1', applicationId, event: 'CreditCheckPassed' as const, occurredAt: at(1) };
    expect(await handleDirectBillEvent(deps, passed)).toEqual({ outcome: 'Applied', note: 'application CreditCheckPassed', emailsSent: 1 });
    expect(await handleDirectBillEvent(deps, passed)).toMatchObject({ outcome: 'Repeated', emailsSent: 0 });
    expect(await buySupportPlan(deps, 'P1', 'Premier', admin)).toMatchObject({ created: true, purchase: { plan: 'Premier' } });
    expect(await buySupportPlan(deps, 'P1', 'Advanced', admin)).toMatchObject({ created: false, purchase: { plan: 'Premier' } });
    const approved = { eventId: 'e2', partnerId: 'P1', applicationId, event: 'Approved' as const, occurredAt: at(2) };
    expect(await handleDirectBillEvent(deps, approved)).toMatchObject({ outcome: 'Applied', emailsSent: 1 });
    expect(await handleDirectBillEvent(deps, approved)).toMatchObject({ outcome: 'Repeated', emailsSent: 0 });
    expect(email.ofType('CreditCheckPassed')).toHaveLength(1);
    expect(email.ofType('DirectBillDecision')).toHaveLength(1);
    const partner = (await deps.accounts.partner('P1'))?.doc;
    expect(partner?.cspModel).toBe('DirectBill');
    expect(partner?.csp?.supportPlan).toBe('Premier');
    expect(intents(accounts.ofPartner('P1')).every((i) => i.status === 'Sent')).toBe(true);
    expect((await latestDirectBillApplication(deps, 'P1')).history.map((h) => h.status)).toEqual(['Submitted', 'CreditCheckPassed', 'Approved']);
  });

  it('CSP-4: an ignored event is recorded, changes nothing else and sends nothing', async () => {
    const { deps, email } = await setup();
    const { applicationId } = await applyForDirectBill(deps, 'P1', admin);
    const before = (await deps.accounts.partner('P1'))?.doc;
    const result = await handleDirectBillEvent(deps, { eventId: 'x', partnerId: 'P1', applicationId, event: 'Approved', occurredAt: at(1) });
    expect(result).toMatchObject({ outcome: 'Ignored', emailsSent: 0 });
    expect((await deps.accounts.partner('P1'))?.doc).toEqual(before);
    expect(email.sent).toEqual([]);
  });

  it('CSP-2: an email service that is down leaves the decision email owed, not lost', async () => {
    const { deps, email, accounts } = await setup();
    const { applicationId } = await applyForDirectBill(deps, 'P1', admin);
    email.failing = true;
    const result = await handleDirectBillEvent(deps, {
      eventId: 'f',
      partnerId: 'P1',
      applicationId,
      event: 'CreditCheckFailed',
      reason: 'no',
      occurredAt: at(1),
    });
    expect(result).toMatchObject({ outcome: 'Applied', emailsSent: 0 });
    expect(intents(accounts.ofPartner('P1')).map((i) => [i.emailType, i.status])).toEqual([['DirectBillDecision', 'Pending']]);
  });

  it('CSP-4: an unknown partner or application is an unprocessable message, and nothing is written', async () => {
    const { deps, accounts } = await setup();
    const commits = accounts.commits;
    expect(
      (await errorOf(handleDirectBillEvent(deps, { eventId: 'u', partnerId: 'nope', applicationId: 'a', event: 'Approved', occurredAt: at(1) }))).kind,
    ).toBe('UnprocessableMessage');
    expect(
      (await errorOf(handleDirectBillEvent(deps, { eventId: 'u', partnerId: 'P1', applicationId: 'never', event: 'Approved', occurredAt: at(1) }))).kind,
    ).toBe('UnprocessableMessage');
    expect(accounts.commits).toBe(commits);
  });
});

describe('the support plan bought (CSP-2)', () => {
  it('CSP-2: the plan bought counts for CSP-1 and outlives an upstream PUT that reports none; an identical PUT writes nothing', async () => {
    const { deps, accounts } = await setup([{ csp: cspFixture({ supportPlan: 'None', creditCheck: 'Passed' }) }]);
    await buySupportPlan(deps, 'P1', 'Premier', admin);
    const stored = (await deps.accounts.partner('P1'))?.doc;
    if (!stored) throw new Error('no partner');
    const { id: _id, type: _type, partnerId: _p, createdAt: _c, updatedAt: _u, directBill: _d, ...input } = stored;
    const commits = accounts.commits;
    expect((await upsertPartner(deps, 'P1', input)).created).toBe(false);
    expect(accounts.commits).toBe(commits);
    await upsertPartner(deps, 'P1', { ...input, csp: cspFixture({ supportPlan: 'None', creditCheck: 'Passed' }) });
    expect((await deps.accounts.partner('P1'))?.doc.directBill?.supportPlan?.plan).toBe('Premier');
    const report = await directBillEligibility(deps, 'P1');
    expect(report.requirements.find((r) => r.id === 'SupportPlan')).toEqual({ id: 'SupportPlan', met: true, detail: 'Premier support plan' });
  });
});

describe('the daily assessment (CSP-3)', () => {
  const directBill = (partnerId: string, overrides: Partial<Partner> = {}): Partial<Partner> => ({
    partnerId,
    cspModel: 'DirectBill',
    createdAt: '2024-12-01T00:00:00.000Z',
    csp: cspFixture(),
    ...overrides,
  });

  /** What the outbox's queue workers do with the deliveries the pages queued. */
  async function deliverQueued(deps: Awaited<ReturnType<typeof setup>>['deps'], queued: { queue: string; message: unknown }[]) {
    for (const q of queued) if (q.queue === 'email-outbox') await deliverIntent(deps, q.message as IntentRef);
  }

  async function runToEnd(deps: Awaited<ReturnType<typeof setup>>['deps'], queued: { queue: string; message: unknown }[], pageSize: number, budgetMs?: number) {
    for (let i = 0; i < queued.length; i++) {
      const q = queued[i];
      if (q?.queue === 'direct-bill-assessment-pages')
        await processAssessmentPage(deps, q.message as AssessmentPageMessage, { pageSize, ...(budgetMs === undefined ? {} : { budgetMs }) });
    }
    await deliverQueued(deps, queued);
  }

  it('CSP-3: a worker out of time hands the rest of the run to a new message; a redelivered message skips recorded pages without querying', async () => {
    const { deps, queued, email, accounts } = await setup(
      Array.from({ length: 5 }, (_, i) => directBill(`P${i + 1}`, { csp: cspFixture({ trailing12MonthRevenueUsd: i === 4 ? 1 : 400_000 }) })),
    );
    await planDirectBillAssessment(deps, 'slow');
    await runToEnd(deps, queued, 2, 0);
    const pages = queued.filter((q) => q.queue === 'direct-bill-assessment-pages').map((q) => (q.message as AssessmentPageMessage).page);
    expect(pages).toEqual([0, 1, 2]);
    expect(await directBillAssessmentStatus(deps, 'slow')).toMatchObject({ status: 'Completed', pages: 3, scanned: 5, suspended: 1 });
    const queries = { count: 0 };
    const counting = {
      ...deps,
      accounts: Object.assign(Object.create(deps.accounts) as typeof deps.accounts, {
        directBillPartners: async (page: Parameters<typeof deps.accounts.directBillPartners>[0]) => {
          queries.count++;
          return deps.accounts.directBillPartners(page);
        },
      }),
    };
    expect(await processAssessmentPage(counting, { runId: 'slow', page: 0 }, { pageSize: 2 })).toEqual({ pages: 0, alreadyDone: true, suspended: 0 });
    expect(queries.count).toBe(0);
    expect(email.ofType('DirectBillAbilitiesSuspended')).toHaveLength(1);
    expect(accounts.ofPartner('P5').filter((d) => d.type === 'emailIntent')).toHaveLength(1);
  });

  it('CSP-3: the timer starts one run a day and pages through DirectBill partners; only the due are suspended, each emailed once', async () => {
    const { deps, queued, email } = await setup([
      directBill('P1', { csp: cspFixture({ trailing12MonthRevenueUsd: 299_999 }) }),
      directBill('P2'),
      directBill('P3', { createdAt: '2023-01-01T00:00:00.000Z' }),
      directBill('P4'),
      { partnerId: 'P5', cspModel: 'IndirectReseller', csp: undefined },
    ]);
    expect(await planDirectBillAssessment(deps)).toEqual({ runId: '2025-03-01', started: true });
    expect(await planDirectBillAssessment(deps)).toEqual({ runId: '2025-03-01', started: false });
    expect(queued.filter((q) => q.queue === 'direct-bill-assessment-pages')).toHaveLength(1);
    await runToEnd(deps, queued, 2);
    expect(await directBillAssessmentStatus(deps, '2025-03-01')).toMatchObject({ status: 'Completed', pages: 2, scanned: 4, suspended: 2 });
    expect(email.ofType('DirectBillAbilitiesSuspended').map((e) => e.message.to[0]?.address)).toHaveLength(2);
    expect((await deps.accounts.partner('P1'))?.doc.directBill).toMatchObject({ abilities: 'Suspended', suspendedAt: NOW.toISOString() });
    expect((await deps.accounts.partner('P3'))?.doc.directBill?.suspendedFor?.[0]).toMatch(/^Assessment: last confirmed on 2023-01-01/);
    expect((await deps.accounts.partner('P2'))?.doc.directBill).toBeUndefined();

    // A page redelivered after it recorded itself does nothing; a second run later that day suspends nobody again.
    expect(await processAssessmentPage(deps, { runId: '2025-03-01', page: 0 }, { pageSize: 2 })).toMatchObject({ alreadyDone: true, pages: 0 });
    await planDirectBillAssessment(deps, 'operator-run');
    await runToEnd(deps, queued, 2);
    expect(await directBillAssessmentStatus(deps, 'operator-run')).toMatchObject({ status: 'Completed', scanned: 4, suspended: 0 });
    expect(email.ofType('DirectBillAbilitiesSuspended')).toHaveLength(2);
  });

  it('CSP-3: a worker with a page\u2019s worth of partners to suspend hands the rest to a new message', async () => {
    const { deps, queued, email } = await setup(Array.from({ length: 5 }, (_, i) => directBill(`P${i + 1}`, { csp: cspFixture({ managedServices: 0 }) })));
    await planDirectBillAssessment(deps, 'busy');
    expect(await processAssessmentPage(deps, { runId: 'busy', page: 0 }, { pageSize: 2 })).toEqual({ pages: 1, alreadyDone: false, suspended: 2 });
    await runToEnd(deps, queued, 2);
    const pages = queued.filter((q) => q.queue === 'direct-bill-assessment-pages').map((q) => (q.message as AssessmentPageMessage).page);
    expect(pages).toEqual([0, 1, 2]);
    expect(await directBillAssessmentStatus(deps, 'busy')).toMatchObject({ status: 'Completed', pages: 3, scanned: 5, suspended: 5 });
    expect(email.ofType('DirectBillAbilitiesSuspended')).toHaveLength(5);
  });

  it('CSP-3: two runs at once over the same partners send one email per partner', async () => {
    const { deps, queued, email } = await setup(
      Array.from({ length: 10 }, (_, i) => directBill(`P${i + 1}`, { csp: cspFixture({ trailing12MonthRevenueUsd: 1_000 }) })),
    );
    await Promise.all([planDirectBillAssessment(deps, 'a'), planDirectBillAssessment(deps, 'b')]);
    await Promise.all([
      processAssessmentPage(deps, { runId: 'a', page: 0 }, { pageSize: 100 }),
      processAssessmentPage(deps, { runId: 'b', page: 0 }, { pageSize: 100 }),
    ]);
    expect(queued.filter((q) => q.queue === 'direct-bill-assessment-pages')).toHaveLength(2);
    await deliverQueued(deps, queued);
    await deliverQueued(deps, queued); // a redelivered message sends nothing twice
    const sent = email.ofType('DirectBillAbilitiesSuspended').map((e) => e.message.to[0]?.address);
    expect(sent).toHaveLength(10);
    const a = await directBillAssessmentStatus(deps, 'a');
    const b = await directBillAssessmentStatus(deps, 'b');
    expect(a.suspended + b.suspended).toBe(10);
  });

  it('CSP-3: a suspended partner\u2019s new orders answer DirectBillAbilitiesSuspended; AssessmentPassed restores them', async () => {
    const { deps, queued } = await setup([directBill('P1', { csp: cspFixture({ trailing12MonthRevenueUsd: 299_999 }) })]);
    await putCustomer(deps, 'P1', 'C1', {
      companyName: 'Fabrikam',
      primaryContact: { firstName: 'C', lastName: 'D', email: 'c@fabrikam.example' },
      agreementOption: 'PartnerAttestation',
    });
    await attestAgreement(deps, {
      partnerId: 'P1',
      customerId: 'C1',
      primaryContact: { firstName: 'C', lastName: 'D', email: 'c@fabrikam.example', phoneNumber: '+1 555 0100' },
      dateAgreed: '2025-02-01',
      principal: { ...admin, roles: new Set<Role>(['AdminAgent']) },
    });
    expect(await placeOrder(deps, 'P1', 'C1')).toMatchObject({ status: 'Created' });
    await planDirectBillAssessment(deps);
    await runToEnd(deps, queued, 10);
    expect((await errorOf(placeOrder(deps, 'P1', 'C1'))).code).toBe('DirectBillAbilitiesSuspended');
    const restored = await handleDirectBillEvent(deps, { eventId: 'r', partnerId: 'P1', event: 'AssessmentPassed', occurredAt: at(60) });
    expect(restored).toMatchObject({ outcome: 'Applied', note: 'abilities restored' });
    expect(await placeOrder(deps, 'P1', 'C1')).toMatchObject({ status: 'Created' });
    expect((await deps.accounts.partner('P1'))?.doc.directBill).toMatchObject({ abilities: 'Active', lastAssessedAt: at(60) });
  });

  it('CSP-3: a page message that failed every delivery marks the run Failed at the first page it left undone; resuming completes it, each partner emailed once', async () => {
    const { deps, queued, email } = await setup(
      Array.from({ length: 5 }, (_, i) => directBill(`P${i + 1}`, { csp: cspFixture({ trailing12MonthRevenueUsd: i % 2 === 0 ? 1 : 400_000 }) })),
    );
    await planDirectBillAssessment(deps, 'broken');
    const pageMessages = () => queued.filter((q) => q.queue === 'direct-bill-assessment-pages').map((q) => q.message as AssessmentPageMessage);
    // Pages 0 and 1 are done (one page a message); the message for page 1 then fails every delivery
    // after its page was recorded (say, queuing page 2 kept failing), so page 2 is the one left undone.
    await processAssessmentPage(deps, { runId: 'broken', page: 0 }, { pageSize: 2, budgetMs: 0 });
    const pageOne = pageMessages()[1];
    if (!pageOne) throw new Error('page 1 was not queued');
    await processAssessmentPage(deps, pageOne, { pageSize: 2, budgetMs: 0 });
    queued.splice(
      queued.findIndex((q) => q.queue === 'direct-bill-assessment-pages' && (q.message as AssessmentPageMessage).page === 2),
      1,
    );
    expect(await recordFailedAssessmentPage(deps, pageOne)).toEqual({ recorded: true });
    expect(await recordFailedAssessmentPage(deps, pageOne)).toEqual({ recorded: false }); // a duplicate poison message
    const failed = await directBillAssessmentStatus(deps, 'broken');
    expect(failed).toMatchObject({ status: 'Failed', pages: 2, scanned: 4, failedPages: [{ page: 2, failedAt: NOW.toISOString() }] });

    // A resume whose queue is down answers the error and keeps the failure recorded for the next one.
    const queueDown = { ...deps, queues: { send: () => Promise.reject(new Error('queue unavailable (test)')) } };
    await expect(resumeDirectBillAssessment(queueDown, 'broken')).rejects.toThrow('queue unavailable (test)');
    expect((await directBillAssessmentStatus(deps, 'broken')).failedPages).toEqual([{ page: 2, failedAt: NOW.toISOString() }]);

    // The resume queues page 2 from page 1's continuation; the earlier messages are gone (page 1's
    // went to the poison queue), so only what the resume queued runs.
    queued.length = 0;
    expect(await resumeDirectBillAssessment(deps, 'broken')).toEqual({ runId: 'broken', requeued: [2] });
    expect(await resumeDirectBillAssessment(deps, 'broken')).toEqual({ runId: 'broken', requeued: [] });
    const pageOneRecord = await deps.assessments.read(assessmentPartition('broken'), assessmentPageId(1));
    const nextToken = pageOneRecord?.doc.type === 'assessmentPage' ? pageOneRecord.doc.nextToken : undefined;
    expect(nextToken).toBeDefined();
    expect(pageMessages()).toEqual([{ runId: 'broken', page: 2, continuationToken: nextToken }]);
    await runToEnd(deps, queued, 2);
    expect(await directBillAssessmentStatus(deps, 'broken')).toMatchObject({ status: 'Completed', pages: 3, scanned: 5, suspended: 3 });
    expect(email.ofType('DirectBillAbilitiesSuspended')).toHaveLength(3);
    // A poison message for a page of a run that completed since records nothing.
    expect(await recordFailedAssessmentPage(deps, { runId: 'broken', page: 0 })).toEqual({ recorded: false });
    expect((await directBillAssessmentStatus(deps, 'broken')).status).toBe('Completed');
    expect((await errorOf(resumeDirectBillAssessment(deps, 'nope'))).kind).toBe('NotFound');
  });

  it('CSP-3: a page of an unknown run is an unprocessable message', async () => {
    const { deps } = await setup();
    expect((await errorOf(processAssessmentPage(deps, { runId: 'nope', page: 0 }))).kind).toBe('UnprocessableMessage');
    expect((await errorOf(directBillAssessmentStatus(deps, 'nope'))).kind).toBe('NotFound');
  });
});
