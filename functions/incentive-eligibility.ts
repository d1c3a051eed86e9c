import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { handleEligibility } from '../shared/use-cases/incentives.js';

queueFunction('incentiveEligibility', {
  queueName: queueNames.incentiveEligibility,
  message: z.object({
    eventId: z.string().min(1).max(200),
    partnerId: partnerIdSchema,
    locationPartnerId: partnerIdSchema,
    programId: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w-]+$/),
    fiscalYear: z.number().int().min(2000).max(2100),
    eligible: z.boolean(),
    openProgram: z.boolean(),
    unmetRequirements: z.array(z.string().max(500)).max(50).optional(),
    requirements: z
      .array(z.object({ id: z.string().min(1).max(500), met: z.boolean() }))
      .max(50)
      .optional(),
  }),
  async handler(event, { services }) {
    await handleEligibility(services, event);
  },
});
