import * as z from 'zod';
import { applicationStatuses } from '../shared/domain/direct-bill.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { latestDirectBillApplication } from '../shared/use-cases/direct-bill.js';

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
