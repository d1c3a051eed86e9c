import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addMonths, directBillRequirements, minimumIndirectMonths, minimumTrailingRevenueUsd } from '../../../shared/domain/csp.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { cspFixture, partnerFixture } from './fixtures.js';

const today = new Date('2025-02-28T12:00:00.000Z');
const withCsp = (over: Parameters<typeof cspFixture>[0]) => partnerFixture({ csp: cspFixture(over) });
const requirement = (partner: Partner, id: string, at = today) => directBillRequirements(partner, at).find((r) => r.id === id);

describe('addMonths', () => {
  it('CSP-1: months are calendar months; a shorter month ends on its last day', () => {
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-02-29', 48)).toBe('2028-02-29');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-31', 1)).toBe('2024-04-30');
    expect(addMonths('2024-12-15', 1)).toBe('2025-01-15');
    expect(addMonths('2024-05-31', 0)).toBe('2024-05-31');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-01-01', -1)).toBe('2023-12-01');
  });

  it('CSP-1: 12 months after a day up to the 28th is the same day a year later (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1971, max: 2200 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), (y, m, d) => {
        const date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(addMonths(date, 12)).toBe(`${y + 1}${date.slice(4)}`);
      }),
    );
  });

  it('CSP-1: adding months never goes back, and lands in the right month (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 60 }),
        (date, months) => {
          const from = date.toISOString().slice(0, 10);
          const to = addMonths(from, months);
          expect(to >= from).toBe(true);
          const monthIndex = (s: string) => Number(s.slice(0, 4)) * 12 + Number(s.slice(5, 7)) - 1;
          expect(monthIndex(to) - monthIndex(from)).toBe(months);
        },
      ),
    );
  });
});

