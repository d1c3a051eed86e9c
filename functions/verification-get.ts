import * as z from 'zod';
import { partnerIdSchema } from '../shared/domain/partner.js';
import { checkTypes, tabs, verificationRoles } from '../shared/domain/verification.js';
import { httpFunction } from '../shared/platform/functions.js';
import { htmlSafeJson } from '../shared/platform/html-safe-json.js';
import { getVerificationView } from '../shared/use-cases/verification.js';

const viewSchema = z.object({
  accountSuspended: z.boolean(),
  tabs: z.array(
    z.object({
      tab: z.enum(tabs),
      status: z.enum(['Pending', 'Accepted', 'Rejected']),
      checks: z.array(z.object({ type: z.enum(checkTypes), status: z.string(), reason: z.string().optional(), fixNowAvailable: z.boolean() })),
      progress: z.object({ accepted: z.number().int(), total: z.number().int() }),
      submittedAt: z.string(),
      businessDaysElapsed: z.number().int(),
      contactSupport: z.boolean(),
    }),
  ),
});

httpFunction('getVerification', {
  method: 'GET',
  route: 'partners/{partnerId}/verification',
  summary: 'Verification status per tab the caller may see (VER-1, VER-4, VER-5).',
  tags: ['verification'],
  access: { roles: verificationRoles, partnerParam: 'partnerId' },
  params: z.object({ partnerId: partnerIdSchema }),
  responses: { 200: { description: 'The legal-info view', schema: viewSchema } },
  async handler({ params, services, principal }) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: await getVerificationView(services, params.partnerId, principal, htmlSafeJson),
    };
  },
});
