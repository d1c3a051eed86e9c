// `npm run --silent dev:token -- --partner P --roles A,B [--user U] [--email E] [--expires-in S]`
// prints one JWT the local stack accepts; `--help` lists the roles and options.
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { roles, roleSchema } from '../shared/domain/roles.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';

const usage = `Usage: npm run --silent dev:token -- --roles <Role,Role> [--partner <partnerId>] [options]

Prints one signed JWT that the local stack (npm start) accepts as "Authorization: Bearer <token>".

Options:
  --roles <list>       comma-separated roles (required)
  --partner <id>       the partner the token acts for (required unless the roles include PlatformOperator)
  --user <id>          the user id (sub); default: a new random id
  --email <address>    the user's email claim
  --expires-in <s>     lifetime in seconds; default 3600
  --help               this text

Roles:
${roles.map((r) => `  ${r}`).join('\n')}
  (PlatformOperator is for upstream systems and operators and may act on any partner; every other
  role acts only on its own partner.)

Examples:
  npm run --silent dev:token -- --partner 4011111 --roles GlobalAdmin,IncentiveAdmin
  TOKEN=$(npm run --silent dev:token -- --roles PlatformOperator)
`;

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      partner: { type: 'string' },
      roles: { type: 'string' },
      user: { type: 'string' },
      email: { type: 'string' },
      'expires-in': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const args = z
  .object({
    partner: z.string().min(1).optional(),
    roles: z
      .string({ error: '--roles is required' })
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
  console.error(`${args.error.issues.map((i) => `${i.path.join('.') || 'args'}: ${i.message}`).join('\n')}\n\n${usage}`);
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
