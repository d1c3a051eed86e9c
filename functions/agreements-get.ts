import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { customerAgreements } from '../shared/use-cases/agreements.js';
import { agreementSchema } from './response-schemas.js';

httpFunction('getCustomerAgreements', {
  method: 'GET',
  route: 'partners/{partnerId}/customers/{customerId}/agreements',
  summary: 'Whether the customer accepted the agreement: Provided or NotProvided (ATT-5).',
  tags: ['customers'],
  access: { roles: ['AdminAgent', 'SalesAgent', 'GlobalAdmin', 'AccountAdmin', 'PlatformOperator'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  query: z.object({ type: z.literal('MicrosoftCustomerAgreement').default('MicrosoftCustomerAgreement') }),
  responses: {
    200: {
      description: 'acceptance and agreements',
      schema: z.object({ acceptance: z.enum(['Provided', 'NotProvided']), agreements: z.array(agreementSchema) }),
    },
  },
  async handler({ params, services }) {
    return { status: 200, body: await customerAgreements(services, params.partnerId, params.customerId) };
  },
});
