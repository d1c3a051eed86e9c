import { randomUUID } from 'node:crypto';
import { rolloverSummaryEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import { fiscalYearOf, type Enrollment } from '../domain/incentives.js';
import { claimed, emailIntent } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import { runProgress } from '../domain/page-runs.js';
import { countOf, pageRecordId, renewalOf, runPartition, type PageCounts, type RolloverPage, type RolloverRun } from '../domain/rollover.js';
import { committing, deliverNow, type OwedEmail } from './outbox.js';
import { WriteConflict, type RolloverDoc, type UseCaseDeps, type Versioned } from './ports.js';
import { recordPageFailure, resumeFailedPages, type PagedRunStore } from './page-runs.js';
import { queueNames } from './queues.js';
import { createIfAbsent, unchanged, updateDocument } from './write.js';

async function readRun(deps: UseCaseDeps, runId: string): Promise<Versioned<RolloverRun> | undefined> {
  const stored = await deps.rollovers.read(runPartition(runId), 'run');
  return stored?.doc.type === 'rolloverRun' ? { doc: stored.doc, etag: stored.etag } : undefined;
}

export interface PageMessage {
  runId: string;
  page: number;
  continuationToken?: string | undefined;
}

/**
 * Starts a rollover of `fromFiscalYear` (INC-5): records the run and queues its first page. Only a
 * fiscal year that has ended can be rolled over. A run id makes the start idempotent: the timer uses
 * one per fiscal year, so overlapping timers start one run.
 */
export async function startRollover(
  deps: UseCaseDeps,
  input: { fromFiscalYear: number; dryRun: boolean; trigger: 'timer' | 'operator'; runId?: string },
): Promise<{ runId: string; started: boolean }> {
  const current = fiscalYearOf(deps.now(), deps.config.FISCAL_YEAR_START_MONTH);
  if (input.fromFiscalYear >= current) {
    throw DomainError.validation(`Fiscal year ${input.fromFiscalYear} has not ended yet (the current fiscal year is ${current}).`, [
      { path: 'body.fromFiscalYear', message: 'must be a fiscal year that has ended' },
    ]);
  }
  if (input.fromFiscalYear < current - 5) {
    throw DomainError.validation(`Fiscal year ${input.fromFiscalYear} is too old to roll over.`, [
      { path: 'body.fromFiscalYear', message: `must be one of the last five fiscal years (${current - 5} to ${current - 1})` },
    ]);
  }
  const runId = input.runId ?? randomUUID();
  const run: RolloverRun = {
    id: 'run',
    type: 'rolloverRun',
    partnerId: runPartition(runId),
    runId,
    fromFiscalYear: input.fromFiscalYear,
    dryRun: input.dryRun,
    trigger: input.trigger,
    startedAt: deps.now().toISOString(),
  };
  const created = await createIfAbsent(deps.rollovers, run);
  if (created) await deps.queues.send(queueNames.rolloverPages, { runId, page: 0 } satisfies PageMessage);
  return { runId, started: created };
}

/** The timer's id for the run of a fiscal year, so that a second timer run finds the first. */
const timerRunId = (fromFiscalYear: number): string => `fy${fromFiscalYear}`;

/** Daily: once a fiscal year has ended, its run is started once (the timer only plans). */
export async function planRollover(deps: UseCaseDeps): Promise<{ runId: string; started: boolean }> {
  const from = fiscalYearOf(deps.now(), deps.config.FISCAL_YEAR_START_MONTH) - 1;
  return startRollover(deps, { fromFiscalYear: from, dryRun: false, trigger: 'timer', runId: timerRunId(from) });
}

/**
 * One page of a run: queues the next page first (so the fan-out never waits for this one), renews
 * this page's enrolments in bulk with deterministic next-year ids (a second write is a no-op), and
 * records the page's counts once. A failure makes the message retry; the retry redoes the page
 * without double writes or double counts.
 */
export async function processRolloverPage(deps: UseCaseDeps, message: PageMessage): Promise<PageCountsResult> {
  const partition = runPartition(message.runId);
  const stored = await readRun(deps, message.runId);
  if (!stored) throw DomainError.unprocessableMessage(`unknown rollover run ${message.runId}`);
  const run = stored.doc;
  if (await deps.rollovers.read(partition, pageRecordId(message.page))) {
    // Done before, but the worker may have failed after its record, before the summaries were queued.
    await planSummariesIfComplete(deps, message.runId);
    return { page: message.page, alreadyDone: true };
  }

  const page = await deps.enrollments.renewalSources(run.fromFiscalYear, {
    size: deps.config.ROLLOVER_PAGE_SIZE,
    continuationToken: message.continuationToken,
  });
  let requestCharge = page.requestCharge;
  // The last page records itself on the run, over the version just read; its version then serves the
  // summary planning below (a page that is not the last reads the run again there, after its record).
  let lastRun: Versioned<RolloverDoc> | undefined;
  if (page.continuationToken) {
    await deps.queues.send(queueNames.rolloverPages, {
      runId: message.runId,
      page: message.page + 1,
      continuationToken: page.continuationToken,
    } satisfies PageMessage);
  } else {
    lastRun = await updateDocument<RolloverDoc>(
      deps.rollovers,
      partition,
      'run',
      (doc) => (doc.type === 'rolloverRun' && doc.lastPage === undefined ? { ...doc, lastPage: message.page } : unchanged),
      {
        known: stored,
      },
    );
  }

  // The partners of the page, read 16 at a time.
  const partners = new Map<string, Partner | undefined>();
  await sixteenAtATime([...new Set(page.items.map((e) => e.partnerId))], async (partnerId) => {
    partners.set(partnerId, (await deps.accounts.partner(partnerId))?.doc);
  });
  const now = deps.now();
  let renewals: Enrollment[] = page.items.map((e) => ({ ...renewalOf(e, partners.get(e.partnerId), now), rolloverRunId: message.runId }));
  let failed = 0;
  // A dry run writes nothing and looks for no existing renewal: it counts what a first run would do.
  let existing: ReadonlySet<string> = new Set();
  if (!run.dryRun && renewals.length > 0) {
    const created = await deps.enrollments.createRenewals(renewals);
    failed = created.failed;
    requestCharge += created.requestCharge;
    if (failed > 0) deps.metrics.record('rollover.renewals.failed', failed, { runId: message.runId });
    if (failed > 0) throw new Error(`${failed} renewal(s) of page ${message.page} failed; the page will be retried`);
    ({ renewals, existing } = await carriedOverBefore(deps, renewals, created.existing, message.runId));
  }
  const record: RolloverPage = {
    id: pageRecordId(message.page),
    type: 'rolloverPage',
    partnerId: partition,
    runId: message.runId,
    page: message.page,
    ...countOf(renewals, existing, failed),
    partnerIds: [...partners.keys()],
    requestCharge,
    completedAt: deps.now().toISOString(),
  };
  if ((await createIfAbsent(deps.rollovers, record)) && !run.dryRun) {
    for (const outcome of ['Enrolled', 'ActionRequired', 'NotEligible'] as const) {
      const count = renewals.filter((r) => r.status === outcome && !existing.has(r.id)).length;
      if (count > 0) deps.metrics.record('rollover.enrollments', count, { outcome, fiscalYear: run.fromFiscalYear + 1 });
    }
  }
  await planSummariesIfComplete(deps, message.runId, lastRun);
  return { page: message.page, alreadyDone: false };
}

/**
 * Of the renewals a page found existing, those an earlier run made (`alreadyRenewed`) and those this
 * run made on an earlier attempt at the page (a crash after some writes): the latter count as this
 * run's, with the status they were stored with. Only existing renewals are read, so a first run reads
 * nothing more; a second run over the same year reads each once.
 */
async function carriedOverBefore(
  deps: UseCaseDeps,
  renewals: Enrollment[],
  existing: ReadonlySet<string>,
  runId: string,
): Promise<{ renewals: Enrollment[]; existing: ReadonlySet<string> }> {
  if (existing.size === 0) return { renewals, existing };
  const mine = new Map<string, Enrollment>();
  await sixteenAtATime(
    renewals.filter((r) => existing.has(r.id)),
    async (r) => {
      const stored = await deps.enrollments.read(r.partnerId, r.id);
      if (stored?.doc.type === 'enrollment' && stored.doc.rolloverRunId === runId) mine.set(r.id, stored.doc);
    },
  );
  if (mine.size === 0) return { renewals, existing };
  return { renewals: renewals.map((r) => mine.get(r.id) ?? r), existing: new Set([...existing].filter((id) => !mine.has(id))) };
}

/**
 * When the run is complete, queues one summary message per partner, then marks the run planned;
 * dry runs email nobody. The mark comes last: a worker that fails half-way leaves it unset, and the
 * redelivered page queues them all again. Messages queued twice (that, or two last pages finishing
 * together) owe one email: the summary's intent is keyed by run and partner.
 */
async function planSummariesIfComplete(deps: UseCaseDeps, runId: string, known?: Versioned<RolloverDoc>): Promise<void> {
  const partition = runPartition(runId);
  // Until the last page is known the run cannot be complete: no need to read the page records.
  const stored = known?.doc.type === 'rolloverRun' ? { doc: known.doc, etag: known.etag } : await readRun(deps, runId);
  const run = stored?.doc;
  if (!stored || !run || run.lastPage === undefined || run.dryRun || run.summaryPlannedAt) return;
  const pages = await deps.rollovers.pages(partition);
  if (pages.length < run.lastPage + 1) return;
  await sixteenAtATime([...new Set(pages.flatMap((p) => p.partnerIds))], (partnerId) => deps.queues.send(queueNames.rolloverSummaries, { runId, partnerId }));
  await updateDocument<RolloverDoc>(
    deps.rollovers,
    partition,
    'run',
    (doc) => (doc.type === 'rolloverRun' && !doc.summaryPlannedAt ? { ...doc, summaryPlannedAt: deps.now().toISOString() } : unchanged),
    {
      known: stored,
    },
  );
}

/**
 * RolloverSummary: one email per partner and run to its incentive admins: what renewed, what needs
 * action. The email is owed in the partner's enrolment partition (keyed by run and partner, so a
 * repeated message owes nothing new) and delivered.
 */
export async function sendRolloverSummary(
  deps: UseCaseDeps,
  message: { runId: string; partnerId: string },
  log?: (message: string) => void,
): Promise<{ sent: boolean }> {
  const [stored, partner, users] = await Promise.all([
    readRun(deps, message.runId),
    deps.accounts.partner(message.partnerId),
    deps.accounts.users(message.partnerId),
  ]);
  const run = stored?.doc;
  if (!run) throw DomainError.unprocessableMessage(`unknown rollover run ${message.runId}`);
  if (!partner) return { sent: false };
  const admins = users.filter((u) => u.roles.includes('IncentiveAdmin'));
  if (admins.length === 0) return { sent: false };
  const renewals = await deps.enrollments.renewalsInto(message.partnerId, run.fromFiscalYear + 1);
  const now = deps.now();
  const intent = claimed(
    emailIntent(
      message.partnerId,
      `rollover-summary:${message.runId}:${message.partnerId}`,
      rolloverSummaryEmail(partner.doc.companyName, run.fromFiscalYear + 1, renewals, admins),
      now.toISOString(),
    ),
    now,
  );
  // Owed once per run and partner: a repeated message finds it owed already, and delivers it if unsent.
  const commit = committing(deps.enrollments, 'enrollments', message.partnerId);
  let owed: OwedEmail[] = [{ box: 'enrollments', partnerId: message.partnerId, intentId: intent.id }];
  try {
    await commit.write([{ kind: 'create', doc: intent }]);
    owed = commit.owed();
  } catch (error) {
    if (!(error instanceof WriteConflict && error.reason === 'exists')) throw error;
  }
  const sent = await deliverNow(deps, owed, log);
  return { sent: sent > 0 };
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

export interface PageCountsResult {
  page: number;
  alreadyDone: boolean;
}

/** A run's status and counts: the sum of its page records, so retried pages never count twice. */
export async function rolloverStatus(deps: UseCaseDeps, runId: string) {
  const [stored, pages] = await Promise.all([readRun(deps, runId), deps.rollovers.pages(runPartition(runId))]);
  const run = stored?.doc;
  if (!run) throw DomainError.notFound(`Rollover run ${runId} does not exist.`);
  // Page records written before `alreadyRenewed` existed lack it: they count none.
  const sum = (key: keyof PageCounts) => pages.reduce((total, p: Partial<PageCounts>) => total + (p[key] ?? 0), 0);
  const { status, failedPages } = runProgress(run, pages);
  const requestUnits = pages.reduce((total, p) => total + p.requestCharge, 0);
  return {
    runId,
    fromFiscalYear: run.fromFiscalYear,
    status,
    dryRun: run.dryRun,
    scanned: sum('scanned'),
    renewed: sum('renewed'),
    actionRequired: sum('actionRequired'),
    notEligible: sum('notEligible'),
    alreadyRenewed: sum('alreadyRenewed'),
    failed: sum('failed'),
    pages: pages.length,
    requestUnits: +requestUnits.toFixed(2),
    requestUnitsPerRenewal: +(requestUnits / Math.max(1, sum('scanned'))).toFixed(2),
    ...(failedPages ? { failedPages } : {}),
    startedAt: run.startedAt,
  };
}

const pagedRun = (deps: UseCaseDeps, runId: string): PagedRunStore<RolloverDoc> => ({
  runId,
  store: deps.rollovers,
  partition: runPartition(runId),
  pageQueue: queueNames.rolloverPages,
  pageRecordId,
  isRun: (doc): doc is RolloverRun => doc.type === 'rolloverRun',
});

/**
 * The poison handler of `rollover-pages`: a page that failed every delivery is recorded on its run
 * (with its continuation token), so the run reads Failed instead of Running forever, and an operator
 * can resume it. A page that completed after all (a duplicate message) is not recorded.
 */
export function recordFailedPage(deps: UseCaseDeps, message: PageMessage): Promise<{ recorded: boolean }> {
  const { page, continuationToken } = message;
  return recordPageFailure(pagedRun(deps, message.runId), { page, continuationToken, failedAt: deps.now().toISOString() });
}

/** Operator action: re-queues the failed pages of a run (each redoes its work idempotently). */
export async function resumeRollover(deps: UseCaseDeps, runId: string): Promise<{ runId: string; requeued: number[] }> {
  const requeued = await resumeFailedPages(pagedRun(deps, runId), deps.queues);
  if (!requeued) throw DomainError.notFound(`Rollover run ${runId} does not exist.`);
  return { runId, requeued };
}
