// N customer-agreement-events enqueued at once; time until every confirmation is accepted by the
// email endpoint, against two bare programs in alternating rounds: one that only receives and deletes
// the same N messages from Azurite with the same batch size (the queue alone), and one that does the
// same work as the suite with the SDKs alone (receive, read the customer, write the agreement and its
// email record in one batch, send and poll the email, mark it sent, delete). Goals: ratio <= 1.5
// against the queue alone; p99 attestation-to-send far under 30 minutes.
import { randomUUID } from 'node:crypto';
import { EmailClient } from '@azure/communication-email';
import type { Container } from '@azure/cosmos';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { createCosmosClient } from '../shared/data/cosmos-client.js';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';
import { ask, emailEndpointUrl, median, ratio, startBenchStack, startFunctionHost, type Server } from './support.js';

const batchSize = 16; // host.json extensions.queues.batchSize

async function enqueue(queue: ReturnType<QueueServiceClient['getQueueClient']>, bodies: unknown[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        await queue.sendMessage(encodeQueueMessage(body), { messageTimeToLive: -1 });
      }
    }),
  );
}

async function bareDrain(queue: ReturnType<QueueServiceClient['getQueueClient']>, total: number): Promise<number> {
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

/**
 * Three rounds of each side per size, alternating which goes first (ours, bare; bare, ours; ours,
 * bare), and the ratio of the medians, every round reported: a single round's time spreads with the
 * machine and the emulators, so one round per side says little (docs/benchmarks.md).
 */
export async function benchAttestationBurst(sizes = [500, 2000], rounds = 3): Promise<Record<string, unknown>> {
  const stack = await startBenchStack();
  const servers: Server[] = [];
  try {
    const queues = QueueServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage ?? '');
    const keys = await ensureDevKeys(stack.keysDir);
    const operator = await signDevToken(keys.privateJwk, { roles: ['PlatformOperator'] });
    const emailUrl = emailEndpointUrl(stack.env);
    const pollIntervalMs = Number(stack.env.EMAIL_POLL_INTERVAL_MS ?? 1000);
    const sdkEmail = new EmailClient(stack.env.EMAIL_CONNECTION_STRING ?? '', { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    const agreements = createCosmosClient({ endpoint: stack.env.COSMOS_ENDPOINT ?? '', key: stack.env.COSMOS_KEY, tlsInsecure: true })
      .database(stack.env.COSMOS_DATABASE ?? '')
      .container('agreements');
    const withHost = async <T>(work: (base: string, host: Server) => Promise<T>): Promise<T> => {
      const host = await startFunctionHost('./servers/app-host.ts', stack.env);
      servers.push(host);
      try {
        return await work(`http://127.0.0.1:${host.port}`, host);
      } finally {
        await host.stop();
        servers.splice(servers.indexOf(host), 1);
      }
    };
    const results: Record<string, unknown> = {};
    for (const n of sizes) {
      const partnerId = `bench-${n}`;
      const customerId = 'customer-1';
      await withHost(async (base) => {
        const json = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
        await fetch(`${base}/api/partners/${partnerId}`, {
          method: 'PUT',
          headers: json,
          body: JSON.stringify({
            companyName: 'Bench Ltd',
            address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
            primaryContact: { firstName: 'Ben', lastName: 'Ch', email: `owner-${n}@bench.example` },
            programs: ['csp'],
            cspModel: 'DirectBill',
            locations: [],
          }),
        });
        const put = await fetch(`${base}/api/partners/${partnerId}/customers/${customerId}`, {
          method: 'PUT',
          headers: json,
          body: JSON.stringify({
            companyName: 'Fabrikam',
            primaryContact: { firstName: 'Kai', lastName: 'Ito', email: 'kai@fabrikam.example' },
            agreementOption: 'PartnerAttestation',
          }),
        });
        if (put.status !== 201) throw new Error(`PUT customer answered ${put.status}`);
      });
      // Each round's events are new (their own ids): each is recorded and confirmed once.
      const events = (round: number) => {
        const occurredAt = new Date().toISOString();
        return Array.from({ length: n }, (_, i) => ({
          eventId: `burst-${n}-${round}-${i}`,
          partnerId,
          customerId,
          kind: 'PartnerAttestation',
          primaryContact: { firstName: 'Kai', lastName: 'Ito', email: 'kai@fabrikam.example' },
          dateAgreed: occurredAt.slice(0, 10),
          occurredAt,
        }));
      };

      // Ours: a fresh host whose triggers are held until the burst is queued; timed until the email
      // endpoint has accepted every confirmation.
      const ours = (round: number) =>
        withHost(async (_base, host) => {
          await fetch(`${emailUrl}/emails`, { method: 'DELETE' });
          await enqueue(queues.getQueueClient('customer-agreement-events'), events(round));
          const started = performance.now();
          await ask(host, { startTriggers: true }, 'triggersStarted');
          // The endpoint runs in this process: its count is read without listing (and serialising) every email.
          while (stack.emailCount() < n) {
            if (performance.now() - started > 15 * 60_000) throw new Error(`only ${stack.emailCount()} of ${n} confirmations after 15 minutes`);
            await new Promise((r) => setTimeout(r, 10));
          }
          return performance.now() - started;
        });
      const bareQueue = queues.getQueueClient(`bench-bare-${n}`);
      await bareQueue.createIfNotExists();
      const bare = async (round: number) => {
        await enqueue(bareQueue, events(round));
        return bareDrain(bareQueue, n);
      };
      const sameQueue = queues.getQueueClient(`bench-same-${n}`);
      await sameQueue.createIfNotExists();
      const same = async (round: number) => {
        await fetch(`${emailUrl}/emails`, { method: 'DELETE' });
        await enqueue(sameQueue, events(round));
        return bareSameWork(sameQueue, agreements, sdkEmail, n, pollIntervalMs);
      };
      const oursMs: number[] = [];
      const bareMs: number[] = [];
      const sameMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        // The order rotates, so no side always follows another's work.
        const sides = [
          () => ours(round).then((ms) => oursMs.push(ms)),
          () => bare(round).then((ms) => bareMs.push(ms)),
          () => same(round).then((ms) => sameMs.push(ms)),
        ];
        for (let k = 0; k < sides.length; k++) await sides[(round + k) % sides.length]?.();
      }

      const sla = await withHost(async (base) => {
        const response = await fetch(`${base}/api/operations/notifications/sla`, { headers: { authorization: `Bearer ${operator}` } });
        return (await response.json()) as { p50Seconds: number; p99Seconds: number };
      });
      const seconds = (ms: number[]) => ms.map((m) => +(m / 1000).toFixed(2));
      results[`burst${n}`] = {
        oursSeconds: seconds(oursMs),
        bareReceiveDeleteSeconds: seconds(bareMs),
        bareSameWorkSeconds: seconds(sameMs),
        ratio: ratio(median(oursMs), median(bareMs)),
        goal: '<= 1.5',
        ratioToSameWork: ratio(median(oursMs), median(sameMs)),
        perMessageMs: +(median(oursMs) / n).toFixed(2),
        slaP50Seconds: sla.p50Seconds,
        slaP99Seconds: sla.p99Seconds,
      };
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchAttestationBurst(), null, 2));
}
