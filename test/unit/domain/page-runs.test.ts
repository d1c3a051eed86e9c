import { describe, expect, it } from 'vitest';
import { donePages, openFailures, withFailedPage, type PagedRun } from '../../../shared/domain/page-runs.js';

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

  it('lists the failures still open: a page recorded as done since is not one', () => {
    const failed: PagedRun = {
      type: 'rolloverRun',
      failedPages: [
        { page: 1, continuationToken: 't1', failedAt },
        { page: 3, failedAt },
      ],
    };
    expect(openFailures(failed, donePages([{ page: 0 }, { page: 1 }]))).toEqual([{ page: 3, failedAt }]);
    expect(openFailures(failed, [])).toEqual([
      { page: 1, failedAt },
      { page: 3, failedAt },
    ]);
    expect(openFailures(run, [0])).toEqual([]);
  });
});
