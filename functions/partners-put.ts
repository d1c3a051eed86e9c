import * as z from 'zod';
import { partnerIdSchema, partnerInputSchema, type Partner } from '../shared/domain/partner.js';
import { bankProfileView, taxProfileView } from '../shared/domain/payout-profiles.js';
import { httpFunction } from '../shared/platform/functions.js';
import { upsertPartner } from '../shared/use-cases/partners.js';
import { partnerSchema } from './response-schemas.js';

/**
 * The partner as clients see it: the stored account without storage fields and without the suite's own
 * direct-bill record (the account view shows its abilities), account numbers and tax ids masked.
 */
function publicPartner(partner: Partner) {
  const { id: _id, type: _type, directBill: _directBill, ...rest } = partner;
  return { ...rest, bankProfiles: rest.bankProfiles.map(bankProfileView), taxProfiles: rest.taxProfiles.map(taxProfileView) };
}

httpFunction('putPartner', {
  method: 'PUT',
  route: 'partners/{partnerId}',
  summary: 'Create or replace a partner (upstream systems). Starting a program or changing legal details starts verification (VER-2).',
  tags: ['partners'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ partnerId: partnerIdSchema }),
  body: partnerInputSchema,
  responses: {
    200: { description: 'Replaced', schema: partnerSchema },
    201: { description: 'Created', schema: partnerSchema },
    400: { description: 'Invalid body, or the primary contact is not a work address (WorkEmailRequired, VER-3)' },
    503: { description: 'An email the change owes (VER-2 link, CSP-2 credit check) could not be sent; send the same request again after Retry-After' },
  },
  async handler({ params, body, services }) {
    const result = await upsertPartner(services, params.partnerId, body);
    return { status: result.created ? 201 : 200, body: publicPartner(result.partner) };
  },
});
