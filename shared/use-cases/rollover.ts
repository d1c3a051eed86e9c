import { randomUUID } from 'node:crypto';
import type { OperationInput, JSONObject } from '@azure/cosmos';
import type { Services } from '../composition-root.js';
import { unchanged, type Repository } from '../data/repository.js';
import { fiscalYearOf, type Enrollment } from '../domain/incentives.js';
import type { Partner } from '../domain/partner.js';
import { countOf, pageRecordId, renewalOf, runPartition, type FailedPage, type RenewalSource, type RolloverPage, type RolloverRun } from '../domain/rollover.js';
import { AppError } from '../platform/errors.js';
import { PoisonMessage } from '../platform/functions.js';
import { queueNames } from '../platform/queues.js';

type OperationsDoc = RolloverRun | RolloverPage;
const operations = (services: Services): Repository<OperationsDoc> => services.repository<OperationsDoc>('operations');

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
  services: Services,
  input: { fromFiscalYear: number; dryRun: boolean; trigger: 'timer' | 'operator'; runId?: string },
): Promise<{ runId: string; started: boolean }> {
  const current = fiscalYearOf(services.now(), services.config.FISCAL_YEAR_START_MONTH);
  if (input.fromFiscalYear >= current) {
    throw AppError.validation(`Fiscal year ${input.fromFiscalYear} has not ended yet (the current fiscal year is ${current}).`, [{ path: 'body.fromFiscalYear', message: 'must be a fiscal year that has ended' }]);
  }
  if (input.fromFiscalYear < current - 5) {
    throw AppError.validation(`Fiscal year ${input.fromFiscalYear} is too old to roll over.`, [{ path: 'body.fromFiscalYear', message: `must be one of the last five fiscal years (${current - 5} to ${current - 1})` }]);
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
    startedAt: services.now().toISOString(),
  };
  const created = await operations(services).createIfAbsent(run);
  if (created.created) await services.queues.send(queueNames.rolloverPages, { runId, page: 0 } satisfies PageMessage);
  return { runId, started: created.created };
}

/** The timer's id for the run of a fiscal year, so that a second timer run finds the first. */
export const timerRunId = (fromFiscalYear: number): string => `fy${fromFiscalYear}`;

/** Daily: once a fiscal year has ended, its run is started once (the timer only plans). */
export async function planRollover(services: Services): Promise<{ runId: string; started: boolean }> {
  const from = fiscalYearOf(services.now(), services.config.FISCAL_YEAR_START_MONTH) - 1;
  return startRollover(services, { fromFiscalYear: from, dryRun: false, trigger: 'timer', runId: timerRunId(from) });
}

/**
 * One page of a run: queues the next page first (so the fan-out never waits for this one), renews
 * this page's enrolments in bulk with deterministic next-year ids (a second write is a no-op), and
 * records the page's counts once. A failure makes the message retry; the retry redoes the page
 * without double writes or double counts.
 */
