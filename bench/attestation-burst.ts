// N customer-agreement-events enqueued at once; time until every confirmation is
// accepted by the email endpoint, vs a bare loop that receives and deletes the same N messages from
// Azurite with the same batch size, in alternating rounds. Goal: ratio <= 2, p99 attestation-to-send
// far under 30 minutes.
import { QueueServiceClient } from '@azure/storage-queue';
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
          for (;;) {
            const emails = (await (await fetch(`${emailUrl}/emails`)).json()) as unknown[];
            if (emails.length >= n) break;
            if (performance.now() - started > 15 * 60_000) throw new Error(`only ${emails.length} of ${n} confirmations after 15 minutes`);
            await new Promise((r) => setTimeout(r, 100));
          }
          return performance.now() - started;
        });
      const bareQueue = queues.getQueueClient(`bench-bare-${n}`);
      await bareQueue.createIfNotExists();
      const bare = async (round: number) => {
        await enqueue(bareQueue, events(round));
        return bareDrain(bareQueue, n);
      };
      const oursMs: number[] = [];
      const bareMs: number[] = [];
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) {
          oursMs.push(await ours(round));
          bareMs.push(await bare(round));
        } else {
          bareMs.push(await bare(round));
          oursMs.push(await ours(round));
        }
      }

      const sla = await withHost(async (base) => {
        const response = await fetch(`${base}/api/operations/notifications/sla`, { headers: { authorization: `Bearer ${operator}` } });
        return (await response.json()) as { p50Seconds: number; p99Seconds: number };
      });
      const seconds = (ms: number[]) => ms.map((m) => +(m / 1000).toFixed(2));
      results[`burst${n}`] = {
        oursSeconds: seconds(oursMs),
        bareReceiveDeleteSeconds: seconds(bareMs),
        ratio: ratio(median(oursMs), median(bareMs)),
        goal: '<= 2',
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
