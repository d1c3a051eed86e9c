// Issue 5 benchmark: a rollover of N enrolments (over N/10 partners) end to end through the timer's
// planning, the page queue and the workers of the local host, vs a bare @azure/cosmos program on the
// same emulator that pages through the same enrolments with the same page size and bulk-writes the
// same renewals (with the same partner reads). Each side gets its own identical database, because
// the emulator scans a whole container for every query page. Goals: time ratio <= 1.5; the host's
// peak RSS at 20,000 vs 5,000 enrolments <= 1.2.
import type { CosmosClient } from '@azure/cosmos';
import { createCosmosClient } from '../shared/data/cosmos-client.js';
import { QueueServiceClient } from '@azure/storage-queue';
import { newEnrollment, type Enrollment } from '../shared/domain/incentives.js';
import type { Partner } from '../shared/domain/partner.js';
import { renewalOf } from '../shared/domain/rollover.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';
import { poisonQueueOf, queueNames } from '../shared/use-cases/queues.js';
import { ask, ratio, bulkCreate, provisionBenchDatabase, startBenchStack, startFunctionHost, type Server } from './support.js';

// The production default (ROLLOVER_PAGE_SIZE): the emulator's query scans are linear now, so no larger page is needed.
const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 500);
const fromFiscalYear = 2026;

function partnerDoc(i: number): Partner {
  const partnerId = `bp${i}`;
  const location = `${partnerId}-L`;
  const now = new Date().toISOString();
  return {
    id: 'partner',
    type: 'partner',
    partnerId,
    companyName: `Partner ${i}`,
    address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
    primaryContact: { firstName: 'A', lastName: 'B', email: `p${i}@bench.example` },
    programs: ['ai-cloud-partner'],
    cspModel: 'None',
    locations: [{ partnerId: location, country: 'US', active: i % 20 !== 0 }],
    agreementActive: i % 25 !== 0,
    bankProfiles: [{ id: 'bank', locationPartnerId: location, default: true, complete: true }],
    taxProfiles: [{ id: 'tax', locationPartnerId: location, complete: i % 10 !== 0 }],
    createdAt: now,
    updatedAt: now,
  };
}

function enrollmentDoc(partner: Partner, program: number): Enrollment {
  const locationPartnerId = partner.locations[0]?.partnerId ?? '';
  const fields = {
    partnerId: partner.partnerId,
    locationPartnerId,
    programId: `program-${program}`,
    fiscalYear: fromFiscalYear,
    status: 'Enrolled' as const,
    openProgram: false,
  };
  return { ...newEnrollment(fields, new Date()), bankProfileId: 'bank', taxProfileId: 'tax' };
}

async function seed(client: CosmosClient, databaseId: string, env: Record<string, string>, enrollments: number): Promise<void> {
  await provisionBenchDatabase(client, databaseId, env);
  const db = client.database(databaseId);
  const partners = Array.from({ length: enrollments / 10 }, (_, i) => partnerDoc(i));
  await bulkCreate(db.container('partners'), partners);
  await bulkCreate(
    db.container('enrollments'),
    partners.flatMap((p) => Array.from({ length: 10 }, (_, k) => enrollmentDoc(p, k))),
  );
}

/** The bare program: page through, read the partners, bulk-write the renewals. */
async function bareRollover(client: CosmosClient, databaseId: string): Promise<number> {
  const db = client.database(databaseId);
  const started = performance.now();
  let continuationToken: string | undefined;
  do {
    const response = await db
      .container('enrollments')
      .items.query<Enrollment>(
        {
          query: 'SELECT * FROM c WHERE c.type = @type AND c.fiscalYear = @fiscalYear',
          parameters: [
            { name: '@type', value: 'enrollment' },
            { name: '@fiscalYear', value: fromFiscalYear },
          ],
        },
        { maxItemCount: pageSize, continuationToken },
      )
      .fetchNext();
    continuationToken = response.continuationToken || undefined;
    const partners = new Map<string, Partner | undefined>();
    const ids = [...new Set(response.resources.map((e) => e.partnerId))];
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(16, ids.length) }, async () => {
        while (next < ids.length) {
          const id = ids[next++] ?? '';
          partners.set(id, (await db.container('partners').item('partner', id).read<Partner>()).resource);
        }
      }),
    );
    const now = new Date();
    await bulkCreate(
      db.container('enrollments'),
      response.resources.map((e) => renewalOf(e, partners.get(e.partnerId), now)),
    );
  } while (continuationToken);
  return performance.now() - started;
}

