// CSP direct bill from the application to the annual assessment (CSP-2, CSP-3, CSP-4): the
// application and its upstream decisions as a small state machine, pure functions over the partner
// and its direct-bill record. The use cases read both, decide here and write both in one batch.
import { applicationRequirements, type Requirement } from './csp.js';
import { creditCheckPassedEmail, directBillDecisionEmail, directBillSuspendedEmail } from './emails.js';
import { DomainError } from './errors.js';
import type { EmailMessage } from './outbox.js';
import type { Partner } from './partner.js';
import type { FailedPage } from './page-runs.js';

export const applicationStatuses = ['Submitted', 'CreditCheckPassed', 'CreditCheckFailed', 'Approved', 'Rejected'] as const;
type ApplicationStatus = (typeof applicationStatuses)[number];

/** The events of queue `direct-bill-decisions` (api.md); all but AssessmentPassed name an application. */
export const directBillEventTypes = ['CreditCheckPassed', 'CreditCheckFailed', 'Approved', 'Rejected', 'AssessmentPassed'] as const;
type DirectBillEventType = (typeof directBillEventTypes)[number];

export interface DirectBillEvent {
  eventId: string;
  partnerId: string;
  applicationId?: string | undefined;
  event: DirectBillEventType;
  reason?: string | undefined;
  occurredAt: string;
}

export interface DirectBillApplication {
  applicationId: string;
  status: ApplicationStatus;
  submittedAt: string;
  submittedBy: string;
  /** When the last event applied to it occurred (its submission at first): an older event is out of order. */
  lastEventAt: string;
  history: { status: ApplicationStatus; at: string; reason?: string }[];
}

/** An upstream event as it was handled: applied, or ignored because the state did not allow it. */
interface HandledEvent {
  eventId: string;
  event: DirectBillEventType;
  applicationId?: string;
  occurredAt: string;
  outcome: 'Applied' | 'Ignored';
  note?: string;
}

/** A partner's applications (oldest first) and the upstream events handled (the last 50), in its partition. */
export interface DirectBillRecord {
  id: 'direct-bill';
  type: 'directBill';
  partnerId: string;
  applications: DirectBillApplication[];
  events: HandledEvent[];
}

export const directBillRecordId = 'direct-bill';
const rememberedEvents = 50;

export function emptyDirectBillRecord(partnerId: string): DirectBillRecord {
  return { id: directBillRecordId, type: 'directBill', partnerId, applications: [], events: [] };
}

const openStatuses: readonly ApplicationStatus[] = ['Submitted', 'CreditCheckPassed'];

/** The application being decided, if any (Submitted, or credit check passed and not decided). */
function openApplication(record: DirectBillRecord): DirectBillApplication | undefined {
  const latest = record.applications.at(-1);
  return latest && openStatuses.includes(latest.status) ? latest : undefined;
}

/** An email the decision owes: `key` makes it unique (the outbox's intent id). */
export interface OwedMessage {
  key: string;
  message: EmailMessage;
}

/**
 * CSP-4: a GlobalAdmin applies once every CSP-1 requirement but the support plan is met (the plan is
 * bought after the credit check, CSP-2); one application at a time. Submitting starts the credit
 * check (`creditCheck: Pending`).
 */
export function submitApplication(
  partner: Partner,
  record: DirectBillRecord,
  input: { applicationId: string; submittedBy: string; now: Date },
): { partner: Partner; record: DirectBillRecord; application: DirectBillApplication } {
  const open = openApplication(record);
  if (open) {
    throw DomainError.conflict(`Application ${open.applicationId} is still being decided (${open.status}).`, 'DirectBillApplicationOpen');
  }
  if (partner.cspModel === 'DirectBill') throw DomainError.conflict('The partner is a direct-bill partner already.', 'AlreadyDirectBill');
  const unmet: Requirement[] = applicationRequirements(partner, input.now).filter((r) => !r.met);
  if (unmet.length > 0 || !partner.csp) {
    throw DomainError.conflict(
      `Requirements not met: ${unmet.map((r) => r.id).join(', ')}.`,
      'DirectBillRequirementsNotMet',
      unmet.map((r) => ({ path: r.id, message: r.detail })),
    );
  }
  const at = input.now.toISOString();
  const application: DirectBillApplication = {
    applicationId: input.applicationId,
    status: 'Submitted',
    submittedAt: at,
    submittedBy: input.submittedBy,
    lastEventAt: at,
    history: [{ status: 'Submitted', at }],
  };
  return {
    partner: { ...partner, csp: { ...partner.csp, creditCheck: 'Pending' }, updatedAt: at },
    record: { ...record, applications: [...record.applications, application] },
    application,
  };
}

