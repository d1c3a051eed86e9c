import * as z from 'zod';
import { acceptedBySchema } from '../shared/domain/agreements.js';
import { isoDate, partnerIdSchema } from '../shared/domain/partner.js';
import { httpFunction } from '../shared/platform/functions.js';
import { attestAgreement } from '../shared/use-cases/agreements.js';
import { agreementSchema } from './response-schemas.js';

httpFunction('attestCustomerAgreement', {
  method: 'POST',
  route: 'partners/{partnerId}/customers/{customerId}/agreements',
  summary: 'Attest that the customer accepted the Microsoft Customer Agreement (ATT-1, ATT-2); the customer is emailed within 30 minutes (ATT-3).',
  tags: ['customers'],
  access: { roles: ['AdminAgent', 'SalesAgent'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, customerId: partnerIdSchema }),
  body: z.object({ type: z.literal('MicrosoftCustomerAgreement'), primaryContact: acceptedBySchema, dateAgreed: isoDate }),
  responses: {
    201: { description: 'Recorded', schema: agreementSchema },
    403: { description: 'Indirect resellers cannot attest (ATT-1)' },
    409: { description: 'code PartnerConfirmedAgreementAlreadyExists: the same contact attested already' },
  },
  async handler({ params, body, services, principal }) {
    const agreement = await attestAgreement(services, { ...params, primaryContact: body.primaryContact, dateAgreed: body.dateAgreed, principal });
    return { status: 201, body: agreement };
  },
});