export async function benchRollover(sizes = [5000, 20000]): Promise<Record<string, unknown>> {
  const stack = await startBenchStack();
  const client = createCosmosClient({ endpoint: stack.env.COSMOS_ENDPOINT ?? '', key: stack.env.COSMOS_KEY, tlsInsecure: true });
  const servers: Server[] = [];
  const results: Record<string, unknown> = {};
  const peaks: Record<number, number> = {};
  try {
    const keys = await ensureDevKeys(stack.keysDir);
    const operator = await signDevToken(keys.privateJwk, { roles: ['PlatformOperator'] });
    for (const n of sizes) {
      const ours = `bench-ours-${n}`;
      const bare = `bench-bare-${n}`;
      await seed(client, ours, stack.env, n);
      await seed(client, bare, stack.env, n);

      const host = await startFunctionHost('./servers/app-host.ts', { ...stack.env, COSMOS_DATABASE: ours, ROLLOVER_PAGE_SIZE: String(pageSize) });
      servers.push(host);
      await ask(host, { startTriggers: true }, 'triggersStarted');
      const baseline = await ask<number>(host, { resetPeak: true }, 'rss');
      const started = performance.now();
      const response = await fetch(`http://127.0.0.1:${host.port}/api/operations/rollovers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
        body: JSON.stringify({ fromFiscalYear }),
      });
      const { runId } = (await response.json()) as { runId: string };
      let status: {
        status: string;
        scanned: number;
        renewed: number;
        actionRequired: number;
        notEligible: number;
        requestUnits: number;
        requestUnitsPerRenewal: number;
        pages: number;
      };
      for (;;) {
        status = (await (
          await fetch(`http://127.0.0.1:${host.port}/api/operations/rollovers/${runId}`, { headers: { authorization: `Bearer ${operator}` } })
        ).json()) as typeof status;
        if (status.status === 'Completed') break;
        if (performance.now() - started > 20 * 60_000) throw new Error(`rollover of ${n} did not complete in 20 minutes`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const oursMs = performance.now() - started;
      const { peak, heapPeak, heapAfterGc } = await ask<{ peak: number; heapPeak: number; heapAfterGc: number }>(host, { peak: true }, 'memory');
      peaks[n] = peak;
      await host.stop();
      servers.pop();
      // The run's summaries were still being sent when it completed: what is left must not reach the
      // next size's host (it would count against that run, as poisoned messages of an unknown run).
      const queues = QueueServiceClient.fromConnectionString(stack.env.AzureWebJobsStorage ?? '');
      for (const name of [queueNames.rolloverPages, queueNames.rolloverSummaries]) {
        for (const queue of [name, poisonQueueOf(name)])
          await queues
            .getQueueClient(queue)
            .clearMessages()
            .catch(() => {});
      }

      const bareMs = await bareRollover(client, bare);
      results[`rollover${n}`] = {
        oursSeconds: +(oursMs / 1000).toFixed(1),
        bareSeconds: +(bareMs / 1000).toFixed(1),
        ratio: ratio(oursMs, bareMs),
        goal: '<= 1.5',
        pages: status.pages,
        scanned: status.scanned,
        renewed: status.renewed,
        actionRequired: status.actionRequired,
        notEligible: status.notEligible,
        requestUnitsPerRenewal: status.requestUnitsPerRenewal,
        hostPeakRssMiB: +(peak / 1024 / 1024).toFixed(1),
        hostRssGrowthMiB: +((peak - baseline) / 1024 / 1024).toFixed(1),
        hostHeapPeakMiB: +(heapPeak / 1024 / 1024).toFixed(1),
        hostHeapAfterGcMiB: +(heapAfterGc / 1024 / 1024).toFixed(1),
      };
    }
    const [small, large] = sizes;
    if (small !== undefined && large !== undefined && peaks[small] && peaks[large]) {
      results.peakRss = { ratio: ratio(peaks[large] ?? 0, peaks[small] ?? 1), goal: '<= 1.2' };
    }
    return results;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    client.dispose();
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchRollover(), null, 2));
}
