import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import type { CosmosClient } from '@azure/cosmos';
import { containerDefinitions } from '../data/containers.js';
import { createCosmosClient } from '../data/cosmos-client.js';
import { provisionResources } from '../data/provision.js';
import { devAudience, devIssuer, ensureDevKeys } from './dev-keys.js';
import { CosmosSnapshot } from './cosmos-snapshot.js';
import { EmailEndpoint } from './email-endpoint.js';
import { azuriteConnectionString, emulatorCosmosKey, startAzurite, startCosmos, type ChildHandle } from './emulators.js';
import { FunctionHost } from './function-host.js';
import { installFunctionsCore } from './functions-core-shim.js';
import { claimPorts, forgetProcesses, recordProcesses, type WantedPort } from './ports.js';

const devEmailAccessKey = Buffer.from('partner-portal-local-email-key').toString('base64');

interface StackPorts {
  host: number;
  cosmos: number;
  blob: number;
  queue: number;
  email: number;
}

export interface StackOptions {
  ports: StackPorts;
  /** The caller's environment: any address or secret set here is used instead of starting that part. */
  env: Record<string, string | undefined>;
  dataDir?: string | undefined;
  keysDir?: string | undefined;
  /** Serve the function table too (npm start); tests start only the services. */
  functionHost: boolean;
  log: (line: string) => void;
  /** The setting that moves each port (named when a port is taken). */
  portSettings?: Partial<Record<keyof StackPorts, string>>;
  /** Where the emulator processes are recorded, so a start after a crash replaces them (npm start: .local). */
  stateDir?: string | undefined;
}

export interface RunningStack {
  /** The app settings that point the functions at this stack. */
  env: Record<string, string>;
  email: EmailEndpoint | undefined;
  host: FunctionHost | undefined;
  /** The emulator processes (Azurite blob and queue, Cosmos), for diagnosis. */
  processes: { name: string; pid: number | undefined }[];
  stop(): Promise<void>;
}

