import { randomUUID } from 'node:crypto';
import { assessDirectBill } from '../domain/csp.js';
import {
  applicationView,
  applyDirectBillEvent,
  assessmentPageId,
  assessmentPartition,
  assessmentRunId,
  directBillRecordId,
  emptyDirectBillRecord,
  submitApplication,
  suspendDirectBill,
  type AssessmentPage,
  type AssessmentRun,
  type DirectBillEvent,
  type DirectBillRecord,
  type OwedMessage,
} from '../domain/direct-bill.js';
import { DomainError } from '../domain/errors.js';
import { runProgress } from '../domain/page-runs.js';
import { claimed, emailIntent } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import type { Principal } from '../domain/roles.js';
import { committing, deliverNow } from './outbox.js';
import type { AccountDoc, AssessmentDoc, UseCaseDeps, Versioned, Write } from './ports.js';
import { markPageFailed, resumeFailedPages, type PagedRunStore } from './page-runs.js';
import { queueNames } from './queues.js';
import { createIfAbsent, readDecideWrite, unchanged, updateDocument, writeOver } from './write.js';

/** The partner and its direct-bill record (empty, unversioned, until its first application or event). */
async function readState(deps: Pick<UseCaseDeps, 'accounts'>, partnerId: string) {
  const [partner, stored] = await Promise.all([deps.accounts.partner(partnerId), deps.accounts.read(partnerId, directBillRecordId)]);
  const record: { doc: DirectBillRecord; etag: string | undefined } =
    stored?.doc.type === 'directBill' ? { doc: stored.doc, etag: stored.etag } : { doc: emptyDirectBillRecord(partnerId), etag: undefined };
  return { partner, record };
}

const intentsOf = (partnerId: string, emails: readonly OwedMessage[], now: Date) =>
  // Delivered by whoever committed them, at once: claimed in the same batch.
  emails.map((e) => claimed(emailIntent(partnerId, e.key, e.message, now.toISOString()), now));

/**
 * CSP-4: a GlobalAdmin applies for direct billing. The application, the credit check moving to
 * Pending and the partner's version are one batch over the versions read, so two concurrent
 * submissions make one application (the other, decided again, finds it open: 409).
 */
