import * as z from 'zod';
import { orderKinds } from '../shared/domain/agreements.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { placeOrder } from '../shared/use-cases/agreements.js';

httpFunction('placeCustomerOrder', {
  method: 'POST',
  route: 'partners/{partnerId}/customers/{customerId}/orders',
  summary: 'A purchase for a customer; refused while the agreement is not accepted (ATT-6).',
  tags: ['customers'],
  access: { roles: ['AdminAgent', 'SalesAgent'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  body: z.object({ offerId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100_000), kind: z.enum(orderKinds).default('New') }),
  responses: { 201: { description: 'Order created' }, 409: { description: 'Contact your partner to confirm acceptance of the Microsoft Customer Agreement' } },
  async handler({ params, body, services }) {
    return {
      status: 201,
      body: {
        ...(await placeOrder(services, params.partnerId, params.customerId, body.kind)),
        offerId: body.offerId,
        quantity: body.quantity,
        kind: body.kind,
      },
    };
  },
});
