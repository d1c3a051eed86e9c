import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureDevKeys } from '../shared/local-host/dev-keys.js';
import { startStack, type RunningStack } from '../shared/local-host/stack.js';

/** A port nobody listens on now, so tests never collide with a running `npm start`. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let stack: RunningStack | undefined;
let keysDir: string | undefined;

/** Starts Azurite, the Cosmos emulator and the email endpoint once for the whole run, on free ports. */
export async function setup(project: TestProject): Promise<void> {
  keysDir = await mkdtemp(join(tmpdir(), 'portal-test-keys-'));
  const keys = await ensureDevKeys(keysDir);
  const [cosmos, blob, queue, email] = [await freePort(), await freePort(), await freePort(), await freePort()];
  stack = await startStack({
    ports: { host: 0, cosmos, blob, queue, email },
    env: { COSMOS_DATABASE: 'partner-portal-test' },
    keysDir,
    functionHost: false,
    log: () => {},
  });
  project.provide('stackEnv', stack.env);
  project.provide('devPrivateJwk', JSON.stringify(keys.privateJwk));
  project.provide('emailEndpointUrl', stack.email?.url ?? '');
}

export async function teardown(): Promise<void> {
  await stack?.stop();
  if (keysDir) await rm(keysDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    devPrivateJwk: string;
    emailEndpointUrl: string;
  }
}
