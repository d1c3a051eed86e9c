import type { Partner } from './partner.js';

/** CSP-1: one entry per requirement of direct-bill enrolment, computed from the partner's data. */
export interface Requirement {
  id: string;
  met: boolean;
  detail: string;
}

export const minimumTrailingRevenueUsd = 300_000;
export const minimumIndirectMonths = 12;

const usd = (amount: number): string => `USD ${Math.round(amount).toLocaleString('en-US')}`;

/**
 * The date `months` calendar months after `date` (YYYY-MM-DD); when that month is shorter, its last
 * day (a reseller since 29 February 2024 has 12 months on 28 February 2025).
 */
export function addMonths(date: string, months: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

/** CSP-1, each requirement with whether it is met and why, as of `today` (UTC). */
export function directBillRequirements(partner: Partner, today: Date): Requirement[] {
  const csp = partner.csp;
  const none = 'no CSP information on record';
  const todayDate = today.toISOString().slice(0, 10);
  const activeLocations = partner.locations.filter((l) => l.active);
  const inProgram = partner.programs.includes('ai-cloud-partner');
  const tenureFrom = csp?.indirectResellerSince;
  const tenureReached = tenureFrom ? addMonths(tenureFrom, minimumIndirectMonths) : undefined;
  return [
    {
      id: 'ActiveCloudPartnerLocation',
      met: inProgram && activeLocations.length > 0,
      detail: !inProgram
        ? 'not enrolled in the AI Cloud Partner Program'
        : activeLocations.length > 0
          ? `active location partner id ${activeLocations.map((l) => `${l.partnerId} (${l.country})`).join(', ')}`
          : 'no active location partner id',
    },
    {
      id: 'AuthorityToSign',
      met: csp?.authorityToSign === true,
      detail: csp ? (csp.authorityToSign ? 'has authority to sign agreements' : 'no authority to sign agreements') : none,
    },
    {
      id: 'FirstLineSupport',
      met: csp?.firstLineSupport === true,
      detail: csp ? (csp.firstLineSupport ? 'gives first-line support to customers' : 'cannot give first-line support') : none,
    },
    {
      id: 'SupportPlan',
      met: csp?.supportPlan === 'Advanced' || csp?.supportPlan === 'Premier',
      detail: csp ? (csp.supportPlan === 'None' ? 'no Advanced or Premier support plan for partners' : `${csp.supportPlan} support plan`) : none,
    },
    {
      id: 'TrailingRevenue',
      met: (csp?.trailing12MonthRevenueUsd ?? 0) >= minimumTrailingRevenueUsd,
      detail: csp
        ? `trailing 12-month revenue ${usd(csp.trailing12MonthRevenueUsd)} ${csp.trailing12MonthRevenueUsd >= minimumTrailingRevenueUsd ? 'meets' : 'is below'} ${usd(minimumTrailingRevenueUsd)}`
        : none,
    },
    {
      id: 'IndirectResellerTenure',
      met: tenureReached !== undefined && tenureReached <= todayDate,
      detail: !tenureFrom
        ? 'not transacting as an indirect reseller'
        : tenureReached !== undefined && tenureReached <= todayDate
          ? `indirect reseller since ${tenureFrom}: 12 months reached on ${tenureReached}`
          : `indirect reseller since ${tenureFrom}: 12 months are reached on ${tenureReached}`,
    },
    {
      id: 'BillingAndProvisioningInfrastructure',
      met: csp?.infrastructure === true,
      detail: csp ? (csp.infrastructure ? 'billing and provisioning infrastructure in place' : 'no billing and provisioning infrastructure') : none,
    },
    {
      id: 'CapabilityAssessment',
      met: csp?.capabilityAssessmentPassed === true,
      detail: csp ? (csp.capabilityAssessmentPassed ? 'third-party capability assessment passed' : 'third-party capability assessment not passed') : none,
    },
    {
      id: 'ManagedServices',
      met: (csp?.managedServices ?? 0) >= 1,
      detail: csp ? `${csp.managedServices} managed service(s), IP service(s) or customer solution(s)` : none,
    },
  ];
}
