import * as z from 'zod';
import { partnerIdSchema, partnerInputSchema, type Partner } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { upsertPartner } from '../shared/use-cases/partners.js';

/** The partner as clients see it: the stored account without storage fields. */
export function publicPartner(partner: Partner) {
  const { id: _id, type: _type, ...rest } = partner;
  return rest;
}

httpFunction('putPartner', {
  method: 'PUT',
  route: 'partners/{partnerId}',
  summary: 'Create or replace a partner (upstream systems). Starting a program or changing legal details starts verification (VER-2).',
  tags: ['partners'],
  access: { roles: ['PlatformOperator'] },
  params: z.object({ partnerId: partnerIdSchema }),
  body: partnerInputSchema,
  responses: { 200: { description: 'Replaced' }, 201: { description: 'Created' }, 503: { description: 'The credit-check email (CSP-2) could not be sent; nothing was changed; retry after Retry-After' } },
  async handler({ params, body, services, context }) {
    const result = await upsertPartner(services, params.partnerId, body, (message) => logEvent(context, 'warn', 'PartnerNotice', { partnerId: params.partnerId, message }));
    return { status: result.created ? 201 : 200, body: publicPartner(result.partner) };
  },
});
