import * as z from 'zod';
import { profileInputSchema } from '../shared/domain/business-profiles.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { idempotencyKey } from '../shared/platform/request-headers.js';
import { createProfile } from '../shared/use-cases/business-profiles.js';
import { businessProfileSchema } from './response-schemas.js';

export const profileAdminRoles = ['GlobalAdmin', 'AccountAdmin', 'PartnerAdmin'] as const;

httpFunction('createBusinessProfile', {
  method: 'POST',
  route: 'partners/{partnerId}/business-profiles',
  summary: 'Publish a business profile managed by a location partner id (BP-1, BP-3, BP-4). An Idempotency-Key header makes retries safe.',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  body: profileInputSchema,
  maxJsonBytes: 64 * 1024,
  responses: {
    201: { description: 'Published', schema: businessProfileSchema },
    200: { description: 'The same request was made before with this Idempotency-Key', schema: businessProfileSchema },
    400: { description: 'Managing id, publish locations, sell markets or CSP market not allowed' },
    409: { description: 'code LocationAlreadyHasProfile: a publish location already has a profile of the partner' },
  },
  async handler({ params, body, request, services }) {
    const result = await createProfile(services, params.partnerId, body, idempotencyKey(request));
    return {
      status: result.created ? 201 : 200,
      body: result.profile,
      headers: { location: `/api/partners/${params.partnerId}/business-profiles/${result.profile.profileId}` },
    };
  },
});
