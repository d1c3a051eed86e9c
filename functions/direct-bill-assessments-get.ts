import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { directBillAssessmentStatus } from '../shared/use-cases/direct-bill.js';
import { assessmentStatusSchema } from './response-schemas.js';

httpFunction('getDirectBillAssessment', {
  method: 'GET',
  route: 'operations/direct-bill-assessments/{runId}',
  summary: 'A daily direct-bill assessment run (its id is the UTC date): status and counts (CSP-3).',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ runId: resourceIdSchema }),
  responses: {
    200: {
      description:
        'Running, Completed or Failed (a page failed every delivery: `failedPages`, to resume), with the pages recorded, partners scanned and suspended, and the query pages\u2019 request units',
      schema: assessmentStatusSchema,
    },
    404: { description: 'No such run' },
  },
  async handler({ params, services }) {
    return { status: 200, body: await directBillAssessmentStatus(services, params.runId) };
  },
});