/** Which application events each status allows; Approved also needs the support plan bought (CSP-2). */
const allowed: Record<ApplicationStatus, readonly DirectBillEventType[]> = {
  Submitted: ['CreditCheckPassed', 'CreditCheckFailed'],
  // Microsoft may reject before the plan is bought: the partner need not buy a plan to learn it.
  CreditCheckPassed: ['Approved', 'Rejected'],
  CreditCheckFailed: [],
  Approved: [],
  Rejected: [],
};

export interface EventOutcome {
  outcome: 'Applied' | 'Ignored' | 'Repeated';
  note: string;
  /** The next versions; undefined when nothing is to be written (a repeated event). */
  partner?: Partner;
  record?: DirectBillRecord;
  emails: OwedMessage[];
}

/**
 * Applies one upstream event (queue `direct-bill-decisions`), idempotently by `eventId` and in
 * order by `occurredAt`:
 * - Submitted → CreditCheckPassed (emails CreditCheckPassed, once) | CreditCheckFailed (emails the
 *   decision with its reason); CreditCheckPassed → Approved (only once a support plan was bought; the
 *   partner becomes DirectBill) | Rejected (with its reason);
 * - AssessmentPassed, for a DirectBill partner: the assessment is recorded and suspended abilities
 *   are restored (CSP-3).
 * An event the state does not allow, or older than the last one applied, is recorded as ignored and
 * changes nothing else; a repeated event id changes nothing at all. An event naming an application
 * the partner never made can never apply: an unprocessable message.
 */
export function applyDirectBillEvent(partner: Partner, record: DirectBillRecord, event: DirectBillEvent): EventOutcome {
  if (record.events.some((e) => e.eventId === event.eventId)) return { outcome: 'Repeated', note: 'event handled before', emails: [] };
  const ignore = (note: string): EventOutcome => ({ outcome: 'Ignored', note, partner, record: remember(record, event, 'Ignored', note), emails: [] });

  if (event.event === 'AssessmentPassed') {
    if (partner.cspModel !== 'DirectBill') return ignore('the partner is not a direct-bill partner');
    const d = partner.directBill ?? {};
    const latest = [d.lastAssessedAt, d.approvedAt, d.suspendedAt]
      .filter((t): t is string => t !== undefined)
      .sort()
      .at(-1);
    if (latest !== undefined && event.occurredAt <= latest) return ignore(`older than the direct-bill state of ${latest}`);
    const { suspendedAt: _at, suspendedFor: _for, ...rest } = d;
    const next: Partner = { ...partner, directBill: { ...rest, abilities: 'Active', lastAssessedAt: event.occurredAt } };
    return {
      outcome: 'Applied',
      note: d.abilities === 'Suspended' ? 'abilities restored' : 'assessment recorded',
      partner: next,
      record: remember(record, event, 'Applied'),
      emails: [],
    };
  }

  const index = record.applications.findIndex((a) => a.applicationId === event.applicationId);
  const application = record.applications[index];
  if (!application)
    throw DomainError.unprocessableMessage(`partner ${event.partnerId} has no direct-bill application ${event.applicationId ?? '(none named)'}`);
  if (event.occurredAt <= application.lastEventAt) return ignore(`older than the application's last event (${application.lastEventAt})`);
  if (!allowed[application.status].includes(event.event)) return ignore(`${event.event} is not allowed after ${application.status}`);
  if (event.event === 'Approved' && !partner.directBill?.supportPlan) return ignore('Approved needs a support plan bought after the credit check');

  const status = event.event;
  const updated: DirectBillApplication = {
    ...application,
    status,
    lastEventAt: event.occurredAt,
    history: [...application.history, { status, at: event.occurredAt, ...(event.reason ? { reason: event.reason } : {}) }],
  };
  const applications = record.applications.map((a, i) => (i === index ? updated : a));
  const key = `direct-bill:${event.partnerId}:${application.applicationId}:${status}`;
  let next: Partner = partner;
  const emails: OwedMessage[] = [];
  switch (status) {
    case 'CreditCheckPassed':
      next = withCreditCheck(partner, 'Passed');
      // Told once: an upstream PUT that recorded the pass first has emailed it already.
      if (partner.csp?.creditCheck !== 'Passed') emails.push({ key, message: creditCheckPassedEmail(partner) });
      break;
    case 'CreditCheckFailed':
      next = withCreditCheck(partner, 'Failed');
      emails.push({ key, message: directBillDecisionEmail(partner, 'CreditCheckFailed', event.reason) });
      break;
    case 'Approved': {
      const { suspendedAt: _at, suspendedFor: _for, ...rest } = partner.directBill ?? {};
      next = { ...partner, cspModel: 'DirectBill', directBill: { ...rest, abilities: 'Active', approvedAt: event.occurredAt } };
      emails.push({ key, message: directBillDecisionEmail(partner, 'Approved', event.reason) });
      break;
    }
    case 'Rejected':
      emails.push({ key, message: directBillDecisionEmail(partner, 'Rejected', event.reason) });
      break;
  }
  return { outcome: 'Applied', note: `application ${status}`, partner: next, record: remember({ ...record, applications }, event, 'Applied'), emails };
}

