import * as z from 'zod';
import { partnerIdSchema, resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { handleValidation } from '../shared/use-cases/incentives.js';

queueFunction('enrollmentValidation', {
  queueName: queueNames.enrollmentValidation,
  message: z.object({
    eventId: z.string().min(1).max(200),
    partnerId: partnerIdSchema,
    enrollmentId: resourceIdSchema,
    valid: z.boolean(),
    reason: z.string().max(2000).optional(),
  }),
  async handler(event, { services }) {
    await handleValidation(services, event);
  },
});
