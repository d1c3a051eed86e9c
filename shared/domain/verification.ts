import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from './errors.js';
import type { Role } from './roles.js';
import { legalChanges, type PartnerInput, type ProgramId } from './partner.js';

/** ACC-2: verification is shown per tab. */
export const tabs = ['partner', 'developer', 'seller'] as const;
export type Tab = (typeof tabs)[number];

/** VER-3: the checks. */
export const checkTypes = ['EmailOwnership', 'Identity', 'Employment', 'Business', 'AdditionalDueDiligence'] as const;
export type CheckType = (typeof checkTypes)[number];

/** VER-4 statuses, plus VER-3's Identity outcomes Passed and Challenged. */
export type CheckStatus = 'Pending' | 'Accepted' | 'Rejected' | 'Passed' | 'Challenged';
export type TabStatus = 'Pending' | 'Accepted' | 'Rejected';

/** VER-8: the documents a check may ask for. */
export const documentTypes = [
  'DomainOwnershipProof',
  'BusinessRegistration',
  'TaxRegistrationCertificate',
  'GovernmentReceipt',
  'MunicipalityDocument',
  'Questionnaire',
] as const;
export type DocumentType = (typeof documentTypes)[number];

/** ACC-2: which tab a program's verification shows on. The seller tab appears when upstream decides on it. */
export const tabOfProgram: Record<ProgramId, Tab> = { 'ai-cloud-partner': 'partner', csp: 'partner', developer: 'developer' };

/** VER-1: who sees and acts on each tab. */
export const tabRoles: Record<Tab, readonly Role[]> = {
  partner: ['GlobalAdmin', 'PartnerAdmin', 'AccountAdmin'],
  seller: ['GlobalAdmin', 'PartnerAdmin', 'AccountAdmin'],
  developer: ['Manager', 'Owner'],
};
export const verificationRoles: readonly Role[] = ['GlobalAdmin', 'PartnerAdmin', 'AccountAdmin', 'Manager', 'Owner'];

export interface CheckState {
  type: CheckType;
  status: CheckStatus;
  reason?: string;
  fixNowAvailable: boolean;
  /** `decidedAt` of the last applied decision: older decisions are ignored. */
  decidedAt?: string;
  updatedAt: string;
}

export interface TabState {
  tab: Tab;
  /** When verification of what was supplied (last) started (VER-2). */
  submittedAt: string;
  checks: CheckState[];
  /** VER-12: when the partner was told the tab was accepted (once). */
  completionEmailedAt?: string;
}

export interface EmailTokenState {
  /** SHA-256 of the whole token; the token itself is only in the email. */
  hash: string;
  issuedAt: string;
  expiresAt: string;
}

export interface DecisionEmail {
  decisionId: string;
  tab: Tab;
  check: CheckType;
  outcome: DecisionOutcome;
  reason?: string;
  fixNowAvailable: boolean;
}

/** The verification state of one partner (partition `partnerId`, id `verification`). */
export interface VerificationDoc {
  id: 'verification';
  type: 'verification';
  partnerId: string;
  tabs: TabState[];
  emailToken?: EmailTokenState;
  /** Times verification emails were sent in the last 24 hours (cooldown and daily cap). */
  emailSends: string[];
  /** The last decisions applied (ids), so a redelivered decision changes nothing. */
  appliedDecisions: string[];
  /** VER-7: Identity rejected with no Fix now. */
  suspended: boolean;
}

export const verificationDocumentId = 'verification';
const appliedDecisionMemory = 200;

export function emptyVerification(partnerId: string): VerificationDoc {
  return { id: 'verification', type: 'verification', partnerId, tabs: [], emailSends: [], appliedDecisions: [], suspended: false };
}

/** VER-3: the checks a tab needs for the partner's programs (Identity only for ai-cloud-partner). */
export function requiredChecks(tab: Tab, programs: readonly ProgramId[]): CheckType[] {
  const identity = tab === 'partner' && programs.includes('ai-cloud-partner');
  return ['EmailOwnership', ...(identity ? (['Identity'] as const) : []), 'Employment', 'Business'];
}

export function isDone(status: CheckStatus): boolean {
  return status === 'Accepted' || status === 'Passed';
}

/** VER-4: Accepted when every check is; Rejected when any is; else Pending. */
export function tabStatus(tab: TabState): TabStatus {
  if (tab.checks.some((c) => c.status === 'Rejected')) return 'Rejected';
  if (tab.checks.length > 0 && tab.checks.every((c) => isDone(c.status))) return 'Accepted';
  return 'Pending';
}

function emailProven(doc: VerificationDoc): boolean {
  return doc.tabs.some((t) => t.checks.some((c) => c.type === 'EmailOwnership' && c.status === 'Accepted'));
}

