import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { deliverIntent } from '../shared/use-cases/outbox.js';
import { queueNames } from '../shared/use-cases/queues.js';

/** Delivers one owed email (an outbox intent); a failed send is retried by the host, then by the sweep. */
queueFunction('emailOutbox', {
  queueName: queueNames.emailOutbox,
  message: z.object({ box: z.enum(['accounts', 'agreements', 'enrollments']), partnerId: resourceIdSchema, intentId: resourceIdSchema }),
  async handler(message, { services }) {
    await deliverIntent(services, message);
  },
});
