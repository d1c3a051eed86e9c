import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { listLeads } from '../shared/use-cases/business-profiles.js';
import { leadSchema } from './response-schemas.js';

httpFunction('listLeads', {
  method: 'GET',
  route: 'partners/{partnerId}/leads',
  summary:
    'Leads from the partner\u2019s profiles, newest first, for its ReferralAdmin; one assigned to some locations reads only their managing partner ids\u2019 leads (BP-5, BP-7). Text is returned as stored, JSON-escaped.',
  tags: ['business-profiles'],
  access: { roles: ['ReferralAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  query: z.object({
    managingPartnerId: partnerIdSchema.optional(),
    pageSize: z.coerce.number().int().min(1).max(100).default(50),
    continuationToken: z.string().min(1).max(4096).optional(),
  }),
  responses: {
    200: {
      description: 'Leads, newest first, and the token of the next page if any',
      schema: z.object({ leads: z.array(leadSchema), continuationToken: z.string().optional() }),
    },
    403: { description: 'code LocationNotAssigned: another managing partner id' },
  },
  async handler({ params, query, services, principal }) {
    return { status: 200, body: await listLeads(services, params.partnerId, query, principal) };
  },
});
