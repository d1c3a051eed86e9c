import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction, queueFunction, timerFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { directBillAssessmentStatus, planDirectBillAssessment, processAssessmentPage } from '../shared/use-cases/direct-bill.js';
import { queueNames } from '../shared/use-cases/queues.js';

// Daily at 03:00 UTC: the day's assessment of every DirectBill partner (CSP-3), started once and fanned out.
timerFunction('directBillAssessment', {
  schedule: '0 0 3 * * *',
  async handler(_timer, { services, context }) {
    const result = await planDirectBillAssessment(services);
    if (result.started) logEvent(context, 'info', 'DirectBillAssessmentStarted', { runId: result.runId });
  },
});

queueFunction('directBillAssessmentPages', {
  queueName: queueNames.directBillAssessmentPages,
  message: z.object({ runId: resourceIdSchema, page: z.number().int().min(0), continuationToken: z.string().max(16_000).optional() }),
  async handler(message, { services, context }) {
    const result = await processAssessmentPage(services, message, { log: (line) => logEvent(context, 'warn', 'EmailDeferred', { line }) });
    if (result.suspended > 0)
      logEvent(context, 'info', 'DirectBillAbilitiesSuspended', { runId: message.runId, page: message.page, suspended: result.suspended });
  },
});

httpFunction('getDirectBillAssessment', {
  method: 'GET',
  route: 'operations/direct-bill-assessments/{runId}',
  summary: 'A daily direct-bill assessment run (its id is the UTC date): status and counts (CSP-3).',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ runId: resourceIdSchema }),
  responses: {
    200: {
      description: 'Running or Completed, with the pages recorded, partners scanned and suspended, and the query pages\u2019 request units',
      schema: z.object({
        runId: z.string(),
        status: z.enum(['Running', 'Completed']),
        pages: z.number(),
        scanned: z.number(),
        suspended: z.number(),
        requestUnits: z.number(),
        startedAt: z.string(),
      }),
    },
    404: { description: 'No such run' },
  },
  async handler({ params, services }) {
    return { status: 200, body: await directBillAssessmentStatus(services, params.runId) };
  },
});
