import * as z from 'zod';
import { locationReasons, profileKinds } from '../shared/domain/business-profiles.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { profileLocations } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';

httpFunction('businessProfileLocations', {
  method: 'GET',
  route: 'partners/{partnerId}/business-profiles/locations',
  summary:
    'What the portal greys out for a new profile of a kind: per country, whether it can be a publish location or a sell market, and why not (BP-3, BP-4, BP-7).',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  query: z.object({ kind: z.enum(profileKinds) }),
  responses: {
    200: {
      description: 'One entry per country with a partner id, and for CSP per country of the company\u2019s CSP market',
      schema: z.object({
        kind: z.enum(profileKinds),
        locations: z.array(
          z.object({
            country: z.string(),
            locationPartnerId: z.string().optional(),
            canPublish: z.boolean(),
            canSell: z.boolean(),
            reason: z.enum(locationReasons).optional(),
          }),
        ),
      }),
    },
  },
  async handler({ params, query, services }) {
    return { status: 200, body: await profileLocations(services, params.partnerId, query.kind) };
  },
});
