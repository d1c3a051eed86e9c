import * as z from 'zod';
import { partnerIdSchema, resourceIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { enroll } from '../shared/use-cases/incentives.js';
import { enrollmentSchema } from './response-schemas.js';

httpFunction('enrollIncentive', {
  method: 'POST',
  route: 'partners/{partnerId}/incentives/enrollments/{enrollmentId}/enroll',
  summary: 'Enrol a location in an incentive program (INC-1: incentive admins only, of their assigned locations; INC-4).',
  tags: ['incentives'],
  access: { roles: ['IncentiveAdmin'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, enrollmentId: resourceIdSchema }),
  body: z.object({ bankProfileId: z.string().min(1).max(64).optional(), taxProfileId: z.string().min(1).max(64).optional() }),
  responses: {
    200: { description: 'ValidatingEnrollment, or ActionRequired with actionsNeeded', schema: enrollmentSchema },
    403: { description: 'code LocationNotAssigned: the incentive admin is assigned to other locations' },
    409: { description: 'Not Invited or ActionRequired (Closed and Inactive included)' },
  },
  async handler({ params, body, services, principal }) {
    return { status: 200, body: await enroll(services, params.partnerId, params.enrollmentId, body, principal) };
  },
});
