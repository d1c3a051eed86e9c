import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { processAssessmentPage } from '../shared/use-cases/direct-bill.js';
import { queueNames } from '../shared/use-cases/queues.js';

export const assessmentPageMessageSchema = z.object({
  runId: resourceIdSchema,
  page: z.number().int().min(0),
  continuationToken: z.string().max(16_000).optional(),
});

queueFunction('directBillAssessmentPages', {
  queueName: queueNames.directBillAssessmentPages,
  message: assessmentPageMessageSchema,
  async handler(message, { services, context }) {
    const result = await processAssessmentPage(services, message, { log: (line) => logEvent(context, 'warn', 'EmailDeferred', { line }) });
    if (result.suspended > 0)
      logEvent(context, 'info', 'DirectBillAbilitiesSuspended', { runId: message.runId, page: message.page, suspended: result.suspended });
  },
});
