import * as z from 'zod';
import { customerInputSchema } from '../shared/domain/agreements.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { putCustomer } from '../shared/use-cases/agreements.js';
import { customerSchema } from './response-schemas.js';

httpFunction('putCustomer', {
  method: 'PUT',
  route: 'partners/{partnerId}/customers/{customerId}',
  summary: 'Create or replace a customer; with DirectAcceptance the answer carries the invitation email (ATT-7).',
  tags: ['customers'],
  access: { roles: ['AdminAgent', 'SalesAgent', 'PlatformOperator'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  body: customerInputSchema,
  responses: { 200: { description: 'Replaced', schema: customerSchema }, 201: { description: 'Created', schema: customerSchema } },
  async handler({ params, body, services }) {
    const result = await putCustomer(services, params.partnerId, params.customerId, body);
    return { status: result.created ? 201 : 200, body: result.customer };
  },
});
