import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { getProfile } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';
import { businessProfileSchema } from './response-schemas.js';

httpFunction('getBusinessProfile', {
  method: 'GET',
  route: 'partners/{partnerId}/business-profiles/{profileId}',
  summary: 'One of the partner\u2019s business profiles, with its managing id and binding (BP-2).',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, profileId: partnerIdSchema }),
  responses: { 200: { description: 'The profile', schema: businessProfileSchema }, 404: { description: 'No such profile' } },
  async handler({ params, services }) {
    return { status: 200, body: await getProfile(services, params.partnerId, params.profileId) };
  },
});
