import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices } from '../shared/composition-root.js';
import { enrollmentIdOf, fiscalYearOf, type Enrollment } from '../shared/domain/incentives.js';
import type { Role } from '../shared/domain/roles.js';
import { invitationSubject } from '../shared/domain/emails.js';
import { call, emailsTo, eventually, partnerBody, queueService, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: `u-${roles.join('-')}` });

async function setup(overrides: Record<string, unknown> = {}) {
  const partnerId = unique('P');
  const body = partnerBody({
    locations: [
      { partnerId: `${partnerId}-US`, country: 'US', active: true },
      { partnerId: `${partnerId}-FR`, country: 'FR', active: true },
    ],
    bankProfiles: [
      { id: 'bank-us', locationPartnerId: `${partnerId}-US`, default: true, complete: true },
      { id: 'bank-fr', locationPartnerId: `${partnerId}-FR`, default: true, complete: true },
    ],
    taxProfiles: [
      { id: 'tax-us', locationPartnerId: `${partnerId}-US`, complete: true },
      { id: 'tax-fr', locationPartnerId: `${partnerId}-FR`, complete: false },
    ],
    ...overrides,
  });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  const adminEmail = `incentives.${partnerId.toLowerCase()}@contoso.example`;
  const put = await call(host, 'PUT', `/api/partners/${partnerId}/users/ia-1`, {
    token: await as(partnerId, 'AccountAdmin'),
    body: { email: adminEmail, displayName: 'Ines Admin', roles: ['IncentiveAdmin'], locationPartnerIds: [`${partnerId}-US`] },
  });
  expect(put.status).toBe(201);
  return { partnerId, us: `${partnerId}-US`, fr: `${partnerId}-FR`, adminEmail };
}

async function eligibility(event: Record<string, unknown>): Promise<void> {
  expect(
    (await fetch(`${host.url}/admin/functions/incentiveEligibility`, { method: 'POST', body: JSON.stringify({ input: JSON.stringify(event) }) })).status,
  ).toBe(202);
}

async function enrollment(partnerId: string, id: string): Promise<Enrollment | undefined> {
  return (await (await getServices()).repository<Enrollment>('enrollments').read(partnerId, id))?.doc;
}

