import { randomUUID } from 'node:crypto';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { HostSettings } from './host-settings.js';
import { invocationReason, type InvokeFunction } from './invoker.js';

const leaseMs = 10 * 60_000; // the host holds a message invisible for 10 minutes while it runs...
const renewEveryMs = leaseMs / 2; // ...and renews the lease halfway through
const minPollingMs = 100;

export interface QueueListenerOptions {
  functionName: string;
  queue: QueueClient;
  poison: QueueClient;
  settings: HostSettings['queues'];
  invoke: InvokeFunction;
  log: (message: string) => void;
}

/**
 * Polls one queue with the Functions host's semantics: batches of `batchSize`, a new batch when the
 * in-flight count falls to `newBatchThreshold`, random exponential back-off up to `maxPollingInterval`
 * when idle, a failed message released with `visibilityTimeout`, and after `maxDequeueCount` failures
 * the message copied to `<queue>-poison` and deleted.
 */
export class QueueListener {
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;

  constructor(private readonly options: QueueListenerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.poll();
  }

  /** Nothing is being processed here and nothing waits (visible or leased) in the queue. */
  async idle(): Promise<boolean> {
    if (this.inFlight.size > 0) return false;
    const { approximateMessagesCount } = await this.options.queue.getProperties();
    return (approximateMessagesCount ?? 0) === 0 && this.inFlight.size === 0;
  }

  /** Stops polling and waits for the messages already being processed. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async poll(): Promise<void> {
    const { settings } = this.options;
    let delay = minPollingMs;
    while (this.running) {
      if (this.inFlight.size > settings.newBatchThreshold) {
        await Promise.race(this.inFlight);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      try {
        const response = await this.options.queue.receiveMessages({
          numberOfMessages: settings.batchSize,
          visibilityTimeout: leaseMs / 1000,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        this.options.log(`queue ${this.options.queue.name} poll failed: ${String(error)}`);
      }
      if (messages.length === 0) {
        await this.sleep(delay);
        delay = Math.min(settings.maxPollingIntervalMs, Math.max(minPollingMs, delay * (1.5 + Math.random())));
        continue;
      }
      delay = minPollingMs;
      for (const message of messages) {
        const work = this.process(message).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async process(message: DequeuedMessageItem): Promise<void> {
    const { queue, settings, functionName } = this.options;
    let popReceipt = message.popReceipt;
    if (message.dequeueCount > settings.maxDequeueCount) {
      // It already failed (or crashed a host) as often as allowed: don't run it again.
      await this.moveToPoison(message, popReceipt);
      return;
    }
    const renew = setInterval(() => {
      queue
        .updateMessage(message.messageId, popReceipt, undefined, leaseMs / 1000)
        .then((r) => {
          if (r.popReceipt) popReceipt = r.popReceipt;
        })
        .catch(() => {});
    }, renewEveryMs);
    try {
      const input = decode(message.messageText, settings.messageEncoding);
      await this.options.invoke(functionName, input, {
        invocationId: randomUUID(),
        reason: invocationReason.queue(queue.name),
        details: `Trigger Details: MessageId: ${message.messageId}, DequeueCount: ${message.dequeueCount}, InsertedOn: ${message.insertedOn.toISOString()}`,
        triggerMetadata: {
          id: message.messageId,
          dequeueCount: message.dequeueCount,
          insertionTime: message.insertedOn.toISOString(),
          expirationTime: message.expiresOn.toISOString(),
          nextVisibleTime: message.nextVisibleOn.toISOString(),
          popReceipt,
          queueTrigger: input,
        },
      });
      clearInterval(renew);
      await queue.deleteMessage(message.messageId, popReceipt);
    } catch {
      // The invoker logged the failure under its "Executed ... (Failed)" line.
      clearInterval(renew);
      this.options.log(`message ${message.messageId} of ${queue.name} failed on attempt ${message.dequeueCount} of ${settings.maxDequeueCount}`);
      if (message.dequeueCount >= settings.maxDequeueCount) {
        await this.moveToPoison(message, popReceipt);
      } else {
        await queue.updateMessage(message.messageId, popReceipt, undefined, Math.round(settings.visibilityTimeoutMs / 1000)).catch(() => {});
      }
    }
  }

  private async moveToPoison(message: DequeuedMessageItem, popReceipt: string): Promise<void> {
    await this.options.poison.sendMessage(message.messageText, { messageTimeToLive: -1 });
    await this.options.queue.deleteMessage(message.messageId, popReceipt);
    this.options.log(`message ${message.messageId} moved to ${this.options.poison.name} after ${message.dequeueCount} attempts`);
  }
}

/** Base64 JSON as the host decodes it: JSON becomes an object, anything else stays a string. */
function decode(text: string, encoding: 'base64' | 'none'): unknown {
  let content = text;
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Error('message is not valid base64');
    content = Buffer.from(text, 'base64').toString('utf8');
  }
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return content;
  }
}
