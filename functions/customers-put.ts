import * as z from 'zod';
import { customerPutSchema } from '../shared/domain/agreements.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { putCustomer } from '../shared/use-cases/agreements.js';
import { customerSchema } from './response-schemas.js';

httpFunction('putCustomer', {
  method: 'PUT',
  route: 'partners/{partnerId}/customers/{customerId}',
  summary:
    'Create or replace a customer; with DirectAcceptance the answer carries the invitation email (ATT-7); with PartnerAttestation an `attestation` records the customer and its agreement together (ATT-8, ATT-1, ATT-2).',
  tags: ['customers'],
  access: { roles: ['AdminAgent', 'SalesAgent', 'PlatformOperator'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  body: customerPutSchema,
  responses: {
    200: { description: 'Replaced', schema: customerSchema },
    201: { description: 'Created', schema: customerSchema },
    400: { description: 'An attestation dated after today (ATT-2), or without PartnerAttestation: nothing is recorded' },
    403: { description: 'An attestation by an IndirectReseller partner or without an agent role (ATT-1): nothing is recorded' },
  },
  async handler({ params, body, services, principal }) {
    const result = await putCustomer(services, params.partnerId, params.customerId, body, principal);
    return { status: result.created ? 201 : 200, body: result.customer };
  },
});