describe('incentive admins (INC-1)', () => {
  it('INC-1: a GlobalAdmin or AccountAdmin assigns IncentiveAdmin; an IncentiveAdmin cannot; unknown locations are refused', async () => {
    const { partnerId, us } = await setup();
    const body = { email: 'x@contoso.example', roles: ['IncentiveAdmin'], locationPartnerIds: [us] };
    expect((await call(host, 'PUT', `/api/partners/${partnerId}/users/u2`, { token: await as(partnerId, 'GlobalAdmin'), body })).status).toBe(201);
    expect((await call(host, 'PUT', `/api/partners/${partnerId}/users/u3`, { token: await as(partnerId, 'IncentiveAdmin'), body })).status).toBe(403);
    expect(
      (
        await call(host, 'PUT', `/api/partners/${partnerId}/users/u4`, {
          token: await as(partnerId, 'GlobalAdmin'),
          body: { ...body, locationPartnerIds: ['nope'] },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await call(host, 'PUT', `/api/partners/${partnerId}/users/u5`, {
          token: await as(partnerId, 'GlobalAdmin'),
          body: { ...body, roles: ['PlatformOperator'] },
        })
      ).status,
    ).toBe(400);
  });
});

describe('eligibility (INC-2)', () => {
  it('INC-2: an eligible location is Invited and its incentive admins get one invitation, even when the event repeats', async () => {
    const { partnerId, us, adminEmail } = await setup();
    const event = { eventId: unique('e'), partnerId, locationPartnerId: us, programId: 'azure-growth', fiscalYear: 2027, eligible: true, openProgram: false };
    await eligibility(event);
    await eligibility(event);
    const id = enrollmentIdOf(us, 'azure-growth', 2027);
    await eventually(async () => ((await enrollment(partnerId, id))?.invitationSentAt ? true : undefined));
    await host.host.idle();
    const invitations = (await emailsTo(adminEmail)).filter((e) => e.message.headers?.['x-notification-type'] === 'IncentiveInvitation');
    expect(invitations).toHaveLength(1);
    expect(invitations[0]?.message.content.subject).toBe(invitationSubject);
    expect((await enrollment(partnerId, id))?.status).toBe('Invited');
  });

  it('INC-2: an open program appears as an invitation but sends no email; the admin of another location gets none either', async () => {
    const { partnerId, us, fr, adminEmail } = await setup();
    await eligibility({
      eventId: unique('e'),
      partnerId,
      locationPartnerId: us,
      programId: 'open-program',
      fiscalYear: 2027,
      eligible: true,
      openProgram: true,
    });
    await eligibility({
      eventId: unique('e'),
      partnerId,
      locationPartnerId: fr,
      programId: 'azure-growth',
      fiscalYear: 2027,
      eligible: true,
      openProgram: false,
    });
    const frEnrollment = await eventually(() => enrollment(partnerId, enrollmentIdOf(fr, 'azure-growth', 2027)));
    expect((await enrollment(partnerId, enrollmentIdOf(us, 'open-program', 2027)))?.status).toBe('Invited');
    expect(await emailsTo(adminEmail)).toHaveLength(0); // the FR location has no incentive admin of its own
    expect(frEnrollment.invitationSentAt).toBeUndefined(); // pending until it has one
  });

  it('INC-1, INC-2: an invitation waiting for an incentive admin goes out once one is assigned, and only once', async () => {
    const { partnerId, fr } = await setup();
    await eligibility({
      eventId: unique('e'),
      partnerId,
      locationPartnerId: fr,
      programId: 'azure-growth',
      fiscalYear: 2027,
      eligible: true,
      openProgram: false,
    });
    await eventually(() => enrollment(partnerId, enrollmentIdOf(fr, 'azure-growth', 2027)));
    const frAdmin = `fr.${partnerId.toLowerCase()}@contoso.example`;
    const assign = async () =>
      call(host, 'PUT', `/api/partners/${partnerId}/users/ia-fr`, {
        token: await as(partnerId, 'GlobalAdmin'),
        body: { email: frAdmin, roles: ['IncentiveAdmin'], locationPartnerIds: [fr] },
      });
    expect((await assign()).status).toBe(201);
    expect((await assign()).status).toBe(200);
    const invitations = async () => (await emailsTo(frAdmin)).filter((e) => e.message.headers?.['x-notification-type'] === 'IncentiveInvitation');
    await eventually(async () => ((await invitations()).length > 0 ? true : undefined));
    expect((await enrollment(partnerId, enrollmentIdOf(fr, 'azure-growth', 2027)))?.invitationSentAt).toBeDefined();
    expect(await invitations()).toHaveLength(1);
  });

  it('INC-3: an ineligible location is NotEligible with the unmet requirements', async () => {
    const { partnerId, us } = await setup();
    await eligibility({
      eventId: unique('e'),
      partnerId,
      locationPartnerId: us,
      programId: 'azure-growth',
      fiscalYear: 2027,
      eligible: false,
      openProgram: false,
      unmetRequirements: ['Solutions Partner designation'],
    });
    const e = await eventually(() => enrollment(partnerId, enrollmentIdOf(us, 'azure-growth', 2027)));
    expect(e).toMatchObject({ status: 'NotEligible', unmetRequirements: ['Solutions Partner designation'] });
  });

  it('moves an event for an unknown location to incentive-eligibility-poison and writes nothing', async () => {
    const { partnerId } = await setup();
    const eventId = unique('e');
    await queueService()
      .getQueueClient('incentive-eligibility')
      .sendMessage(
        encodeQueueMessage({ eventId, partnerId, locationPartnerId: 'ghost', programId: 'azure-growth', fiscalYear: 2027, eligible: true, openProgram: false }),
      );
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('incentive-eligibility-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(eventId)) ? true : undefined;
    });
    expect(await enrollment(partnerId, enrollmentIdOf('ghost', 'azure-growth', 2027))).toBeUndefined();
  });
});

describe('enrolling (INC-1, INC-3, INC-4) and validation', () => {
  async function invited(partnerId: string, location: string): Promise<string> {
    await eligibility({
      eventId: unique('e'),
      partnerId,
      locationPartnerId: location,
      programId: 'azure-growth',
      fiscalYear: 2027,
      eligible: true,
      openProgram: true,
    });
    const id = enrollmentIdOf(location, 'azure-growth', 2027);
    await eventually(() => enrollment(partnerId, id));
    return id;
  }
  const enrollAs = async (partnerId: string, id: string, roles: Role[], body: Record<string, unknown> = {}) =>
    call(host, 'POST', `/api/partners/${partnerId}/incentives/enrollments/${encodeURIComponent(id)}/enroll`, { token: await as(partnerId, ...roles), body });

  it('INC-4: complete default profiles go to validation; INC-1: only an incentive admin enrols', async () => {
    const { partnerId, us } = await setup();
    const id = await invited(partnerId, us);
    expect((await enrollAs(partnerId, id, ['GlobalAdmin'])).status).toBe(403);
    const response = await enrollAs(partnerId, id, ['IncentiveAdmin']);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ValidatingEnrollment', bankProfileId: 'bank-us', taxProfileId: 'tax-us', actionsNeeded: [] });
    expect((await enrollAs(partnerId, id, ['IncentiveAdmin'])).status).toBe(409);
  });

  it('INC-4: an incomplete tax profile is ActionRequired with what is missing; INC-3: other viewers see Enrolling', async () => {
    const { partnerId, fr } = await setup();
    const id = await invited(partnerId, fr);
    const response = await enrollAs(partnerId, id, ['IncentiveAdmin']);
    expect(await response.json()).toMatchObject({ status: 'ActionRequired', actionsNeeded: ['CompleteTaxProfile'] });
    const asAdmin = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments?fiscalYear=2027`, { token: await as(partnerId, 'GlobalAdmin') })
    ).json()) as { items: { enrollmentId: string; status: string }[] };
    expect(asAdmin.items.find((i) => i.enrollmentId === id)?.status).toBe('Enrolling');
    const asIncentiveAdmin = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/incentives/enrollments?fiscalYear=2027`, { token: await as(partnerId, 'IncentiveAdmin') })
    ).json()) as { items: { enrollmentId: string; status: string }[] };
    expect(asIncentiveAdmin.items.find((i) => i.enrollmentId === id)?.status).toBe('ActionRequired');
  });

  it('INC-4: another location\u2019s bank profile is refused; two admins enrolling at once make one transition', async () => {
    const { partnerId, us } = await setup();
    const id = await invited(partnerId, us);
    expect((await enrollAs(partnerId, id, ['IncentiveAdmin'], { bankProfileId: 'bank-fr' })).status).toBe(400);
    const statuses = (
      await Promise.all([enrollAs(partnerId, id, ['IncentiveAdmin']), enrollAs(partnerId, id, ['IncentiveAdmin']), enrollAs(partnerId, id, ['IncentiveAdmin'])])
    )
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([200, 409, 409]);
  });

  it('validation moves ValidatingEnrollment to Enrolled, or to ActionRequired with the reason', async () => {
    const { partnerId, us } = await setup();
    const id = await invited(partnerId, us);
    await enrollAs(partnerId, id, ['IncentiveAdmin']);
    const validate = async (valid: boolean, reason?: string) =>
      fetch(`${host.url}/admin/functions/enrollmentValidation`, {
        method: 'POST',
        body: JSON.stringify({ input: JSON.stringify({ eventId: unique('v'), partnerId, enrollmentId: id, valid, ...(reason ? { reason } : {}) }) }),
      });
    await validate(false, 'IBAN does not match the account holder');
    const failed = await eventually(async () => {
      const e = await enrollment(partnerId, id);
      return e?.status === 'ActionRequired' ? e : undefined;
    });
    expect(failed).toMatchObject({ actionsNeeded: ['ResolveValidationIssue'], validationReason: 'IBAN does not match the account holder' });
    await enrollAs(partnerId, id, ['IncentiveAdmin']);
    await validate(true);
    await eventually(async () => ((await enrollment(partnerId, id))?.status === 'Enrolled' ? true : undefined));
  });

  it('INC-5: fiscal year 2027 runs from 1 July 2026 to 30 June 2027', () => {
    expect(fiscalYearOf(new Date('2026-06-30T23:59:59Z'))).toBe(2026);
    expect(fiscalYearOf(new Date('2026-07-01T00:00:00Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2027-06-30T12:00:00Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2026-01-15T00:00:00Z'), 1)).toBe(2027);
  });
});

describe('ids the database would refuse', () => {
  it('answer 400 problem+json, not 500: an enrolment id with #, [ or %, or a blank one', async () => {
    const { partnerId } = await setup();
    for (const raw of ['%23kk%5B%25p', '%20', 'a%5Cb', 'x%3Fy']) {
      const response = await call(host, 'POST', `/api/partners/${partnerId}/incentives/enrollments/${raw}/enroll`, {
        token: await as(partnerId, 'IncentiveAdmin'),
        body: {},
      });
      expect(response.status, raw).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 400, errors: [{ path: 'params.enrollmentId' }] });
    }
  });
});
