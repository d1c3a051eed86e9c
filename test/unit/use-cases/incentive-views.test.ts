import { describe, expect, it } from 'vitest';
import { enrollmentIdOf, programPartition, type Enrollment } from '../../../shared/domain/incentives.js';
import type { Partner } from '../../../shared/domain/partner.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import {
  enroll,
  getEnrollment,
  handleEligibility,
  handleProgramEvent,
  handleValidation,
  listEnrollments,
  putUser,
  type EligibilityEvent,
} from '../../../shared/use-cases/incentives.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

// Fiscal year 2026 runs 1 July 2025 to 30 June 2026.
let now = new Date('2025-09-01T12:00:00.000Z');
const CURRENT = 2026;

const who = (roles: Role[], userId = 'u-admin'): Principal => ({ userId, partnerId: 'P1', roles: new Set(roles), email: undefined });
const incentiveAdmin = who(['IncentiveAdmin']);

function partner(overrides: Partial<Partner> = {}): Partner {
  return partnerFixture({
    locations: [
      { partnerId: 'L-US', country: 'US', active: true },
      { partnerId: 'L-CA', country: 'CA', active: true },
    ],
    bankProfiles: [
      { id: 'bank-us-2', locationPartnerId: 'L-US', default: false, complete: false },
      { id: 'bank-us', locationPartnerId: 'L-US', default: true, complete: true },
      { id: 'bank-ca', locationPartnerId: 'L-CA', default: true, complete: true },
    ],
    taxProfiles: [
      { id: 'tax-us', locationPartnerId: 'L-US', complete: true },
      { id: 'tax-ca', locationPartnerId: 'L-CA', complete: false },
    ],
    ...overrides,
  });
}

async function setup(options: { adminOf?: string[] } = {}) {
  now = new Date('2025-09-01T12:00:00.000Z');
  const memory = memoryDeps({ now: () => now });
  await memory.accounts.commit('P1', [{ kind: 'create', doc: partner() }]);
  await putUser(memory.deps, 'P1', 'u-admin', { email: 'ia@contoso.com', roles: ['IncentiveAdmin'], locationPartnerIds: options.adminOf ?? [] });
  return memory;
}

const event = (overrides: Partial<EligibilityEvent> = {}): EligibilityEvent => ({
  eventId: `evt-${Math.random()}`,
  partnerId: 'P1',
  locationPartnerId: 'L-US',
  programId: 'azure-growth',
  fiscalYear: CURRENT,
  eligible: true,
  openProgram: true,
  ...overrides,
});

async function setPartner(memory: Awaited<ReturnType<typeof setup>>, changes: Partial<Partner>) {
  const stored = await memory.deps.accounts.partner('P1');
  if (!stored) throw new Error('no partner');
  await memory.accounts.commit('P1', [{ kind: 'replace', doc: { ...stored.doc, ...changes }, etag: stored.etag }]);
}

