import type { QueueServiceClient } from '@azure/storage-queue';
import type { QueuePublisher } from '../use-cases/ports.js';

/** Messages are base64 JSON, exactly as the Functions host's queue output binding writes them. */
export function encodeQueueMessage(message: unknown): string {
  return Buffer.from(typeof message === 'string' ? message : JSON.stringify(message), 'utf8').toString('base64');
}

export class StorageQueuePublisher implements QueuePublisher {
  constructor(private readonly service: QueueServiceClient) {}

  async send(queueName: string, message: unknown, options: { visibilityTimeoutSeconds?: number } = {}): Promise<void> {
    await this.service.getQueueClient(queueName).sendMessage(encodeQueueMessage(message), {
      ...(options.visibilityTimeoutSeconds ? { visibilityTimeout: options.visibilityTimeoutSeconds } : {}),
      messageTimeToLive: -1,
    });
  }
}
