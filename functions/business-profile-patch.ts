import * as z from 'zod';
import { profilePatchSchema } from '../shared/domain/business-profiles.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { updateProfile } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';

const content = z.object({ name: z.string(), description: z.string() });

httpFunction('updateBusinessProfile', {
  method: 'PATCH',
  route: 'partners/{partnerId}/business-profiles/{profileId}',
  summary:
    'Change a profile\u2019s publish locations, sell markets and content, and content per publish location (BP-7), under the rules of creation (BP-3, BP-4). `localizedContent` is merged by location; null removes one.',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, profileId: partnerIdSchema }),
  body: profilePatchSchema,
  maxJsonBytes: 256 * 1024,
  responses: {
    200: {
      description: 'The profile as changed',
      schema: z.object({
        profileId: z.string(),
        managingPartnerId: z.string(),
        binding: z.enum(['Location', 'LegacyMigratable', 'PGA']),
        kind: z.enum(['CSP', 'NonCSP']),
        publishLocations: z.array(z.string()),
        sellMarkets: z.array(z.string()),
        content,
        localizedContent: z.record(z.string(), content).optional(),
        origin: z.enum(['PartnerId', 'Legacy']),
        migratedAt: z.string().optional(),
        createdAt: z.string(),
        updatedAt: z.string(),
      }),
    },
    400: { description: 'A publish location without a partner id, also a sell market, outside the CSP market, or content for a location not published' },
    404: { description: 'No such profile' },
    409: { description: 'code LocationAlreadyHasProfile: a publish location already has another profile of the partner' },
  },
  async handler({ params, body, services }) {
    return { status: 200, body: await updateProfile(services, params.partnerId, params.profileId, body) };
  },
});
