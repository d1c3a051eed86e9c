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
 * One client per process. With a key it signs requests with it (local emulator); without, it uses the
 * managed identity through data-plane RBAC (Azure). Throttling (429) is retried by the SDK after the
 * server's `x-ms-retry-after-ms`: no fixed interval is set, so the server's hint always wins.
 */
export function createCosmosDatabase(settings: CosmosSettings, credential: () => TokenCredential): Database {
  const client = new CosmosClient({
    endpoint: settings.endpoint,
    ...(settings.key ? { key: settings.key } : { aadCredentials: credential() }),
    connectionPolicy: {
      // The emulator advertises its own address; on Azure, discovery finds the regional endpoints.
      enableEndpointDiscovery: !settings.tlsInsecure,
      requestTimeout: 30_000,
      retryOptions: { maxRetryAttemptCount: 9, maxWaitTimeInSeconds: 30, fixedRetryIntervalInMilliseconds: 0 },
    },
    // The local emulator is one Node process: a bounded socket pool keeps bursts from overrunning it.
    ...(settings.tlsInsecure ? { agent: new Agent({ rejectUnauthorized: false, keepAlive: true, maxSockets: 32 }) } : {}),
  });
  return client.database(settings.database);
}
