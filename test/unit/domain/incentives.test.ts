import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chooseProfiles,
  enrollmentIdOf,
  fiscalYearOf,
  incentiveAdminsOf,
  newEnrollment,
  userDocumentId,
  viewedStatus,
  type EnrollmentStatus,
  type PartnerUser,
  eventApplied,
  withAppliedEvent,
} from '../../../shared/domain/incentives.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { partnerFixture, type Role } from './fixtures.js';

const now = new Date('2025-07-01T08:00:00.000Z');
const statuses: EnrollmentStatus[] = ['Invited', 'ActionRequired', 'ValidatingEnrollment', 'Enrolled', 'NotEligible', 'Inactive', 'Closed'];

describe('enrolment ids', () => {
  it('INC-5: one enrolment per location, program and fiscal year', () => {
    expect(enrollmentIdOf('L-US', 'growth', 2026)).toBe('L-US.growth.2026');
    expect(userDocumentId('u1')).toBe('user:u1');
  });

  it('INC-3: a new enrolment has exactly the given fields, its deterministic id and no actions', () => {
    const event = {
      partnerId: 'P1',
      locationPartnerId: 'L-US',
      programId: 'growth',
      fiscalYear: 2026,
      status: 'Invited' as const,
      openProgram: false,
      bankProfileId: 'leak',
      extra: 1,
    };
    expect(newEnrollment(event, now)).toEqual({
      id: 'L-US.growth.2026',
      type: 'enrollment',
      partnerId: 'P1',
      enrollmentId: 'L-US.growth.2026',
      programId: 'growth',
      locationPartnerId: 'L-US',
      fiscalYear: 2026,
      status: 'Invited',
      actionsNeeded: [],
      openProgram: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
  });
});

describe('fiscalYearOf', () => {
  it('INC-5: fiscal year 2027 runs from 1 July 2026 to 30 June 2027', () => {
    expect(fiscalYearOf(new Date('2026-06-30T23:59:59.999Z'))).toBe(2026);
    expect(fiscalYearOf(new Date('2026-07-01T00:00:00.000Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2026-12-31T23:59:59.999Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2027-01-01T00:00:00.000Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2027-06-30T23:59:59.999Z'))).toBe(2027);
    expect(fiscalYearOf(new Date('2027-07-01T00:00:00.000Z'))).toBe(2028);
  });

  it('INC-5: another start month moves the boundary', () => {
    expect(fiscalYearOf(new Date('2026-09-30T23:59:59.999Z'), 10)).toBe(2026);
    expect(fiscalYearOf(new Date('2026-10-01T00:00:00.000Z'), 10)).toBe(2027);
    expect(fiscalYearOf(new Date('2026-01-01T00:00:00.000Z'), 1)).toBe(2027);
  });

  it('INC-5: July to December belong to the next calendar year’s fiscal year (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(fiscalYearOf(date)).toBe(date.getUTCFullYear() + (date.getUTCMonth() >= 6 ? 1 : 0));
      }),
    );
  });
});

describe('viewedStatus', () => {
  it('INC-3: an incentive admin sees every status as it is', () => {
    for (const status of statuses) expect(viewedStatus(status, new Set<Role>(['IncentiveAdmin']))).toBe(status);
  });

  it('INC-3: anyone else sees Enrolling in place of ActionRequired and ValidatingEnrollment', () => {
    const viewer = new Set<Role>(['GlobalAdmin', 'AccountAdmin']);
    expect(statuses.map((s) => viewedStatus(s, viewer))).toEqual(['Invited', 'Enrolling', 'Enrolling', 'Enrolled', 'NotEligible', 'Inactive', 'Closed']);
  });
});

