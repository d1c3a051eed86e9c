import * as z from 'zod';
import { orderKinds } from '../shared/domain/agreements.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { placeOrder } from '../shared/use-cases/agreements.js';
import { orderSchema } from './response-schemas.js';

httpFunction('placeCustomerOrder', {
  method: 'POST',
  route: 'partners/{partnerId}/customers/{customerId}/orders',
  summary:
    'A purchase for a customer; refused until the partner tab of account verification is Accepted (VER-11), then while the agreement is not accepted (ATT-6).',
  tags: ['customers'],
  // VER-11: buying waits for the partner tab's verification (409 AccountVerificationIncomplete), before ATT-6.
  access: { roles: ['AdminAgent', 'SalesAgent'], partnerParam: 'partnerId', verification: 'partnerAccepted' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  body: z.object({ offerId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100_000), kind: z.enum(orderKinds).default('New') }),
  responses: {
    201: { description: 'Order created', schema: orderSchema },
    409: {
      description:
        'AccountVerificationIncomplete: the partner tab of account verification is not Accepted yet (VER-11); else: contact your partner to confirm acceptance of the Microsoft Customer Agreement (ATT-6); a Renewal is not held by ATT-6 (ATT-8)',
    },
  },
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
