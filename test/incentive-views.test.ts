// The portal's incentive pages over the real stack: every year listed, one enrolment with its
// requirements and enrol options, incentive admins scoped to their locations, Closed and Inactive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices } from '../shared/composition-root.js';
import { enrollmentIdOf, fiscalYearOf, programDocumentId, programPartition } from '../shared/domain/incentives.js';
import type { Role } from '../shared/domain/roles.js';
import type { EnrollmentDoc } from '../shared/use-cases/ports.js';
import { call, eventually, partnerBody, queueService, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, userId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId });
const current = fiscalYearOf(new Date());

interface Item {
  enrollmentId: string;
  fiscalYear: number;
  status: string;
  validationOverdue: boolean;
  requirements?: { id: string; met: boolean }[];
  enrollOptions?: Record<string, unknown>;
}

function locations(partnerId: string, usActive = true) {
  return [
    { partnerId: `${partnerId}-US`, country: 'US', active: usActive },
    { partnerId: `${partnerId}-FR`, country: 'FR', active: true },
  ];
}

async function setup() {
  const partnerId = unique('IV');
  const body = partnerBody({
    locations: locations(partnerId),
    bankProfiles: [
      { id: 'bank-us', locationPartnerId: `${partnerId}-US`, default: true, complete: true },
      { id: 'bank-us-2', locationPartnerId: `${partnerId}-US`, default: false, complete: false },
      { id: 'bank-fr', locationPartnerId: `${partnerId}-FR`, default: true, complete: true },
    ],
    taxProfiles: [
      { id: 'tax-us', locationPartnerId: `${partnerId}-US`, complete: true },
      { id: 'tax-fr', locationPartnerId: `${partnerId}-FR`, complete: true },
    ],
  });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  const put = await call(host, 'PUT', `/api/partners/${partnerId}/users/ia-us`, {
    token: await as(partnerId, 'aa', 'AccountAdmin'),
    body: { email: `ia.${partnerId.toLowerCase()}@contoso.example`, roles: ['IncentiveAdmin'], locationPartnerIds: [`${partnerId}-US`] },
  });
  expect(put.status).toBe(201);
  return { partnerId, body, us: `${partnerId}-US`, fr: `${partnerId}-FR`, admin: await as(partnerId, 'ia-us', 'IncentiveAdmin') };
}

async function invoke(functionName: string, message: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${host.url}/admin/functions/${functionName}`, { method: 'POST', body: JSON.stringify({ input: JSON.stringify(message) }) });
  expect(response.status).toBe(202);
  await host.host.idle();
}

const eligibility = (partnerId: string, locationPartnerId: string, extra: Record<string, unknown> = {}) =>
  invoke('incentiveEligibility', {
    eventId: unique('e'),
    partnerId,
    locationPartnerId,
    programId: 'azure-growth',
    fiscalYear: current,
    eligible: true,
    openProgram: true,
    ...extra,
  });

async function list(partnerId: string, token: string, query = ''): Promise<{ fiscalYear?: number; items: Item[] }> {
  const response = await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments${query}`, { token });
  expect(response.status).toBe(200);
  return (await response.json()) as { fiscalYear?: number; items: Item[] };
}

