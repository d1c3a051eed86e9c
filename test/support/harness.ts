import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { JWK } from 'jose';
import { inject } from 'vitest';
import { AcsEmailSender } from '../../shared/adapters/email-sender.js';
import { getServices } from '../../shared/composition-root.js';
import { deliverIntent } from '../../shared/use-cases/outbox.js';
import { handleVerificationDecision } from '../../shared/use-cases/verification.js';
import { signDevToken, type DevTokenClaims } from '../../shared/local-host/dev-keys.js';
import { EmailEndpoint } from '../../shared/local-host/email-endpoint.js';
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore, type RegisteredFunction } from '../../shared/local-host/functions-core-shim.js';
import type { HostSettings } from '../../shared/local-host/host-settings.js';
import { checkHttpResponses } from './contract.js';

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
  // Every answer of the host's HTTP functions is checked against the OpenAPI document (contract.ts).
  checkHttpResponses(core);
  const host = await FunctionHost.forConnection(core, storageConnection(), {
    include,
    settings: overrides,
    // TEST_HOST_LOG=1 npm test shows what the host logs (handler errors, poison moves).
    log: process.env.TEST_HOST_LOG ? (line) => console.log(line) : () => {},
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

/** A host serving the real function table (every function of functions/index.ts, no test functions). */
export async function startAppHost(overrides: (settings: HostSettings) => HostSettings = (s) => s): Promise<TestHost> {
  installFunctionsCore();
  await import('../../functions/index.js');
  return startTestHost(
    (fn) => !fn.name.startsWith('test-'),
    (s) => overrides({ ...s, queues: { ...s.queues, maxPollingIntervalMs: 200, visibilityTimeoutMs: 0 } }),
  );
}

export interface SentEmail {
  id: string;
  receivedAt: string;
  message: {
    headers?: Record<string, string>;
    recipients: { to: { address: string }[] };
    content: { subject: string; plainText?: string };
  };
}

/** The emails the shared local email endpoint accepted for one recipient (tests use unique addresses). */
export async function emailsTo(address: string): Promise<SentEmail[]> {
  const all = (await (await fetch(`${inject('emailEndpointUrl')}/emails`)).json()) as SentEmail[];
  return all.filter((e) => e.message.recipients.to.some((r) => r.address === address));
}

/** A partner body as upstream systems send it (PUT /api/partners/{partnerId}), unique per call. */
export function partnerBody(overrides: Record<string, unknown> = {}): Record<string, unknown> & { primaryContact: { email: string } } {
  const tag = Math.random().toString(36).slice(2, 10);
  return {
    companyName: 'Contoso Ltd',
    address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
    primaryContact: { firstName: 'Ana', lastName: 'Lee', email: `ana.${tag}@contoso.example`, phone: '+1 555 0100' },
    programs: ['ai-cloud-partner', 'csp'],
    cspModel: 'DirectBill',
    locations: [{ partnerId: '4011111', country: 'US', active: true }],
    agreementActive: true,
    bankProfiles: [{ id: 'bank-1', locationPartnerId: '4011111', default: true, complete: true }],
    taxProfiles: [{ id: 'tax-1', locationPartnerId: '4011111', complete: true }],
    ...overrides,
  } as Record<string, unknown> & { primaryContact: { email: string } };
}

/** JSON request helper against a test host. */
export async function call(
  host: TestHost,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${host.url}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
}

/**
 * Communication Services down: a local email endpoint that answers every send with a 503 (until told
 * otherwise), and a sender (no retries) pointed at it. Put the sender in the services with
 * overrideServices; stop the endpoint after.
 */
export async function emailOutage(): Promise<{ endpoint: EmailEndpoint; sender: AcsEmailSender }> {
  const endpoint = new EmailEndpoint({ port: 0, accessKey: Buffer.from('outage').toString('base64') });
  await endpoint.start();
  endpoint.failSendsUntil(503, Date.now() + 60 * 60_000);
  const sender = new AcsEmailSender({
    connection: endpoint.connectionString,
    allowInsecureConnection: true,
    senderAddress: 'DoNotReply@partner-portal.example',
    pollIntervalMs: 20,
    attempts: 1,
  });
  return { endpoint, sender };
}

/**
 * Delivers every email still owed (what the sweep's queued deliveries do), here and now, and returns
 * once each has been sent or has failed: a barrier after which "nothing more will be sent" holds.
 */
export async function drainOutbox(): Promise<number> {
  const services = await getServices();
  let sent = 0;
  let continuationToken: string | undefined;
  do {
    const page = await services.outbox.pending({ size: 100, continuationToken });
    continuationToken = page.continuationToken;
    for (const { box, partnerId, intentId } of page.items) {
      if ((await deliverIntent(services, { box, partnerId, intentId }).catch(() => 'failed')) === 'sent') sent++;
    }
  } while (continuationToken);
  return sent;
}

/**
 * Upstream accepts every check of the partner tab (VER-4), as the verification-decisions queue would:
 * what a partner needs before it may buy (VER-11). Decided now, so later decisions of a test still apply.
 */
export async function acceptPartnerTab(partnerId: string): Promise<void> {
  const services = await getServices();
  const decidedAt = new Date().toISOString();
  const checks = [
    ['EmailOwnership', 'Accepted'],
    ['Identity', 'Passed'],
    ['Employment', 'Accepted'],
    ['Business', 'Accepted'],
  ] as const;
  for (const [check, outcome] of checks) {
    await handleVerificationDecision(services, { decisionId: `accept-${partnerId}-${check}`, partnerId, tab: 'partner', check, outcome, decidedAt });
  }
}
