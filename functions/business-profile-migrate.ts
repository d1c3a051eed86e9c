import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { migrateProfile } from '../shared/use-cases/business-profiles.js';
import { profileAdminRoles } from './business-profiles-post.js';
import { businessProfileSchema } from './response-schemas.js';

httpFunction('migrateBusinessProfile', {
  method: 'POST',
  route: 'partners/{partnerId}/business-profiles/{profileId}/migrate',
  summary: 'Move a legacy profile to a location partner id; only within 120 days of general availability (BP-2).',
  tags: ['business-profiles'],
  access: { roles: profileAdminRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, profileId: partnerIdSchema }),
  body: z.object({ managingPartnerId: partnerIdSchema }),
  responses: {
    200: { description: 'Migrated (or already migrated to that id)', schema: businessProfileSchema },
    409: { description: 'code MigrationWindowClosed, NotALegacyProfile or AlreadyMigrated' },
  },
  async handler({ params, body, services }) {
    return { status: 200, body: await migrateProfile(services, params.partnerId, params.profileId, body.managingPartnerId) };
  },
});
