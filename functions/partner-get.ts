import * as z from 'zod';
import { accountViewSchema } from '../shared/domain/account.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { roles } from '../shared/domain/roles.js';
import { httpFunction } from '../shared/platform/functions.js';
import { getAccount } from '../shared/use-cases/partners.js';

httpFunction('getPartner', {
  method: 'GET',
  route: 'partners/{partnerId}',
  summary: 'The partner\u2019s own account: legal details, partner ids, verification summary; bank and tax profiles (masked) for payout admins (ACC-1, ACC-5).',
  tags: ['partners'],
  access: { roles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: { 200: { description: 'The account', schema: accountViewSchema } },
  async handler({ params, principal, services }) {
    return { status: 200, body: await getAccount(services, params.partnerId, principal) };
  },
});
