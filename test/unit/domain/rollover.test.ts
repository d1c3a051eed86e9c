import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Enrollment, EnrollmentStatus } from '../../../shared/domain/incentives.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { countOf, pageRecordId, renewalOf, runPartition, type RenewalSource } from '../../../shared/domain/rollover.js';
import { partnerFixture } from './fixtures.js';

const now = new Date('2026-07-01T00:05:00.000Z');

function source(over: Partial<RenewalSource> = {}): RenewalSource {
  return {
    id: 'L-US.growth.2026',
    partnerId: 'P1',
    enrollmentId: 'L-US.growth.2026',
    programId: 'growth',
    locationPartnerId: 'L-US',
    fiscalYear: 2026,
    status: 'Enrolled',
    openProgram: false,
    bankProfileId: 'bank-1',
    taxProfileId: 'tax-1',
    ...over,
  };
}

const renewedBase = {
  id: 'L-US.growth.2027',
  type: 'enrollment',
  partnerId: 'P1',
  enrollmentId: 'L-US.growth.2027',
  programId: 'growth',
  locationPartnerId: 'L-US',
  fiscalYear: 2027,
  openProgram: false,
  renewedFrom: 'L-US.growth.2026',
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
};

describe('rollover ids', () => {
  it('INC-5: a run has its own partition and one record per page', () => {
    expect(runPartition('r1')).toBe('rollover:r1');
    expect(pageRecordId(3)).toBe('page:3');
  });
});