export async function processRolloverPage(services: Services, message: PageMessage): Promise<PageCountsResult> {
  const ops = operations(services);
  const partition = runPartition(message.runId);
  const run = (await ops.read(partition, 'run'))?.doc;
  if (!run || run.type !== 'rolloverRun') throw new PoisonMessage(`unknown rollover run ${message.runId}`);
  if (await ops.read(partition, pageRecordId(message.page))) {
    // Done before, but the worker may have failed after its record, before the summaries were queued.
    await planSummariesIfComplete(services, message.runId);
    return { page: message.page, alreadyDone: true };
  }

  let requestCharge = 0;
  const meter = (ru: number): void => {
    requestCharge += ru;
  };
  const enrollments = services.repository<RenewalSource>('enrollments', meter);
  // Only the fields a renewal is decided from (and the id): a page of whole documents, system
  // properties and all, is about twice the bytes to receive and parse.
  const page = await enrollments.queryPage(
    {
      query:
        'SELECT c.id, c.partnerId, c.enrollmentId, c.programId, c.locationPartnerId, c.fiscalYear, c.status, c.openProgram, c.bankProfileId, c.taxProfileId ' +
        'FROM c WHERE c.type = @type AND c.fiscalYear = @fiscalYear',
      parameters: [
        { name: '@type', value: 'enrollment' },
        { name: '@fiscalYear', value: run.fromFiscalYear },
      ],
    },
    { pageSize: services.config.ROLLOVER_PAGE_SIZE, continuationToken: message.continuationToken },
  );
  if (page.continuationToken) {
    await services.queues.send(queueNames.rolloverPages, { runId: message.runId, page: message.page + 1, continuationToken: page.continuationToken } satisfies PageMessage);
  } else {
    await ops.update(partition, 'run', (doc) => (doc.type === 'rolloverRun' && doc.lastPage === undefined ? { ...doc, lastPage: message.page } : unchanged));
  }

  // The partners of the page, read 16 at a time.
  const partners = new Map<string, Partner | undefined>();
  await sixteenAtATime([...new Set(page.items.map((e) => e.partnerId))], async (partnerId) => {
    partners.set(partnerId, (await services.partners.partner(partnerId))?.doc);
  });
  const now = services.now();
  const renewals = page.items.map((e) => renewalOf(e, partners.get(e.partnerId), now));
  let failed = 0;
  if (!run.dryRun && renewals.length > 0) {
    const container = services.database.container('enrollments');
    for (let i = 0; i < renewals.length; i += 100) {
      const chunk = renewals.slice(i, i + 100);
      const ops: OperationInput[] = chunk.map((r) => ({ operationType: 'Create', partitionKey: r.partnerId, resourceBody: asJson(r) }));
      // The created documents are not needed back: less to send, parse and hold (Prefer: return=minimal).
      const results = await bulkWithRetry(() => container.items.bulk(ops, undefined, { contentResponseOnWriteEnabled: false }));
      failed += results.filter((r) => r.statusCode >= 400 && r.statusCode !== 409).length;
      requestCharge += results.reduce((sum, r) => sum + (r.requestCharge ?? 0), 0);
    }
    if (failed > 0) services.metrics.record('rollover.renewals.failed', failed, { runId: message.runId });
    if (failed > 0) throw new Error(`${failed} renewal(s) of page ${message.page} failed; the page will be retried`);
  }
  const record: RolloverPage = {
    id: pageRecordId(message.page),
    type: 'rolloverPage',
    partnerId: partition,
    runId: message.runId,
    page: message.page,
    ...countOf(renewals, failed),
    partnerIds: [...partners.keys()],
    requestCharge,
    completedAt: new Date().toISOString(),
  };
  if ((await ops.createIfAbsent(record)).created && !run.dryRun) {
    for (const outcome of ['Enrolled', 'ActionRequired', 'NotEligible'] as const) {
      const count = renewals.filter((r) => r.status === outcome).length;
      if (count > 0) services.metrics.record('rollover.enrollments', count, { outcome, fiscalYear: run.fromFiscalYear + 1 });
    }
  }
  await planSummariesIfComplete(services, message.runId);
  return { page: message.page, alreadyDone: false };
}

/**
 * When the run is complete, queues one summary message per partner, then marks the run planned;
 * dry runs email nobody. The mark comes last: a worker that fails half-way leaves it unset, and the
 * redelivered page queues them all again. Messages queued twice (that, or two last pages finishing
 * together) send one email: the summary's email carries a key of run and partner.
 */