describe('listEnrollments', () => {
  it('INC-3: without ?fiscalYear the list holds every fiscal year; with it, that year only', async () => {
    const { deps } = await setup();
    for (const fiscalYear of [2025, 2026, 2027]) await handleEligibility(deps, event({ fiscalYear }));
    const all = await listEnrollments(deps, 'P1', undefined, incentiveAdmin);
    expect(all.items.map((i) => i.fiscalYear)).toEqual([2025, 2026, 2027]);
    expect(all).not.toHaveProperty('fiscalYear');
    const one = await listEnrollments(deps, 'P1', 2026, incentiveAdmin);
    expect(one).toMatchObject({ fiscalYear: 2026, items: [{ fiscalYear: 2026 }] });
  });

  it('INC-3: validationOverdue once ValidatingEnrollment has lasted more than 48 hours, not before, not after validation', async () => {
    const { deps } = await setup();
    const { enrollmentId } = await handleEligibility(deps, event());
    await enroll(deps, 'P1', enrollmentId, {}, incentiveAdmin);
    const overdue = async () => (await listEnrollments(deps, 'P1', undefined, incentiveAdmin)).items[0]?.validationOverdue;
    now = new Date(now.getTime() + 48 * 3_600_000);
    expect(await overdue()).toBe(false);
    now = new Date(now.getTime() + 60_000);
    expect(await overdue()).toBe(true);
    // Non-incentive-admins see Enrolling and still the overdue flag.
    expect((await listEnrollments(deps, 'P1', undefined, who(['GlobalAdmin']))).items[0]).toMatchObject({ status: 'Enrolling', validationOverdue: true });
    await handleValidation(deps, { eventId: 'v1', partnerId: 'P1', enrollmentId, valid: true });
    expect(await overdue()).toBe(false);
  });

  it('INC-3, INC-6: an inactive location shows its running-year enrolments Inactive, and what they were once active again', async () => {
    const memory = await setup();
    const { deps } = memory;
    await handleEligibility(deps, event({ fiscalYear: CURRENT }));
    await handleEligibility(deps, event({ fiscalYear: CURRENT - 1 }));
    await handleEligibility(deps, event({ locationPartnerId: 'L-CA' }));
    await setPartner(memory, {
      locations: [
        { partnerId: 'L-US', country: 'US', active: false },
        { partnerId: 'L-CA', country: 'CA', active: true },
      ],
    });
    const statuses = async () =>
      (await listEnrollments(deps, 'P1', undefined, incentiveAdmin)).items.map((i) => `${i.locationPartnerId}/${i.fiscalYear}:${i.status}`);
    expect(await statuses()).toEqual(['L-CA/2026:Invited', 'L-US/2025:Invited', 'L-US/2026:Inactive']);
    const error = await errorOf(enroll(deps, 'P1', enrollmentIdOf('L-US', 'azure-growth', CURRENT), {}, incentiveAdmin));
    expect(error.code).toBe('EnrollmentNotOpen');
    await setPartner(memory, {
      locations: [
        { partnerId: 'L-US', country: 'US', active: true },
        { partnerId: 'L-CA', country: 'CA', active: true },
      ],
    });
    expect(await statuses()).toEqual(['L-CA/2026:Invited', 'L-US/2025:Invited', 'L-US/2026:Invited']);
  });
});

describe('getEnrollment', () => {
  it('INC-6: lists the requirements met and unmet, from `requirements` and `unmetRequirements` together', async () => {
    const { deps } = await setup();
    const { enrollmentId } = await handleEligibility(
      deps,
      event({
        eligible: false,
        requirements: [
          { id: 'revenue', met: true },
          { id: 'certifications', met: false },
        ],
        unmetRequirements: ['active-agreement'],
      }),
    );
    const view = await getEnrollment(deps, 'P1', enrollmentId, who(['GlobalAdmin']));
    expect(view).toMatchObject({
      status: 'NotEligible',
      unmetRequirements: ['certifications', 'active-agreement'],
      requirements: [
        { id: 'revenue', met: true },
        { id: 'certifications', met: false },
        { id: 'active-agreement', met: false },
      ],
    });
    expect(view).not.toHaveProperty('enrollOptions');
  });

  it('INC-6: a later event with other requirements (same status) updates them; a repeated one does not', async () => {
    const { deps } = await setup();
    const first = event({ eligible: true, requirements: [{ id: 'revenue', met: false }] });
    const { enrollmentId } = await handleEligibility(deps, first);
    await handleEligibility(deps, event({ eligible: true, requirements: [{ id: 'revenue', met: true }] }));
    expect((await getEnrollment(deps, 'P1', enrollmentId, incentiveAdmin)).requirements).toEqual([{ id: 'revenue', met: true }]);
    await handleEligibility(deps, first);
    expect((await getEnrollment(deps, 'P1', enrollmentId, incentiveAdmin)).requirements).toEqual([{ id: 'revenue', met: true }]);
  });

  it('INC-4: an incentive admin sees the location\u2019s bank and tax profiles with complete, the default bank preselected, and nothing more of them', async () => {
    const memory = await setup();
    // A profile may carry more than enrolling needs (a masked account number): it stays out of the view.
    const stored = await memory.deps.accounts.partner('P1');
    const extra = { maskedAccountNumber: '****1234', accountHolderName: 'Contoso' };
    await setPartner(memory, { bankProfiles: stored?.doc.bankProfiles.map((b) => ({ ...b, ...extra })) ?? [] });
    const { enrollmentId } = await handleEligibility(memory.deps, event());
    const view = await getEnrollment(memory.deps, 'P1', enrollmentId, incentiveAdmin);
    expect(view.enrollOptions).toEqual({
      bankProfiles: [
        { id: 'bank-us-2', locationPartnerId: 'L-US', default: false, complete: false },
        { id: 'bank-us', locationPartnerId: 'L-US', default: true, complete: true },
      ],
      taxProfiles: [{ id: 'tax-us', locationPartnerId: 'L-US', complete: true }],
      preselectedBankProfileId: 'bank-us',
    });
    expect(view).not.toHaveProperty('requirements');
  });

  it('an unknown enrolment is not found', async () => {
    const { deps } = await setup();
    expect((await errorOf(getEnrollment(deps, 'P1', 'nope', incentiveAdmin))).kind).toBe('NotFound');
  });
});

