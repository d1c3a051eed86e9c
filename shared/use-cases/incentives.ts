import type { Services } from '../composition-root.js';
import { ConcurrencyConflict, unchanged, type Repository } from '../data/repository.js';
import {
  chooseProfiles,
  newEnrollment,
  fiscalYearOf,
  incentiveAdminsOf,
  userDocumentId,
  viewedStatus,
  type Enrollment,
  type PartnerUser,
} from '../domain/incentives.js';
import type { Principal, Role } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import { PoisonMessage } from '../platform/functions.js';

export const invitationSubject = 'Invitation to partner incentive enrollment';

const enrollments = (services: Services): Repository<Enrollment> => services.repository<Enrollment>('enrollments');

/** INC-1: a GlobalAdmin or AccountAdmin assigns roles (IncentiveAdmin among them) to a user. */
export async function putUser(services: Services, partnerId: string, userId: string, input: { email: string; displayName?: string | undefined; roles: Role[]; locationPartnerIds: string[] }) {
  const partner = (await services.partners.required(partnerId)).doc;
  const known = new Set(partner.locations.map((l) => l.partnerId));
  const unknown = input.locationPartnerIds.filter((id) => !known.has(id));
  if (unknown.length > 0) throw AppError.validation('Unknown location partner ids.', unknown.map((id) => ({ path: 'body.locationPartnerIds', message: `${id} is not a location of the partner` })));
  const user: PartnerUser = {
    id: userDocumentId(userId),
    type: 'user',
    partnerId,
    userId,
    email: input.email,
    ...(input.displayName ? { displayName: input.displayName } : {}),
    roles: [...new Set(input.roles)],
    locationPartnerIds: input.locationPartnerIds,
    updatedAt: services.now().toISOString(),
  };
  const existing = await services.partners.repo.read(partnerId, user.id);
  await services.partners.repo.upsert(user);
  if (user.roles.includes('IncentiveAdmin')) await sendPendingInvitations(services, partnerId, partner.companyName);
  const { id: _id, type: _type, ...body } = user;
  return { created: !existing, user: body };
}

export interface EligibilityEvent {
  eventId: string;
  partnerId: string;
  locationPartnerId: string;
  programId: string;
  fiscalYear: number;
  eligible: boolean;
  openProgram: boolean;
  unmetRequirements?: string[] | undefined;
}

/**
 * INC-2: an eligible location gets an Invited enrolment and its incentive admins an invitation email
 * (none for open programs); an ineligible one NotEligible with what it lacks. One enrolment per
 * location, program and fiscal year; a repeated event changes and sends nothing.
 */
export async function handleEligibility(services: Services, event: EligibilityEvent): Promise<{ enrollmentId: string; invited: number }> {
  const partner = await services.partners.partner(event.partnerId);
  if (!partner) throw new PoisonMessage(`unknown partner ${event.partnerId}`);
  if (!partner.doc.locations.some((l) => l.partnerId === event.locationPartnerId)) {
    throw new PoisonMessage(`location ${event.locationPartnerId} is not a location of partner ${event.partnerId}`);
  }
  const repo = enrollments(services);
  const status = event.eligible ? 'Invited' : 'NotEligible';
  const fresh: Enrollment = {
    ...newEnrollment({ ...event, status }, services.now()),
    ...(event.eligible ? {} : { unmetRequirements: event.unmetRequirements ?? [] }),
    lastEventId: event.eventId,
  };
  const { enrollmentId } = fresh;
  const now = fresh.updatedAt;
  const created = await repo.createIfAbsent(fresh);
  if (!created.created) {
    // Eligibility can change before the admin acts (Invited <-> NotEligible); later states stay.
    await repo.update(event.partnerId, enrollmentId, (doc) => {
      if (doc.lastEventId === event.eventId || (doc.status !== 'Invited' && doc.status !== 'NotEligible') || doc.status === status) return unchanged;
      const next: Enrollment = { ...doc, status, lastEventId: event.eventId, updatedAt: now };
      if (event.eligible) delete next.unmetRequirements;
      else next.unmetRequirements = event.unmetRequirements ?? [];
      return next;
    });
  }
  const current = (await repo.read(event.partnerId, enrollmentId))?.doc;
  if (!current) return { enrollmentId, invited: 0 };
  return { enrollmentId, invited: await sendInvitation(services, partner.doc.companyName, current) };
}

/**
 * INC-2: the invitation of an Invited enrolment to its location's incentive admins, once (a fixed
 * operation id, then `invitationSentAt`). A location without an incentive admin yet keeps its
 * invitation pending: it goes out when an IncentiveAdmin is assigned (putUser).
 */
async function sendInvitation(services: Services, companyName: string, enrollment: Enrollment): Promise<number> {
  if (enrollment.status !== 'Invited' || enrollment.openProgram || enrollment.invitationSentAt) return 0;
  const admins = incentiveAdminsOf(await services.partners.users(enrollment.partnerId), enrollment.locationPartnerId);
  if (admins.length === 0) return 0;
  await services.email.send({
    idempotencyKey: `incentive-invitation:${enrollment.partnerId}:${enrollment.enrollmentId}`,
    type: 'IncentiveInvitation',
    to: admins.map((a) => ({ address: a.email, ...(a.displayName ? { displayName: a.displayName } : {}) })),
    subject: invitationSubject,
    plainText: [
      'Hello,',
      '',
      `Location ${enrollment.locationPartnerId} of ${companyName} is eligible for the incentive program ${enrollment.programId} in fiscal year ${enrollment.fiscalYear}.`,
      'Sign in to Partner Center as an incentive admin to enroll: choose the bank profile and the tax profile, and submit.',
    ].join('\n'),
  });
  await enrollments(services).update(enrollment.partnerId, enrollment.enrollmentId, (doc) => (doc.invitationSentAt ? unchanged : { ...doc, invitationSentAt: services.now().toISOString() }));
  return admins.length;
}