/** Starts what is not configured already, provisions it, and (optionally) serves the functions. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const given = options.env;
  const children: ChildHandle[] = [];
  let email: EmailEndpoint | undefined;
  let host: FunctionHost | undefined;
  let snapshot: { save: CosmosSnapshot; client: CosmosClient } | undefined;
  let recorded = false;
  const stop = async (): Promise<void> => {
    await host?.stop();
    await snapshot?.save.stop();
    snapshot?.client.dispose();
    await email?.stop();
    await Promise.all(children.map((c) => c.stop()));
    // Only this stack's own record: a start that failed on busy ports leaves the running stack's alone.
    if (recorded) await forgetProcesses(options.stateDir);
  };

  try {
    const wantCosmos = !given.COSMOS_ENDPOINT;
    const wantStorage = !given.AzureWebJobsStorage && !given.AzureWebJobsStorage__queueServiceUri;
    const wantEmail = !given.EMAIL_CONNECTION_STRING && !given.EMAIL_ENDPOINT;
    const setting = (part: keyof StackPorts) => options.portSettings?.[part] ?? `the ${part} port`;
    const wanted: WantedPort[] = [
      ...(wantCosmos ? [{ part: 'Cosmos DB emulator', port: options.ports.cosmos, setting: setting('cosmos') }] : []),
      ...(wantStorage
        ? [
            { part: 'Azurite blob', port: options.ports.blob, setting: setting('blob') },
            { part: 'Azurite queue', port: options.ports.queue, setting: setting('queue') },
          ]
        : []),
      ...(wantEmail ? [{ part: 'email endpoint', port: options.ports.email, setting: setting('email') }] : []),
      ...(options.functionHost ? [{ part: 'function host', port: options.ports.host, setting: setting('host') }] : []),
    ].filter((w) => w.port !== 0);
    await claimPorts(wanted, options.stateDir);
    await Promise.all([
      wantCosmos ? startCosmos({ port: options.ports.cosmos, log: options.log }).then((c) => children.push(c)) : undefined,
      wantStorage
        ? startAzurite({ blobPort: options.ports.blob, queuePort: options.ports.queue, dataDir: options.dataDir, log: options.log }).then((c) =>
            children.push(...c),
          )
        : undefined,
      wantEmail
        ? (async () => {
            email = new EmailEndpoint({
              port: options.ports.email,
              accessKey: devEmailAccessKey,
              // The confirm page posts to the function host's port: this stack's, or the `func start` beside it.
              ...(options.ports.host !== 0 ? { confirmUrl: `http://127.0.0.1:${options.ports.host}/api/verification/email/confirm` } : {}),
            });
            await email.start();
          })()
        : undefined,
    ]);
    const keys = given.AUTH_ISSUER ? undefined : await ensureDevKeys(options.keysDir);

    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(given)) if (v !== undefined) env[k] = v;
    if (wantCosmos)
      Object.assign(env, { COSMOS_ENDPOINT: `https://127.0.0.1:${options.ports.cosmos}/`, COSMOS_KEY: emulatorCosmosKey, COSMOS_TLS_INSECURE: 'true' });
    if (wantStorage) env.AzureWebJobsStorage = azuriteConnectionString(options.ports.blob, options.ports.queue);
    if (email) Object.assign(env, { EMAIL_CONNECTION_STRING: email.connectionString, EMAIL_ALLOW_INSECURE: 'true', EMAIL_POLL_INTERVAL_MS: '50' });
    if (keys) Object.assign(env, { AUTH_ISSUER: devIssuer, AUTH_AUDIENCE: devAudience, AUTH_JWKS_FILE: keys.jwksFile });

    const databaseId = env.COSMOS_DATABASE ?? 'partner-portal';
    const blobService = env.AzureWebJobsStorage ? BlobServiceClient.fromConnectionString(env.AzureWebJobsStorage) : undefined;
    const queueService = env.AzureWebJobsStorage ? QueueServiceClient.fromConnectionString(env.AzureWebJobsStorage) : undefined;
    if (wantCosmos || wantStorage) {
      const cosmos = createCosmosClient({ endpoint: env.COSMOS_ENDPOINT ?? '', key: env.COSMOS_KEY ?? emulatorCosmosKey, tlsInsecure: true });
      if (wantCosmos && blobService && queueService) {
        await provisionResources({ cosmos, databaseId, queueService, blobService, blobContainers: [env.DOCUMENTS_CONTAINER ?? 'verification-documents'] });
      }
      if (wantCosmos && options.dataDir) {
        // The emulator keeps data in memory only: LOCAL_DATA_DIR keeps it across restarts, as Azurite's.
        const save = new CosmosSnapshot(cosmos, databaseId, options.dataDir);
        const loaded = await save.load();
        if (loaded > 0) options.log(`stack: ${loaded} Cosmos documents loaded from ${options.dataDir}`);
        save.start();
        snapshot = { save, client: cosmos };
      } else {
        cosmos.dispose();
      }
    }
    const portOf: Record<string, number> = { cosmos: options.ports.cosmos, 'azurite-blob': options.ports.blob, 'azurite-queue': options.ports.queue };
    recorded = true;
    await recordProcesses(
      options.stateDir,
      children.flatMap((c) => (c.pid !== undefined && portOf[c.name] !== undefined ? [{ part: c.name, port: portOf[c.name] ?? 0, pid: c.pid }] : [])),
    );
    options.log(`stack: ${containerDefinitions.length} containers in ${databaseId}; storage ${wantStorage ? 'Azurite' : 'as configured'}`);

    if (options.functionHost) {
      if (!env.AzureWebJobsStorage) throw new Error('the local host needs AzureWebJobsStorage as a connection string');
      for (const [k, v] of Object.entries(env)) process.env[k] = v;
      const core = installFunctionsCore();
      await import('../../functions/index.js');
      host = await FunctionHost.forConnection(core, env.AzureWebJobsStorage, { log: options.log });
      await host.start();
      await host.listen(options.ports.host);
    }
    return { env, email, host, processes: children.map((c) => ({ name: c.name, pid: c.pid })), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