describe('renewalOf', () => {
  it('INC-5: an eligible partner with an active agreement and complete profiles is carried as Enrolled, same profiles', () => {
    expect(renewalOf(source(), partnerFixture(), now)).toEqual({
      ...renewedBase,
      status: 'Enrolled',
      actionsNeeded: [],
      bankProfileId: 'bank-1',
      taxProfileId: 'tax-1',
    });
  });

  it('INC-5: the open-program flag is carried into the next fiscal year', () => {
    expect(renewalOf(source({ openProgram: true }), partnerFixture(), now).openProgram).toBe(true);
  });

  it('INC-5: a partner that no longer exists is not eligible', () => {
    expect(renewalOf(source(), undefined, now)).toEqual({
      ...renewedBase,
      status: 'NotEligible',
      actionsNeeded: [],
      unmetRequirements: ['partner no longer exists'],
    });
  });

  it('INC-5, INC-6: an inactive or removed location is not eligible', () => {
    const inactive = partnerFixture({ locations: [{ partnerId: 'L-US', country: 'US', active: false }] });
    expect(renewalOf(source(), inactive, now)).toEqual({
      ...renewedBase,
      status: 'NotEligible',
      actionsNeeded: [],
      unmetRequirements: ['location partner id is not active'],
    });
    const removed = partnerFixture({ locations: [{ partnerId: 'L-CA', country: 'CA', active: true }] });
    expect(renewalOf(source(), removed, now).unmetRequirements).toEqual(['location partner id is not active']);
  });

  it('INC-5: without an active agreement there is no renewal; every unmet requirement is listed', () => {
    expect(renewalOf(source(), partnerFixture({ agreementActive: false }), now)).toEqual({
      ...renewedBase,
      status: 'NotEligible',
      actionsNeeded: [],
      unmetRequirements: ['no active agreement'],
    });
    const both = partnerFixture({ agreementActive: false, locations: [{ partnerId: 'L-US', country: 'US', active: false }] });
    expect(renewalOf(source({ status: 'Closed' }), both, now).unmetRequirements).toEqual([
      'location partner id is not active',
      'no active agreement',
      'not eligible in fiscal year 2026',
    ]);
  });

  it('INC-5, INC-6: an enrolment NotEligible, Inactive or Closed this year is not carried', () => {
    for (const status of ['NotEligible', 'Inactive', 'Closed'] as const) {
      expect(renewalOf(source({ status }), partnerFixture(), now)).toEqual({
        ...renewedBase,
        status: 'NotEligible',
        actionsNeeded: [],
        unmetRequirements: ['not eligible in fiscal year 2026'],
      });
    }
  });

  it('INC-4, INC-5: an incomplete or missing profile makes the renewal ActionRequired', () => {
    const incomplete = partnerFixture({ bankProfiles: [{ id: 'bank-1', locationPartnerId: 'L-US', default: true, complete: false }] });
    expect(renewalOf(source(), incomplete, now)).toEqual({
      ...renewedBase,
      status: 'ActionRequired',
      actionsNeeded: ['CompleteBankProfile'],
      bankProfileId: 'bank-1',
      taxProfileId: 'tax-1',
    });
    const noTax = partnerFixture({ taxProfiles: [] });
    const renewal = renewalOf(source(), noTax, now);
    expect(renewal).toEqual({ ...renewedBase, status: 'ActionRequired', actionsNeeded: ['AddTaxProfile'], bankProfileId: 'bank-1' });
    expect(renewal).not.toHaveProperty('taxProfileId');
    const nothing = renewalOf(source(), partnerFixture({ bankProfiles: [], taxProfiles: [] }), now);
    expect(nothing).toEqual({ ...renewedBase, status: 'ActionRequired', actionsNeeded: ['AddBankProfile', 'AddTaxProfile'] });
    expect(nothing).not.toHaveProperty('bankProfileId');
  });

  it('INC-4, INC-5: an enrolment that never completed stays ActionRequired even when its profiles now are complete', () => {
    for (const status of ['Invited', 'ActionRequired', 'ValidatingEnrollment'] as const) {
      expect(renewalOf(source({ status }), partnerFixture(), now)).toEqual({
        ...renewedBase,
        status: 'ActionRequired',
        actionsNeeded: [],
        bankProfileId: 'bank-1',
        taxProfileId: 'tax-1',
      });
    }
  });

  it('INC-4, INC-5: a profile that is gone or moved to another location is replaced by the location’s preselection', () => {
    const partner = partnerFixture({
      locations: [
        { partnerId: 'L-US', country: 'US', active: true },
        { partnerId: 'L-CA', country: 'CA', active: true },
      ],
      bankProfiles: [
        { id: 'bank-1', locationPartnerId: 'L-CA', default: true, complete: true },
        { id: 'bank-2', locationPartnerId: 'L-US', default: false, complete: true },
        { id: 'bank-3', locationPartnerId: 'L-US', default: true, complete: true },
      ],
      taxProfiles: [
        { id: 'tax-1', locationPartnerId: 'L-CA', complete: true },
        { id: 'tax-2', locationPartnerId: 'L-US', complete: false },
        { id: 'tax-3', locationPartnerId: 'L-US', complete: true },
      ],
    });
    expect(renewalOf(source(), partner, now)).toMatchObject({ status: 'Enrolled', bankProfileId: 'bank-3', taxProfileId: 'tax-3' });
    expect(renewalOf(source({ bankProfileId: 'gone', taxProfileId: 'gone' }), partner, now)).toMatchObject({
      status: 'Enrolled',
      bankProfileId: 'bank-3',
      taxProfileId: 'tax-3',
    });
    expect(renewalOf(source({ bankProfileId: 'bank-2', taxProfileId: 'tax-2' }), partner, now)).toMatchObject({
      status: 'ActionRequired',
      actionsNeeded: ['CompleteTaxProfile'],
      bankProfileId: 'bank-2',
      taxProfileId: 'tax-2',
    });
  });

  it('INC-5: a renewal is always for the next fiscal year and names its origin (property)', () => {
    const statuses: EnrollmentStatus[] = ['Invited', 'ActionRequired', 'ValidatingEnrollment', 'Enrolled', 'NotEligible', 'Inactive', 'Closed'];
    fc.assert(
      fc.property(
        fc.constantFrom(...statuses),
        fc.integer({ min: 2000, max: 2100 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (status, fiscalYear, exists, active, agreement, complete) => {
          const partner: Partner | undefined = exists
            ? partnerFixture({
                agreementActive: agreement,
                locations: [{ partnerId: 'L-US', country: 'US', active }],
                bankProfiles: [{ id: 'bank-1', locationPartnerId: 'L-US', default: true, complete }],
              })
            : undefined;
          const renewal = renewalOf(source({ status, fiscalYear, enrollmentId: `L-US.growth.${fiscalYear}` }), partner, now);
          expect(renewal.fiscalYear).toBe(fiscalYear + 1);
          expect(renewal.id).toBe(`L-US.growth.${fiscalYear + 1}`);
          expect(renewal.renewedFrom).toBe(`L-US.growth.${fiscalYear}`);
          const eligible = exists && active && agreement && !['NotEligible', 'Inactive', 'Closed'].includes(status);
          expect(renewal.status).toBe(!eligible ? 'NotEligible' : status === 'Enrolled' && complete ? 'Enrolled' : 'ActionRequired');
        },
      ),
    );
  });
});

describe('countOf', () => {
  it('INC-5: a page counts what it scanned, renewed, left needing action, found not eligible and failed', () => {
    const renewal = (status: EnrollmentStatus) => ({ status }) as Enrollment;
    expect(
      countOf(
        [
          renewal('Enrolled'),
          renewal('ActionRequired'),
          renewal('Enrolled'),
          renewal('NotEligible'),
          renewal('ActionRequired'),
          renewal('Enrolled'),
          renewal('Enrolled'),
        ],
        new Set(),
        2,
      ),
    ).toEqual({
      scanned: 7,
      renewed: 4,
      actionRequired: 2,
      notEligible: 1,
      alreadyRenewed: 0,
      failed: 2,
    });
    expect(countOf([], new Set(), 0)).toEqual({ scanned: 0, renewed: 0, actionRequired: 0, notEligible: 0, alreadyRenewed: 0, failed: 0 });
  });

  it('INC-5: renewals that existed already count as alreadyRenewed, not by their status', () => {
    const renewal = (id: string, status: EnrollmentStatus) => ({ id, status }) as Enrollment;
    expect(countOf([renewal('a', 'Enrolled'), renewal('b', 'ActionRequired'), renewal('c', 'NotEligible')], new Set(['a', 'b', 'c']), 0)).toEqual({
      scanned: 3,
      renewed: 0,
      actionRequired: 0,
      notEligible: 0,
      alreadyRenewed: 3,
      failed: 0,
    });
  });
});
