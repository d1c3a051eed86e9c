import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import {
  bankProfileInputSchema,
  bankProfileViewSchema,
  profileIdSchema,
  taxProfileInputSchema,
  taxProfileViewSchema,
} from '../shared/domain/payout-profiles.js';
import type { Role } from '../shared/domain/roles.js';
import { httpFunction } from '../shared/platform/functions.js';
import { putBankProfile, putTaxProfile } from '../shared/use-cases/partners.js';

const payoutAdmins: Role[] = ['GlobalAdmin', 'AccountAdmin', 'IncentiveAdmin', 'PlatformOperator'];
const params = z.object({ partnerId: partnerIdSchema, profileId: profileIdSchema });

httpFunction('putBankProfile', {
  method: 'PUT',
  route: 'partners/{partnerId}/bank-profiles/{profileId}',
  summary:
    'Create or replace one of the partner\u2019s bank (payout) profiles; complete is computed (holder, account number, bank country, ISO 4217 currency); one default per location (INC-4).',
  tags: ['partners'],
  access: { roles: payoutAdmins, partnerParam: 'partnerId' },
  params,
  body: bankProfileInputSchema,
  maxJsonBytes: 8 * 1024,
  responses: {
    200: { description: 'Replaced; the account number masked', schema: bankProfileViewSchema },
    201: { description: 'Created; the account number masked', schema: bankProfileViewSchema },
  },
  async handler({ params, body, services }) {
    const result = await putBankProfile(services, params.partnerId, params.profileId, body);
    return { status: result.created ? 201 : 200, body: result.profile };
  },
});

httpFunction('putTaxProfile', {
  method: 'PUT',
  route: 'partners/{partnerId}/tax-profiles/{profileId}',
  summary: 'Create or replace one of the partner\u2019s tax profiles; complete is computed (country and tax id) (INC-4).',
  tags: ['partners'],
  access: { roles: payoutAdmins, partnerParam: 'partnerId' },
  params,
  body: taxProfileInputSchema,
  maxJsonBytes: 8 * 1024,
  responses: {
    200: { description: 'Replaced; the tax id masked', schema: taxProfileViewSchema },
    201: { description: 'Created; the tax id masked', schema: taxProfileViewSchema },
  },
  async handler({ params, body, services }) {
    const result = await putTaxProfile(services, params.partnerId, params.profileId, body);
    return { status: result.created ? 201 : 200, body: result.profile };
  },
});
