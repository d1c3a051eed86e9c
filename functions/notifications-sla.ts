import * as z from 'zod';
import { httpFunction } from '../shared/platform/functions.js';
import { confirmationSla } from '../shared/use-cases/outbox.js';

httpFunction('getNotificationSla', {
  method: 'GET',
  route: 'operations/notifications/sla',
  summary: 'Confirmation emails of the last 24 hours: sent, pending, breached, p50/p99 seconds from attestation to send.',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  responses: {
    200: {
      description: 'SLA figures',
      schema: z.object({ sent: z.number(), pending: z.number(), breached: z.number(), p50Seconds: z.number(), p99Seconds: z.number() }),
    },
  },
  async handler({ services }) {
    return { status: 200, body: await confirmationSla(services) };
  },
});
