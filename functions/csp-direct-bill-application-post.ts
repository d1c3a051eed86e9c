import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { applyForDirectBill } from '../shared/use-cases/direct-bill.js';

httpFunction('cspDirectBillApply', {
  method: 'POST',
  route: 'partners/{partnerId}/csp/direct-bill/application',
  summary: 'Apply for CSP direct billing once every CSP-1 requirement but the support plan is met (CSP-4); starts the credit check (CSP-2).',
  tags: ['csp'],
  access: { roles: ['GlobalAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: {
    201: {
      description: 'Submitted',
      schema: z.object({ applicationId: z.string(), status: z.literal('Submitted'), submittedAt: z.string() }),
    },
    409: { description: 'DirectBillRequirementsNotMet (with the unmet requirements), DirectBillApplicationOpen or AlreadyDirectBill' },
  },
  async handler({ params, services, principal }) {
    const application = await applyForDirectBill(services, params.partnerId, principal);
    return { status: 201, body: application };
  },
});
