import * as z from 'zod';
import { acceptedBySchema, agreementOptions } from '../shared/domain/agreements.js';
import { isoDate, partnerIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { recordAgreementEvent } from '../shared/use-cases/agreements.js';

queueFunction('customerAgreementEvents', {
  queueName: queueNames.customerAgreementEvents,
  message: z.object({
    eventId: z.string().min(1).max(200),
    partnerId: partnerIdSchema,
    customerId: partnerIdSchema,
    kind: z.enum(agreementOptions),
    primaryContact: acceptedBySchema,
    dateAgreed: isoDate,
    occurredAt: z.iso.datetime({ offset: true }),
  }),
  async handler(event, { services, context }) {
    await recordAgreementEvent(services, event, (message) => logEvent(context, 'warn', 'AgreementEventNotice', { eventId: event.eventId, message }));
  },
});
