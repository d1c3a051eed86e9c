import * as z from 'zod';
import { applicationStatuses } from '../shared/domain/direct-bill.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { applyForDirectBill, latestDirectBillApplication } from '../shared/use-cases/direct-bill.js';

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

httpFunction('cspDirectBillApplication', {
  method: 'GET',
  route: 'partners/{partnerId}/csp/direct-bill/application',
  summary: 'The latest direct-bill application: its status and history, newest last (CSP-4).',
  tags: ['csp'],
  access: { roles: ['GlobalAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: {
    200: {
      description: 'The latest application',
      schema: z.object({
        applicationId: z.string(),
        status: z.enum(applicationStatuses),
        submittedAt: z.string(),
        history: z.array(z.object({ status: z.enum(applicationStatuses), at: z.string(), reason: z.string().optional() })),
      }),
    },
    404: { description: 'The partner never applied' },
  },
  async handler({ params, services }) {
    return { status: 200, body: await latestDirectBillApplication(services, params.partnerId) };
  },
});
