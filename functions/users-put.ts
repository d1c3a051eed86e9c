import * as z from 'zod';
import { emailAddress, partnerIdSchema } from '../shared/domain/partner.js';
import { roles } from '../shared/domain/roles.js';
import { httpFunction } from '../shared/platform/functions.js';
import { putUser } from '../shared/use-cases/incentives.js';
import { userSchema } from './response-schemas.js';

const partnerRoles = roles.filter((r) => r !== 'PlatformOperator');

httpFunction('putPartnerUser', {
  method: 'PUT',
  route: 'partners/{partnerId}/users/{userId}',
  summary: 'Assign a user\u2019s roles, e.g. IncentiveAdmin for some or all locations (INC-1).',
  tags: ['partners'],
  access: { roles: ['GlobalAdmin', 'AccountAdmin'], partnerParam: 'partnerId' },
  params: z.object({
    partnerId: partnerIdSchema,
    userId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\w.@-]+$/),
  }),
  body: z.object({
    email: emailAddress,
    displayName: z.string().trim().min(1).max(200).optional(),
    roles: z.array(z.enum(partnerRoles)).min(1),
    locationPartnerIds: z.array(partnerIdSchema).max(300).default([]),
  }),
  responses: { 200: { description: 'Replaced', schema: userSchema }, 201: { description: 'Created', schema: userSchema } },
  async handler({ params, body, services }) {
    const result = await putUser(services, params.partnerId, params.userId, body);
    return { status: result.created ? 201 : 200, body: result.user };
  },
});
