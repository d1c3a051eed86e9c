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
  /** INC-6: the program's requirements, met and unmet, as the last eligibility event gave them. */
  requirements?: Requirement[];
  openProgram: boolean;
  bankProfileId?: string;
  taxProfileId?: string;
  renewedFrom?: string;
  /** The rollover run that created this renewal (INC-5): tells a page's own earlier writes from an earlier run's. */
  rolloverRunId?: string;
  validationReason?: string;
  /** INC-3: when the enrolment last went to ValidatingEnrollment (validation may take up to 48 hours). */
  validatingSince?: string;
  lastEventId?: string;
  /** The upstream events applied, newest last (bounded): a redelivered one, however late, changes nothing. */
  appliedEventIds?: string[];
  invitationSentAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** INC-6: one eligibility requirement of a program and whether the location meets it. */
export interface Requirement {
  id: string;
  met: boolean;
}

/**
 * INC-3, INC-6: an incentive program's status as upstream reported it, one document per program in its
 * own partition of the enrolments container (`program:<programId>`). Enrolments are not rewritten when
 * a program closes: their views derive `Closed` from this document (see docs/incentives.md).
 */
export interface IncentiveProgram {
  id: 'program';
  type: 'incentiveProgram';
  partnerId: string;
  programId: string;
  status: 'Offered' | 'Closed';
  closedAt?: string;
  /** The upstream events applied, newest last (bounded): a repeated one changes nothing. */
  appliedEventIds: string[];
  createdAt: string;
  updatedAt: string;
}

export const programPartition = (programId: string): string => `program:${programId}`;
export const programDocumentId = 'program';

/** A program as first seen (an eligibility event named it): offered. */
export function offeredProgram(programId: string, now: Date): IncentiveProgram {
  const at = now.toISOString();
  return {
    id: programDocumentId,
    type: 'incentiveProgram',
    partnerId: programPartition(programId),
    programId,
    status: 'Offered',
    appliedEventIds: [],
    createdAt: at,
    updatedAt: at,
  };
}

/** INC-3: the program closes (once); a repeated event, or one for a program closed already, changes nothing. */
export function closedProgram(program: IncentiveProgram, eventId: string, now: Date): IncentiveProgram | undefined {
  if (program.appliedEventIds.includes(eventId) || program.status === 'Closed') return undefined;
  const at = now.toISOString();
  return { ...program, status: 'Closed', closedAt: at, appliedEventIds: [...program.appliedEventIds, eventId].slice(-appliedEventMemory), updatedAt: at };
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
  /** For IncentiveAdmin and ReferralAdmin: the location ids administered; empty means every location of the partner. */
  locationPartnerIds: string[];
  updatedAt: string;
}

const appliedEventMemory = 50;

export const userDocumentId = (userId: string): string => `user:${userId}`;

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

/** The program named by an enrolment id of enrollmentIdOf's shape (ids and program ids hold no dot); undefined otherwise. */
export function programIdOf(enrollmentId: string): string | undefined {
  const parts = enrollmentId.split('.');
  return parts.length === 3 && parts[1] ? parts[1] : undefined;
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

/**
 * INC-6: the requirements an eligibility event states: its `requirements` (met and unmet), with any
 * `unmetRequirements` it names beside them added as unmet. None when the event stated neither.
 */
export function requirementsOf(event: {
  requirements?: readonly Requirement[] | undefined;
  unmetRequirements?: readonly string[] | undefined;
}): Requirement[] | undefined {
  if (event.requirements === undefined && event.unmetRequirements === undefined) return undefined;
  const listed = new Map((event.requirements ?? []).map((r) => [r.id, r.met]));
  for (const id of event.unmetRequirements ?? []) listed.set(id, false);
  return [...listed].map(([id, met]) => ({ id, met }));
}

/** INC-3: the unmet requirements of an event, whichever way it named them. */
export function unmetOf(event: { requirements?: readonly Requirement[] | undefined; unmetRequirements?: readonly string[] | undefined }): string[] {
  return (requirementsOf(event) ?? []).filter((r) => !r.met).map((r) => r.id);
}

/** What a stored status shows once the program and the location are taken into account (INC-3, INC-6). */
export interface StatusContext {
  /** The program's status document; absent when none was recorded. */
  program: IncentiveProgram | undefined;
  /** Whether the enrolment's location partner id is active (ACC-1); false for a location the partner no longer has. */
  locationActive: boolean;
  currentFiscalYear: number;
}

/**
 * INC-3, INC-6, derived at read time, never stored: `Closed` for every enrolment of a closed program
 * except one Enrolled in a fiscal year that has ended (its record stands); `Inactive` for an enrolment
 * of the running fiscal year whose location partner id is inactive, which shows its stored status again
 * once the location is active.
 */
export function effectiveStatus(enrollment: Pick<Enrollment, 'status' | 'fiscalYear'>, context: StatusContext): EnrollmentStatus {
  if (context.program?.status === 'Closed' && !(enrollment.status === 'Enrolled' && enrollment.fiscalYear < context.currentFiscalYear)) return 'Closed';
  if (!context.locationActive && enrollment.fiscalYear === context.currentFiscalYear) return 'Inactive';
  return enrollment.status;
}

/** INC-3: validation may take up to 48 hours; longer is overdue. */
const validationWindowMs = 48 * 3_600_000;

export function validationOverdue(enrollment: Pick<Enrollment, 'validatingSince' | 'updatedAt'>, status: EnrollmentStatus, now: Date): boolean {
  if (status !== 'ValidatingEnrollment') return false;
  return now.getTime() - Date.parse(enrollment.validatingSince ?? enrollment.updatedAt) > validationWindowMs;
}

/**
 * INC-4: what an incentive admin may enrol a location with: its bank profiles (the default one
 * preselected, as enrolling without a choice takes it) and its tax profiles, each with whether it is
 * complete. Only these fields: whatever else a profile carries stays out of the view.
 */
export function enrollOptionsOf(partner: Partner, locationPartnerId: string) {
  const banks = partner.bankProfiles.filter((b) => b.locationPartnerId === locationPartnerId);
  const preselected = banks.find((b) => b.default) ?? banks[0];
  return {
    bankProfiles: banks.map((b) => ({ id: b.id, locationPartnerId: b.locationPartnerId, default: b.default, complete: b.complete })),
    taxProfiles: partner.taxProfiles
      .filter((t) => t.locationPartnerId === locationPartnerId)
      .map((t) => ({ id: t.id, locationPartnerId: t.locationPartnerId, complete: t.complete })),
    ...(preselected ? { preselectedBankProfileId: preselected.id } : {}),
  };
}

/**
 * INC-1: whether a user may act on a location's enrolments: an incentive admin assigned to no
 * location administers all of them; one assigned to some, only those. A caller with no user record
 * holds the role from its token alone, for every location.
 */
export function administersLocation(user: PartnerUser | undefined, locationPartnerId: string): boolean {
  return !user || user.locationPartnerIds.length === 0 || user.locationPartnerIds.includes(locationPartnerId);
}
