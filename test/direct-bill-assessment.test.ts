// CSP-3, the daily direct-bill assessment, against the emulators and the local email endpoint. The
// assessment looks at every DirectBill partner of the database, so this file has a database of its
// own (other files' DirectBill partners must not be suspended under them), a host serving HTTP only,
// and the pages the timer fans out recorded and run here, page by page, by the same use cases the
// queue functions call.
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getServices, overrideServices, resetServices, type Services } from '../shared/composition-root.js';
import { createCosmosClient } from '../shared/data/cosmos-client.js';
import { provisionResources } from '../shared/data/provision.js';
import { directBillStatus } from '../shared/domain/csp.js';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import {
  directBillAssessmentStatus,
  handleDirectBillEvent,
  planDirectBillAssessment,
  processAssessmentPage,
  recordFailedAssessmentPage,
  type AssessmentPageMessage,
} from '../shared/use-cases/direct-bill.js';
import type { QueuePublisher } from '../shared/use-cases/ports.js';
import {
  acceptPartnerTab,
  call,
  drainOutbox,
  emailsTo,
  partnerBody,
  queueService,
  stackEnv,
  startTestHost,
  tokenFor,
  unique,
  type TestHost,
} from './support/harness.js';

const database = `partner-portal-assessment-${Math.random().toString(36).slice(2, 8)}`;
vi.stubEnv('COSMOS_DATABASE', database);

const queued: { queueName: string; message: unknown }[] = [];
const recordingQueues: QueuePublisher = {
  async send(queueName, message) {
    queued.push({ queueName, message });
  },
};

let host: TestHost;
let services: Services;
let restore: () => void = () => {};
beforeAll(async () => {
  resetServices();
  const env = stackEnv();
  const cosmos = createCosmosClient({ endpoint: env.COSMOS_ENDPOINT ?? '', key: env.COSMOS_KEY, tlsInsecure: true });
  await provisionResources({
    cosmos,
    databaseId: database,
    queueService: queueService(),
    blobService: BlobServiceClient.fromConnectionString(env.AzureWebJobsStorage ?? ''),
    blobContainers: [],
  });
  cosmos.dispose();
  const core = installFunctionsCore();
  await import('../functions/index.js');
  host = await startTestHost((fn) => !fn.name.startsWith('test-') && core.triggerOf(fn).type === 'httpTrigger');
  restore = await overrideServices({ queues: recordingQueues });
  services = await getServices();
});
afterAll(async () => {
  restore();
  await host?.stop();
  resetServices();
});

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const qualifying = {
  indirectResellerSince: '2024-01-15',
  trailing12MonthRevenueUsd: 350_000,
  supportPlan: 'Advanced',
  managedServices: 1,
  authorityToSign: true,
  firstLineSupport: true,
  infrastructure: true,
  capabilityAssessmentPassed: true,
  creditCheck: 'Passed',
};

async function directBillPartner(csp: Record<string, unknown> = qualifying) {
  const partnerId = unique('AS');
  const body = partnerBody({ cspModel: 'DirectBill', csp });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  return { partnerId, body, email: body.primaryContact.email };
}

/**
 * What the queue functions would do with the run's pages (each page message, as the timer and the
 * pages queue them), then what the outbox's workers do with the emails owed (this file's database only).
 */
async function runPages(runIds: string[]): Promise<void> {
  for (let i = 0; i < queued.length; i++) {
    const q = queued[i];
    const message = q?.message as AssessmentPageMessage | undefined;
    if (q?.queueName === 'direct-bill-assessment-pages' && message && runIds.includes(message.runId)) await processAssessmentPage(services, message);
  }
  await drainOutbox();
}

const suspensionEmails = async (address: string) =>
  (await emailsTo(address)).filter((e) => e.message.headers?.['x-notification-type'] === 'DirectBillAbilitiesSuspended');

async function order(partnerId: string, customerId: string): Promise<Response> {
  return call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, {
    token: await tokenFor({ partnerId, roles: ['AdminAgent'] }),
    body: { offerId: 'o-1', quantity: 1 },
  });
}

