import { withFailedPage, type FailedPage, type PagedRun } from '../domain/page-runs.js';
import type { PartitionDoc, PartitionStore, QueuePublisher } from './ports.js';
import { unchanged, updateDocument } from './write.js';

/**
 * Where a paged run keeps its documents (the run, 'run', and one record per page done, in one
 * partition) and the queue its page messages (`{ runId, page, continuationToken? }`) go to.
 */
export interface PagedRunStore<D extends PartitionDoc> {
  runId: string;
  store: PartitionStore<D>;
  partition: string;
  pageQueue: string;
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

/**
 * A resume's work: the run's failed pages are queued again, and only then taken off the run, those
 * queued and no other: a send that fails leaves them recorded for the next resume, and a page
 * recorded as failed meanwhile stays. A page message sent twice (two resumes at once) redoes
 * nothing: pages skip what is recorded. The pages queued; undefined when there is no such run.
 */
export async function resumeFailedPages<D extends PartitionDoc>(run: PagedRunStore<D>, queues: QueuePublisher): Promise<number[] | undefined> {
  const stored = await run.store.read(run.partition, 'run');
  if (!stored) return undefined;
  const failed = run.isRun(stored.doc) ? (stored.doc.failedPages ?? []) : [];
  for (const f of failed) await queues.send(run.pageQueue, { runId: run.runId, page: f.page, continuationToken: f.continuationToken });
  if (failed.length > 0) {
    const sent = (f: FailedPage) => failed.some((s) => s.page === f.page && s.failedAt === f.failedAt);
    await updateDocument(
      run.store,
      run.partition,
      'run',
      (doc) => (run.isRun(doc) && doc.failedPages?.some(sent) ? { ...doc, failedPages: doc.failedPages.filter((f) => !sent(f)) } : unchanged),
      { known: stored },
    );
  }
  return failed.map((f) => f.page);
}
