// CSP direct bill from the application to the decisions (CSP-2, CSP-4), end to end through the app's
// host, the emulators and the local email endpoint. The assessment (CSP-3) has its own file and
// database: it looks at every DirectBill partner, so it must not see the partners of other files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices } from '../shared/composition-root.js';
import type { DirectBillRecord } from '../shared/domain/direct-bill.js';
import { call, emailsTo, eventually, partnerBody, queueService, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const admin = (partnerId: string) => tokenFor({ partnerId, roles: ['GlobalAdmin'], userId: 'ga-1' });
const minutesFromNow = (m: number) => new Date(Date.now() + m * 60_000).toISOString();

const applicant = {
  indirectResellerSince: '2024-01-15',
  trailing12MonthRevenueUsd: 350_000,
  supportPlan: 'None',
  managedServices: 1,
  authorityToSign: true,
  firstLineSupport: true,
  infrastructure: true,
  capabilityAssessmentPassed: true,
  creditCheck: 'NotStarted',
};

async function newPartner(csp: Record<string, unknown> = applicant) {
  const partnerId = unique('DB');
  const body = partnerBody({ cspModel: 'IndirectReseller', csp });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  return { partnerId, email: body.primaryContact.email };
}

const apply = async (partnerId: string, token?: string) =>
  call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/application`, { token: token ?? (await admin(partnerId)) });
const latest = async (partnerId: string) =>
  (await (await call(host, 'GET', `/api/partners/${partnerId}/csp/direct-bill/application`, { token: await admin(partnerId) })).json()) as {
    applicationId: string;
    status: string;
    history: { status: string; at: string; reason?: string }[];
  };
const buyPlan = async (partnerId: string) =>
  call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/support-plan`, { token: await admin(partnerId), body: { plan: 'Advanced' } });

async function send(message: unknown): Promise<void> {
  await queueService().getQueueClient('direct-bill-decisions').sendMessage(encodeQueueMessage(message));
}

/** Waits until the partner's record has handled the event (applied or ignored). */
async function handled(partnerId: string, eventId: string) {
  return eventually(async () => {
    const stored = await (await getServices()).accounts.read(partnerId, 'direct-bill');
    const record = stored?.doc as DirectBillRecord | undefined;
    return record?.events.find((e) => e.eventId === eventId);
  });
}

async function emailsOf(address: string, type: string) {
  return (await emailsTo(address)).filter((e) => e.message.headers?.['x-notification-type'] === type);
}

async function inPoison(eventId: string): Promise<boolean> {
  const peeked = await queueService().getQueueClient('direct-bill-decisions-poison').peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(eventId));
}

describe('the application (CSP-4)', () => {
  it('CSP-4: a GlobalAdmin of the partner applies: 201 Submitted, the credit check is Pending; the GET shows it', async () => {
    const { partnerId } = await newPartner();
    const response = await apply(partnerId);
    expect(response.status).toBe(201);
    const body = (await response.json()) as { applicationId: string; status: string; submittedAt: string };
    expect(body.status).toBe('Submitted');
    expect((await (await getServices()).accounts.partner(partnerId))?.doc.csp?.creditCheck).toBe('Pending');
    expect(await latest(partnerId)).toEqual({
      applicationId: body.applicationId,
      status: 'Submitted',
      submittedAt: body.submittedAt,
      history: [{ status: 'Submitted', at: body.submittedAt }],
    });
  });

  it('CSP-4: another role, or a GlobalAdmin of another partner, gets 403', async () => {
    const { partnerId } = await newPartner();
    expect((await apply(partnerId, await tokenFor({ partnerId, roles: ['AccountAdmin'] }))).status).toBe(403);
    expect((await apply(partnerId, await admin('someone-else'))).status).toBe(403);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/csp/direct-bill/application`, { token: await admin('someone-else') })).status).toBe(403);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/csp/direct-bill/application`, { token: await admin(partnerId) })).status).toBe(404);
  });

  it('CSP-1, CSP-4: unmet requirements answer 409 DirectBillRequirementsNotMet with each unmet id and detail', async () => {
    const { partnerId } = await newPartner({ ...applicant, trailing12MonthRevenueUsd: 299_999, firstLineSupport: false });
    const response = await apply(partnerId);
    expect(response.status).toBe(409);
    const problem = (await response.json()) as { code: string; errors: { path: string; message: string }[] };
    expect(problem.code).toBe('DirectBillRequirementsNotMet');
    expect(problem.errors).toEqual([
      { path: 'FirstLineSupport', message: 'cannot give first-line support' },
      { path: 'TrailingRevenue', message: 'trailing 12-month revenue USD 299,999 is below USD 300,000' },
    ]);
  });

  it('CSP-4: a second application while one is open is 409; concurrent submissions give exactly one 201', async () => {
    const { partnerId } = await newPartner();
    const statuses = await Promise.all(Array.from({ length: 5 }, async () => (await apply(partnerId)).status));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    const again = await apply(partnerId);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('DirectBillApplicationOpen');
  });
});

