import { incentiveInvitationEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import {
  chooseProfiles,
  fiscalYearOf,
  incentiveAdminsOf,
  newEnrollment,
  outstandingActions,
  userDocumentId,
  viewedStatus,
  type Enrollment,
  type PartnerUser,
  eventApplied,
  withAppliedEvent,
} from '../domain/incentives.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import type { Principal, Role } from '../domain/roles.js';
import { requirePartner } from './accounts.js';
import { committing, deliverNow, type OwedEmail } from './outbox.js';
import type { EnrollmentDoc, UseCaseDeps, Versioned, Write } from './ports.js';
import { readDecideWrite, unchanged, updateDocument } from './write.js';

/**
 * INC-2: an Invited enrolment of a program with criteria owes its location's incentive admins an
 * invitation, once: the enrolment is marked and the email owed in one write. A location without an
 * incentive admin yet owes nothing: its invitation goes out when one is assigned (putUser).
 */
function withInvitation(
  enrollment: Enrollment,
  companyName: string,
  users: readonly PartnerUser[],
  now: Date,
): { enrollment: Enrollment; intent?: EmailIntent } {
  if (enrollment.status !== 'Invited' || enrollment.openProgram || enrollment.invitationSentAt) return { enrollment };
  const admins = incentiveAdminsOf(users, enrollment.locationPartnerId);
  if (admins.length === 0) return { enrollment };
  const intent = claimed(
    emailIntent(
      enrollment.partnerId,
      `incentive-invitation:${enrollment.partnerId}:${enrollment.enrollmentId}`,
      incentiveInvitationEmail(companyName, enrollment, admins),
      now.toISOString(),
    ),
    now,
  );
  return { enrollment: { ...enrollment, invitationSentAt: now.toISOString() }, intent };
}

/** INC-1: a GlobalAdmin or AccountAdmin assigns roles (IncentiveAdmin among them) to a user. */
export async function putUser(
  deps: UseCaseDeps,
  partnerId: string,
  userId: string,
  input: { email: string; displayName?: string | undefined; roles: Role[]; locationPartnerIds: string[] },
  log?: (message: string) => void,
) {
  const partner = (await requirePartner(deps, partnerId)).doc;
  const known = new Set(partner.locations.map((l) => l.partnerId));
  const unknown = input.locationPartnerIds.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw DomainError.validation(
      'Unknown location partner ids.',
      unknown.map((id) => ({ path: 'body.locationPartnerIds', message: `${id} is not a location of the partner` })),
    );
  const user: PartnerUser = {
    id: userDocumentId(userId),
    type: 'user',
    partnerId,
    userId,
    email: input.email,
    ...(input.displayName ? { displayName: input.displayName } : {}),
    roles: [...new Set(input.roles)],
    locationPartnerIds: input.locationPartnerIds,
    updatedAt: deps.now().toISOString(),
  };
  const existing = await deps.accounts.read(partnerId, user.id);
  await deps.accounts.commit(partnerId, [{ kind: 'upsert', doc: user }]);
  if (user.roles.includes('IncentiveAdmin')) await sendPendingInvitations(deps, partnerId, partner.companyName, log);
  const { id: _id, type: _type, ...body } = user;
  return { created: !existing, user: body };
}

/** Invitations that waited for an incentive admin (INC-1, INC-2): owed and delivered once one is assigned. */
async function sendPendingInvitations(deps: UseCaseDeps, partnerId: string, companyName: string, log?: (message: string) => void): Promise<void> {
  const pending = await deps.enrollments.awaitingInvitation(partnerId);
  if (pending.length === 0) return;
  const users = await deps.accounts.users(partnerId);
  const owed: OwedEmail[] = [];
  for (const waiting of pending) {
    const commit = committing(deps.enrollments, 'enrollments', partnerId);
    await readDecideWrite({
      read: () => deps.enrollments.read(partnerId, waiting.id),
      decide: (current) => {
        if (current?.doc.type !== 'enrollment') return { result: undefined };
        const invited = withInvitation(current.doc, companyName, users, deps.now());
        if (!invited.intent) return { result: undefined };
        return {
          result: undefined,
          write: [
            { kind: 'replace', doc: invited.enrollment, etag: current.etag },
            { kind: 'create', doc: invited.intent },
          ] satisfies Write<EnrollmentDoc>[],
        };
      },
      write: commit.write,
    });
    owed.push(...commit.owed());
  }
  await deliverNow(deps, owed, log);
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
export async function handleEligibility(
  deps: UseCaseDeps,
  event: EligibilityEvent,
  log?: (message: string) => void,
): Promise<{ enrollmentId: string; invited: number }> {
  const [partner, users] = await Promise.all([deps.accounts.partner(event.partnerId), deps.accounts.users(event.partnerId)]);
  if (!partner) throw DomainError.unprocessableMessage(`unknown partner ${event.partnerId}`);
  if (!partner.doc.locations.some((l) => l.partnerId === event.locationPartnerId)) {
    throw DomainError.unprocessableMessage(`location ${event.locationPartnerId} is not a location of partner ${event.partnerId}`);
  }
  const status = event.eligible ? 'Invited' : 'NotEligible';
  const now = deps.now();
  const fresh: Enrollment = {
    ...newEnrollment({ ...event, status }, now),
    ...(event.eligible ? {} : { unmetRequirements: event.unmetRequirements ?? [] }),
    ...withAppliedEvent({}, event.eventId),
  };
  const { enrollmentId } = fresh;
  const commit = committing(deps.enrollments, 'enrollments', event.partnerId);
  const outcome = await readDecideWrite<Versioned<EnrollmentDoc> | undefined, Write<EnrollmentDoc>[], { intent?: EmailIntent }>({
    read: () => deps.enrollments.read(event.partnerId, enrollmentId),
    // Usually the first event for the enrolment: create it without reading first.
    assumed: { state: undefined },
    decide: (current) => {
      if (!current) {
        const invited = withInvitation(fresh, partner.doc.companyName, users, now);
        return {
          result: { ...(invited.intent ? { intent: invited.intent } : {}) },
          write: [{ kind: 'create', doc: invited.enrollment }, ...(invited.intent ? [{ kind: 'create' as const, doc: invited.intent }] : [])],
        };
      }
      if (current.doc.type !== 'enrollment') return { result: {} };
      const doc = current.doc;
      // Eligibility can change before the admin acts (Invited <-> NotEligible); later states stay.
      const moves = !eventApplied(doc, event.eventId) && (doc.status === 'Invited' || doc.status === 'NotEligible') && doc.status !== status;
      let next: Enrollment = doc;
      if (moves) {
        next = { ...doc, status, ...withAppliedEvent(doc, event.eventId), updatedAt: now.toISOString() };
        if (event.eligible) delete next.unmetRequirements;
        else next.unmetRequirements = event.unmetRequirements ?? [];
      }
      const invited = withInvitation(next, partner.doc.companyName, users, now);
      if (!moves && !invited.intent) return { result: {} };
      return {
        result: { ...(invited.intent ? { intent: invited.intent } : {}) },
        write: [
          { kind: 'replace', doc: invited.enrollment, etag: current.etag },
          ...(invited.intent ? [{ kind: 'create' as const, doc: invited.intent }] : []),
        ],
      };
    },
    write: commit.write,
  });
  if (!outcome.intent) return { enrollmentId, invited: 0 };
  await deliverNow(deps, commit.owed(), log);
  return { enrollmentId, invited: outcome.intent.message?.to.length ?? 0 };
}

function view(e: Enrollment, roles: ReadonlySet<Role>, partner: Partner) {
  const status = viewedStatus(e.status, roles);
  return {
    enrollmentId: e.enrollmentId,
    programId: e.programId,
    locationPartnerId: e.locationPartnerId,
    fiscalYear: e.fiscalYear,
    status,
    // Derived when read (INC-4): the profiles live in the partner's account, another partition than the
    // enrolment, so what a profile write supplied shows at once without a second write to keep in step.
    actionsNeeded: status === 'Enrolling' ? [] : outstandingActions(e, partner),
    ...(e.unmetRequirements ? { unmetRequirements: e.unmetRequirements } : {}),
    ...(e.bankProfileId ? { bankProfileId: e.bankProfileId } : {}),
    ...(e.taxProfileId ? { taxProfileId: e.taxProfileId } : {}),
    ...(e.renewedFrom ? { renewedFrom: e.renewedFrom } : {}),
  };
}

/** INC-3: a partner's enrolments of a fiscal year (default: the current one), as the viewer may see them. */
export async function listEnrollments(deps: UseCaseDeps, partnerId: string, fiscalYear: number | undefined, principal: Principal) {
  const year = fiscalYear ?? fiscalYearOf(deps.now(), deps.config.FISCAL_YEAR_START_MONTH);
  const [partner, items] = await Promise.all([requirePartner(deps, partnerId), deps.enrollments.ofYear(partnerId, year)]);
  return { fiscalYear: year, items: items.map((e) => view(e, principal.roles, partner.doc)) };
}

/**
 * INC-4: an incentive admin enrols a location: the default bank profile unless another is chosen,
 * the location's tax profile; complete profiles go to validation, else ActionRequired with what is
 * missing. Only from Invited or ActionRequired (409 otherwise); version-guarded, so two admins
 * enrolling at once make one transition (the second then finds it no longer open).
 */
export async function enroll(
  deps: UseCaseDeps,
  partnerId: string,
  enrollmentId: string,
  request: { bankProfileId?: string | undefined; taxProfileId?: string | undefined },
  principal: Principal,
) {
  const [stored, first] = await Promise.all([requirePartner(deps, partnerId), deps.enrollments.read(partnerId, enrollmentId)]);
  const partner = stored.doc;
  const written = await readDecideWrite({
    read: () => deps.enrollments.read(partnerId, enrollmentId),
    assumed: { state: first },
    decide: (stored) => {
      if (stored?.doc.type !== 'enrollment') throw DomainError.notFound(`Enrollment ${enrollmentId} does not exist.`);
      const current = stored.doc;
      if (current.status !== 'Invited' && current.status !== 'ActionRequired') {
        throw DomainError.conflict(`The enrollment is ${current.status}; only an Invited or ActionRequired enrollment can be enrolled.`, 'EnrollmentNotOpen');
      }
      const chosen = chooseProfiles(partner, current.locationPartnerId, request);
      if (!chosen.ok)
        throw DomainError.validation('The chosen profile does not belong to this location.', [{ path: `body.${chosen.field}`, message: chosen.reason }]);
      const next: Enrollment = {
        ...current,
        status: chosen.actionsNeeded.length === 0 ? 'ValidatingEnrollment' : 'ActionRequired',
        actionsNeeded: chosen.actionsNeeded,
        updatedAt: deps.now().toISOString(),
      };
      delete next.bankProfileId;
      delete next.taxProfileId;
      delete next.validationReason;
      if (chosen.bankProfileId) next.bankProfileId = chosen.bankProfileId;
      if (chosen.taxProfileId) next.taxProfileId = chosen.taxProfileId;
      return { result: next, write: [{ kind: 'replace', doc: next, etag: stored.etag }] satisfies Write<EnrollmentDoc>[] };
    },
    write: (writes) => deps.enrollments.commit(partnerId, writes),
  });
  return view(written, principal.roles, partner);
}

/** Upstream validation of payout and tax: ValidatingEnrollment becomes Enrolled or ActionRequired. */
export async function handleValidation(
  deps: UseCaseDeps,
  event: { eventId: string; partnerId: string; enrollmentId: string; valid: boolean; reason?: string | undefined },
) {
  const result = await updateDocument(deps.enrollments, event.partnerId, event.enrollmentId, (doc) => {
    if (doc.type !== 'enrollment' || doc.status !== 'ValidatingEnrollment' || eventApplied(doc, event.eventId)) return unchanged;
    const next: Enrollment = {
      ...doc,
      status: event.valid ? 'Enrolled' : 'ActionRequired',
      ...withAppliedEvent(doc, event.eventId),
      updatedAt: deps.now().toISOString(),
    };
    next.actionsNeeded = event.valid ? [] : ['ResolveValidationIssue'];
    if (!event.valid && event.reason) next.validationReason = event.reason;
    return next;
  });
  if (!result) throw DomainError.unprocessableMessage(`unknown enrollment ${event.enrollmentId} of partner ${event.partnerId}`);
  return { changed: result.changed };
}
