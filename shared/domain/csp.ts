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

/** What the CSP-1 requirements are computed from (the assessment reads only these fields of a page of partners). */
export type RequirementSubject = Pick<Partner, 'programs' | 'locations' | 'csp' | 'directBill'>;

/** CSP-2: the support plan that counts: the one bought after the credit check, else the one upstream reports. */
const supportPlanOf = (partner: RequirementSubject): 'None' | 'Advanced' | 'Premier' | undefined =>
  partner.directBill?.supportPlan?.plan ?? partner.csp?.supportPlan;

/** CSP-1, each requirement with whether it is met and why, as of `today` (UTC). */
export function directBillRequirements(partner: RequirementSubject, today: Date): Requirement[] {
  const csp = partner.csp;
  const plan = supportPlanOf(partner);
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
      met: plan === 'Advanced' || plan === 'Premier',
      detail: plan === undefined ? none : plan === 'None' ? 'no Advanced or Premier support plan for partners' : `${plan} support plan`,
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

/** CSP-1 requirements an application needs: all but the support plan, which is bought after the credit check (CSP-2). */
export function applicationRequirements(partner: RequirementSubject, today: Date): Requirement[] {
  return directBillRequirements(partner, today).filter((r) => r.id !== 'SupportPlan');
}

/** CSP-3: how long an assessment (or, never assessed, the approval or the start as DirectBill) holds. */
const assessmentValidMonths = 12;

/** What the annual assessment reads of a partner. */
export type AssessmentSubject = RequirementSubject & Pick<Partner, 'partnerId' | 'cspModel' | 'createdAt'>;

/** CSP-3: when the abilities were last confirmed: the latest assessment, approval or start as DirectBill, else the creation. */
function lastConfirmedAt(partner: AssessmentSubject): string {
  const d = partner.directBill;
  const confirmations = [d?.lastAssessedAt, d?.approvedAt, d?.since].filter((t): t is string => t !== undefined).sort();
  return confirmations.at(-1) ?? partner.createdAt;
}

/**
 * CSP-3, the annual assessment of one partner at `now`: a DirectBill partner with active abilities
 * that no longer meets CSP-1, or whose last confirmation is more than 12 months old, loses them (the
 * reasons say why). Anyone else (not DirectBill, or suspended already) is left as it is.
 */
export function assessDirectBill(partner: AssessmentSubject, now: Date): { suspend: false } | { suspend: true; reasons: string[] } {
  if (partner.cspModel !== 'DirectBill' || partner.directBill?.abilities === 'Suspended') return { suspend: false };
  const reasons = directBillRequirements(partner, now)
    .filter((r) => !r.met)
    .map((r) => `${r.id}: ${r.detail}`);
  const confirmed = lastConfirmedAt(partner).slice(0, 10);
  const validUntil = addMonths(confirmed, assessmentValidMonths);
  if (now.toISOString().slice(0, 10) > validUntil) reasons.push(`Assessment: last confirmed on ${confirmed}, more than 12 months ago (due by ${validUntil})`);
  return reasons.length > 0 ? { suspend: true, reasons } : { suspend: false };
}

/**
 * CSP-3, for the account view: a DirectBill partner's direct-bill abilities and its last assessment
 * (null when never assessed); undefined for any other partner.
 */
export function directBillStatus(
  partner: Pick<Partner, 'cspModel' | 'directBill'>,
): { directBillAbilities: 'Active' | 'Suspended'; lastAssessedAt: string | null } | undefined {
  if (partner.cspModel !== 'DirectBill') return undefined;
  return { directBillAbilities: partner.directBill?.abilities ?? 'Active', lastAssessedAt: partner.directBill?.lastAssessedAt ?? null };
}

/**
 * What the suite keeps of its own direct-bill record when upstream replaces a partner: everything,
 * and when the partner turns DirectBill after its creation, that moment (the assessment clock starts).
 */
export function carriedDirectBill(before: Partner | undefined, input: Pick<Partner, 'cspModel'>, now: Date): Partner['directBill'] {
  const kept = before?.directBill;
  if (!before || before.cspModel === 'DirectBill' || input.cspModel !== 'DirectBill') return kept;
  // A new start as DirectBill: abilities active, the clock from now.
  const { suspendedAt: _at, suspendedFor: _for, ...rest } = kept ?? {};
  return { ...rest, abilities: 'Active', since: now.toISOString() };
}