function pending(type: CheckType, now: string): CheckState {
  return { type, status: 'Pending', fixNowAvailable: false, updatedAt: now };
}

/**
 * VER-2: enrolling in a new program or changing legal details starts verification of what was
 * supplied. New tabs get every check Pending; a company change re-checks Business, a contact change
 * re-checks Employment, a new contact email re-checks EmailOwnership. Says whether the email-ownership
 * email must be sent (ownership not proven and something started).
 */
export function startVerification(
  doc: VerificationDoc,
  before: PartnerInput | undefined,
  after: PartnerInput,
  now: Date,
): { doc: VerificationDoc; started: boolean; sendEmail: boolean } {
  const at = now.toISOString();
  const next = structuredClone(doc);
  const changes = legalChanges(before, after);
  const newPrograms = after.programs.filter((p) => !before?.programs.includes(p));
  let started = false;

  if (changes.contactEmail && before) {
    // A new address is unproven: every tab's EmailOwnership starts again, and old links stop working.
    for (const tab of next.tabs) for (const check of tab.checks) if (check.type === 'EmailOwnership') Object.assign(check, pending('EmailOwnership', at));
    delete next.emailToken;
    started ||= next.tabs.length > 0;
  }

  const wanted = new Set(after.programs.map((p) => tabOfProgram[p]));
  for (const tabName of wanted) {
    const checks = requiredChecks(tabName, after.programs);
    let tab = next.tabs.find((t) => t.tab === tabName);
    const programStarted = newPrograms.some((p) => tabOfProgram[p] === tabName);
    if (!tab) {
      tab = { tab: tabName, submittedAt: at, checks: [] };
      next.tabs.push(tab);
    }
    let changed = false;
    for (const type of checks) {
      let check = tab.checks.find((c) => c.type === type);
      if (!check) {
        check = pending(type, at);
        if (type === 'EmailOwnership' && emailProven(next)) check.status = 'Accepted';
        tab.checks.push(check);
        changed = true;
        continue;
      }
      const recheck = (type === 'Business' && changes.company) || (type === 'Employment' && changes.contact);
      if (recheck && before) {
        Object.assign(check, pending(type, at));
        changed = true;
      }
    }
    if (changed || programStarted) {
      tab.submittedAt = at;
      started = true;
    }
  }
  return { doc: next, started, sendEmail: started && !emailProven(next) };
}

export type DecisionOutcome = 'Accepted' | 'Rejected' | 'Passed' | 'Challenged';

export interface Decision {
  decisionId: string;
  partnerId: string;
  check: CheckType;
  tab: Tab;
  outcome: DecisionOutcome;
  fixNowAvailable?: boolean | undefined;
  reason?: string | undefined;
  decidedAt: string;
  /** VER-8: documents the check asks the partner for. */
  documentsRequested?: DocumentType[] | undefined;
}

/** VER-7: what a Challenged identity asks of the partner. */
export const challengedReason =
  'A user must present a verifiable credential to prove their identity; first and last names must match the government-issued ID.';

/**
 * Applies an upstream decision. A decision already applied, or older than the check's last decision,
 * changes nothing. Identity Rejected without Fix now suspends the account (VER-7). An applied decision
 * owes the primary contact an email (VER-10), which the caller records in the same write (outbox).
 */
export function applyDecision(
  doc: VerificationDoc,
  decision: Decision,
  now: Date,
): { doc: VerificationDoc; applied: false } | { doc: VerificationDoc; applied: true; email: DecisionEmail } {
  if (doc.appliedDecisions.includes(decision.decisionId)) return { doc, applied: false };
  const next = structuredClone(doc);
  let tab = next.tabs.find((t) => t.tab === decision.tab);
  if (!tab) {
    tab = { tab: decision.tab, submittedAt: decision.decidedAt, checks: [] };
    next.tabs.push(tab);
  }
  let check = tab.checks.find((c) => c.type === decision.check);
  if (check?.decidedAt && Date.parse(check.decidedAt) >= Date.parse(decision.decidedAt)) return { doc, applied: false };
  if (!check) {
    // AdditionalDueDiligence (only for selected organisations) and checks of a new tab appear with their first decision.
    check = pending(decision.check, now.toISOString());
    tab.checks.push(check);
  }
  const fixNow = decision.outcome === 'Rejected' && decision.fixNowAvailable === true;
  check.status = decision.outcome;
  check.fixNowAvailable = fixNow;
  check.decidedAt = decision.decidedAt;
  check.updatedAt = now.toISOString();
  const reason = decision.outcome === 'Challenged' ? (decision.reason ?? challengedReason) : decision.reason;
  if (reason) check.reason = reason;
  else delete check.reason;
  if (decision.check === 'Identity' && decision.outcome === 'Rejected' && !fixNow) next.suspended = true;
  if (decision.check === 'Identity' && isDone(decision.outcome)) next.suspended = false;
  if (decision.check === 'EmailOwnership' && decision.outcome === 'Accepted') {
    for (const t of next.tabs) for (const c of t.checks) if (c.type === 'EmailOwnership') Object.assign(c, { status: 'Accepted', updatedAt: check.updatedAt });
    delete next.emailToken;
  }
  next.appliedDecisions = [...next.appliedDecisions, decision.decisionId].slice(-appliedDecisionMemory);
  const email: DecisionEmail = {
    decisionId: decision.decisionId,
    tab: decision.tab,
    check: decision.check,
    outcome: decision.outcome,
    fixNowAvailable: fixNow,
    ...(reason ? { reason } : {}),
  };
  return { doc: next, applied: true, email };
}

