import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { JWK } from 'jose';
import { inject } from 'vitest';
import { signDevToken, type DevTokenClaims } from '../../shared/local-host/dev-keys.js';
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore, type RegisteredFunction } from '../../shared/local-host/functions-core-shim.js';
import { loadHostSettings, type HostSettings } from '../../shared/local-host/host-settings.js';

export const hostJsonPath = fileURLToPath(new URL('../../host.json', import.meta.url));

export function stackEnv(): Record<string, string> {
  return inject('stackEnv');
}

export function storageConnection(): string {
  const value = stackEnv().AzureWebJobsStorage;
  if (!value) throw new Error('no storage connection in the test stack');
  return value;
}

export function queueService(): QueueServiceClient {
  return QueueServiceClient.fromConnectionString(storageConnection());
}

export function blobService(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(storageConnection());
}

/** A token signed with this run's dev key (the key the stubbed AUTH_JWKS_FILE publishes). */
export function tokenFor(claims: DevTokenClaims): Promise<string> {
  return signDevToken(JSON.parse(inject('devPrivateJwk')) as JWK, claims);
}

/** A unique name for this test's resources, so tests never see each other's data. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestHost {
  host: FunctionHost;
  url: string;
  stop(): Promise<void>;
}

/** A local function host in this worker serving only the chosen registrations, on a free port. */
export async function startTestHost(
  include: (fn: RegisteredFunction) => boolean,
  overrides: (settings: HostSettings) => HostSettings = (s) => s,
): Promise<TestHost> {
  const core = installFunctionsCore();
  const host = new FunctionHost({
    core,
    include,
    settings: overrides(await loadHostSettings(hostJsonPath)),
    queueService: queueService(),
    blobService: blobService(),
    log: () => {},
  });
  await host.start();
  const port = await host.listen(0);
  return { host, url: `http://127.0.0.1:${port}`, stop: () => host.stop() };
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
