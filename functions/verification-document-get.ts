import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { verificationRoles } from '../shared/domain/verification.js';
import { httpFunction } from '../shared/platform/functions.js';
import { getVerificationDocument } from '../shared/use-cases/document-upload.js';
import { documentSchema } from './response-schemas.js';

httpFunction('getVerificationDocument', {
  method: 'GET',
  route: 'partners/{partnerId}/verification/documents/{documentId}',
  summary: 'A document\u2019s metadata and a read-only download URL valid for 15 minutes.',
  tags: ['verification'],
  access: { roles: verificationRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema, documentId: z.uuid() }),
  responses: {
    200: {
      description: 'Metadata with downloadUrl (read-only, 15 minutes) and downloadUrlExpiresAt',
      schema: documentSchema.extend({ downloadUrl: z.url(), downloadUrlExpiresAt: z.iso.datetime({ offset: true }) }),
    },
  },
  async handler({ params, services, principal }) {
    return { status: 200, body: await getVerificationDocument(services, params.partnerId, params.documentId, principal) };
  },
});
