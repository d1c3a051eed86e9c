// N customer-agreement-events enqueued at once; time until every confirmation is accepted by the
// email endpoint, against two bare programs in rotating rounds, run in a process of their own as the
// host is (bench/servers/bare-burst.ts): one that does the same work as the suite with the SDKs alone
// (receive, read the customer, write the agreement and its email record in one batch, send and poll
// the email, mark it sent, delete), and one that only receives and deletes the same N messages from
// Azurite with the same batch size (the queue alone). Goals: ratio <= 1.5 against the same work, with
// rounds within ±20 %; p99 attestation-to-send far under 30 minutes. The queue-alone ratio is
// reported with its floor: what the bare same-work program itself measures against the queue alone
// (docs/benchmarks.md).
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';
import { nodeWorkerArguments } from '../shared/local-host/host-settings.js';
import { ask, emailEndpointUrl, median, processCpuMs, ratio, startBenchStack, startFunctionHost, startServer, type Server } from './support.js';

async function enqueue(queue: QueueClient, bodies: unknown[]): Promise<void> {
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

/**
 * After an untimed warm-up burst on every side, three rounds of each side per size, rotating which
 * goes first, and the ratio of the medians, every round reported: a single round's time spreads with
 * the machine and the emulators, so one round per side says little (docs/benchmarks.md).
 */
export async function benchAttestationBurst(sizes = [500, 2000], rounds = 3): Promise<Record<string, unknown>> {
  const stack = await startBenchStack();
  const servers: Server[] = [];
  try {
    const queues = QueueServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage ?? '');
    const keys = await ensureDevKeys(stack.keysDir);
    const operator = await signDevToken(keys.privateJwk, { roles: ['PlatformOperator'] });
    const emailUrl = emailEndpointUrl(stack.env);
    // The bare programs run in one process of their own for the whole benchmark, as the host does
    // (bench/servers/bare-burst.ts): the email endpoint is in this process on every side.
    const bareServer = await startServer('./servers/bare-burst.ts', stack.env, nodeWorkerArguments);
    servers.push(bareServer);
    const runBare = (run: 'receiveDelete' | 'sameWork', queue: QueueClient, total: number) =>
      ask<number>(bareServer, { run, queue: queue.name, total }, 'elapsedMs');
    // The timers are switched off as an app setting would (AzureWebJobs.<name>.Disabled): the 5-minute
    // outbox sweep would otherwise land in one round or another, and on the emulator its query scans
    // every document of the container (on Azure, an index lookup of the pending intents).
    const hostEnv = {
      ...stack.env,
      ...Object.fromEntries(
        ['attestationNotificationSweep', 'directBillAssessment', 'enrollmentRollover'].map((name) => [`AzureWebJobs.${name}.Disabled`, 'true']),
      ),
    };
    const withHost = async <T>(work: (base: string, host: Server) => Promise<T>): Promise<T> => {
      const host = await startFunctionHost('./servers/app-host.ts', hostEnv);
      servers.push(host);
      try {
        return await work(`http://127.0.0.1:${host.port}`, host);
      } finally {
        await host.stop();
        servers.splice(servers.indexOf(host), 1);
      }
    };
    // CPU each process spends on a side (ms, from /proc): where the time goes when two cores are shared
    // by the side's worker (the host, or the bare programs' process), the queue emulator, the Cosmos
    // emulator and this process (the email endpoint).
    type Cpu = Record<'worker' | 'queue' | 'cosmos' | 'bench', number>;
    const cpuNow = (workerPid: number | undefined): Cpu => {
      const own = process.cpuUsage();
      return {
        worker: processCpuMs(workerPid) ?? 0,
        queue: processCpuMs(stack.pids['azurite-queue']) ?? 0,
        cosmos: processCpuMs(stack.pids.cosmos) ?? 0,
        bench: (own.user + own.system) / 1000,
      };
    };
    const cpuSince = (start: Cpu, workerPid: number | undefined): Cpu => {
      const end = cpuNow(workerPid);
      return { worker: end.worker - start.worker, queue: end.queue - start.queue, cosmos: end.cosmos - start.cosmos, bench: end.bench - start.bench };
    };
    const cpuSeconds = (samples: Cpu[]) =>
      Object.fromEntries((['worker', 'queue', 'cosmos', 'bench'] as const).map((k) => [k, +(median(samples.map((c) => c[k])) / 1000).toFixed(2)]));
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

      // Ours: one host per size, kept warm between rounds as an instance is between bursts; its
      // triggers are stopped while a burst is queued (and while the other sides run), then started,
      // and the round is timed until the email endpoint has accepted every confirmation.
      const ours = async (host: Server, round: number, count = n) => {
        await fetch(`${emailUrl}/emails`, { method: 'DELETE' });
        await enqueue(queues.getQueueClient('customer-agreement-events'), events(round).slice(0, count));
        const cpu = cpuNow(host.child.pid);
        const started = performance.now();
        await ask(host, { startTriggers: true }, 'triggersStarted');
        // The endpoint runs in this process: its count is read without listing (and serialising) every email.
        while (stack.emailCount() < count) {
          if (performance.now() - started > 15 * 60_000) throw new Error(`only ${stack.emailCount()} of ${count} confirmations after 15 minutes`);
          await new Promise((r) => setTimeout(r, 10));
        }
        // Then until the last messages are deleted (their emails marked sent first), where the bare
        // side's clock stops: its last deletes are part of its time.
        const eventQueue = queues.getQueueClient('customer-agreement-events');
        while (((await eventQueue.getProperties()).approximateMessagesCount ?? 0) > 0) await new Promise((r) => setTimeout(r, 10));
        const elapsed = performance.now() - started;
        const used = cpuSince(cpu, host.child.pid);
        await ask(host, { stopTriggers: true }, 'triggersStopped');
        return { elapsed, used };
      };
      const bareQueue = queues.getQueueClient(`bench-bare-${n}`);
      await bareQueue.createIfNotExists();
      const bare = async (round: number, count = n) => {
        await enqueue(bareQueue, events(round).slice(0, count));
        const cpu = cpuNow(bareServer.child.pid);
        const elapsed = await runBare('receiveDelete', bareQueue, count);
        return { elapsed, used: cpuSince(cpu, bareServer.child.pid) };
      };
      const sameQueue = queues.getQueueClient(`bench-same-${n}`);
      await sameQueue.createIfNotExists();
      const same = async (round: number, count = n) => {
        await fetch(`${emailUrl}/emails`, { method: 'DELETE' });
        await enqueue(sameQueue, events(round).slice(0, count));
        const cpu = cpuNow(bareServer.child.pid);
        const elapsed = await runBare('sameWork', sameQueue, count);
        return { elapsed, used: cpuSince(cpu, bareServer.child.pid) };
      };
      const oursMs: number[] = [];
      const bareMs: number[] = [];
      const sameMs: number[] = [];
      const oursCpu: Cpu[] = [];
      const bareCpu: Cpu[] = [];
      const sameCpu: Cpu[] = [];
      await withHost(async (_base, host) => {
        // A warm-up burst on every side first (untimed): each side's code compiled by the JIT before
        // the first timed round, so no side pays for it in one round and not in another.
        const warmUp = Math.min(n, 500);
        await ours(host, -1, warmUp);
        await bare(-1, warmUp);
        await same(-1, warmUp);
        for (let round = 0; round < rounds; round++) {
          // The order rotates, so no side always follows another's work.
          const sides = [
            () => ours(host, round).then(({ elapsed, used }) => (oursMs.push(elapsed), oursCpu.push(used))),
            () => bare(round).then(({ elapsed, used }) => (bareMs.push(elapsed), bareCpu.push(used))),
            () => same(round).then(({ elapsed, used }) => (sameMs.push(elapsed), sameCpu.push(used))),
          ];
          for (let k = 0; k < sides.length; k++) await sides[(round + k) % sides.length]?.();
        }
      });

      const sla = await withHost(async (base) => {
        const response = await fetch(`${base}/api/operations/notifications/sla`, { headers: { authorization: `Bearer ${operator}` } });
        return (await response.json()) as { p50Seconds: number; p99Seconds: number };
      });
      const seconds = (ms: number[]) => ms.map((m) => +(m / 1000).toFixed(2));
      // How far the slowest or fastest round lies from the median, in %.
      const spread = (ms: number[]) => Math.round((Math.max(...ms.map((m) => Math.abs(m - median(ms)))) / median(ms)) * 100);
      results[`burst${n}`] = {
        oursSeconds: seconds(oursMs),
        bareSameWorkSeconds: seconds(sameMs),
        bareReceiveDeleteSeconds: seconds(bareMs),
        ratio: ratio(median(oursMs), median(sameMs)),
        goal: '<= 1.5 against the same work, rounds within ±20 %',
        roundSpreadPercent: { ours: spread(oursMs), bareSameWork: spread(sameMs), bareReceiveDelete: spread(bareMs) },
        ratioToQueueAlone: ratio(median(oursMs), median(bareMs)),
        // The floor of any program doing this work: the bare SDK program against the queue alone.
        sameWorkToQueueAlone: ratio(median(sameMs), median(bareMs)),
        perMessageMs: +(median(oursMs) / n).toFixed(2),
        cpuSeconds: { ours: cpuSeconds(oursCpu), bareSameWork: cpuSeconds(sameCpu), bareReceiveDelete: cpuSeconds(bareCpu) },
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
