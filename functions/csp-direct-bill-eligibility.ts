import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { directBillEligibility } from '../shared/use-cases/csp.js';

httpFunction('cspDirectBillEligibility', {
  method: 'POST',
  route: 'partners/{partnerId}/csp/direct-bill/eligibility',
  summary: 'Whether the partner meets every CSP direct-bill requirement (CSP-1), each with its reason.',
  tags: ['csp'],
  access: { roles: ['GlobalAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: {
    200: {
      description: 'One entry per requirement',
      schema: z.object({ eligible: z.boolean(), requirements: z.array(z.object({ id: z.string(), met: z.boolean(), detail: z.string() })) }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await directBillEligibility(services, params.partnerId) };
  },
});
