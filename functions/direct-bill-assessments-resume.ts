import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { resumeDirectBillAssessment } from '../shared/use-cases/direct-bill.js';
import { resumedRunSchema } from './response-schemas.js';

httpFunction('resumeDirectBillAssessment', {
  method: 'POST',
  route: 'operations/direct-bill-assessments/{runId}/resume',
  summary: 'Re-queue the failed pages of a direct-bill assessment run (after the cause is fixed); a partner suspended already is left as it is.',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ runId: resourceIdSchema }),
  responses: {
    202: { description: 'The pages re-queued', schema: resumedRunSchema },
    404: { description: 'No such run' },
  },
  async handler({ params, services }) {
    return { status: 202, body: await resumeDirectBillAssessment(services, params.runId) };
  },
});
