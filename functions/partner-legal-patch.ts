import * as z from 'zod';
import { accountViewSchema, legalEditorRoles, legalPatchSchema } from '../shared/domain/account.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { patchLegalDetails } from '../shared/use-cases/partners.js';

httpFunction('patchPartnerLegal', {
  method: 'PATCH',
  route: 'partners/{partnerId}/legal',
  summary:
    'Correct the legal details (JSON merge patch of companyName, address, primaryContact); what changed is verified again (VER-2), a new contact address gets the verification email; work addresses only (VER-3).',
  tags: ['partners'],
  access: { roles: legalEditorRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  body: legalPatchSchema,
  maxJsonBytes: 16 * 1024,
  responses: {
    200: { description: 'The account after the patch', schema: accountViewSchema },
    503: { description: 'The verification email to the new address could not be sent; send the same patch again after Retry-After' },
  },
  async handler({ params, body, principal, services }) {
    return { status: 200, body: await patchLegalDetails(services, params.partnerId, body, principal) };
  },
});
