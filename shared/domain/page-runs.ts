/**
 * Runs that fan out as a chain of page messages (the fiscal-year rollover, the daily direct-bill
 * assessment): each page's worker queues the next. A page whose message exhausted its retries (its
 * poison handler ran) is recorded on its run, so the run reads Failed instead of Running forever and
 * an operator can queue that page again once the cause is fixed.
 */
export interface FailedPage {
  page: number;
  /** The query continuation the page message carried: the resumed page reads from there. */
  continuationToken?: string | undefined;
  failedAt: string;
}

/** A run document that records its failed pages. */
export interface PagedRun {
  type: string;
  failedPages?: FailedPage[];
}

/** The run with the page recorded as failed, or undefined when it is recorded already. */
export function withFailedPage<R extends PagedRun>(run: R, failed: FailedPage): R | undefined {
  if (run.failedPages?.some((f) => f.page === failed.page)) return undefined;
  return { ...run, failedPages: [...(run.failedPages ?? []), failed] };
}

/** The pages of a run's page records. */
export const donePages = (records: readonly { page: number }[]): number[] => records.map((r) => r.page);

/** The failures still open: a page recorded as done since (a late duplicate completed it) is not one. */
export function openFailures(run: PagedRun, done: Iterable<number>): { page: number; failedAt: string }[] {
  const recorded = new Set(done);
  return (run.failedPages ?? []).filter((f) => !recorded.has(f.page)).map((f) => ({ page: f.page, failedAt: f.failedAt }));
}