describe('incentive admins scoped to locations (INC-1)', () => {
  it('INC-1: an incentive admin assigned to L-US cannot enrol L-CA (403) and is offered no profiles for it; L-US works', async () => {
    const { deps, enrollments } = await setup({ adminOf: ['L-US'] });
    const ca = await handleEligibility(deps, event({ locationPartnerId: 'L-CA' }));
    const before = enrollments.all();
    const error = await errorOf(enroll(deps, 'P1', ca.enrollmentId, {}, incentiveAdmin));
    expect([error.code, error.kind]).toEqual(['LocationNotAssigned', 'Forbidden']);
    expect(enrollments.all()).toEqual(before);
    expect(await getEnrollment(deps, 'P1', ca.enrollmentId, incentiveAdmin)).not.toHaveProperty('enrollOptions');
    const us = await handleEligibility(deps, event({ locationPartnerId: 'L-US' }));
    expect((await enroll(deps, 'P1', us.enrollmentId, {}, incentiveAdmin)).status).toBe('ValidatingEnrollment');
  });

  it('INC-1: an incentive admin assigned to no location enrols every location', async () => {
    const { deps } = await setup({ adminOf: [] });
    const ca = await handleEligibility(deps, event({ locationPartnerId: 'L-CA' }));
    expect((await enroll(deps, 'P1', ca.enrollmentId, {}, incentiveAdmin)).status).toBe('ActionRequired');
  });
});