describe('the annual assessment (CSP-3)', () => {
  it('CSP-3: revenue below USD 300,000 suspends the partner (one email) and blocks new orders (409); AssessmentPassed restores them', async () => {
    const { partnerId, body, email } = await directBillPartner();
    const customerId = unique('C');
    const agent = await tokenFor({ partnerId, roles: ['AdminAgent'] });
    const contact = { firstName: 'Cleo', lastName: 'Customer', email: `${customerId}@fabrikam.example` };
    expect(
      (
        await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, {
          token: agent,
          body: { companyName: 'Fabrikam', primaryContact: contact, agreementOption: 'PartnerAttestation' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/agreements`, {
          token: agent,
          body: {
            type: 'MicrosoftCustomerAgreement',
            primaryContact: { ...contact, phoneNumber: '+1 555 0199' },
            dateAgreed: new Date().toISOString().slice(0, 10),
          },
        })
      ).status,
    ).toBe(201);
    await acceptPartnerTab(partnerId); // VER-11: buying waits for the partner tab
    expect((await order(partnerId, customerId)).status).toBe(201);
    const account = async () => (await call(host, 'GET', `/api/partners/${partnerId}`, { token: agent })).json();
    expect(await account()).toMatchObject({ cspModel: 'DirectBill', directBillAbilities: 'Active', lastAssessedAt: null });

    // Upstream reports the revenue drop; the day's assessment runs.
    const dropped = { ...body, csp: { ...qualifying, trailing12MonthRevenueUsd: 299_999 } };
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: dropped })).status).toBe(200);
    const runId = unique('run');
    await planDirectBillAssessment(services, runId);
    await runPages([runId]);
    expect((await directBillAssessmentStatus(services, runId)).status).toBe('Completed');

    const suspended = (await services.accounts.partner(partnerId))?.doc;
    expect(suspended?.directBill?.abilities).toBe('Suspended');
    expect(suspended?.directBill?.suspendedFor).toEqual(['TrailingRevenue: trailing 12-month revenue USD 299,999 is below USD 300,000']);
    expect(directBillStatus(suspended ?? { cspModel: 'None' })).toEqual({ directBillAbilities: 'Suspended', lastAssessedAt: null });
    const refused = await order(partnerId, customerId);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { code: string }).code).toBe('DirectBillAbilitiesSuspended');
    expect(await account()).toMatchObject({ directBillAbilities: 'Suspended', lastAssessedAt: null });
    expect(await suspensionEmails(email)).toHaveLength(1);

    // Upstream reports the revenue back; Microsoft's assessment passes.
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(200);
    const passedAt = new Date(Date.now() + 1000).toISOString();
    const restored = await handleDirectBillEvent(services, { eventId: unique('a'), partnerId, event: 'AssessmentPassed', occurredAt: passedAt });
    expect(restored.outcome).toBe('Applied');
    expect((await order(partnerId, customerId)).status).toBe(201);
    expect(directBillStatus((await services.accounts.partner(partnerId))?.doc ?? { cspModel: 'None' })).toEqual({
      directBillAbilities: 'Active',
      lastAssessedAt: passedAt,
    });
    expect(await account()).toMatchObject({ directBillAbilities: 'Active', lastAssessedAt: passedAt });
    // The next day's run finds it confirmed: nothing more is sent.
    const next = unique('run');
    await planDirectBillAssessment(services, next);
    await runPages([next]);
    expect(await suspensionEmails(email)).toHaveLength(1);
  });

  it('CSP-3: the timer run twice at once starts one run; two runs at once still email each due partner once', async () => {
    const due = await Promise.all(Array.from({ length: 6 }, () => directBillPartner({ ...qualifying, capabilityAssessmentPassed: false })));
    const fine = await Promise.all(Array.from({ length: 2 }, () => directBillPartner()));

    const timers = await Promise.all([planDirectBillAssessment(services), planDirectBillAssessment(services)]);
    expect(timers.filter((t) => t.started)).toHaveLength(1);
    const other = unique('run');
    await planDirectBillAssessment(services, other);
    const today = timers[0]?.runId ?? '';
    // Both runs' pages at once, as two instances would work them.
    await Promise.all([runPages([today]), runPages([other])]);
    for (const { email } of due) expect(await suspensionEmails(email), email).toHaveLength(1);
    for (const { email, partnerId } of fine) {
      expect(await suspensionEmails(email)).toHaveLength(0);
      expect((await services.accounts.partner(partnerId))?.doc.directBill?.abilities).toBeUndefined();
    }
    const [a, b] = [await directBillAssessmentStatus(services, today), await directBillAssessmentStatus(services, other)];
    expect(a.status).toBe('Completed');
    expect(b.status).toBe('Completed');
    expect(a.suspended + b.suspended).toBe(6);
    const status = await call(host, 'GET', `/api/operations/direct-bill-assessments/${today}`, { token: await operator() });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ runId: today, status: 'Completed' });
  });
  it('CSP-3: a page message that failed every delivery marks the run Failed (poison handler); resuming completes it, the due partner emailed once', async () => {
    const due = await directBillPartner({ ...qualifying, capabilityAssessmentPassed: false });
    const runId = unique('run');
    await planDirectBillAssessment(services, runId);
    // Page 0's message failed every delivery: it left the pages queue for the poison queue, whose
    // function records it on the run.
    const index = queued.findIndex((q) => q.queueName === 'direct-bill-assessment-pages' && (q.message as AssessmentPageMessage).runId === runId);
    const [poisoned] = queued.splice(index, 1);
    expect(await recordFailedAssessmentPage(services, poisoned?.message as AssessmentPageMessage)).toEqual({ recorded: true });
    const statusOf = async () => (await call(host, 'GET', `/api/operations/direct-bill-assessments/${runId}`, { token: await operator() })).json();
    expect(await statusOf()).toMatchObject({ status: 'Failed', pages: 0, failedPages: [{ page: 0 }] });
    expect(await suspensionEmails(due.email)).toHaveLength(0);

    const resumed = await call(host, 'POST', `/api/operations/direct-bill-assessments/${runId}/resume`, { token: await operator() });
    expect(resumed.status).toBe(202);
    expect(await resumed.json()).toEqual({ runId, requeued: [0] });
    await runPages([runId]);
    expect(await statusOf()).toMatchObject({ status: 'Completed', suspended: 1 });
    expect(await suspensionEmails(due.email)).toHaveLength(1);
    expect((await call(host, 'POST', '/api/operations/direct-bill-assessments/nope/resume', { token: await operator() })).status).toBe(404);
  });
});
