import * as z from 'zod';
import { httpFunction } from '../shared/platform/functions.js';
import { startRollover } from '../shared/use-cases/rollover.js';

httpFunction('startRollover', {
  method: 'POST',
  route: 'operations/rollovers',
  summary: 'Start a fiscal-year rollover of incentive enrolments (INC-5); a dry run writes no enrolment.',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  body: z.object({ fromFiscalYear: z.number().int().min(2000).max(2100), dryRun: z.boolean().default(false) }),
  responses: { 202: { description: 'Started', schema: z.object({ runId: z.string() }) } },
  async handler({ body, services }) {
    const { runId } = await startRollover(services, { fromFiscalYear: body.fromFiscalYear, dryRun: body.dryRun, trigger: 'operator' });
    return { status: 202, body: { runId } };
  },
});
