import { describe, expect, it } from 'vitest';
import { runProgress, withFailedPage, type PagedRun } from '../../../shared/domain/page-runs.js';

const run: PagedRun = { type: 'assessmentRun' };
const failedAt = '2025-03-01T10:00:00.000Z';

describe('paged runs: failed pages (the rollover, CSP-3 assessment)', () => {
  it('records a failed page once, with its continuation', () => {
    const once = withFailedPage(run, { page: 2, continuationToken: 't2', failedAt });
    expect(once).toEqual({ type: 'assessmentRun', failedPages: [{ page: 2, continuationToken: 't2', failedAt }] });
    expect(once && withFailedPage(once, { page: 2, failedAt: '2025-03-02T00:00:00.000Z' })).toBeUndefined();
    const twice = once && withFailedPage(once, { page: 5, failedAt });
    expect(twice?.failedPages?.map((f) => f.page)).toEqual([2, 5]);
    expect(run.failedPages).toBeUndefined(); // the run read is not changed in place
  });

  it('tells where a run stands: Completed once every page is recorded, Failed while a failed page is open, else Running', () => {
    const failed: PagedRun = {
      type: 'rolloverRun',
      failedPages: [
        { page: 1, continuationToken: 't1', failedAt },
        { page: 3, failedAt },
      ],
    };
    const records = (...pages: number[]) => pages.map((page) => ({ page }));
    // A page recorded as done since (a late duplicate) is no longer open.
    expect(runProgress(failed, records(0, 1))).toEqual({ status: 'Failed', failedPages: [{ page: 3, failedAt }] });
    expect(runProgress(failed, [])).toEqual({
      status: 'Failed',
      failedPages: [
        { page: 1, failedAt },
        { page: 3, failedAt },
      ],
    });
    expect(runProgress(run, records(0))).toEqual({ status: 'Running' });
    expect(runProgress({ ...failed, failedPages: [{ page: 1, failedAt }], lastPage: 1 }, records(0, 1))).toEqual({ status: 'Completed' });
    expect(runProgress({ ...run, lastPage: 2 }, records(0, 1))).toEqual({ status: 'Running' });
    expect(runProgress({ ...run, lastPage: 0 }, records(0))).toEqual({ status: 'Completed' });
  });
});
