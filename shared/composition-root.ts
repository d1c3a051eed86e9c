import type { Database } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import type { QueueServiceClient } from '@azure/storage-queue';
import { parseConfig, type AppConfig } from './config/env.js';
import type { ContainerName } from './data/containers.js';
import type { PartnerStore } from './data/partner-store.js';
import { Repository, type ChargeListener } from './data/repository.js';
import { CosmosRequestCounter } from './data/request-meter.js';
import { createJwtVerifier, type TokenVerifier } from './platform/auth.js';
import { createMetrics, type Metrics } from './platform/telemetry.js';
import type { PartitionDoc, UseCaseDeps } from './use-cases/ports.js';

/**
 * What the edge (function files, platform) gets: the use cases' ports, plus what only the edge uses
 * (configuration, token verification, health probes). Use cases see only UseCaseDeps: no SDK client.
 */
export interface Services extends UseCaseDeps {
  config: AppConfig;
  accounts: PartnerStore;
  tokens: TokenVerifier;
  metrics: Metrics;
  /** Health probes of the stores behind the ports (GET /api/health). */
  probes: { cosmos(): Promise<unknown>; queue(name: string): Promise<unknown> };
  /** Requests sent to Cosmos DB by the adapters (the round-trip test reads it). */
  cosmosRequests: CosmosRequestCounter;
  /** A typed container: tests and benches inspect what the ports wrote. */
  repository<T extends PartitionDoc>(container: ContainerName, onCharge?: ChargeListener): Repository<T>;
}

let services: Promise<Services> | undefined;

/**
 * The composition root: SDK clients are created once per process, on first use, from the parsed
 * environment. The SDKs are imported lazily so that loading the function table stays cheap (cold start).
 */
export function getServices(): Promise<Services> {
  services ??= createServices(parseConfig(process.env)).catch((error: unknown) => {
    services = undefined;
    throw error;
  });
  return services;
}

/** Tests replace single ports (e.g. a failing email sender) without touching the others. */
export async function overrideServices(overrides: Partial<Services>): Promise<() => void> {
  const original = await getServices();
  services = Promise.resolve({ ...original, ...overrides });
  return () => {
    services = Promise.resolve(original);
  };
}

/** Forgets the clients, so the next use re-reads the environment (tests that stub it). */
export function resetServices(): void {
  services = undefined;
}

async function createServices(config: AppConfig): Promise<Services> {
  const [{ createCosmosDatabase }, storageBlob, storageQueue, emailModule, queueModule, stores] = await Promise.all([
    import('./data/cosmos-client.js'),
    import('@azure/storage-blob'),
    import('@azure/storage-queue'),
    import('./adapters/email-sender.js'),
    import('./adapters/queue-publisher.js'),
    import('./data/stores.js'),
  ]);
  const { BlobDocumentStore } = await import('./adapters/document-store.js');

  let credential: TokenCredential | undefined;
  const getCredential = (): TokenCredential => {
    if (!credential) throw new Error('managed identity credential requested before it was loaded');
    return credential;
  };
  const needsIdentity = !config.COSMOS_KEY || !config.AzureWebJobsStorage || !config.EMAIL_CONNECTION_STRING;
  if (needsIdentity) {
    const { DefaultAzureCredential } = await import('@azure/identity');
    credential = new DefaultAzureCredential(config.AZURE_CLIENT_ID ? { managedIdentityClientId: config.AZURE_CLIENT_ID } : {});
  }

  const database: Database = createCosmosDatabase(
    { endpoint: config.COSMOS_ENDPOINT, key: config.COSMOS_KEY, database: config.COSMOS_DATABASE, tlsInsecure: config.COSMOS_TLS_INSECURE },
    getCredential,
  );

  const blobService = config.AzureWebJobsStorage
    ? storageBlob.BlobServiceClient.fromConnectionString(config.AzureWebJobsStorage)
    : new storageBlob.BlobServiceClient(config.AzureWebJobsStorage__blobServiceUri ?? '', getCredential());
  const queueService: QueueServiceClient = config.AzureWebJobsStorage
    ? storageQueue.QueueServiceClient.fromConnectionString(config.AzureWebJobsStorage)
    : new storageQueue.QueueServiceClient(config.AzureWebJobsStorage__queueServiceUri ?? '', getCredential());

  const cosmosRequests = new CosmosRequestCounter();
  return {
    config,
    ...stores.cosmosStores(database, { snapshotMs: config.VIEW_CACHE_MS, requests: cosmosRequests, tokenSecret: config.CONTINUATION_TOKEN_SECRET }),
    cosmosRequests,
    queues: new queueModule.StorageQueuePublisher(queueService),
    email: new emailModule.AcsEmailSender({
      connection: config.EMAIL_CONNECTION_STRING ?? config.EMAIL_ENDPOINT ?? '',
      ...(config.EMAIL_CONNECTION_STRING ? {} : { credential: getCredential() }),
      allowInsecureConnection: config.EMAIL_ALLOW_INSECURE,
      senderAddress: config.EMAIL_SENDER_ADDRESS,
      pollIntervalMs: config.EMAIL_POLL_INTERVAL_MS,
    }),
    documents: new BlobDocumentStore(blobService, config.DOCUMENTS_CONTAINER),
    tokens: createJwtVerifier({
      issuer: config.AUTH_ISSUER,
      audience: config.AUTH_AUDIENCE,
      jwksUri: config.AUTH_JWKS_URI,
      jwksFile: config.AUTH_JWKS_FILE,
    }),
    metrics: createMetrics(config.APPLICATIONINSIGHTS_CONNECTION_STRING, () => credential),
    probes: {
      cosmos: () => database.read(),
      queue: (name) => queueService.getQueueClient(name).getProperties(),
    },
    repository: <T extends PartitionDoc>(name: ContainerName, onCharge?: ChargeListener) =>
      new Repository<T>(database.container(name), onCharge, cosmosRequests),
    now: () => new Date(),
  };
}
