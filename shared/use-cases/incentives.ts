import { incentiveInvitationEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import {
  administersLocation,
  chooseProfiles,
  closedProgram,
  effectiveStatus,
  enrollOptionsOf,
  fiscalYearOf,
  incentiveAdminsOf,
  newEnrollment,
  outstandingActions,
  offeredProgram,
  programDocumentId,
  programIdOf,
  programPartition,
  requirementsOf,
  unmetOf,
  userDocumentId,
  validationOverdue,
  viewedStatus,
  type Enrollment,
  type EnrollmentStatus,
  type IncentiveProgram,
  type PartnerUser,
  type Requirement,
  eventApplied,
  withAppliedEvent,
} from '../domain/incentives.js';
import type { Partner } from '../domain/partner.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import type { Principal, Role } from '../domain/roles.js';
import { callerUser, requirePartner } from './accounts.js';
import { committing, deliverNow, type OwedEmail } from './outbox.js';
import type { EnrollmentDoc, UseCaseDeps, Versioned, Write } from './ports.js';
import { createIfAbsent, readDecideWrite, unchanged, updateDocument } from './write.js';

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
  /** INC-6: the program's requirements, met and unmet, in place of or beside `unmetRequirements`. */
  requirements?: Requirement[] | undefined;
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
  const requirements = requirementsOf(event);
  const fresh: Enrollment = {
    ...newEnrollment({ ...event, status }, now),
    ...(event.eligible ? {} : { unmetRequirements: unmetOf(event) }),
    ...(requirements ? { requirements } : {}),
    ...withAppliedEvent({}, event.eventId),
  };
  const { enrollmentId } = fresh;
  const commit = committing(deps.enrollments, 'enrollments', event.partnerId);
  // The program is recorded beside the enrolment's write, once the message is known to be valid.
  const registering = registerProgram(deps, event.programId);
  // Awaited below: this only keeps a failure while the write runs from counting as unhandled.
  registering.catch(() => undefined);
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
      // Eligibility can change before the admin acts (Invited <-> NotEligible); later states stay. A new
      // event that keeps the status but states other requirements (INC-6) updates them.
      const open = !eventApplied(doc, event.eventId) && (doc.status === 'Invited' || doc.status === 'NotEligible');
      const moves = open && (doc.status !== status || (requirements !== undefined && JSON.stringify(requirements) !== JSON.stringify(doc.requirements ?? [])));
      let next: Enrollment = doc;
      if (moves) {
        next = { ...doc, status, ...withAppliedEvent(doc, event.eventId), updatedAt: now.toISOString() };
        if (event.eligible) delete next.unmetRequirements;
        else next.unmetRequirements = unmetOf(event);
        if (requirements) next.requirements = requirements;
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
  await registering;
  if (!outcome.intent) return { enrollmentId, invited: 0 };
  await deliverNow(deps, commit.owed(), log);
  return { enrollmentId, invited: outcome.intent.message?.to.length ?? 0 };
}

/**
 * Programs this instance knows to be recorded: an eligibility event records its program once (an
 * offered program's document, created if absent), so that a `Closed` event can tell a known program
 * from an unknown one without scanning enrolments.
 */
const recordedPrograms = new WeakMap<object, Set<string>>();

async function registerProgram(deps: UseCaseDeps, programId: string): Promise<void> {
  let recorded = recordedPrograms.get(deps.enrollments);
  if (!recorded) recordedPrograms.set(deps.enrollments, (recorded = new Set()));
  if (recorded.has(programId)) return;
  await createIfAbsent(deps.enrollments, offeredProgram(programId, deps.now()));
  recorded.add(programId);
}

async function readProgram(deps: UseCaseDeps, programId: string): Promise<Versioned<IncentiveProgram> | undefined> {
  const stored = await deps.enrollments.read(programPartition(programId), programDocumentId);
  return stored?.doc.type === 'incentiveProgram' ? { doc: stored.doc, etag: stored.etag } : undefined;
}

/** The status documents of the programs named, one point read each (a partner's list names a few). */
async function programsOf(deps: UseCaseDeps, programIds: Iterable<string>): Promise<Map<string, IncentiveProgram>> {
  const programs = new Map<string, IncentiveProgram>();
  await Promise.all(
    [...new Set(programIds)].map(async (programId) => {
      const stored = await readProgram(deps, programId);
      if (stored) programs.set(programId, stored.doc);
    }),
  );
  return programs;
}

/**
 * The program record of one enrolment, read beside the enrolment itself: the program is the middle part
 * of the deterministic enrolment id (enrollmentIdOf), so both reads share a round trip; an id of another
 * shape (or an enrolment of another program) costs a second read after the enrolment's.
 */
async function programOfEnrollment(
  deps: UseCaseDeps,
  enrollmentId: string,
  enrollment: Promise<Versioned<EnrollmentDoc> | undefined>,
): Promise<Map<string, IncentiveProgram>> {
  const guessed = programIdOf(enrollmentId);
  const [found, programs] = await Promise.all([enrollment, guessed ? programsOf(deps, [guessed]) : new Map<string, IncentiveProgram>()]);
  if (found?.doc.type !== 'enrollment' || found.doc.programId === guessed) return programs;
  return programsOf(deps, [found.doc.programId]);
}

/** What an enrolment shows now: its stored status, or Closed or Inactive as derived (INC-3, INC-6). */
function statusNow(e: Enrollment, partner: Partner, programs: ReadonlyMap<string, IncentiveProgram>, currentFiscalYear: number): EnrollmentStatus {
  const locationActive = partner.locations.some((l) => l.partnerId === e.locationPartnerId && l.active);
  return effectiveStatus(e, { program: programs.get(e.programId), locationActive, currentFiscalYear });
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

/**
 * The view of an enrolment as it shows now (INC-3, INC-6): under a derived Closed or Inactive status it
 * asks for no action; and whether its validation is overdue (more than 48 hours).
 */
function shownView(e: Enrollment, shown: EnrollmentStatus, roles: ReadonlySet<Role>, now: Date, partner: Partner) {
  const derived = shown === e.status ? e : { ...e, status: shown, actionsNeeded: [] };
  return { ...view(derived, roles, partner), validationOverdue: validationOverdue(e, shown, now) };
}

/** INC-3: a partner's enrolments, of one fiscal year or of every year, as the viewer may see them. */
export async function listEnrollments(deps: UseCaseDeps, partnerId: string, fiscalYear: number | undefined, principal: Principal) {
  const now = deps.now();
  const current = fiscalYearOf(now, deps.config.FISCAL_YEAR_START_MONTH);
  const [stored, items] = await Promise.all([
    requirePartner(deps, partnerId),
    fiscalYear === undefined ? deps.enrollments.everyYear(partnerId) : deps.enrollments.ofYear(partnerId, fiscalYear),
  ]);
  const programs = await programsOf(
    deps,
    items.map((e) => e.programId),
  );
  return {
    ...(fiscalYear === undefined ? {} : { fiscalYear }),
    items: items.map((e) => shownView(e, statusNow(e, stored.doc, programs, current), principal.roles, now, stored.doc)),
  };
}

/**
 * INC-4, INC-6: one enrolment with its requirements (met and unmet) when the eligibility event stated
 * them, and for an incentive admin of its location the bank and tax profiles it can be enrolled with.
 */
export async function getEnrollment(deps: UseCaseDeps, partnerId: string, enrollmentId: string, principal: Principal) {
  const now = deps.now();
  const reading = deps.enrollments.read(partnerId, enrollmentId);
  const [stored, found, user, programs] = await Promise.all([
    requirePartner(deps, partnerId),
    reading,
    principal.roles.has('IncentiveAdmin') ? callerUser(deps, partnerId, principal) : undefined,
    programOfEnrollment(deps, enrollmentId, reading),
  ]);
  if (found?.doc.type !== 'enrollment') throw DomainError.notFound(`Enrollment ${enrollmentId} does not exist.`);
  const e = found.doc;
  const status = statusNow(e, stored.doc, programs, fiscalYearOf(now, deps.config.FISCAL_YEAR_START_MONTH));
  const mayEnroll = principal.roles.has('IncentiveAdmin') && administersLocation(user, e.locationPartnerId);
  return {
    ...shownView(e, status, principal.roles, now, stored.doc),
    ...(e.requirements ? { requirements: e.requirements } : {}),
    ...(mayEnroll ? { enrollOptions: enrollOptionsOf(stored.doc, e.locationPartnerId) } : {}),
  };
}

/**
 * INC-3: upstream closes a program. Its one status document records it (once per event id); the
 * enrolments of the program then show Closed, derived when they are read, so no enrolment is
 * rewritten and no partner partition is scanned. A program no eligibility event named is unknown:
 * nothing is written and the message goes to the poison queue.
 */
export async function handleProgramEvent(deps: UseCaseDeps, event: { eventId: string; programId: string; status: 'Closed' }): Promise<{ changed: boolean }> {
  const result = await updateDocument(deps.enrollments, programPartition(event.programId), programDocumentId, (doc) => {
    if (doc.type !== 'incentiveProgram') return unchanged;
    return closedProgram(doc, event.eventId, deps.now()) ?? unchanged;
  });
  if (!result) throw DomainError.unprocessableMessage(`unknown incentive program ${event.programId}`);
  return { changed: result.changed };
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
  const reading = deps.enrollments.read(partnerId, enrollmentId);
  const [stored, first, user, programs] = await Promise.all([
    requirePartner(deps, partnerId),
    reading,
    callerUser(deps, partnerId, principal),
    programOfEnrollment(deps, enrollmentId, reading),
  ]);
  const partner = stored.doc;
  if (first?.doc.type === 'enrollment') assertAdministers(user, first.doc);
  const currentYear = fiscalYearOf(deps.now(), deps.config.FISCAL_YEAR_START_MONTH);
  const written = await readDecideWrite({
    read: () => deps.enrollments.read(partnerId, enrollmentId),
    assumed: { state: first },
    decide: (stored) => {
      if (stored?.doc.type !== 'enrollment') throw DomainError.notFound(`Enrollment ${enrollmentId} does not exist.`);
      const current = stored.doc;
      // Closed and Inactive are derived (INC-3, INC-6): an enrolment showing either cannot be enrolled.
      const shown = statusNow(current, partner, programs, currentYear);
      if (shown !== 'Invited' && shown !== 'ActionRequired') {
        throw DomainError.conflict(`The enrollment is ${shown}; only an Invited or ActionRequired enrollment can be enrolled.`, 'EnrollmentNotOpen');
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
      if (next.status === 'ValidatingEnrollment') next.validatingSince = next.updatedAt;
      else delete next.validatingSince;
      delete next.bankProfileId;
      delete next.taxProfileId;
      delete next.validationReason;
      if (chosen.bankProfileId) next.bankProfileId = chosen.bankProfileId;
      if (chosen.taxProfileId) next.taxProfileId = chosen.taxProfileId;
      return { result: next, write: [{ kind: 'replace', doc: next, etag: stored.etag }] satisfies Write<EnrollmentDoc>[] };
    },
    write: (writes) => deps.enrollments.commit(partnerId, writes),
  });
  return shownView(written, written.status, principal.roles, deps.now(), partner);
}

/** INC-1: an incentive admin assigned to some locations enrols only theirs. */
function assertAdministers(user: PartnerUser | undefined, enrollment: Enrollment): void {
  if (!administersLocation(user, enrollment.locationPartnerId)) {
    throw DomainError.forbidden(`The user is not an incentive admin of location ${enrollment.locationPartnerId}.`, 'LocationNotAssigned');
  }
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
