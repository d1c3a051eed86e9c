// `npm start`: the whole suite on one machine - emulators, email endpoint, and the function host.
import * as z from 'zod';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from './project-root.js';
import { startStack } from './stack.js';

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
  .parse(process.env);

const started = Date.now();
const log = (line: string): void => console.log(`${new Date().toISOString()} ${line}`);
const stateDir = join(projectRoot(), '.local');
await mkdir(stateDir, { recursive: true });
// Any part that cannot start stops `npm start` at once, with the reason and a non-zero exit.
const stack = await startStack({
  ports: { host: local.FUNCTIONS_PORT, cosmos: local.COSMOS_PORT, blob: local.AZURITE_BLOB_PORT, queue: local.AZURITE_QUEUE_PORT, email: local.EMAIL_PORT },
  portSettings: { host: 'FUNCTIONS_PORT', cosmos: 'COSMOS_PORT', blob: 'AZURITE_BLOB_PORT', queue: 'AZURITE_QUEUE_PORT', email: 'EMAIL_PORT' },
  env: process.env,
  dataDir: local.LOCAL_DATA_DIR,
  stateDir,
  functionHost: true,
  log,
}).catch((error: unknown) => {
  log(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

const functions = stack.host?.functions.map((f) => f.name).join(', ') ?? '';
log(`ready in ${Date.now() - started} ms`);
log(`functions:  http://127.0.0.1:${local.FUNCTIONS_PORT}/api  (${functions})`);
log(`email:      ${stack.email ? `${stack.email.url}/` : 'as configured'}`);
log(`dev token:  npm run --silent dev:token -- --partner <partnerId> --roles <Role,Role>`);

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
