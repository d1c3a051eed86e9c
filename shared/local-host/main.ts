// `npm start`: the whole suite on one machine - emulators, email endpoint, and the function host.
// `npm run emulators`: the emulators and the email endpoint only, for `func start` (docs/local-development.md).
import * as z from 'zod';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLocalSettings } from './local-settings.js';
import { projectRoot } from './project-root.js';
import { startStack } from './stack.js';

const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
const fail = (error: unknown): never => {
  log(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
};
const emulatorsOnly = process.argv.includes('--emulators-only');

// local.settings.json, as `func start` reads it: Values under the environment (the environment wins).
// The emulators alone serve no app, so they read only the environment.
const settings = emulatorsOnly ? undefined : await loadLocalSettings(join(projectRoot(), 'local.settings.json'), process.env).catch(fail);
if (settings) {
  log(`local.settings.json: ${settings.applied.length} value(s) applied`);
  for (const name of settings.skipped) log(`Skipping '${name}' from local settings as it's already defined in current environment variables.`);
}
const given: Record<string, string | undefined> = settings?.env ?? { ...process.env };

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const local = z
  .object({
    FUNCTIONS_PORT: port(7071),
    COSMOS_PORT: port(8081),
    AZURITE_BLOB_PORT: port(10000),
    AZURITE_QUEUE_PORT: port(10001),
    EMAIL_PORT: port(8025),
    LOCAL_DATA_DIR: z.string().min(1).optional(),
  })
  .parse(given);

// Made for trying things: a resend may be asked for again after 10 s (production: 15 minutes), and the
// verification link opens the local email endpoint's confirm page, which posts it to this host.
// Each is a default only: a value in the environment or local.settings.json wins.
const startsEmail = !given.EMAIL_CONNECTION_STRING && !given.EMAIL_ENDPOINT;
const tryingDefaults: Record<string, string> = emulatorsOnly
  ? {}
  : {
      VERIFICATION_RESEND_COOLDOWN_SECONDS: '10',
      ...(startsEmail ? { VERIFICATION_LINK_BASE: `http://127.0.0.1:${local.EMAIL_PORT}/verify-email` } : {}),
    };
for (const [name, value] of Object.entries(tryingDefaults)) given[name] ??= value;

const started = Date.now();
const stateDir = join(projectRoot(), '.local');
await mkdir(stateDir, { recursive: true });
// Any part that cannot start stops `npm start` at once, with the reason and a non-zero exit.
const stack = await startStack({
  ports: { host: local.FUNCTIONS_PORT, cosmos: local.COSMOS_PORT, blob: local.AZURITE_BLOB_PORT, queue: local.AZURITE_QUEUE_PORT, email: local.EMAIL_PORT },
  portSettings: { host: 'FUNCTIONS_PORT', cosmos: 'COSMOS_PORT', blob: 'AZURITE_BLOB_PORT', queue: 'AZURITE_QUEUE_PORT', email: 'EMAIL_PORT' },
  env: given,
  dataDir: local.LOCAL_DATA_DIR,
  stateDir,
  functionHost: !emulatorsOnly,
  log,
}).catch(fail);

const api = `http://127.0.0.1:${local.FUNCTIONS_PORT}`;
/** The settings of `stack.env` that point an app at this stack (what `func start` needs from it). */
const forFuncStart =
  /^(AzureWebJobsStorage|COSMOS_(ENDPOINT|KEY|TLS_INSECURE)|EMAIL_(CONNECTION_STRING|ALLOW_INSECURE|POLL_INTERVAL_MS)|AUTH_(ISSUER|AUDIENCE|JWKS_FILE))$/;
const storage = stack.env.AzureWebJobsStorage ?? 'as configured';
const defaultStorage = local.AZURITE_BLOB_PORT === 10000 && local.AZURITE_QUEUE_PORT === 10001 && !given.AzureWebJobsStorage;
log(`ready in ${Date.now() - started} ms`);
if (stack.host) {
  log('Functions:');
  for (const line of stack.host.describe(api)) log(`    ${line}`);
  log(
    `resend cooldown: ${stack.env.VERIFICATION_RESEND_COOLDOWN_SECONDS ?? '900'} s; verification links: ${stack.env.VERIFICATION_LINK_BASE ?? 'as configured'}`,
  );
}
log(`storage:    ${storage}${defaultStorage ? '  (the same as UseDevelopmentStorage=true)' : ''}`);
if (stack.env.COSMOS_ENDPOINT) log(`cosmos:     ${stack.env.COSMOS_ENDPOINT}  (key: the emulator's well-known key; COSMOS_TLS_INSECURE=true)`);
log(`email:      ${stack.email ? `${stack.email.url}/  (EMAIL_CONNECTION_STRING=${stack.email.connectionString})` : 'as configured'}`);
log(`dev token:  npm run --silent dev:token -- --partner <partnerId> --roles <Role,Role>   (--help lists the roles)`);
if (stack.host) {
  const example = {
    eventId: 'ev-1',
    partnerId: '<partnerId>',
    locationPartnerId: '4011111',
    programId: 'azure-growth',
    fiscalYear: 2027,
    eligible: true,
    openProgram: false,
  };
  log('an upstream message (202 at once; the outcome is the Executed line here):');
  log(`    curl -X POST ${api}/admin/functions/incentiveEligibility -H 'content-type: application/json' -d '${JSON.stringify({ input: example })}'`);
  log(`    or base64 JSON on the queue incentive-eligibility of the storage above (docs/queues.md)`);
} else {
  log('emulators only: put these in local.settings.json Values and run `func start` (docs/local-development.md):');
  const values = {
    FUNCTIONS_WORKER_RUNTIME: 'node',
    ...Object.fromEntries(Object.entries(stack.env).filter(([name]) => forFuncStart.test(name))),
    VERIFICATION_LINK_BASE: `http://127.0.0.1:${local.EMAIL_PORT}/verify-email`,
  };
  log(`    ${JSON.stringify(values)}`);
}

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  await stack.stop();
  log('stopped');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
