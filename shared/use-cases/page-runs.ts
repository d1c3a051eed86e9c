import { withFailedPage, type FailedPage, type PagedRun } from '../domain/page-runs.js';
import type { PartitionDoc, PartitionStore } from './ports.js';
import { unchanged, updateDocument } from './write.js';

/** Where a paged run keeps its documents: the run ('run') and one record per page done, in one partition. */
export interface PagedRunStore<D extends PartitionDoc> {
  store: PartitionStore<D>;
  partition: string;
  pageRecordId: (page: number) => string;
  isRun: (doc: D) => doc is D & PagedRun;
}

/**
 * A poison handler's work: the page is recorded as failed on its run, unless it was done after all
 * (a duplicate message completed it) or is recorded already.
 */
export async function recordPageFailure<D extends PartitionDoc>(run: PagedRunStore<D>, failed: FailedPage): Promise<{ recorded: boolean }> {
  if (await run.store.read(run.partition, run.pageRecordId(failed.page))) return { recorded: false };
  return markPageFailed(run, failed);
}

/** Records the page as failed on its run (once), for a caller that knows the page is not done. */
export async function markPageFailed<D extends PartitionDoc>(run: PagedRunStore<D>, failed: FailedPage): Promise<{ recorded: boolean }> {
  const result = await updateDocument(run.store, run.partition, 'run', (doc) => (run.isRun(doc) ? (withFailedPage(doc, failed) ?? unchanged) : unchanged));
  return { recorded: result?.changed ?? false };
}

/** A resume's work: the run's failed pages, taken off it (to be queued again); undefined when there is no such run. */
export async function takeFailedPages<D extends PartitionDoc>(run: PagedRunStore<D>): Promise<FailedPage[] | undefined> {
  let taken: FailedPage[] = [];
  const result = await updateDocument(run.store, run.partition, 'run', (doc) => {
    taken = run.isRun(doc) ? (doc.failedPages ?? []) : [];
    return run.isRun(doc) && taken.length > 0 ? { ...doc, failedPages: [] } : unchanged;
  });
  return result ? taken : undefined;
}