describe('the decisions (CSP-2, CSP-4)', () => {
  it('CSP-2, CSP-4: credit check passed (emailed once), plan bought, approved (emailed once): DirectBill; the plan counts for CSP-1', async () => {
    const { partnerId, email } = await newPartner();
    const { applicationId } = (await (await apply(partnerId)).json()) as { applicationId: string };
    expect((await buyPlan(partnerId)).status).toBe(409); // CSP-2: not before the credit check passed

    const passed = { eventId: unique('e'), partnerId, applicationId, event: 'CreditCheckPassed', occurredAt: minutesFromNow(1) };
    await send(passed);
    await send(passed); // repeated
    expect(await handled(partnerId, passed.eventId)).toMatchObject({ outcome: 'Applied' });
    expect((await buyPlan(partnerId)).status).toBe(201);
    const eligibility = (await (
      await call(host, 'POST', `/api/partners/${partnerId}/csp/direct-bill/eligibility`, { token: await admin(partnerId) })
    ).json()) as { eligible: boolean };
    expect(eligibility.eligible).toBe(true);

    const approved = { eventId: unique('e'), partnerId, applicationId, event: 'Approved', occurredAt: minutesFromNow(2) };
    await send(approved);
    await send(approved);
    expect(await handled(partnerId, approved.eventId)).toMatchObject({ outcome: 'Applied' });
    await host.host.idle();
    expect(await emailsOf(email, 'CreditCheckPassed')).toHaveLength(1);
    expect(await emailsOf(email, 'DirectBillDecision')).toHaveLength(1);
    const partner = (await (await getServices()).accounts.partner(partnerId))?.doc;
    expect(partner?.cspModel).toBe('DirectBill');
    expect(partner?.directBill).toMatchObject({ abilities: 'Active', approvedAt: approved.occurredAt, supportPlan: { plan: 'Advanced' } });
    expect((await latest(partnerId)).history.map((h) => h.status)).toEqual(['Submitted', 'CreditCheckPassed', 'Approved']);
    expect((await apply(partnerId)).status).toBe(409); // a DirectBill partner does not apply again
  });

  it('CSP-4: Approved before CreditCheckPassed is ignored (nothing changes, nothing is sent); an older event after a newer one too', async () => {
    const { partnerId, email } = await newPartner();
    const { applicationId } = (await (await apply(partnerId)).json()) as { applicationId: string };
    const early = { eventId: unique('e'), partnerId, applicationId, event: 'Approved', occurredAt: minutesFromNow(1) };
    await send(early);
    expect(await handled(partnerId, early.eventId)).toMatchObject({ outcome: 'Ignored', note: 'Approved is not allowed after Submitted' });
    expect((await latest(partnerId)).status).toBe('Submitted');

    const passed = { eventId: unique('e'), partnerId, applicationId, event: 'CreditCheckPassed', occurredAt: minutesFromNow(5) };
    await send(passed);
    await handled(partnerId, passed.eventId);
    const stale = { eventId: unique('e'), partnerId, applicationId, event: 'Rejected', reason: 'late', occurredAt: minutesFromNow(3) };
    await send(stale);
    expect(await handled(partnerId, stale.eventId)).toMatchObject({ outcome: 'Ignored' });
    await host.host.idle();
    expect((await latest(partnerId)).status).toBe('CreditCheckPassed');
    expect(await emailsOf(email, 'DirectBillDecision')).toHaveLength(0);
    expect(await emailsOf(email, 'CreditCheckPassed')).toHaveLength(1);
    expect((await (await getServices()).accounts.partner(partnerId))?.doc.cspModel).toBe('IndirectReseller');
  });

  it('CSP-2: CreditCheckFailed emails the decision with its reason, once; the application is closed', async () => {
    const { partnerId, email } = await newPartner();
    const { applicationId } = (await (await apply(partnerId)).json()) as { applicationId: string };
    const failed = {
      eventId: unique('e'),
      partnerId,
      applicationId,
      event: 'CreditCheckFailed',
      reason: 'credit limit exceeded',
      occurredAt: minutesFromNow(1),
    };
    await send(failed);
    await send(failed);
    await handled(partnerId, failed.eventId);
    await host.host.idle();
    const decisions = await emailsOf(email, 'DirectBillDecision');
    expect(decisions).toHaveLength(1);
    expect(decisions[0]?.message.content.plainText).toContain('Reason: credit limit exceeded');
    expect(await latest(partnerId)).toMatchObject({
      status: 'CreditCheckFailed',
      history: [{ status: 'Submitted' }, { status: 'CreditCheckFailed', reason: 'credit limit exceeded' }],
    });
    expect((await apply(partnerId)).status).toBe(201); // closed: a new application may start
  });

  it('CSP-4: an event for an unknown application goes to direct-bill-decisions-poison and changes nothing', async () => {
    const { partnerId } = await newPartner();
    await apply(partnerId);
    const eventId = unique('ghost');
    await send({ eventId, partnerId, applicationId: 'no-such-application', event: 'CreditCheckPassed', occurredAt: minutesFromNow(1) });
    await eventually(async () => ((await inPoison(eventId)) ? true : undefined));
    expect((await latest(partnerId)).status).toBe('Submitted');
  });

  it('CSP-4: an invalid message (no applicationId for an application event, unknown event, bad date) goes to the poison queue', async () => {
    const { partnerId } = await newPartner();
    const ids = [unique('bad'), unique('bad'), unique('bad')];
    await send({ eventId: ids[0], partnerId, event: 'Approved', occurredAt: minutesFromNow(1) });
    await send({ eventId: ids[1], partnerId, applicationId: 'a', event: 'Promoted', occurredAt: minutesFromNow(1) });
    await send({ eventId: ids[2], partnerId, event: 'AssessmentPassed', occurredAt: 'yesterday' });
    for (const id of ids) await eventually(async () => ((await inPoison(id)) ? true : undefined));
    expect(await (await getServices()).accounts.read(partnerId, 'direct-bill')).toBeUndefined();
  });
});