/**
 * VER-12: the tabs that became Accepted between `before` and `after` and whose partner was never told,
 * marked as told in `after`'s copy. The mark is written with the email intent, so however many
 * decisions or redeliveries follow, each tab's acceptance is told once.
 */
export function newlyAccepted(before: VerificationDoc, after: VerificationDoc, now: Date): { doc: VerificationDoc; tabs: Tab[] } {
  const was = new Map(before.tabs.map((t) => [t.tab, tabStatus(t)]));
  const told = after.tabs.filter((t) => tabStatus(t) === 'Accepted' && was.get(t.tab) !== 'Accepted' && !t.completionEmailedAt).map((t) => t.tab);
  if (told.length === 0) return { doc: after, tabs: [] };
  const doc = structuredClone(after);
  for (const tab of doc.tabs) if (told.includes(tab.tab)) tab.completionEmailedAt = now.toISOString();
  return { doc, tabs: told };
}

/**
 * What account verification must allow before a route runs, declared on the route (its `access`).
 * `notSuspended`: refused while the account is suspended (VER-7). `partnerAccepted`: also refused
 * until the partner tab is Accepted (VER-11: buying and renewing offers).
 */
export type VerificationGate = 'none' | 'notSuspended' | 'partnerAccepted';

/** The refusal of a gate for this verification state, or undefined when the route may run. */
export function gateRefusal(doc: VerificationDoc, gate: VerificationGate): DomainError | undefined {
  if (gate === 'none') return undefined;
  if (doc.suspended) {
    return DomainError.forbidden(
      'The account is suspended: its Identity check was rejected with no Fix now available, so no further action is possible (VER-7).',
      'AccountSuspended',
    );
  }
  if (gate === 'notSuspended') return undefined;
  const partnerTab = doc.tabs.find((t) => t.tab === 'partner');
  if (partnerTab && tabStatus(partnerTab) === 'Accepted') return undefined;
  const unfinished = (partnerTab?.checks ?? []).filter((c) => !isDone(c.status));
  const named = unfinished.map((c) => `${c.type} (${c.status})`).join(', ');
  return DomainError.conflict(
    partnerTab
      ? `Account verification is not complete: ${named}. Offers can be bought once the partner tab is Accepted (VER-11).`
      : 'Account verification has not started for the partner tab. Offers can be bought once it is Accepted (VER-11).',
    'AccountVerificationIncomplete',
    unfinished.map((c) => ({ path: `verification.partner.${c.type}`, message: c.status })),
  );
}

/** Which outcomes a check can have: Passed and Challenged are Identity's (VER-3). */
export function outcomeAllowed(check: CheckType, outcome: DecisionOutcome): boolean {
  return check === 'Identity' ? outcome !== 'Accepted' : outcome === 'Accepted' || outcome === 'Rejected';
}

// ---- email ownership tokens --------------------------------------------------------------------

