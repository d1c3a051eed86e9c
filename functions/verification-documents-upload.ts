import * as z from 'zod';
import { MultipartRequestForm } from '../shared/adapters/multipart-upload.js';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { verificationRoles } from '../shared/domain/verification.js';
import { httpFunction } from '../shared/platform/functions.js';
import { uploadVerificationDocument } from '../shared/use-cases/document-upload.js';

httpFunction('uploadVerificationDocument', {
  method: 'POST',
  route: 'partners/{partnerId}/verification/documents',
  summary: 'Upload a document for a check (VER-8); against a check rejected with Fix now this is an appeal (VER-9).',
  tags: ['verification'],
  access: { roles: verificationRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  rawBody: {
    contentTypes: ['multipart/form-data'],
    description:
      'Fields check, documentType, comment (optional, at most 2,000 characters), tab (optional) and one file (PDF, PNG, JPEG or TIFF, at most 10 MiB).',
  },
  responses: {
    201: {
      description: 'Stored',
      schema: z.object({
        documentId: z.string(),
        sha256: z.string(),
        size: z.number().int(),
        contentType: z.string(),
        check: z.string(),
        checkStatus: z.string(),
      }),
    },
    409: { description: 'The check is accepted, or rejected with no Fix now' },
    413: { description: 'Over 10 MiB' },
    415: { description: 'Not multipart, or the file is not a PDF, PNG, JPEG or TIFF' },
  },
  async handler({ params, services, principal, request }) {
    const length = request.headers.get('content-length');
    const form = new MultipartRequestForm(
      { contentType: request.headers.get('content-type') ?? '', contentLength: length === null ? undefined : Number(length), body: () => request.body },
      services.config.UPLOAD_MAX_BYTES,
    );
    const result = await uploadVerificationDocument(services, { partnerId: params.partnerId, principal, form });
    return { status: 201, body: result };
  },
});