describe('directBillRequirements', () => {
  it('CSP-1: a partner meeting everything meets every requirement, listed in order', () => {
    const requirements = directBillRequirements(partnerFixture(), today);
    expect(requirements).toEqual([
      { id: 'ActiveCloudPartnerLocation', met: true, detail: 'active location partner id L-US (US)' },
      { id: 'AuthorityToSign', met: true, detail: 'has authority to sign agreements' },
      { id: 'FirstLineSupport', met: true, detail: 'gives first-line support to customers' },
      { id: 'SupportPlan', met: true, detail: 'Advanced support plan' },
      { id: 'TrailingRevenue', met: true, detail: 'trailing 12-month revenue USD 300,000 meets USD 300,000' },
      { id: 'IndirectResellerTenure', met: true, detail: 'indirect reseller since 2024-02-29: 12 months reached on 2025-02-28' },
      { id: 'BillingAndProvisioningInfrastructure', met: true, detail: 'billing and provisioning infrastructure in place' },
      { id: 'CapabilityAssessment', met: true, detail: 'third-party capability assessment passed' },
      { id: 'ManagedServices', met: true, detail: '1 managed service(s), IP service(s) or customer solution(s)' },
    ]);
    expect(minimumTrailingRevenueUsd).toBe(300_000);
    expect(minimumIndirectMonths).toBe(12);
  });

  it('CSP-1: with no CSP information only the cloud partner location can be met', () => {
    const requirements = directBillRequirements(partnerFixture({ csp: undefined }), today);
    expect(requirements.map((r) => [r.id, r.met])).toEqual([
      ['ActiveCloudPartnerLocation', true],
      ['AuthorityToSign', false],
      ['FirstLineSupport', false],
      ['SupportPlan', false],
      ['TrailingRevenue', false],
      ['IndirectResellerTenure', false],
      ['BillingAndProvisioningInfrastructure', false],
      ['CapabilityAssessment', false],
      ['ManagedServices', false],
    ]);
    expect(requirements.slice(1).map((r) => r.detail)).toEqual([
      'no CSP information on record',
      'no CSP information on record',
      'no CSP information on record',
      'no CSP information on record',
      'not transacting as an indirect reseller',
      'no CSP information on record',
      'no CSP information on record',
      'no CSP information on record',
    ]);
  });

  it('CSP-1: the partner id must be active in the AI Cloud Partner Program for a location', () => {
    expect(requirement(partnerFixture({ programs: ['csp'] }), 'ActiveCloudPartnerLocation')).toEqual({
      id: 'ActiveCloudPartnerLocation',
      met: false,
      detail: 'not enrolled in the AI Cloud Partner Program',
    });
    expect(requirement(partnerFixture({ programs: ['csp'], locations: [] }), 'ActiveCloudPartnerLocation')?.detail).toBe(
      'not enrolled in the AI Cloud Partner Program',
    );
    expect(requirement(partnerFixture({ locations: [{ partnerId: 'L-US', country: 'US', active: false }] }), 'ActiveCloudPartnerLocation')).toEqual({
      id: 'ActiveCloudPartnerLocation',
      met: false,
      detail: 'no active location partner id',
    });
    const two = partnerFixture({
      locations: [
        { partnerId: 'L-US', country: 'US', active: true },
        { partnerId: 'L-DE', country: 'DE', active: false },
        { partnerId: 'L-CA', country: 'CA', active: true },
      ],
    });
    expect(requirement(two, 'ActiveCloudPartnerLocation')).toEqual({
      id: 'ActiveCloudPartnerLocation',
      met: true,
      detail: 'active location partner id L-US (US), L-CA (CA)',
    });
  });

  it('CSP-1: authority to sign, first-line support, infrastructure and the third-party assessment', () => {
    const none = withCsp({ authorityToSign: false, firstLineSupport: false, infrastructure: false, capabilityAssessmentPassed: false });
    expect(requirement(none, 'AuthorityToSign')).toEqual({ id: 'AuthorityToSign', met: false, detail: 'no authority to sign agreements' });
    expect(requirement(none, 'FirstLineSupport')).toEqual({ id: 'FirstLineSupport', met: false, detail: 'cannot give first-line support' });
    expect(requirement(none, 'BillingAndProvisioningInfrastructure')).toEqual({
      id: 'BillingAndProvisioningInfrastructure',
      met: false,
      detail: 'no billing and provisioning infrastructure',
    });
    expect(requirement(none, 'CapabilityAssessment')).toEqual({
      id: 'CapabilityAssessment',
      met: false,
      detail: 'third-party capability assessment not passed',
    });
  });

  it('CSP-1: an Advanced or Premier support plan for partners', () => {
    expect(requirement(withCsp({ supportPlan: 'Premier' }), 'SupportPlan')).toEqual({ id: 'SupportPlan', met: true, detail: 'Premier support plan' });
    expect(requirement(withCsp({ supportPlan: 'None' }), 'SupportPlan')).toEqual({
      id: 'SupportPlan',
      met: false,
      detail: 'no Advanced or Premier support plan for partners',
    });
  });

  it('CSP-1: trailing 12-month revenue of USD 300,000 exactly is enough; a cent less is not', () => {
    expect(requirement(withCsp({ trailing12MonthRevenueUsd: 300_000 }), 'TrailingRevenue')?.met).toBe(true);
    expect(requirement(withCsp({ trailing12MonthRevenueUsd: 299_999.99 }), 'TrailingRevenue')).toEqual({
      id: 'TrailingRevenue',
      met: false,
      detail: 'trailing 12-month revenue USD 300,000 is below USD 300,000',
    });
    expect(requirement(withCsp({ trailing12MonthRevenueUsd: 1_234_567.4 }), 'TrailingRevenue')?.detail).toBe(
      'trailing 12-month revenue USD 1,234,567 meets USD 300,000',
    );
    expect(requirement(withCsp({ trailing12MonthRevenueUsd: 0 }), 'TrailingRevenue')?.detail).toBe('trailing 12-month revenue USD 0 is below USD 300,000');
  });

  it('CSP-1: revenue is met exactly from USD 300,000 up (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 10_000_000, noNaN: true }), (revenue) => {
        expect(requirement(withCsp({ trailing12MonthRevenueUsd: revenue }), 'TrailingRevenue')?.met).toBe(revenue >= 300_000);
      }),
    );
  });

  it('CSP-1: 12 months as an indirect reseller are reached on the same day a year later (end of February for the 29th)', () => {
    const partner = withCsp({ indirectResellerSince: '2024-02-29' });
    expect(requirement(partner, 'IndirectResellerTenure', new Date('2025-02-28T00:00:00.000Z'))?.met).toBe(true);
    expect(requirement(partner, 'IndirectResellerTenure', new Date('2025-02-27T23:59:59.999Z'))).toEqual({
      id: 'IndirectResellerTenure',
      met: false,
      detail: 'indirect reseller since 2024-02-29: 12 months are reached on 2025-02-28',
    });
    const march = withCsp({ indirectResellerSince: '2024-03-15' });
    expect(requirement(march, 'IndirectResellerTenure', new Date('2025-03-15T00:00:00.000Z'))?.met).toBe(true);
    expect(requirement(march, 'IndirectResellerTenure', new Date('2025-03-14T23:59:59.999Z'))?.met).toBe(false);
    expect(requirement(march, 'IndirectResellerTenure', new Date('2025-03-16T00:00:00.000Z'))?.detail).toBe(
      'indirect reseller since 2024-03-15: 12 months reached on 2025-03-15',
    );
  });

  it('CSP-1: a partner that never transacted as an indirect reseller has no tenure', () => {
    expect(requirement(withCsp({ indirectResellerSince: undefined }), 'IndirectResellerTenure')).toEqual({
      id: 'IndirectResellerTenure',
      met: false,
      detail: 'not transacting as an indirect reseller',
    });
  });

  it('CSP-1: at least one managed service, IP service or customer solution', () => {
    expect(requirement(withCsp({ managedServices: 0 }), 'ManagedServices')).toEqual({
      id: 'ManagedServices',
      met: false,
      detail: '0 managed service(s), IP service(s) or customer solution(s)',
    });
    expect(requirement(withCsp({ managedServices: 3 }), 'ManagedServices')?.met).toBe(true);
  });
});
