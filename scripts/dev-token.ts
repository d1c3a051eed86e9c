// `npm run --silent dev:token -- --partner P --roles A,B [--user U] [--email E] [--expires-in S]`
// prints one JWT the local stack accepts.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { roleSchema } from '../shared/domain/roles.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';

const { values } = parseArgs({
  options: {
    partner: { type: 'string' },
    roles: { type: 'string' },
    user: { type: 'string' },
    email: { type: 'string' },
    'expires-in': { type: 'string' },
  },
});
const args = z
  .object({
    partner: z.string().min(1).optional(),
    roles: z
      .string()
      .min(1, '--roles is required')
      .transform((s) => s.split(',').map((r) => r.trim()))
      .pipe(z.array(roleSchema).min(1)),
    user: z.string().min(1).optional(),
    email: z.email().optional(),
    'expires-in': z.coerce.number().int().optional(),
  })
  .refine((a) => a.partner !== undefined || a.roles.includes('PlatformOperator'), { error: '--partner is required unless --roles includes PlatformOperator' })
  .safeParse(values);
if (!args.success) {
  console.error(args.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('\n'));
  process.exit(2);
}
const keys = await ensureDevKeys();
console.log(
  await signDevToken(keys.privateJwk, {
    partnerId: args.data.partner,
    roles: args.data.roles,
    userId: args.data.user,
    email: args.data.email,
    ...(args.data['expires-in'] !== undefined ? { expiresInSeconds: args.data['expires-in'] } : {}),
  }),
);