describe('chooseProfiles', () => {
  const partner = (over: Partial<Partner>) =>
    partnerFixture({
      locations: [
        { partnerId: 'L-US', country: 'US', active: true },
        { partnerId: 'L-CA', country: 'CA', active: true },
      ],
      ...over,
    });

  it('INC-4: the default bank profile of the location is preselected, with a complete tax profile of the location', () => {
    const p = partner({
      bankProfiles: [
        { id: 'b-ca', locationPartnerId: 'L-CA', default: true, complete: true },
        { id: 'b-us-1', locationPartnerId: 'L-US', default: false, complete: true },
        { id: 'b-us-2', locationPartnerId: 'L-US', default: true, complete: true },
      ],
      taxProfiles: [
        { id: 't-ca', locationPartnerId: 'L-CA', complete: true },
        { id: 't-us-1', locationPartnerId: 'L-US', complete: false },
        { id: 't-us-2', locationPartnerId: 'L-US', complete: true },
      ],
    });
    expect(chooseProfiles(p, 'L-US', {})).toEqual({ ok: true, bankProfileId: 'b-us-2', taxProfileId: 't-us-2', actionsNeeded: [] });
  });

  it('INC-4: without a default, the first bank profile of the location; without a complete one, the first tax profile', () => {
    const p = partner({
      bankProfiles: [
        { id: 'b-ca', locationPartnerId: 'L-CA', default: true, complete: true },
        { id: 'b-us-1', locationPartnerId: 'L-US', default: false, complete: false },
        { id: 'b-us-2', locationPartnerId: 'L-US', default: false, complete: true },
      ],
      taxProfiles: [
        { id: 't-ca', locationPartnerId: 'L-CA', complete: true },
        { id: 't-us-1', locationPartnerId: 'L-US', complete: false },
        { id: 't-us-2', locationPartnerId: 'L-US', complete: false },
      ],
    });
    expect(chooseProfiles(p, 'L-US', {})).toEqual({
      ok: true,
      bankProfileId: 'b-us-1',
      taxProfileId: 't-us-1',
      actionsNeeded: ['CompleteBankProfile', 'CompleteTaxProfile'],
    });
  });

  it('INC-4: another bank or tax profile of the location may be chosen', () => {
    const p = partner({
      bankProfiles: [
        { id: 'b-us-1', locationPartnerId: 'L-US', default: true, complete: true },
        { id: 'b-us-2', locationPartnerId: 'L-US', default: false, complete: false },
      ],
      taxProfiles: [
        { id: 't-us-1', locationPartnerId: 'L-US', complete: true },
        { id: 't-us-2', locationPartnerId: 'L-US', complete: false },
      ],
    });
    expect(chooseProfiles(p, 'L-US', { bankProfileId: 'b-us-2', taxProfileId: 't-us-2' })).toEqual({
      ok: true,
      bankProfileId: 'b-us-2',
      taxProfileId: 't-us-2',
      actionsNeeded: ['CompleteBankProfile', 'CompleteTaxProfile'],
    });
  });

  it('INC-4: a profile of another location cannot be chosen', () => {
    const p = partner({
      bankProfiles: [
        { id: 'b-ca', locationPartnerId: 'L-CA', default: true, complete: true },
        { id: 'b-us', locationPartnerId: 'L-US', default: true, complete: true },
      ],
      taxProfiles: [
        { id: 't-ca', locationPartnerId: 'L-CA', complete: true },
        { id: 't-us', locationPartnerId: 'L-US', complete: true },
      ],
    });
    expect(chooseProfiles(p, 'L-US', { bankProfileId: 'b-ca' })).toEqual({ ok: false, field: 'bankProfileId', reason: 'not a bank profile of this location' });
    expect(chooseProfiles(p, 'L-US', { taxProfileId: 't-ca' })).toEqual({ ok: false, field: 'taxProfileId', reason: 'not a tax profile of this location' });
    expect(chooseProfiles(p, 'L-US', { bankProfileId: 'nope', taxProfileId: 't-us' })).toEqual({
      ok: false,
      field: 'bankProfileId',
      reason: 'not a bank profile of this location',
    });
  });

  it('INC-4: missing payout or tax information is what the enrolment needs', () => {
    const p = partner({
      bankProfiles: [{ id: 'b-ca', locationPartnerId: 'L-CA', default: true, complete: true }],
      taxProfiles: [{ id: 't-ca', locationPartnerId: 'L-CA', complete: true }],
    });
    const result = chooseProfiles(p, 'L-US', {});
    expect(result).toEqual({ ok: true, actionsNeeded: ['AddBankProfile', 'AddTaxProfile'] });
    expect(result).not.toHaveProperty('bankProfileId');
    expect(result).not.toHaveProperty('taxProfileId');
    expect(chooseProfiles(p, 'L-US', { bankProfileId: undefined, taxProfileId: undefined })).toEqual({
      ok: true,
      actionsNeeded: ['AddBankProfile', 'AddTaxProfile'],
    });
  });

  it('INC-4: a complete bank profile with no tax profile needs only the tax profile', () => {
    const p = partner({ bankProfiles: [{ id: 'b-us', locationPartnerId: 'L-US', default: false, complete: true }], taxProfiles: [] });
    expect(chooseProfiles(p, 'L-US', {})).toEqual({ ok: true, bankProfileId: 'b-us', actionsNeeded: ['AddTaxProfile'] });
  });
});

describe('incentiveAdminsOf', () => {
  const user = (userId: string, roles: Role[], locationPartnerIds: string[]): PartnerUser => ({
    id: `user:${userId}`,
    type: 'user',
    partnerId: 'P1',
    userId,
    email: `${userId}@contoso.com`,
    roles,
    locationPartnerIds,
    updatedAt: now.toISOString(),
  });

  it('INC-1, INC-2: the incentive admins of a location are those assigned to it or to every location', () => {
    const users = [
      user('all', ['IncentiveAdmin'], []),
      user('us', ['GlobalAdmin', 'IncentiveAdmin'], ['L-US', 'L-MX']),
      user('ca', ['IncentiveAdmin'], ['L-CA']),
      user('ga', ['GlobalAdmin', 'AccountAdmin'], []),
      user('ga-us', ['GlobalAdmin'], ['L-US']),
    ];
    expect(incentiveAdminsOf(users, 'L-US').map((u) => u.userId)).toEqual(['all', 'us']);
    expect(incentiveAdminsOf(users, 'L-CA').map((u) => u.userId)).toEqual(['all', 'ca']);
    expect(incentiveAdminsOf(users, 'L-DE').map((u) => u.userId)).toEqual(['all']);
    expect(incentiveAdminsOf([], 'L-US')).toEqual([]);
  });
});

describe('applied upstream events', () => {
  it('INC-2: an event is applied once, however late it comes back; the memory keeps the last 50', () => {
    const base = { appliedEventIds: [] as string[] };
    let record = withAppliedEvent(base, 'e0');
    for (let i = 1; i <= 50; i++) record = withAppliedEvent(record, `e${i}`);
    expect(record.lastEventId).toBe('e50');
    expect(record.appliedEventIds).toHaveLength(50);
    expect(record.appliedEventIds?.[0]).toBe('e1');
    const enrollment = { lastEventId: record.lastEventId, appliedEventIds: record.appliedEventIds } as Parameters<typeof eventApplied>[0];
    expect(eventApplied(enrollment, 'e1')).toBe(true);
    expect(eventApplied(enrollment, 'e50')).toBe(true);
    expect(eventApplied(enrollment, 'e0')).toBe(false);
    expect(eventApplied({ lastEventId: 'only' } as Parameters<typeof eventApplied>[0], 'only')).toBe(true);
    expect(withAppliedEvent({}, 'first')).toEqual({ lastEventId: 'first', appliedEventIds: ['first'] });
  });
});
