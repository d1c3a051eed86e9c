import * as z from 'zod';
import { directBillEventTypes } from '../shared/domain/direct-bill.js';
import { partnerIdSchema, resourceIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { handleDirectBillEvent } from '../shared/use-cases/direct-bill.js';

/** api.md, queue `direct-bill-decisions`: `applicationId` is required for the four application events. */
export const directBillEventSchema = z
  .object({
    eventId: resourceIdSchema,
    partnerId: partnerIdSchema,
    applicationId: resourceIdSchema.optional(),
    event: z.enum(directBillEventTypes),
    reason: z.string().max(2000).optional(),
    occurredAt: z.iso.datetime({ offset: true }).transform((t) => new Date(t).toISOString()),
  })
  .refine((e) => e.event === 'AssessmentPassed' || e.applicationId !== undefined, { path: ['applicationId'], error: 'required for application events' });

queueFunction('directBillDecisions', {
  queueName: queueNames.directBillDecisions,
  message: directBillEventSchema,
  async handler(message, { services, context }) {
    const result = await handleDirectBillEvent(services, message, (line) => logEvent(context, 'warn', 'EmailDeferred', { line }));
    logEvent(context, 'info', 'DirectBillEvent', { eventId: message.eventId, partnerId: message.partnerId, event: message.event, ...result });
  },
});
