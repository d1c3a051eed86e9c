import * as z from 'zod';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { handleProgramEvent } from '../shared/use-cases/incentives.js';

queueFunction('incentivePrograms', {
  queueName: queueNames.incentivePrograms,
  message: z.object({
    eventId: z.string().min(1).max(200),
    programId: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w-]+$/),
    status: z.literal('Closed'),
  }),
  async handler(event, { services }) {
    await handleProgramEvent(services, event);
  },
});