/** Invitations that waited for an incentive admin (INC-1, INC-2): sent once one is assigned. */
async function sendPendingInvitations(services: Services, partnerId: string, companyName: string): Promise<void> {
  const pending = await enrollments(services).queryAll(
    {
      query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND c.status = @status AND c.openProgram = false AND NOT IS_DEFINED(c.invitationSentAt)',
      parameters: [
        { name: '@partnerId', value: partnerId },
        { name: '@type', value: 'enrollment' },
        { name: '@status', value: 'Invited' },
      ],
    },
    { partnerId },
  );
  for (const enrollment of pending) await sendInvitation(services, companyName, enrollment);
}

function view(e: Enrollment, roles: ReadonlySet<Role>) {
  const status = viewedStatus(e.status, roles);
  return {
    enrollmentId: e.enrollmentId,
    programId: e.programId,
    locationPartnerId: e.locationPartnerId,
    fiscalYear: e.fiscalYear,
    status,
    actionsNeeded: status === 'Enrolling' ? [] : e.actionsNeeded,
    ...(e.unmetRequirements ? { unmetRequirements: e.unmetRequirements } : {}),
    ...(e.bankProfileId ? { bankProfileId: e.bankProfileId } : {}),
    ...(e.taxProfileId ? { taxProfileId: e.taxProfileId } : {}),
    ...(e.renewedFrom ? { renewedFrom: e.renewedFrom } : {}),
  };
}

/** INC-3: a partner's enrolments of a fiscal year (default: the current one), as the viewer may see them. */
export async function listEnrollments(services: Services, partnerId: string, fiscalYear: number | undefined, principal: Principal) {
  (await services.partners.required(partnerId)).doc;
  const year = fiscalYear ?? fiscalYearOf(services.now(), services.config.FISCAL_YEAR_START_MONTH);
  const items = await enrollments(services).queryAll(
    {
      query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND c.fiscalYear = @fiscalYear ORDER BY c.id',
      parameters: [
        { name: '@partnerId', value: partnerId },
        { name: '@type', value: 'enrollment' },
        { name: '@fiscalYear', value: year },
      ],
    },
    { partnerId },
  );
  return { fiscalYear: year, items: items.map((e) => view(e, principal.roles)) };
}

/**
 * INC-4: an incentive admin enrols a location: the default bank profile unless another is chosen,
 * the location's tax profile; complete profiles go to validation, else ActionRequired with what is
 * missing. Only from Invited or ActionRequired (409 otherwise); ETag-guarded, so two admins enrolling
 * at once make one transition.
 */
export async function enroll(services: Services, partnerId: string, enrollmentId: string, request: { bankProfileId?: string | undefined; taxProfileId?: string | undefined }, principal: Principal) {
  const partner = (await services.partners.required(partnerId)).doc;
  const repo = enrollments(services);
  const stored = await repo.read(partnerId, enrollmentId);
  if (!stored) throw AppError.notFound(`Enrollment ${enrollmentId} does not exist.`);
  const current = stored.doc;
  if (current.status !== 'Invited' && current.status !== 'ActionRequired') {
    throw AppError.conflict(`The enrollment is ${current.status}; only an Invited or ActionRequired enrollment can be enrolled.`, 'EnrollmentNotOpen');
  }
  const chosen = chooseProfiles(partner, current.locationPartnerId, request);
  if (!chosen.ok) throw AppError.validation('The chosen profile does not belong to this location.', [{ path: `body.${chosen.field}`, message: chosen.reason }]);
  const next: Enrollment = {
    ...current,
    status: chosen.actionsNeeded.length === 0 ? 'ValidatingEnrollment' : 'ActionRequired',
    actionsNeeded: chosen.actionsNeeded,
    updatedAt: services.now().toISOString(),
  };
  delete next.bankProfileId;
  delete next.taxProfileId;
  delete next.validationReason;
  if (chosen.bankProfileId) next.bankProfileId = chosen.bankProfileId;
  if (chosen.taxProfileId) next.taxProfileId = chosen.taxProfileId;
  try {
    const written = await repo.replace(next, stored.etag);
    return view(written.doc, principal.roles);
  } catch (error) {
    if (error instanceof ConcurrencyConflict) throw AppError.conflict('The enrollment was changed by someone else at the same time; reload it.', 'EnrollmentChanged');
    throw error;
  }
}

/** Upstream validation of payout and tax: ValidatingEnrollment becomes Enrolled or ActionRequired. */
export async function handleValidation(services: Services, event: { eventId: string; partnerId: string; enrollmentId: string; valid: boolean; reason?: string | undefined }) {
  const repo = enrollments(services);
  const result = await repo.update(event.partnerId, event.enrollmentId, (doc) => {
    if (doc.status !== 'ValidatingEnrollment' || doc.lastEventId === event.eventId) return unchanged;
    const next: Enrollment = { ...doc, status: event.valid ? 'Enrolled' : 'ActionRequired', lastEventId: event.eventId, updatedAt: services.now().toISOString() };
    next.actionsNeeded = event.valid ? [] : ['ResolveValidationIssue'];
    if (!event.valid && event.reason) next.validationReason = event.reason;
    return next;
  });
  if (!result) throw new PoisonMessage(`unknown enrollment ${event.enrollmentId} of partner ${event.partnerId}`);
  return { changed: result.changed };
}
