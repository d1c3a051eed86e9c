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

/** A run document that records its last page (once known) and its failed pages. */
export interface PagedRun {
  type: string;
  /** Set when the page without a continuation is known: the run has lastPage + 1 pages. */
  lastPage?: number;
  failedPages?: FailedPage[];
}

/** The run with the page recorded as failed, or undefined when it is recorded already. */
export function withFailedPage<R extends PagedRun>(run: R, failed: FailedPage): R | undefined {
  if (run.failedPages?.some((f) => f.page === failed.page)) return undefined;
  return { ...run, failedPages: [...(run.failedPages ?? []), failed] };
}

/**
 * Where a run stands, from its page records: Completed once the last page is known and every page is
 * recorded; else Failed while a failed page is still open (a page recorded as done since, by a late
 * duplicate, is not), else Running.
 */
export function runProgress(
  run: PagedRun,
  records: readonly { page: number }[],
): { status: 'Running' | 'Completed' | 'Failed'; failedPages?: { page: number; failedAt: string }[] } {
  if (run.lastPage !== undefined && records.length >= run.lastPage + 1) return { status: 'Completed' };
  const done = new Set(records.map((r) => r.page));
  const open = (run.failedPages ?? []).filter((f) => !done.has(f.page)).map((f) => ({ page: f.page, failedAt: f.failedAt }));
  return open.length > 0 ? { status: 'Failed', failedPages: open } : { status: 'Running' };
}
