// Bench server: the attestation burst's bare programs (the SDKs alone, no suite code), in a process
// of their own started with the worker's V8 arguments, as the host is: the two sides then differ
// only in the code they run, not in how the processes share the machine's cores or in how the
// garbage collector is tuned. The parent asks for a run and gets its time.
import { randomUUID } from 'node:crypto';
import { EmailClient } from '@azure/communication-email';
import type { Container } from '@azure/cosmos';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { createCosmosClient } from '../../shared/data/cosmos-client.js';
import './memory-probe.js'; // as in the host: the same probe running, and a clean exit on SIGTERM

const batchSize = 16; // host.json extensions.queues.batchSize

async function bareDrain(queue: QueueClient, total: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  while (done < total) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: batchSize, visibilityTimeout: 600 });
    await Promise.all(receivedMessageItems.map((m) => queue.deleteMessage(m.messageId, m.popReceipt)));
    done += receivedMessageItems.length;
  }
  return performance.now() - started;
}

interface BurstEvent {
  eventId: string;
  partnerId: string;
  customerId: string;
  primaryContact: { firstName: string; lastName: string; email: string };
  dateAgreed: string;
  occurredAt: string;
}

/**
 * The suite's per-event work written against the SDKs alone, pipelined as the host pipelines a queue
 * (batches of 16, the next batch once half are done): the customer read, the agreement and its email
 * record created in one transactional batch, the email sent and polled until the service reports it,
 * the record marked sent over the batch's version, the message deleted.
 */
async function bareSameWork(queue: QueueClient, container: Container, email: EmailClient, total: number, pollIntervalMs: number): Promise<number> {
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  const work = async (messageId: string, popReceipt: string, text: string) => {
    const event = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as BurstEvent;
    const pk = event.partnerId;
    const customer = await container.item(`customer:${event.customerId}`, pk).read();
    if (customer.statusCode !== 200) throw new Error(`customer read answered ${customer.statusCode}`);
    const now = new Date().toISOString();
    const intentId = `intent:${event.eventId}`;
    const intent = { id: intentId, partnerId: pk, type: 'emailIntent', to: event.primaryContact.email, createdAt: now, status: 'Pending' };
    const results = await container.items.batch(
      [
        {
          operationType: 'Create',
          partitionKey: pk,
          resourceBody: { ...event, id: `agreement:${event.eventId}`, type: 'agreement', recordedAt: now },
        },
        { operationType: 'Create', partitionKey: pk, resourceBody: intent },
      ],
      pk,
    );
    const etag = results.result?.[1]?.eTag;
    const poller = await email.beginSend(
      {
        senderAddress: 'DoNotReply@partner-portal.example',
        recipients: { to: [{ address: event.primaryContact.email }] },
        content: { subject: 'Confirmation', plainText: 'The customer agreement was accepted.' },
        headers: { 'x-notification-type': 'AttestationConfirmation' },
      },
      { operationId: randomUUID(), updateIntervalInMs: pollIntervalMs },
    );
    await poller.pollUntilDone();
    await container.item(intentId, pk).replace({ ...intent, status: 'Sent' }, etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
    await queue.deleteMessage(messageId, popReceipt);
  };
  while (done < total) {
    if (inFlight.size > batchSize / 2) {
      await Promise.race(inFlight);
      continue;
    }
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: batchSize, visibilityTimeout: 600 });
    if (receivedMessageItems.length === 0 && inFlight.size > 0) await Promise.race(inFlight);
    for (const m of receivedMessageItems) {
      const running: Promise<void> = work(m.messageId, m.popReceipt, m.messageText).finally(() => {
        inFlight.delete(running);
        done++;
      });
      inFlight.add(running);
    }
  }
  await Promise.all(inFlight);
  return performance.now() - started;
}

const queues = QueueServiceClient.fromConnectionString(process.env.AzureWebJobsStorage ?? '');
const email = new EmailClient(process.env.EMAIL_CONNECTION_STRING ?? '', { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
const agreements = createCosmosClient({ endpoint: process.env.COSMOS_ENDPOINT ?? '', key: process.env.COSMOS_KEY, tlsInsecure: true })
  .database(process.env.COSMOS_DATABASE ?? '')
  .container('agreements');
const pollIntervalMs = Number(process.env.EMAIL_POLL_INTERVAL_MS ?? 1000);

interface Run {
  run: 'receiveDelete' | 'sameWork';
  queue: string;
  total: number;
}

process.on('message', (m) => {
  const { run, queue, total } = m as Run;
  const client = queues.getQueueClient(queue);
  const done = run === 'sameWork' ? bareSameWork(client, agreements, email, total, pollIntervalMs) : bareDrain(client, total);
  done.then(
    (elapsedMs) => process.send?.({ elapsedMs }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ port: 0 });