/** A one-time link token: the partner id (to find the state) and 32 random bytes; only its hash is kept. */
export function issueEmailToken(partnerId: string): { token: string; hash: string } {
  const token = `${Buffer.from(partnerId).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The partner a token claims to be for, or undefined if it is not shaped like one of ours. */
export function partnerOfToken(token: string): string | undefined {
  const match = /^([A-Za-z0-9_-]{1,100})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match?.[1]) return undefined;
  const partnerId = Buffer.from(match[1], 'base64url').toString('utf8');
  return partnerId.length > 0 ? partnerId : undefined;
}

export function tokenMatches(state: EmailTokenState | undefined, token: string, now: Date): boolean {
  if (!state || Date.parse(state.expiresAt) <= now.getTime()) return false;
  const given = Buffer.from(hashToken(token));
  const expected = Buffer.from(state.hash);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** VER-6: the resend policy. Answers the seconds to wait, or 0 when a send is allowed now. */
export function resendWait(sends: readonly string[], now: Date, cooldownSeconds: number, dailyCap: number): number {
  const times = sends
    .map((s) => Date.parse(s))
    .filter((t) => now.getTime() - t < 86_400_000)
    .sort((a, b) => a - b);
  const last = times[times.length - 1];
  const cooldownLeft = last === undefined ? 0 : last + cooldownSeconds * 1000 - now.getTime();
  const capLeft = times.length >= dailyCap ? (times[times.length - dailyCap] ?? 0) + 86_400_000 - now.getTime() : 0;
  return Math.max(0, Math.ceil(Math.max(cooldownLeft, capLeft) / 1000));
}

/** Keeps only the sends of the last 24 hours. */
export function recentSends(sends: readonly string[], now: Date): string[] {
  return sends.filter((s) => now.getTime() - Date.parse(s) < 86_400_000);
}

// ---- business days (VER-5) ---------------------------------------------------------------------

/**
 * Business days after the day of `from` up to and including the day of `to` (UTC dates): Saturdays,
 * Sundays and the given holidays (`YYYY-MM-DD`) do not count. Submitted Monday, on Monday a week
 * later 5 have elapsed; on that Tuesday 6.
 */
export function businessDaysBetween(from: Date, to: Date, holidays: ReadonlySet<string> = new Set()): number {
  const day = 86_400_000;
  const start = Math.floor(from.getTime() / day);
  const end = Math.floor(to.getTime() / day);
  let count = 0;
  for (let d = start + 1; d <= end; d++) {
    const date = new Date(d * day);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (holidays.has(date.toISOString().slice(0, 10))) continue;
    count++;
  }
  return count;
}

export interface TabView {
  tab: Tab;
  status: TabStatus;
  checks: { type: CheckType; status: CheckStatus; reason?: string; fixNowAvailable: boolean }[];
  progress: { accepted: number; total: number };
  submittedAt: string;
  businessDaysElapsed: number;
  contactSupport: boolean;
}

/** The legal-info view (VER-4, VER-5) of the tabs the viewer's roles may see (VER-1). */
export function verificationView(
  doc: VerificationDoc,
  roles: ReadonlySet<Role>,
  now: Date,
  holidays: ReadonlySet<string>,
): { tabs: TabView[]; accountSuspended: boolean } {
  const visible = doc.tabs.filter((t) => tabRoles[t.tab].some((r) => roles.has(r))).sort((a, b) => tabs.indexOf(a.tab) - tabs.indexOf(b.tab));
  return {
    accountSuspended: doc.suspended,
    tabs: visible.map((t) => {
      const status = tabStatus(t);
      const businessDaysElapsed = businessDaysBetween(new Date(t.submittedAt), now, holidays);
      return {
        tab: t.tab,
        status,
        checks: t.checks.map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), fixNowAvailable: c.fixNowAvailable })),
        progress: { accepted: t.checks.filter((c) => isDone(c.status)).length, total: t.checks.length },
        submittedAt: t.submittedAt,
        businessDaysElapsed,
        contactSupport: status === 'Pending' && businessDaysElapsed > 5,
      };
    }),
  };
}

/**
 * VER-9: an upload for a check. Finds the viewer's tabs holding the check; Accepted everywhere → the
 * check needs nothing (409); Rejected without Fix now → no further action possible (409); Rejected
 * with Fix now → appeal, Pending again. Returns the tabs the document is filed under.
 */
export function fileDocument(
  doc: VerificationDoc,
  check: CheckType,
  roles: ReadonlySet<Role>,
  now: Date,
): { ok: true; doc: VerificationDoc; tabs: Tab[]; checkStatus: CheckStatus } | { ok: false; reason: string } {
  const next = structuredClone(doc);
  const candidates = next.tabs.filter((t) => tabRoles[t.tab].some((r) => roles.has(r)) && t.checks.some((c) => c.type === check));
  if (candidates.length === 0) return { ok: false, reason: `There is no ${check} check to provide documents for.` };
  const open = candidates.filter((t) => !isDone(t.checks.find((c) => c.type === check)?.status ?? 'Pending'));
  if (open.length === 0) return { ok: false, reason: `The ${check} check is already accepted.` };
  const actionable = open.filter((t) => {
    const c = t.checks.find((x) => x.type === check);
    return !(c?.status === 'Rejected' && !c.fixNowAvailable);
  });
  if (actionable.length === 0) return { ok: false, reason: `The ${check} check was rejected with no Fix now available: no further action is possible.` };
  let checkStatus: CheckStatus = 'Pending';
  for (const t of actionable) {
    const c = t.checks.find((x) => x.type === check);
    if (!c) continue;
    if (c.status === 'Rejected') {
      c.status = 'Pending';
      c.fixNowAvailable = false;
      c.updatedAt = now.toISOString();
      delete c.reason;
    }
    checkStatus = c.status;
  }
  return { ok: true, doc: next, tabs: actionable.map((t) => t.tab), checkStatus };
}