async function planSummariesIfComplete(services: Services, runId: string): Promise<void> {
  const ops = operations(services);
  const partition = runPartition(runId);
  // Until the last page is known the run cannot be complete: no need to read the page records.
  const run = (await ops.read(partition, 'run'))?.doc;
  if (!run || run.type !== 'rolloverRun' || run.lastPage === undefined || run.dryRun || run.summaryPlannedAt) return;
  const pages = await pageRecords(services, runId);
  if (pages.length < run.lastPage + 1) return;
  await sixteenAtATime([...new Set(pages.flatMap((p) => p.partnerIds))], (partnerId) => services.queues.send(queueNames.rolloverSummaries, { runId, partnerId }));
  await ops.update(partition, 'run', (doc) => (doc.type === 'rolloverRun' && !doc.summaryPlannedAt ? { ...doc, summaryPlannedAt: services.now().toISOString() } : unchanged));
}

/** RolloverSummary: one email per partner and run to its incentive admins: what renewed, what needs action. */
export async function sendRolloverSummary(services: Services, message: { runId: string; partnerId: string }): Promise<{ sent: boolean }> {
  const run = (await operations(services).read(runPartition(message.runId), 'run'))?.doc;
  if (!run || run.type !== 'rolloverRun') throw new PoisonMessage(`unknown rollover run ${message.runId}`);
  const partner = await services.partners.partner(message.partnerId);
  if (!partner) return { sent: false };
  const admins = (await services.partners.users(message.partnerId)).filter((u) => u.roles.includes('IncentiveAdmin'));
  if (admins.length === 0) return { sent: false };
  const renewals = (
    await services.repository<Enrollment>('enrollments').queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND c.fiscalYear = @fiscalYear AND IS_DEFINED(c.renewedFrom)',
        parameters: [
          { name: '@partnerId', value: message.partnerId },
          { name: '@type', value: 'enrollment' },
          { name: '@fiscalYear', value: run.fromFiscalYear + 1 },
        ],
      },
      { partnerId: message.partnerId },
    )
  ).sort((a, b) => a.id.localeCompare(b.id));
  const line = (e: Enrollment) => `- ${e.programId}, location ${e.locationPartnerId}${e.actionsNeeded.length ? `: ${e.actionsNeeded.join(', ')}` : ''}${e.unmetRequirements?.length ? `: ${e.unmetRequirements.join('; ')}` : ''}`;
  const renewed = renewals.filter((e) => e.status === 'Enrolled');
  const action = renewals.filter((e) => e.status === 'ActionRequired');
  const notEligible = renewals.filter((e) => e.status === 'NotEligible');
  await services.email.send({
    idempotencyKey: `rollover-summary:${message.runId}:${message.partnerId}`,
    type: 'RolloverSummary',
    to: admins.map((a) => ({ address: a.email, ...(a.displayName ? { displayName: a.displayName } : {}) })),
    subject: `Incentive enrollments for fiscal year ${run.fromFiscalYear + 1}`,
    plainText: [
      `Your ${partner.doc.companyName} incentive enrollments were carried into fiscal year ${run.fromFiscalYear + 1}.`,
      '',
      `Renewed (${renewed.length}):`,
      ...renewed.map(line),
      '',
      `Needs action (${action.length}):`,
      ...action.map(line),
      '',
      `Not eligible (${notEligible.length}):`,
      ...notEligible.map(line),
    ].join('\n'),
  });
  return { sent: true };
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

/** An enrolment is plain JSON already (strings, numbers, booleans, arrays): no copy needed for the SDK. */
function asJson(enrollment: Enrollment): JSONObject {
  return enrollment as object as JSONObject;
}

/**
 * A bulk call that failed on the network (a reset connection, no HTTP status) is tried again: its
 * creates carry deterministic ids, so a repeat writes nothing twice.
 */
