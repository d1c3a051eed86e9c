import * as z from 'zod';
import { httpFunction } from '../shared/platform/functions.js';
import { confirmVerificationEmail } from '../shared/use-cases/verification.js';

httpFunction('confirmVerificationEmail', {
  method: 'POST',
  route: 'verification/email/confirm',
  summary: 'Accept the one-time link from the verification email (no token: the link is the proof).',
  tags: ['verification'],
  access: { anonymous: true },
  body: z.object({ token: z.string().min(1).max(512) }),
  maxJsonBytes: 4096,
  responses: { 200: { description: 'Email ownership accepted', schema: z.object({ emailOwnership: z.literal('Accepted') }) } },
  async handler({ body, services }) {
    return { status: 200, body: await confirmVerificationEmail(services, body.token) };
  },
});
