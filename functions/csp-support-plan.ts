import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { buySupportPlan } from '../shared/use-cases/csp.js';
import { supportPlanPurchaseSchema } from './response-schemas.js';

httpFunction('cspSupportPlan', {
  method: 'POST',
  route: 'partners/{partnerId}/csp/direct-bill/support-plan',
  summary: 'Buy the support plan for partners; only after the credit check passed (CSP-2).',
  tags: ['csp'],
  access: { roles: ['GlobalAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  body: z.object({ plan: z.enum(['Advanced', 'Premier']) }),
  responses: {
    201: { description: 'Bought', schema: supportPlanPurchaseSchema },
    200: { description: 'Already bought', schema: supportPlanPurchaseSchema },
    409: { description: 'The credit check has not passed' },
  },
  async handler({ params, body, services, principal }) {
    const result = await buySupportPlan(services, params.partnerId, body.plan, principal);
    return { status: result.created ? 201 : 200, body: result.purchase };
  },
});
