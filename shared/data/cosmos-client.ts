import { Agent } from 'node:https';
import { CosmosClient, type Database } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';

export interface CosmosSettings {
  endpoint: string;
  key?: string | undefined;
  database: string;
  tlsInsecure?: boolean | undefined;
}

/**
 * A client for an endpoint: the key when given, else the managed identity. With `tlsInsecure` (the
 * local emulator only) it accepts the self-signed certificate, skips endpoint discovery (the emulator
 * advertises its own address) and bounds its socket pool (the emulator is one Node process).
 */
export function createCosmosClient(settings: Omit<CosmosSettings, 'database'>, credential?: () => TokenCredential): CosmosClient {
  return new CosmosClient({
    endpoint: settings.endpoint,
    ...(settings.key ? { key: settings.key } : { aadCredentials: (credential ?? noCredential)() }),
    connectionPolicy: {
      enableEndpointDiscovery: !settings.tlsInsecure,
      requestTimeout: 30_000,
      retryOptions: { maxRetryAttemptCount: 9, maxWaitTimeInSeconds: 30, fixedRetryIntervalInMilliseconds: 0 },
    },
    ...(settings.tlsInsecure ? { agent: new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 32 }) } : {}),
  });
}

function noCredential(): TokenCredential {
  throw new Error('a Cosmos DB key or a managed identity credential is required');
}

/**
 * One client per process. With a key it signs requests with it (local emulator); without, it uses the
 * managed identity through data-plane RBAC (Azure). Throttling (429) is retried by the SDK after the
 * server's `x-ms-retry-after-ms`: no fixed interval is set, so the server's hint always wins.
 */
export function createCosmosDatabase(settings: CosmosSettings, credential: () => TokenCredential): Database {
  const client = createCosmosClient(settings, credential);
  return client.database(settings.database);
}