async function bulkWithRetry<T>(call: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const status = (error as { code?: unknown }).code;
      if (typeof status === 'number' || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

export interface PageCountsResult {
  page: number;
  alreadyDone: boolean;
}

async function pageRecords(services: Services, runId: string): Promise<RolloverPage[]> {
  const partition = runPartition(runId);
  const docs = await operations(services).queryAll(
    { query: 'SELECT * FROM c WHERE c.partnerId = @partition AND c.type = @type', parameters: [{ name: '@partition', value: partition }, { name: '@type', value: 'rolloverPage' }] },
    { partnerId: partition },
  );
  return docs.filter((p): p is RolloverPage => p.type === 'rolloverPage');
}

/** A run's status and counts: the sum of its page records, so retried pages never count twice. */
export async function rolloverStatus(services: Services, runId: string) {
  const ops = operations(services);
  const partition = runPartition(runId);
  const run = (await ops.read(partition, 'run'))?.doc;
  if (!run || run.type !== 'rolloverRun') throw AppError.notFound(`Rollover run ${runId} does not exist.`);
  const pages = await pageRecords(services, runId);
  const sum = (key: 'scanned' | 'renewed' | 'actionRequired' | 'notEligible' | 'failed') => pages.reduce((total, p) => total + p[key], 0);
  const completed = run.lastPage !== undefined && pages.length >= run.lastPage + 1;
  const done = new Set(pages.map((p) => p.page));
  const failedPages = (run.failedPages ?? []).filter((f) => !done.has(f.page)).map((f) => ({ page: f.page, failedAt: f.failedAt }));
  const requestUnits = pages.reduce((total, p) => total + (p.requestCharge ?? 0), 0);
  return {
    runId,
    fromFiscalYear: run.fromFiscalYear,
    status: completed ? ('Completed' as const) : failedPages.length > 0 ? ('Failed' as const) : ('Running' as const),
    dryRun: run.dryRun,
    scanned: sum('scanned'),
    renewed: sum('renewed'),
    actionRequired: sum('actionRequired'),
    notEligible: sum('notEligible'),
    failed: sum('failed'),
    pages: pages.length,
    requestUnits: +requestUnits.toFixed(2),
    requestUnitsPerRenewal: +(requestUnits / Math.max(1, sum('scanned'))).toFixed(2),
    ...(failedPages.length > 0 ? { failedPages } : {}),
    startedAt: run.startedAt,
  };
}

/**
 * The poison handler of `rollover-pages`: a page that failed every delivery is recorded on its run
 * (with its continuation token), so the run reads Failed instead of Running forever, and an operator
 * can resume it. A page that completed after all (a duplicate message) is not recorded.
 */
export async function recordFailedPage(services: Services, message: PageMessage): Promise<{ recorded: boolean }> {
  const ops = operations(services);
  const partition = runPartition(message.runId);
  if (await ops.read(partition, pageRecordId(message.page))) return { recorded: false };
  const result = await ops.update(partition, 'run', (doc) => {
    if (doc.type !== 'rolloverRun' || doc.failedPages?.some((f) => f.page === message.page)) return unchanged;
    const failed: FailedPage = { page: message.page, continuationToken: message.continuationToken, failedAt: services.now().toISOString() };
    return { ...doc, failedPages: [...(doc.failedPages ?? []), failed] };
  });
  return { recorded: result?.changed ?? false };
}

/** Operator action: re-queues the failed pages of a run (each redoes its work idempotently). */
export async function resumeRollover(services: Services, runId: string): Promise<{ runId: string; requeued: number[] }> {
  const ops = operations(services);
  const partition = runPartition(runId);
  let taken: FailedPage[] = [];
  const result = await ops.update(partition, 'run', (doc) => {
    if (doc.type !== 'rolloverRun') return unchanged;
    taken = doc.failedPages ?? [];
    return taken.length > 0 ? { ...doc, failedPages: [] } : unchanged;
  });
  if (!result) throw AppError.notFound(`Rollover run ${runId} does not exist.`);
  for (const f of taken) await services.queues.send(queueNames.rolloverPages, { runId, page: f.page, continuationToken: f.continuationToken } satisfies PageMessage);
  return { runId, requeued: taken.map((f) => f.page) };
}

