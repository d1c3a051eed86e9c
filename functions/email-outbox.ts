import * as z from 'zod';
import { queueFunction } from '../shared/platform/functions.js';
import { deliverIntent } from '../shared/use-cases/outbox.js';
import { queueNames } from '../shared/use-cases/queues.js';

/** Delivers one owed email (an outbox intent); a failed send is retried by the host, then by the sweep. */
queueFunction('emailOutbox', {
  queueName: queueNames.emailOutbox,
  message: z.object({ box: z.enum(['accounts', 'agreements', 'enrollments']), partnerId: z.string().min(1).max(200), intentId: z.string().min(1).max(400) }),
  async handler(message, { services }) {
    await deliverIntent(services, message);
  },
});
