import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { verificationRoles } from '../shared/domain/verification.js';
import { httpFunction } from '../shared/platform/functions.js';
import { resendVerificationEmail } from '../shared/use-cases/verification.js';

httpFunction('resendVerificationEmail', {
  method: 'POST',
  route: 'partners/{partnerId}/verification/email/resend',
  summary: 'Send the email-ownership link again (VER-6); earlier links stop working.',
  tags: ['verification'],
  access: { roles: verificationRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: {
    202: { description: 'Sent', schema: z.object({ sentTo: z.string(), resendCount: z.number().int(), nextAllowedAt: z.string() }) },
    409: { description: 'Email ownership already verified' },
    429: { description: 'Within the cooldown or past the daily cap (Retry-After)' },
  },
  async handler({ params, services }) {
    return { status: 202, body: await resendVerificationEmail(services, params.partnerId) };
  },
});
