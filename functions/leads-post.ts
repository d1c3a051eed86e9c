import * as z from 'zod';
import { leadInputSchema } from '../shared/domain/business-profiles.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { clientAddress, idempotencyKey } from '../shared/platform/request-headers.js';
import { submitLead } from '../shared/use-cases/business-profiles.js';
import { leadReceiptSchema } from './response-schemas.js';

httpFunction('submitLead', {
  method: 'POST',
  route: 'business-profiles/{profileId}/leads',
  summary: 'A customer\u2019s contact request from a published profile (no token; rate-limited per client address). Tied to the managing partner id (BP-5).',
  tags: ['business-profiles'],
  access: { anonymous: true },
  params: z.object({ profileId: partnerIdSchema }),
  body: leadInputSchema,
  maxJsonBytes: 16 * 1024,
  responses: {
    202: { description: 'Received', schema: leadReceiptSchema },
    404: { description: 'No such profile (or deleted)' },
    413: { description: 'Body over 16 KiB' },
    429: { description: 'Too many requests from this address (Retry-After)' },
  },
  async handler({ params, body, request, services }) {
    const result = await submitLead(services, params.profileId, body, { address: clientAddress(request), idempotencyKey: idempotencyKey(request) });
    return { status: 202, body: result.lead };
  },
});