export async function applyForDirectBill(deps: UseCaseDeps, partnerId: string, principal: Principal) {
  const applicationId = randomUUID();
  return readDecideWrite({
    read: async () => ({ ...(await readState(deps, partnerId)), now: deps.now() }),
    decide: ({ partner, record, now }) => {
      if (!partner) throw DomainError.notFound(`Partner ${partnerId} does not exist.`);
      const next = submitApplication(partner.doc, record.doc, { applicationId, submittedBy: principal.userId, now });
      const writes: Write<AccountDoc>[] = [{ kind: 'replace', doc: next.partner, etag: partner.etag }, writeOver<AccountDoc>(next.record, record.etag)];
      return { result: { applicationId, status: next.application.status, submittedAt: next.application.submittedAt }, write: writes };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
}

/** CSP-4: the latest application with its history (oldest first); 404 when the partner never applied. */
export async function latestDirectBillApplication(deps: UseCaseDeps, partnerId: string) {
  const { partner, record } = await readState(deps, partnerId);
  if (!partner) throw DomainError.notFound(`Partner ${partnerId} does not exist.`);
  const latest = record.doc.applications.at(-1);
  if (!latest) throw DomainError.notFound(`Partner ${partnerId} has not applied for direct billing.`);
  return applicationView(latest);
}

/**
 * Queue `direct-bill-decisions`: one upstream event applied through the state machine
 * (domain/direct-bill.ts), the partner, the record and the emails it owes in one batch, then the
 * emails delivered. A redelivered event finds itself recorded and changes nothing; should the
 * delivery have failed, the sweep sends what is owed.
 */
export async function handleDirectBillEvent(
  deps: UseCaseDeps,
  event: DirectBillEvent,
  log?: (message: string) => void,
): Promise<{ outcome: 'Applied' | 'Ignored' | 'Repeated'; note: string; emailsSent: number }> {
  const commit = committing(deps.accounts, 'accounts', event.partnerId);
  const outcome = await readDecideWrite({
    read: () => readState(deps, event.partnerId),
    decide: ({ partner, record }) => {
      if (!partner) throw DomainError.unprocessableMessage(`unknown partner ${event.partnerId}`);
      const result = applyDirectBillEvent(partner.doc, record.doc, event);
      if (!result.partner || !result.record) return { result };
      const now = deps.now();
      const writes: Write<AccountDoc>[] = [
        ...(result.partner === partner.doc ? [] : [{ kind: 'replace' as const, doc: result.partner, etag: partner.etag }]),
        writeOver<AccountDoc>(result.record, record.etag),
        ...intentsOf(event.partnerId, result.emails, now).map((doc) => ({ kind: 'create' as const, doc })),
      ];
      return { result, write: writes };
    },
    write: commit.write,
  });
  const emailsSent = outcome.outcome === 'Applied' ? await deliverNow(deps, commit.owed(), log) : 0;
  return { outcome: outcome.outcome, note: outcome.note, emailsSent };
}

// ---------------------------------------------------------------------------------------------------
// CSP-3: the daily assessment, planned like the rollover: the timer records the day's run and queues
// its first page; page workers read the DirectBill partners a query page at a time and suspend, each
// in its own partition, those that are due.

export interface AssessmentPageMessage {
  runId: string;
  page: number;
  continuationToken?: string | undefined;
}

/** DirectBill partners per query page. */
const assessmentPageSize = 500;

async function readRun(deps: UseCaseDeps, runId: string): Promise<Versioned<AssessmentRun> | undefined> {
  const stored = await deps.assessments.read(assessmentPartition(runId), 'run');
  return stored?.doc.type === 'assessmentRun' ? { doc: stored.doc, etag: stored.etag } : undefined;
}

/** The timer: starts the day's run once (overlapping timers or instances find it started) and queues page 0. */
export async function planDirectBillAssessment(deps: UseCaseDeps, runId = assessmentRunId(deps.now())): Promise<{ runId: string; started: boolean }> {
  const run: AssessmentRun = { id: 'run', type: 'assessmentRun', partnerId: assessmentPartition(runId), runId, startedAt: deps.now().toISOString() };
  const started = await createIfAbsent(deps.assessments, run);
  if (started) await deps.queues.send(queueNames.directBillAssessmentPages, { runId, page: 0 } satisfies AssessmentPageMessage);
  return { runId, started };
}

/**
 * Pages of a run, from the message's page on. The query's pages can only be read one after the other
 * (each continues the previous), and a page's own work is small (point writes for the few partners
 * that are due), so a worker reads page after page itself until `budgetMs` has passed (or a page's
 * worth of partners, 500, is due), then suspends
 * the due partners of the pages it read (16 at a time, each in its own partition), records those
 * pages, and queues a message for the page where it stopped (with the query's continuation): no
 * queue hop per page, and no invocation runs much longer than the budget. Each page records its
 * counts once, with the next page's continuation, so a redelivered message skips what is recorded
 * without querying again, and a partner suspended already is left as it is: the run resumes from
 * wherever it stopped.
 */
export async function processAssessmentPage(
  deps: UseCaseDeps,
  message: AssessmentPageMessage,
  options: { pageSize?: number; budgetMs?: number; log?: (message: string) => void } = {},
): Promise<{ pages: number; alreadyDone: boolean; suspended: number }> {
  const partition = assessmentPartition(message.runId);
  const run = await readRun(deps, message.runId);
  if (!run) throw DomainError.unprocessableMessage(`unknown direct-bill assessment run ${message.runId}`);
  const started = Date.now();
  const now = deps.now();
  let { page, continuationToken } = message;
  const read: { page: number; scanned: number; due: string[]; next: string | undefined; requestCharge: number }[] = [];
  let next: string | undefined;
  for (;;) {
    const recorded = await deps.assessments.read(partition, assessmentPageId(page));
    if (recorded?.doc.type === 'assessmentPage') {
      next = recorded.doc.nextToken;
    } else {
      const result = await deps.accounts.directBillPartners({ size: options.pageSize ?? assessmentPageSize, continuationToken });
      next = result.continuationToken;
      if (!next) {
        await updateDocument<AssessmentDoc>(
          deps.assessments,
          partition,
          'run',
          (doc) => (doc.type === 'assessmentRun' && doc.lastPage === undefined ? { ...doc, lastPage: page } : unchanged),
          { known: run },
        );
      }
      const due = result.items.filter((p) => assessDirectBill(p, now).suspend).map((p) => p.partnerId);
      read.push({ page, scanned: result.items.length, due, next, requestCharge: result.requestCharge });
    }
    // Enough work in hand (time read, or partners to suspend): the rest goes to a new message.
    const due = read.reduce((n, p) => n + p.due.length, 0);
    if (!next || Date.now() - started >= (options.budgetMs ?? assessmentBudgetMs) || due >= (options.pageSize ?? assessmentPageSize)) break;
    page++;
    continuationToken = next;
  }
  // The writes come after the reads: on the local emulator a write makes the next query page of its
  // container rescan it (tens of ms at 20,000 partners); on Azure the order does not matter.
  let suspended = 0;
  for (const p of read) {
    let ofPage = 0;
    await sixteenAtATime(p.due, async (partnerId) => {
      if (await suspendIfDue(deps, partnerId, now, options.log)) ofPage++;
    });
    suspended += ofPage;
    const record: AssessmentPage = {
      id: assessmentPageId(p.page),
      type: 'assessmentPage',
      partnerId: partition,
      runId: message.runId,
      page: p.page,
      scanned: p.scanned,
      suspended: ofPage,
      ...(p.next ? { nextToken: p.next } : {}),
      requestCharge: p.requestCharge,
      completedAt: deps.now().toISOString(),
    };
    await createIfAbsent(deps.assessments, record);
  }
  if (next) {
    await deps.queues.send(queueNames.directBillAssessmentPages, {
      runId: message.runId,
      page: page + 1,
      continuationToken: next,
    } satisfies AssessmentPageMessage);
  }
  return { pages: read.length, alreadyDone: read.length === 0, suspended };
}

/** How long a page worker reads further pages before it hands the rest to a new message. */
const assessmentBudgetMs = 30_000;

/**
 * CSP-3 for one partner, decided again on a fresh read of its account: a due partner is suspended
 * and owes one email in the same batch (claimed there, delivered at once; a failed send is the
 * sweep's). Two runs at once race on the partner's version: the loser reads it suspended and writes
 * and owes nothing.
 */
async function suspendIfDue(deps: UseCaseDeps, partnerId: string, now: Date, log?: (message: string) => void): Promise<boolean> {
  const commit = committing(deps.accounts, 'accounts', partnerId);
  const suspended = await readDecideWrite({
    read: () => deps.accounts.partner(partnerId),
    decide: (stored: Versioned<Partner> | undefined) => {
      const assessment = stored ? assessDirectBill(stored.doc, now) : { suspend: false as const };
      if (!stored || !assessment.suspend) return { result: false };
      const { partner, email } = suspendDirectBill(stored.doc, assessment.reasons, now);
      const writes: Write<AccountDoc>[] = [
        { kind: 'replace', doc: partner, etag: stored.etag },
        ...intentsOf(partnerId, [email], now).map((doc) => ({ kind: 'create' as const, doc })),
      ];
      return { result: true, write: writes };
    },
    write: commit.write,
  });
  if (suspended) await deliverNow(deps, commit.owed(), log);
  return suspended;
}

/** A run's status and counts: the sum of its page records (a retried page never counts twice). */
export async function directBillAssessmentStatus(deps: UseCaseDeps, runId: string) {
  const [run, pages] = await Promise.all([readRun(deps, runId), deps.assessments.pages(assessmentPartition(runId))]);
  if (!run) throw DomainError.notFound(`Direct-bill assessment run ${runId} does not exist.`);
  const { status, failedPages } = runProgress(run.doc, pages);
  return {
    runId,
    status,
    pages: pages.length,
    scanned: pages.reduce((n, p) => n + p.scanned, 0),
    suspended: pages.reduce((n, p) => n + p.suspended, 0),
    requestUnits: +pages.reduce((n, p) => n + p.requestCharge, 0).toFixed(2),
    ...(failedPages ? { failedPages } : {}),
    startedAt: run.doc.startedAt,
  };
}

const pagedRun = (deps: UseCaseDeps, runId: string): PagedRunStore<AssessmentDoc> => ({
  runId,
  store: deps.assessments,
  partition: assessmentPartition(runId),
  pageQueue: queueNames.directBillAssessmentPages,
  pageRecordId: assessmentPageId,
  isRun: (doc): doc is AssessmentRun => doc.type === 'assessmentRun',
});

/**
 * The poison handler of `direct-bill-assessment-pages`: a message that failed every delivery stops
 * the chain (each worker queues the next page), so the first page it left undone is recorded on the
 * run with its continuation: the run reads Failed instead of Running forever, and an operator can
 * resume it. A worker records several pages before it queues the next message, so the pages it did
 * record are skipped (following their continuations); when every page is done (a duplicate message),
 * nothing is recorded.
 */
export async function recordFailedAssessmentPage(deps: UseCaseDeps, message: AssessmentPageMessage): Promise<{ recorded: boolean }> {
  const partition = assessmentPartition(message.runId);
  let { page, continuationToken } = message;
  for (;;) {
    const recorded = await deps.assessments.read(partition, assessmentPageId(page));
    if (recorded?.doc.type !== 'assessmentPage') break;
    if (!recorded.doc.nextToken) return { recorded: false };
    continuationToken = recorded.doc.nextToken;
    page++;
  }
  return markPageFailed(pagedRun(deps, message.runId), { page, continuationToken, failedAt: deps.now().toISOString() });
}

/** Operator action: re-queues the failed pages of a run; each reads on from its continuation, and a partner suspended already is left as it is. */
export async function resumeDirectBillAssessment(deps: UseCaseDeps, runId: string): Promise<{ runId: string; requeued: number[] }> {
  const requeued = await resumeFailedPages(pagedRun(deps, runId), deps.queues);
  if (!requeued) throw DomainError.notFound(`Direct-bill assessment run ${runId} does not exist.`);
  return { runId, requeued };
}

/** Runs `work` over `items`, 16 at a time: enough to hide request latency, not a burst of hundreds. */
async function sixteenAtATime<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(16, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}