describe('incentive enrolments (INC-3, INC-4, INC-6)', () => {
  it('INC-3: without ?fiscalYear the list holds every fiscal year', async () => {
    const { partnerId, us, admin } = await setup();
    await eligibility(partnerId, us, { fiscalYear: current - 1 });
    await eligibility(partnerId, us);
    const all = await list(partnerId, admin);
    expect(all.items.map((i) => i.fiscalYear).sort()).toEqual([current - 1, current]);
    expect(all.items.some((i) => i.validationOverdue)).toBe(false);
    expect((await list(partnerId, admin, `?fiscalYear=${current}`)).items.map((i) => i.fiscalYear)).toEqual([current]);
  });

  it('INC-6, INC-4: one enrolment lists its requirements met and unmet; an incentive admin of the location gets its profiles, the default preselected', async () => {
    const { partnerId, us, admin } = await setup();
    await eligibility(partnerId, us, { eligible: false, requirements: [{ id: 'revenue', met: true }], unmetRequirements: ['certification'] });
    const id = enrollmentIdOf(us, 'azure-growth', current);
    const response = await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments/${id}`, { token: admin });
    expect(response.status).toBe(200);
    const one = (await response.json()) as Item;
    expect(one).toMatchObject({ enrollmentId: id, status: 'NotEligible', validationOverdue: false });
    expect(one.requirements).toEqual([
      { id: 'revenue', met: true },
      { id: 'certification', met: false },
    ]);
    expect(one.enrollOptions).toEqual({
      bankProfiles: [
        { id: 'bank-us', locationPartnerId: us, default: true, complete: true },
        { id: 'bank-us-2', locationPartnerId: us, default: false, complete: false },
      ],
      taxProfiles: [{ id: 'tax-us', locationPartnerId: us, complete: true }],
      preselectedBankProfileId: 'bank-us',
    });
    // A GlobalAdmin sees the enrolment and its requirements, not the enrol options.
    const seen = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments/${id}`, { token: await as(partnerId, 'ga', 'GlobalAdmin') })
    ).json()) as Item;
    expect(seen.requirements).toHaveLength(2);
    expect(seen).not.toHaveProperty('enrollOptions');
    expect((await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments/nope`, { token: admin })).status).toBe(404);
  });

  it('INC-1: an incentive admin assigned to the US location enrols it, and gets 403 enrolling the FR location', async () => {
    const { partnerId, us, fr, admin } = await setup();
    await eligibility(partnerId, us);
    await eligibility(partnerId, fr);
    const enrol = (location: string) =>
      call(host, 'POST', `/api/partners/${partnerId}/incentives/enrollments/${enrollmentIdOf(location, 'azure-growth', current)}/enroll`, {
        token: admin,
        body: {},
      });
    const refused = await enrol(fr);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code?: string }).code).toBe('LocationNotAssigned');
    const statusOfFr = (await list(partnerId, admin)).items.find((i) => i.enrollmentId === enrollmentIdOf(fr, 'azure-growth', current))?.status;
    expect(statusOfFr).toBe('Invited');
    const accepted = await enrol(us);
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as Item).status).toBe('ValidatingEnrollment');
  });

  it('INC-6: a location made inactive shows its running-year enrolments Inactive; made active again, what they were', async () => {
    const { partnerId, body, us, admin } = await setup();
    await eligibility(partnerId, us);
    const status = async () => (await list(partnerId, admin)).items[0]?.status;
    expect(await status()).toBe('Invited');
    const put = async (active: boolean) =>
      call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: { ...body, locations: locations(partnerId, active) } });
    expect((await put(false)).status).toBe(200);
    expect(await status()).toBe('Inactive');
    expect((await put(true)).status).toBe(200);
    expect(await status()).toBe('Invited');
  });
});

describe('queue incentive-programs (INC-3)', () => {
  it('INC-3: Closed shows every enrolment of the program Closed; a repeated event changes nothing', async () => {
    const programId = unique('prog').toLowerCase();
    const { partnerId, us, admin } = await setup();
    await eligibility(partnerId, us, { programId });
    await invoke('incentivePrograms', { eventId: `${programId}-close`, programId, status: 'Closed' });
    expect((await list(partnerId, admin)).items.map((i) => i.status)).toEqual(['Closed']);
    const repository = (await getServices()).repository<EnrollmentDoc>('enrollments');
    const before = await repository.read(programPartition(programId), programDocumentId);
    await invoke('incentivePrograms', { eventId: `${programId}-close`, programId, status: 'Closed' });
    expect((await repository.read(programPartition(programId), programDocumentId))?.etag).toBe(before?.etag);
    const enrol = await call(host, 'POST', `/api/partners/${partnerId}/incentives/enrollments/${enrollmentIdOf(us, programId, current)}/enroll`, {
      token: admin,
      body: {},
    });
    expect(enrol.status).toBe(409);
  });

  it('INC-3: a Closed event for an unknown program writes nothing and goes to incentive-programs-poison', async () => {
    const programId = unique('unknown').toLowerCase();
    await invoke('incentivePrograms', { eventId: `${programId}-close`, programId, status: 'Closed' });
    expect(await (await getServices()).repository<EnrollmentDoc>('enrollments').read(programPartition(programId), programDocumentId)).toBeUndefined();
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('incentive-programs-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(programId)) || undefined;
    });
  });

  it('a message that is not a Closed event goes to incentive-programs-poison', async () => {
    const eventId = unique('bad');
    await queueService()
      .getQueueClient('incentive-programs')
      .sendMessage(encodeQueueMessage({ eventId, programId: 'azure-growth', status: 'Open' }));
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('incentive-programs-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(eventId)) || undefined;
    });
  });
});