function withCreditCheck(partner: Partner, creditCheck: 'Passed' | 'Failed'): Partner {
  return partner.csp ? { ...partner, csp: { ...partner.csp, creditCheck } } : partner;
}

function remember(record: DirectBillRecord, event: DirectBillEvent, outcome: HandledEvent['outcome'], note?: string): DirectBillRecord {
  const handled: HandledEvent = {
    eventId: event.eventId,
    event: event.event,
    ...(event.applicationId ? { applicationId: event.applicationId } : {}),
    occurredAt: event.occurredAt,
    outcome,
    ...(note ? { note } : {}),
  };
  return { ...record, events: [...record.events, handled].slice(-rememberedEvents) };
}

/** CSP-3: the partner after the assessment suspended it, and the one email it owes (keyed by partner and moment). */
export function suspendDirectBill(partner: Partner, reasons: string[], now: Date): { partner: Partner; email: OwedMessage } {
  const at = now.toISOString();
  return {
    partner: { ...partner, directBill: { ...partner.directBill, abilities: 'Suspended', suspendedAt: at, suspendedFor: reasons } },
    email: { key: `direct-bill-suspended:${partner.partnerId}:${at}`, message: directBillSuspendedEmail(partner, reasons) },
  };
}

/** CSP-2: the support plan bought after the credit check passed; buying again keeps the first purchase. */
export function buyPlan(partner: Partner, plan: 'Advanced' | 'Premier', by: string, now: Date): { partner: Partner; bought: boolean } {
  const creditCheck = partner.csp?.creditCheck ?? 'NotStarted';
  if (partner.directBill?.supportPlan) return { partner, bought: false };
  if (creditCheck !== 'Passed' || !partner.csp) {
    throw DomainError.conflict(`A support plan can be bought once the credit check has passed (it is ${creditCheck}).`, 'CreditCheckNotPassed');
  }
  const at = now.toISOString();
  return {
    partner: {
      ...partner,
      csp: { ...partner.csp, supportPlan: plan },
      directBill: { ...partner.directBill, supportPlan: { plan, purchasedAt: at, purchasedBy: by } },
      updatedAt: at,
    },
    bought: true,
  };
}

/** GET .../csp/direct-bill/application: the latest application, its history oldest first. */
export function applicationView(application: DirectBillApplication) {
  return {
    applicationId: application.applicationId,
    status: application.status,
    submittedAt: application.submittedAt,
    history: application.history,
  };
}

/**
 * CSP-3, the daily assessment run: one per UTC day (its id is the date, so overlapping timers start
 * one run), in its own partition of `operations`; each page of direct-bill partners records itself once.
 */
export interface AssessmentRun {
  id: 'run';
  type: 'assessmentRun';
  partnerId: string;
  runId: string;
  startedAt: string;
  /** Set by the worker of the page that had no continuation. */
  lastPage?: number;
  /** Pages whose message went to the poison queue (retries exhausted), to be resumed by an operator. */
  failedPages?: FailedPage[];
}

export interface AssessmentPage {
  id: string;
  type: 'assessmentPage';
  partnerId: string;
  runId: string;
  page: number;
  scanned: number;
  suspended: number;
  /** The query's continuation to the next page (none on the last page). */
  nextToken?: string;
  requestCharge: number;
  completedAt: string;
}

export const assessmentPartition = (runId: string): string => `direct-bill-assessment:${runId}`;
export const assessmentPageId = (page: number): string => `page:${page}`;
/** The timer's run of a day: a second timer run that day (or a second instance) finds the first. */
export const assessmentRunId = (now: Date): string => now.toISOString().slice(0, 10);
