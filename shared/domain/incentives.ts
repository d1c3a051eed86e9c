import type { Role } from './roles.js';
import type { Partner } from './partner.js';

/** INC-3: enrolment statuses; `Enrolling` is what a viewer who is not an incentive admin sees. */
export type EnrollmentStatus = 'Invited' | 'ActionRequired' | 'ValidatingEnrollment' | 'Enrolled' | 'NotEligible' | 'Inactive' | 'Closed';
export type ViewedStatus = EnrollmentStatus | 'Enrolling';

export type ActionNeeded = 'AddBankProfile' | 'CompleteBankProfile' | 'AddTaxProfile' | 'CompleteTaxProfile' | 'ResolveValidationIssue';

/** One partner location's enrolment in one incentive program for one fiscal year. */
export interface Enrollment {
  id: string;
  type: 'enrollment';
  partnerId: string;
  enrollmentId: string;
  programId: string;
  locationPartnerId: string;
  fiscalYear: number;
  status: EnrollmentStatus;
  actionsNeeded: ActionNeeded[];
  unmetRequirements?: string[];
  openProgram: boolean;
  bankProfileId?: string;
  taxProfileId?: string;
  renewedFrom?: string;
  validationReason?: string;
  lastEventId?: string;
  /** The upstream events applied, newest last (bounded): a redelivered one, however late, changes nothing. */
  appliedEventIds?: string[];
  invitationSentAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A user of a partner with the roles assigned in the portal (INC-1: who the incentive admins are). */
export interface PartnerUser {
  id: string;
  type: 'user';
  partnerId: string;
  userId: string;
  email: string;
  displayName?: string;
  roles: Role[];
  /** For IncentiveAdmin: the location ids administered; empty means every location of the partner. */
  locationPartnerIds: string[];
  updatedAt: string;
}

export const userDocumentId = (userId: string): string => `user:${userId}`;

const appliedEventMemory = 50;

/** Whether an upstream event was applied to the enrolment already. */
export function eventApplied(enrollment: Enrollment, eventId: string): boolean {
  return enrollment.lastEventId === eventId || (enrollment.appliedEventIds ?? []).includes(eventId);
}

/** The record of one more applied event. */
export function withAppliedEvent(enrollment: Pick<Enrollment, 'appliedEventIds'>, eventId: string): Pick<Enrollment, 'lastEventId' | 'appliedEventIds'> {
  return { lastEventId: eventId, appliedEventIds: [...(enrollment.appliedEventIds ?? []), eventId].slice(-appliedEventMemory) };
}

/** Deterministic: one enrolment per location, program and fiscal year, so repeats are no-ops. */
export function enrollmentIdOf(locationPartnerId: string, programId: string, fiscalYear: number): string {
  return `${locationPartnerId}.${programId}.${fiscalYear}`;
}

/** A new enrolment with its deterministic id; callers add what their event knows (profiles, reasons). */
export function newEnrollment(
  fields: { partnerId: string; locationPartnerId: string; programId: string; fiscalYear: number; status: EnrollmentStatus; openProgram: boolean },
  now: Date,
): Enrollment {
  // Exactly these fields: callers pass whole events or enrolments, whose other keys must not leak in.
  const { partnerId, locationPartnerId, programId, fiscalYear, status, openProgram } = fields;
  const id = enrollmentIdOf(locationPartnerId, programId, fiscalYear);
  const at = now.toISOString();
  return {
    id,
    type: 'enrollment',
    partnerId,
    enrollmentId: id,
    programId,
    locationPartnerId,
    fiscalYear,
    status,
    actionsNeeded: [],
    openProgram,
    createdAt: at,
    updatedAt: at,
  };
}

/** INC-5: the fiscal year a date falls in; fiscal year 2027 starts on 1 July 2026 (start month 7). */
export function fiscalYearOf(date: Date, startMonth = 7): number {
  const year = date.getUTCFullYear();
  return date.getUTCMonth() + 1 >= startMonth ? year + 1 : year;
}

/** INC-3: what a viewer sees; only incentive admins see ActionRequired and ValidatingEnrollment. */
export function viewedStatus(status: EnrollmentStatus, viewerRoles: ReadonlySet<Role>): ViewedStatus {
  if (viewerRoles.has('IncentiveAdmin')) return status;
  return status === 'ActionRequired' || status === 'ValidatingEnrollment' ? 'Enrolling' : status;
}

/**
 * INC-4: the payout and tax profiles an enrolment would use, and what is missing. The default bank
 * profile of the location is preselected; the location's tax profile is offered.
 */
export function chooseProfiles(
  partner: Partner,
  locationPartnerId: string,
  requested: { bankProfileId?: string | undefined; taxProfileId?: string | undefined },
): { ok: true; bankProfileId?: string; taxProfileId?: string; actionsNeeded: ActionNeeded[] } | { ok: false; field: string; reason: string } {
  const banks = partner.bankProfiles.filter((b) => b.locationPartnerId === locationPartnerId);
  const taxes = partner.taxProfiles.filter((t) => t.locationPartnerId === locationPartnerId);
  const bank = requested.bankProfileId !== undefined ? banks.find((b) => b.id === requested.bankProfileId) : (banks.find((b) => b.default) ?? banks[0]);
  if (requested.bankProfileId !== undefined && !bank) return { ok: false, field: 'bankProfileId', reason: 'not a bank profile of this location' };
  const tax = requested.taxProfileId !== undefined ? taxes.find((t) => t.id === requested.taxProfileId) : (taxes.find((t) => t.complete) ?? taxes[0]);
  if (requested.taxProfileId !== undefined && !tax) return { ok: false, field: 'taxProfileId', reason: 'not a tax profile of this location' };
  const actionsNeeded: ActionNeeded[] = [];
  if (!bank) actionsNeeded.push('AddBankProfile');
  else if (!bank.complete) actionsNeeded.push('CompleteBankProfile');
  if (!tax) actionsNeeded.push('AddTaxProfile');
  else if (!tax.complete) actionsNeeded.push('CompleteTaxProfile');
  return { ok: true, ...(bank ? { bankProfileId: bank.id } : {}), ...(tax ? { taxProfileId: tax.id } : {}), actionsNeeded };
}

/** INC-1, INC-2: the incentive admins of a location (assigned to it, or to every location). */
export function incentiveAdminsOf(users: readonly PartnerUser[], locationPartnerId: string): PartnerUser[] {
  return users.filter((u) => u.roles.includes('IncentiveAdmin') && (u.locationPartnerIds.length === 0 || u.locationPartnerIds.includes(locationPartnerId)));
}

/**
 * INC-3, INC-4: what an ActionRequired enrolment still needs, judged against the partner's profiles as
 * they are now (its chosen profiles while they exist, else what enrolling would preselect): once the
 * partner has supplied the missing payout, tax or currency information, it is no longer listed. An
 * upstream validation issue stays until upstream validates again. Other statuses keep what they hold.
 */
export function outstandingActions(enrollment: Enrollment, partner: Partner): ActionNeeded[] {
  if (enrollment.status !== 'ActionRequired') return enrollment.actionsNeeded;
  const ofLocation = (p: { id: string; locationPartnerId: string }, id: string | undefined) =>
    p.id === id && p.locationPartnerId === enrollment.locationPartnerId;
  const bankProfileId = partner.bankProfiles.some((b) => ofLocation(b, enrollment.bankProfileId)) ? enrollment.bankProfileId : undefined;
  const taxProfileId = partner.taxProfiles.some((t) => ofLocation(t, enrollment.taxProfileId)) ? enrollment.taxProfileId : undefined;
  const chosen = chooseProfiles(partner, enrollment.locationPartnerId, { bankProfileId, taxProfileId });
  const upstream = enrollment.actionsNeeded.filter((a) => a === 'ResolveValidationIssue');
  return [...upstream, ...(chosen.ok ? chosen.actionsNeeded : [])];
}
