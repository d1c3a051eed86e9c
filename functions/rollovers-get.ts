import * as z from 'zod';
import { resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { rolloverStatus } from '../shared/use-cases/rollover.js';
import { rolloverStatusSchema } from './response-schemas.js';

httpFunction('getRollover', {
  method: 'GET',
  route: 'operations/rollovers/{runId}',
  summary: 'A rollover run\u2019s status and counts.',
  tags: ['operations'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ runId: resourceIdSchema }),
  responses: {
    200: {
      description:
        'The run: status, dryRun and the counts summed over its pages: renewed, actionRequired and notEligible are what the run created, alreadyRenewed what was carried over before',
      schema: rolloverStatusSchema,
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await rolloverStatus(services, params.runId) };
  },
});
