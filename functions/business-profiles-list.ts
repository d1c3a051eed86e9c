import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { listProfiles } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';
import { businessProfileSchema } from './response-schemas.js';

httpFunction('listBusinessProfiles', {
  method: 'GET',
  route: 'partners/{partnerId}/business-profiles',
  summary: 'The partner\u2019s business profiles with the managing id each resolves to (BP-2).',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: { 200: { description: 'Profiles, oldest first', schema: z.object({ profiles: z.array(businessProfileSchema) }) } },
  async handler({ params, services }) {
    return { status: 200, body: { profiles: await listProfiles(services, params.partnerId) } };
  },
});
