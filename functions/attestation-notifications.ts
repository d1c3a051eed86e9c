import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { queueFunction } from '../shared/platform/functions.js';
import { queueNames } from '../shared/platform/queues.js';
import { sendConfirmation } from '../shared/use-cases/attestation-notifier.js';

queueFunction('attestationNotifications', {
  queueName: queueNames.attestationNotifications,
  message: z.object({ partnerId: partnerIdSchema, notificationId: z.string().min(1).max(400) }),
  async handler(message, { services }) {
    await sendConfirmation(services, message.partnerId, message.notificationId);
  },
});
