import * as z from 'zod';
import { partnerIdSchema, resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { sendRolloverSummary } from '../shared/use-cases/rollover.js';

queueFunction('rolloverSummaries', {
  queueName: queueNames.rolloverSummaries,
  message: z.object({ runId: resourceIdSchema, partnerId: partnerIdSchema }),
  async handler(message, { services }) {
    await sendRolloverSummary(services, message);
  },
});
