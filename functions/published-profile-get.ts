import * as z from 'zod';
import { countryCode } from '../shared/domain/countries.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { getPublishedProfile } from '../shared/use-cases/business-profiles.js';
import { publishedProfileSchema } from './response-schemas.js';

httpFunction('getPublishedProfile', {
  method: 'GET',
  route: 'business-profiles/{profileId}',
  summary:
    'A published business profile as customers see it: no managing partner id, no account (BP-5); with `location`, that location\u2019s own content where it has one (BP-7).',
  tags: ['business-profiles'],
  access: { anonymous: true },
  params: z.object({ profileId: partnerIdSchema }),
  query: z.object({ location: countryCode.optional() }),
  responses: { 200: { description: 'The published profile', schema: publishedProfileSchema }, 404: { description: 'No such profile (or deleted)' } },
  async handler({ params, query, services }) {
    return { status: 200, body: await getPublishedProfile(services, params.profileId, query.location) };
  },
});
