import type { PartnerUser } from '../../../shared/domain/incentives.js';
import type { Partner } from '../../../shared/domain/partner.js';

/** ACC-3: the roles, as the domain's users carry them. */
export type Role = PartnerUser['roles'][number];

type Csp = NonNullable<Partner['csp']>;

/** CSP-1: information that meets every direct-bill requirement on 28 February 2025. */
export function cspFixture(overrides: Partial<Csp> = {}): Csp {
  return {
    indirectResellerSince: '2024-02-29',
    trailing12MonthRevenueUsd: 300_000,
    supportPlan: 'Advanced',
    managedServices: 1,
    authorityToSign: true,
    firstLineSupport: true,
    infrastructure: true,
    capabilityAssessmentPassed: true,
    creditCheck: 'NotStarted',
    ...overrides,
  };
}

/** A partner that meets everything: enrolled in every program, one active US location, complete profiles. */
export function partnerFixture(overrides: Partial<Partner> = {}): Partner {
  return {
    id: 'partner',
    type: 'partner',
    partnerId: 'P1',
    companyName: 'Contoso Ltd',
    address: { line1: '1 Main Street', city: 'Redmond', postalCode: '98052', country: 'US' },
    primaryContact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.com' },
    programs: ['ai-cloud-partner', 'csp', 'developer'],
    cspModel: 'IndirectReseller',
    locations: [{ partnerId: 'L-US', country: 'US', active: true }],
    agreementActive: true,
    bankProfiles: [{ id: 'bank-1', locationPartnerId: 'L-US', default: true, complete: true }],
    taxProfiles: [{ id: 'tax-1', locationPartnerId: 'L-US', complete: true }],
    csp: cspFixture(),
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}
