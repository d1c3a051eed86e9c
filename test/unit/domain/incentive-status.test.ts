import { describe, expect, it } from 'vitest';
import {
  administersLocation,
  closedProgram,
  effectiveStatus,
  enrollmentIdOf,
  offeredProgram,
  programIdOf,
  requirementsOf,
  unmetOf,
  validationOverdue,
  type EnrollmentStatus,
  type PartnerUser,
} from '../../../shared/domain/incentives.js';

const NOW = new Date('2025-09-01T12:00:00.000Z');
const offered = offeredProgram('azure-growth', NOW);
const closed = closedProgram(offered, 'close-1', NOW);

describe('effectiveStatus (INC-3, INC-6)', () => {
  const statuses: EnrollmentStatus[] = ['Invited', 'ActionRequired', 'ValidatingEnrollment', 'Enrolled', 'NotEligible'];

  it('INC-3: a closed program shows Closed, except Enrolled of an ended fiscal year', () => {
    for (const status of statuses) {
      expect(effectiveStatus({ status, fiscalYear: 2026 }, { program: closed, locationActive: true, currentFiscalYear: 2026 })).toBe('Closed');
      expect(effectiveStatus({ status, fiscalYear: 2025 }, { program: closed, locationActive: true, currentFiscalYear: 2026 })).toBe(
        status === 'Enrolled' ? 'Enrolled' : 'Closed',
      );
    }
  });

  it('INC-6: an inactive location shows Inactive in the running fiscal year only; an offered program changes nothing', () => {
    for (const status of statuses) {
      expect(effectiveStatus({ status, fiscalYear: 2026 }, { program: offered, locationActive: false, currentFiscalYear: 2026 })).toBe('Inactive');
      expect(effectiveStatus({ status, fiscalYear: 2025 }, { program: offered, locationActive: false, currentFiscalYear: 2026 })).toBe(status);
      expect(effectiveStatus({ status, fiscalYear: 2026 }, { program: undefined, locationActive: true, currentFiscalYear: 2026 })).toBe(status);
    }
  });
});

describe('closedProgram (INC-3)', () => {
  it('INC-3: closes once; the same event again, or another close, changes nothing', () => {
    expect(closed).toMatchObject({ status: 'Closed', closedAt: NOW.toISOString(), appliedEventIds: ['close-1'] });
    if (!closed) throw new Error('not closed');
    expect(closedProgram(closed, 'close-1', NOW)).toBeUndefined();
    expect(closedProgram(closed, 'close-2', NOW)).toBeUndefined();
  });
});

describe('validationOverdue (INC-3)', () => {
  it('INC-3: ValidatingEnrollment for more than 48 hours is overdue; other statuses never are', () => {
    const since = { validatingSince: '2025-08-30T12:00:00.000Z', updatedAt: '2025-08-30T12:00:00.000Z' };
    expect(validationOverdue(since, 'ValidatingEnrollment', NOW)).toBe(false);
    expect(validationOverdue(since, 'ValidatingEnrollment', new Date(NOW.getTime() + 1))).toBe(true);
    expect(validationOverdue(since, 'Enrolled', new Date(NOW.getTime() + 1))).toBe(false);
    // An enrolment stored without validatingSince is judged from its last update.
    expect(validationOverdue({ updatedAt: '2025-08-01T00:00:00.000Z' }, 'ValidatingEnrollment', NOW)).toBe(true);
  });
});

describe('requirementsOf (INC-6)', () => {
  it('INC-6: requirements and unmetRequirements together, the latter as unmet; neither stated: none', () => {
    const event = { requirements: [{ id: 'a', met: true }], unmetRequirements: ['b'] };
    expect(requirementsOf(event)).toEqual([
      { id: 'a', met: true },
      { id: 'b', met: false },
    ]);
    expect(unmetOf(event)).toEqual(['b']);
    expect(requirementsOf({})).toBeUndefined();
    expect(unmetOf({ requirements: [{ id: 'a', met: false }] })).toEqual(['a']);
  });
});

describe('administersLocation (INC-1)', () => {
  const user = (locationPartnerIds: string[]): PartnerUser => ({
    id: 'user:u',
    type: 'user',
    partnerId: 'P1',
    userId: 'u',
    email: 'u@contoso.com',
    roles: ['IncentiveAdmin'],
    locationPartnerIds,
    updatedAt: NOW.toISOString(),
  });

  it('INC-1: assigned locations only; none assigned (or no user record) means all', () => {
    expect(administersLocation(user(['L-US']), 'L-US')).toBe(true);
    expect(administersLocation(user(['L-US']), 'L-CA')).toBe(false);
    expect(administersLocation(user([]), 'L-CA')).toBe(true);
    expect(administersLocation(undefined, 'L-CA')).toBe(true);
  });
});

describe('programIdOf', () => {
  it('INC-3: reads the program out of a deterministic enrolment id, and nothing out of another id', () => {
    expect(programIdOf(enrollmentIdOf('L-US', 'azure-growth', 2026))).toBe('azure-growth');
    expect(programIdOf('nope')).toBeUndefined();
    expect(programIdOf('a.b.c.d')).toBeUndefined();
  });
});
