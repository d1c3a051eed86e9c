import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { checkTypes, documentTypes, tabs } from '../shared/domain/verification.js';
import { queueFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { queueNames } from '../shared/use-cases/queues.js';
import { handleVerificationDecision } from '../shared/use-cases/verification.js';

/** Queue `verification-decisions` (docs/queues.md): an upstream verification outcome. */
export const decisionMessageSchema = z.object({
  decisionId: z.string().min(1).max(200),
  partnerId: partnerIdSchema,
  check: z.enum(checkTypes),
  tab: z.enum(tabs),
  outcome: z.enum(['Accepted', 'Rejected', 'Passed', 'Challenged']),
  fixNowAvailable: z.boolean().optional(),
  reason: z.string().max(2000).optional(),
  decidedAt: z.iso.datetime({ offset: true }),
  /** VER-8: documents the check asks for; the primary contact is emailed what to upload. */
  documentsRequested: z.array(z.enum(documentTypes)).min(1).max(documentTypes.length).optional(),
});

queueFunction('verificationDecisions', {
  queueName: queueNames.verificationDecisions,
  message: decisionMessageSchema,
  async handler(message, { services, context }) {
    const result = await handleVerificationDecision(services, message);
    logEvent(context, 'info', 'VerificationDecision', {
      decisionId: message.decisionId,
      partnerId: message.partnerId,
      applied: result.applied,
      emailsSent: result.emailsSent,
    });
  },
});
