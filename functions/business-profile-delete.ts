import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { deleteProfile } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';

httpFunction('deleteBusinessProfile', {
  method: 'DELETE',
  route: 'partners/{partnerId}/business-profiles/{profileId}',
  summary: 'Delete a business profile; irreversible (BP-6). Its leads stay with the partner.',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, profileId: partnerIdSchema }),
  responses: { 204: { description: 'Deleted' }, 404: { description: 'No such profile' } },
  async handler({ params, services }) {
    await deleteProfile(services, params.partnerId, params.profileId);
    return { status: 204 };
  },
});
