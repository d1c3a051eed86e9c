import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { listEnrollments } from '../shared/use-cases/incentives.js';
import { enrollmentSchema } from './response-schemas.js';

httpFunction('listIncentiveEnrollments', {
  method: 'GET',
  route: 'partners/{partnerId}/incentives/enrollments',
  summary: 'The partner\u2019s incentive enrolments of every fiscal year, or of the one `fiscalYear` names; non-incentive-admins see Enrolling (INC-3).',
  tags: ['incentives'],
  access: { roles: ['IncentiveAdmin', 'GlobalAdmin', 'AccountAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  query: z.object({ fiscalYear: z.coerce.number().int().min(2000).max(2100).optional() }),
  responses: {
    200: {
      description: 'items (and fiscalYear when filtered)',
      schema: z.object({ fiscalYear: z.number().int().optional(), items: z.array(enrollmentSchema) }),
    },
  },
  async handler({ params, query, services, principal }) {
    return { status: 200, body: await listEnrollments(services, params.partnerId, query.fiscalYear, principal) };
  },
});
