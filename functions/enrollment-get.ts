import * as z from 'zod';
import { partnerIdSchema, resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { getEnrollment } from '../shared/use-cases/incentives.js';
import { enrollOptionsSchema, enrollmentSchema } from './response-schemas.js';

httpFunction('getIncentiveEnrollment', {
  method: 'GET',
  route: 'partners/{partnerId}/incentives/enrollments/{enrollmentId}',
  summary:
    'One enrolment with its eligibility requirements, met and unmet (INC-6), and for an incentive admin of its location the bank and tax profiles on offer, the default bank profile preselected (INC-4).',
  tags: ['incentives'],
  access: { roles: ['IncentiveAdmin', 'GlobalAdmin', 'AccountAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, enrollmentId: resourceIdSchema }),
  responses: {
    200: {
      description: 'The enrolment',
      schema: enrollmentSchema.extend({
        requirements: z.array(z.object({ id: z.string(), met: z.boolean() })).optional(),
        enrollOptions: enrollOptionsSchema.optional(),
      }),
    },
    404: { description: 'No such enrolment' },
  },
  async handler({ params, services, principal }) {
    return { status: 200, body: await getEnrollment(services, params.partnerId, params.enrollmentId, principal) };
  },
});
