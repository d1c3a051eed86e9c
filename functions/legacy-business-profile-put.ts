import * as z from 'zod';
import { legacyProfileInputSchema } from '../shared/domain/business-profiles.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { importLegacyProfile } from '../shared/use-cases/business-profiles.js';
import { businessProfileSchema } from './response-schemas.js';

httpFunction('importLegacyBusinessProfile', {
  method: 'PUT',
  route: 'partners/{partnerId}/legacy-business-profiles/{profileId}',
  summary: 'Upstream import of a profile created before partner ids (BP-2); bound to the PGA until migrated. Importing the same profile again is a no-op.',
  tags: ['business-profiles'],
  access: { roles: ['PlatformOperator'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, profileId: partnerIdSchema }),
  body: legacyProfileInputSchema,
  maxJsonBytes: 64 * 1024,
  responses: {
    201: { description: 'Imported', schema: businessProfileSchema },
    200: { description: 'Already imported', schema: businessProfileSchema },
    409: { description: 'A publish location already has a profile' },
  },
  async handler({ params, body, services }) {
    const result = await importLegacyProfile(services, params.partnerId, params.profileId, body);
    return { status: result.created ? 201 : 200, body: result.profile };
  },
});