describe('incentive-programs: Closed (INC-3, INC-6)', () => {
  it('INC-3: a closed program shows Closed on every enrolment but one Enrolled in an ended fiscal year, and cannot be enrolled', async () => {
    const { deps } = await setup();
    const open = await handleEligibility(deps, event({ fiscalYear: CURRENT }));
    const past = await handleEligibility(deps, event({ fiscalYear: CURRENT - 1, locationPartnerId: 'L-CA' }));
    const pastNotEnrolled = await handleEligibility(deps, event({ fiscalYear: CURRENT - 1 }));
    // ActionRequired (its tax profile is incomplete), of an ended fiscal year: Closed too.
    expect((await enroll(deps, 'P1', past.enrollmentId, {}, incentiveAdmin)).status).toBe('ActionRequired');
    const other = await handleEligibility(deps, event({ programId: 'other-program' }));
    expect(await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' })).toEqual({ changed: true });
    const items = (await listEnrollments(deps, 'P1', undefined, incentiveAdmin)).items;
    const statusOf = (id: string) => items.find((i) => i.enrollmentId === id)?.status;
    expect(statusOf(open.enrollmentId)).toBe('Closed');
    expect(statusOf(pastNotEnrolled.enrollmentId)).toBe('Closed');
    expect(statusOf(past.enrollmentId)).toBe('Closed');
    expect(statusOf(other.enrollmentId)).toBe('Invited');
    expect((await errorOf(enroll(deps, 'P1', open.enrollmentId, {}, incentiveAdmin))).code).toBe('EnrollmentNotOpen');
  });

  it('INC-3: an Enrolled enrolment of an ended fiscal year keeps Enrolled when its program closes', async () => {
    const { deps } = await setup();
    const past = await handleEligibility(deps, event({ fiscalYear: CURRENT - 1 }));
    await enroll(deps, 'P1', past.enrollmentId, {}, incentiveAdmin);
    await handleValidation(deps, { eventId: 'v1', partnerId: 'P1', enrollmentId: past.enrollmentId, valid: true });
    const running = await handleEligibility(deps, event({ fiscalYear: CURRENT }));
    await enroll(deps, 'P1', running.enrollmentId, {}, incentiveAdmin);
    await handleValidation(deps, { eventId: 'v2', partnerId: 'P1', enrollmentId: running.enrollmentId, valid: true });
    await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' });
    expect((await getEnrollment(deps, 'P1', past.enrollmentId, incentiveAdmin)).status).toBe('Enrolled');
    expect((await getEnrollment(deps, 'P1', running.enrollmentId, incentiveAdmin)).status).toBe('Closed');
  });

  it('INC-3: a repeated Closed event changes nothing; nor does a second close under another event id', async () => {
    const { deps, enrollments } = await setup();
    await handleEligibility(deps, event());
    await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' });
    const after = structuredClone([...enrollments.docs.entries()]);
    expect(await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' })).toEqual({ changed: false });
    expect(await handleProgramEvent(deps, { eventId: 'close-2', programId: 'azure-growth', status: 'Closed' })).toEqual({ changed: false });
    expect([...enrollments.docs.entries()]).toEqual(after);
  });

  it('INC-3: a Closed event for an unknown program writes nothing and is an UnprocessableMessage (poison)', async () => {
    const { deps, enrollments } = await setup();
    await handleEligibility(deps, event());
    const before = structuredClone([...enrollments.docs.entries()]);
    const error = await errorOf(handleProgramEvent(deps, { eventId: 'close-x', programId: 'no-such-program', status: 'Closed' }));
    expect(error.kind).toBe('UnprocessableMessage');
    expect([...enrollments.docs.entries()]).toEqual(before);
    expect(enrollments.ofPartner(programPartition('no-such-program'))).toEqual([]);
  });

  it('INC-2: an eligibility event for a location that is not the partner\u2019s records no program either (nothing half-applied)', async () => {
    const { deps, enrollments } = await setup();
    await errorOf(handleEligibility(deps, event({ programId: 'fresh-program', locationPartnerId: 'ghost' })));
    expect(enrollments.ofPartner(programPartition('fresh-program'))).toEqual([]);
    await handleEligibility(deps, event({ programId: 'fresh-program' }));
    expect(enrollments.ofPartner(programPartition('fresh-program'))).toMatchObject([{ type: 'incentiveProgram', status: 'Offered' }]);
  });

  it('INC-3: an enrolment whose id does not name its program still shows its program Closed', async () => {
    const { deps, enrollments } = await setup();
    const { enrollmentId } = await handleEligibility(deps, event());
    const stored = enrollments.ofPartner('P1').find((d): d is Enrollment => d.type === 'enrollment' && d.id === enrollmentId);
    if (!stored) throw new Error('no enrolment');
    await enrollments.commit('P1', [{ kind: 'create', doc: { ...stored, id: 'custom-id', enrollmentId: 'custom-id' } }]);
    await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' });
    expect((await getEnrollment(deps, 'P1', 'custom-id', incentiveAdmin)).status).toBe('Closed');
    expect((await errorOf(enroll(deps, 'P1', 'custom-id', {}, incentiveAdmin))).code).toBe('EnrollmentNotOpen');
  });

  it('INC-3: closing a program rewrites no enrolment (Closed is derived when read)', async () => {
    const { deps, enrollments } = await setup();
    await handleEligibility(deps, event());
    const stored = () => enrollments.ofPartner('P1').filter((d): d is Enrollment => d.type === 'enrollment');
    const before = stored();
    await handleProgramEvent(deps, { eventId: 'close-1', programId: 'azure-growth', status: 'Closed' });
    expect(stored()).toEqual(before);
  });
});
