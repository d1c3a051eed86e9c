import type { CosmosClient } from '@azure/cosmos';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { QueueServiceClient } from '@azure/storage-queue';
import { allQueues, poisonQueueOf } from '../use-cases/queues.js';
import { containerDefinitions } from './containers.js';

/**
 * Creates the database, containers, queues (with their poison twins) and blob containers. The local
 * stack and the tests call it; on Azure, infra provisions the same list (the app has data-plane rights only).
 */
export async function provisionResources(resources: {
  cosmos: CosmosClient;
  databaseId: string;
  queueService: QueueServiceClient;
  blobService: BlobServiceClient;
  blobContainers: string[];
}): Promise<void> {
  const { database } = await resources.cosmos.databases.createIfNotExists({ id: resources.databaseId });
  await Promise.all(
    containerDefinitions.map((c) =>
      database.containers.createIfNotExists({
        id: c.id,
        partitionKey: { paths: [c.partitionKey] },
        ...('defaultTtl' in c ? { defaultTtl: c.defaultTtl } : {}),
      }),
    ),
  );
  await Promise.all(allQueues.flatMap((q) => [q, poisonQueueOf(q)]).map((q) => resources.queueService.getQueueClient(q).createIfNotExists()));
  await Promise.all(resources.blobContainers.map((c) => resources.blobService.getContainerClient(c).createIfNotExists()));
}
