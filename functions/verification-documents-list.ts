import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { verificationRoles } from '../shared/domain/verification.js';
import { httpFunction } from '../shared/platform/functions.js';
import { listVerificationDocuments } from '../shared/use-cases/document-upload.js';
import { documentSchema } from './response-schemas.js';

httpFunction('listVerificationDocuments', {
  method: 'GET',
  route: 'partners/{partnerId}/verification/documents',
  summary: 'The documents uploaded for the tabs the caller may see.',
  tags: ['verification'],
  access: { roles: verificationRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: { 200: { description: 'Document metadata, newest first', schema: z.object({ documents: z.array(documentSchema) }) } },
  async handler({ params, services, principal }) {
    return { status: 200, body: { documents: await listVerificationDocuments(services, params.partnerId, principal) } };
  },
});
