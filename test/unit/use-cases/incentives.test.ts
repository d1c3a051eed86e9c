import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors.js';
import type { Enrollment } from '../../../shared/domain/incentives.js';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import { handleEligibility, putUser, type EligibilityEvent } from '../../../shared/use-cases/incentives.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

async function setup(options: { admin?: boolean } = { admin: true }) {
  const memory = memoryDeps({ now: () => NOW });
  await memory.accounts.commit('P1', [
    {
      kind: 'create',
      doc: partnerFixture({
        locations: [
          { partnerId: 'L-US', country: 'US', active: true },
          { partnerId: 'L-CA', country: 'CA', active: true },
        ],
      }),
    },
  ]);
  if (options.admin) await putUser(memory.deps, 'P1', 'u-admin', { email: 'incentives@contoso.com', roles: ['IncentiveAdmin'], locationPartnerIds: ['L-US'] });
  return memory;
}

const event = (overrides: Partial<EligibilityEvent> = {}): EligibilityEvent => ({
  eventId: 'evt-1',
  partnerId: 'P1',
  locationPartnerId: 'L-US',
  programId: 'azure-growth',
  fiscalYear: 2026,
  eligible: true,
  openProgram: false,
  ...overrides,
});

const intentsOf = (docs: { type: string }[]) => docs.filter((d): d is EmailIntent => d.type === 'emailIntent');
const enrollmentsOf = (docs: { type: string }[]) => docs.filter((d): d is Enrollment => d.type === 'enrollment');

describe('handleEligibility', () => {
  it('INC-2: an earlier event redelivered after a later one changes nothing (eligible, then not, then the first again)', async () => {
    const { deps, enrollments } = await setup();
    await handleEligibility(deps, event({ eventId: 'e1', eligible: true }));
    await handleEligibility(deps, event({ eventId: 'e2', eligible: false, unmetRequirements: ['revenue'] }));
    await handleEligibility(deps, event({ eventId: 'e1', eligible: true }));
    expect(enrollmentsOf(enrollments.ofPartner('P1'))[0]).toMatchObject({ status: 'NotEligible', unmetRequirements: ['revenue'], lastEventId: 'e2' });
  });

  it('INC-2: an eligible location with an IncentiveAdmin gets an Invited enrolment and one IncentiveInvitation', async () => {
    const { deps, enrollments, email } = await setup();
    const result = await handleEligibility(deps, event());
    expect(result.invited).toBe(1);
    const invitations = email.ofType('IncentiveInvitation');
    expect(invitations).toHaveLength(1);
    expect(invitations[0]?.message.to.map((t) => t.address)).toEqual(['incentives@contoso.com']);
    expect(invitations[0]?.message.subject).toContain('Invitation to partner incentive enrollment');
    const [enrollment] = enrollmentsOf(enrollments.ofPartner('P1'));
    expect(enrollment).toMatchObject({ status: 'Invited', enrollmentId: result.enrollmentId, invitationSentAt: NOW.toISOString() });
    expect(intentsOf(enrollments.ofPartner('P1'))).toEqual([expect.objectContaining({ emailType: 'IncentiveInvitation', status: 'Sent' })]);
  });

  it('INC-2: a repeated event (same or new eventId) changes nothing and sends nothing', async () => {
    const { deps, enrollments, email } = await setup();
    const first = await handleEligibility(deps, event());
    const before = await deps.enrollments.read('P1', enrollmentsOf(enrollments.ofPartner('P1'))[0]?.id ?? '');
    expect(await handleEligibility(deps, event())).toEqual({ enrollmentId: first.enrollmentId, invited: 0 });
    expect(await handleEligibility(deps, event({ eventId: 'evt-2' }))).toEqual({ enrollmentId: first.enrollmentId, invited: 0 });
    expect(email.ofType('IncentiveInvitation')).toHaveLength(1);
    // (A repeat first tries the create it assumes, which is refused as existing; nothing is written.)
    expect(intentsOf(enrollments.ofPartner('P1'))).toHaveLength(1);
    expect((await deps.enrollments.read('P1', before?.doc.id ?? ''))?.etag).toBe(before?.etag);
  });

  it('INC-2: an open program (no criteria) is an Invited enrolment with no email', async () => {
    const { deps, enrollments, email } = await setup();
    const result = await handleEligibility(deps, event({ openProgram: true, programId: 'open-program' }));
    expect(result.invited).toBe(0);
    expect(email.sent).toHaveLength(0);
    expect(intentsOf(enrollments.ofPartner('P1'))).toHaveLength(0);
    expect(enrollmentsOf(enrollments.ofPartner('P1'))[0]).toMatchObject({ status: 'Invited', openProgram: true });
  });

  it('INC-2: the invitation goes only to the admin of the eligible location', async () => {
    const { deps, email } = await setup();
    const result = await handleEligibility(deps, event({ locationPartnerId: 'L-CA' }));
    expect(result.invited).toBe(0);
    expect(email.sent).toHaveLength(0);
  });

  it('INC-1/INC-2: a location without an incentive admin gets its invitation once one is assigned, once', async () => {
    const { deps, email } = await setup({ admin: false });
    await handleEligibility(deps, event());
    expect(email.sent).toHaveLength(0);
    await putUser(deps, 'P1', 'u-admin', { email: 'incentives@contoso.com', roles: ['IncentiveAdmin'], locationPartnerIds: [] });
    expect(email.ofType('IncentiveInvitation')).toHaveLength(1);
    await putUser(deps, 'P1', 'u-admin2', { email: 'second@contoso.com', roles: ['IncentiveAdmin'], locationPartnerIds: [] });
    await handleEligibility(deps, event({ eventId: 'evt-3' }));
    expect(email.ofType('IncentiveInvitation')).toHaveLength(1);
  });

  it('INC-2: an ineligible location is NotEligible with what it lacks, and no email', async () => {
    const { deps, enrollments, email } = await setup();
    await handleEligibility(deps, event({ eligible: false, unmetRequirements: ['Revenue'] }));
    expect(email.sent).toHaveLength(0);
    expect(enrollmentsOf(enrollments.ofPartner('P1'))[0]).toMatchObject({ status: 'NotEligible', unmetRequirements: ['Revenue'] });
  });

  it('an event for a location that is not the partner\u2019s is an UnprocessableMessage', async () => {
    const { deps } = await setup();
    const error = await handleEligibility(deps, event({ locationPartnerId: 'L-XX' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).kind).toBe('UnprocessableMessage');
  });
});
