import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { processRolloverPage } from '../shared/use-cases/rollover.js';

export const pageMessageSchema = z.object({
  runId: resourceIdSchema,
  page: z.number().int().min(0),
  continuationToken: z.string().max(16_000).optional(),
});

queueFunction('rolloverPages', {
  queueName: queueNames.rolloverPages,
  message: pageMessageSchema,
  async handler(message, { services }) {
    await processRolloverPage(services, message);
  },
});
