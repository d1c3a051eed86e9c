import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { resumeRollover } from '../shared/use-cases/rollover.js';
import { resumedRunSchema } from './response-schemas.js';

httpFunction('resumeRollover', {
  method: 'POST',
  route: 'operations/rollovers/{runId}/resume',
  summary: 'Re-queue the failed pages of a rollover run (after the cause is fixed); pages redo their work without double writes.',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ runId: resourceIdSchema }),
  responses: {
    202: { description: 'The pages re-queued', schema: resumedRunSchema },
    404: { description: 'No such run' },
  },
  async handler({ params, services }) {
    return { status: 202, body: await resumeRollover(services, params.runId) };
  },
});
