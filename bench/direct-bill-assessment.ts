// CSP-3 benchmark: the daily direct-bill assessment over N DirectBill partners end to end (the timer
// through the local host's admin endpoint, the page queue and its workers, the suspensions with their
// emails through the outbox) vs a bare @azure/cosmos program on the same emulator that pages through
// the same partners with the same query and page size, decides with the same domain function and
// writes the same suspensions (a point read and a replace per due partner) and sends the same email
// to each suspended partner through the email SDK, polled until the service reports it. Each side gets
// its own identical database, because the emulator scans a whole container for every query page.
// Goal: time ratio <= 1.5.
import { randomUUID } from 'node:crypto';
import { EmailClient } from '@azure/communication-email';
import type { CosmosClient } from '@azure/cosmos';
import { createCosmosClient } from '../shared/data/cosmos-client.js';
import { assessDirectBill, type AssessmentSubject } from '../shared/domain/csp.js';
import type { Partner } from '../shared/domain/partner.js';
import { ensureDevKeys, signDevToken } from '../shared/local-host/dev-keys.js';
import { ask, emailEndpointUrl, ratio, bulkCreate, provisionBenchDatabase, startBenchStack, startFunctionHost, type Server } from './support.js';

const pageSize = 500; // the assessment's page size (shared/use-cases/direct-bill.ts)
const yearAgo = new Date(Date.now() - 400 * 86_400_000).toISOString();

/** A DirectBill partner; one in 100 has dropped below USD 300,000 and one in 200 was last confirmed over a year ago. */
function partnerDoc(i: number): Partner {
  const partnerId = `db${i}`;
  const now = new Date().toISOString();
  return {
    id: 'partner',
    type: 'partner',
    partnerId,
    companyName: `Partner ${i}`,
    address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
    primaryContact: { firstName: 'A', lastName: 'B', email: `p${i}@bench.example` },
    programs: ['ai-cloud-partner', 'csp'],
    cspModel: 'DirectBill',
    locations: [{ partnerId: `${partnerId}-L`, country: 'US', active: true }],
    agreementActive: true,
    bankProfiles: [],
    taxProfiles: [],
    csp: {
      indirectResellerSince: '2022-01-01',
      trailing12MonthRevenueUsd: i % 100 === 7 ? 250_000 : 400_000,
      supportPlan: 'Advanced',
      managedServices: 2,
      authorityToSign: true,
      firstLineSupport: true,
      infrastructure: true,
      capabilityAssessmentPassed: true,
      creditCheck: 'Passed',
    },
    createdAt: i % 200 === 11 ? yearAgo : now,
    updatedAt: now,
  };
}

async function seed(client: CosmosClient, databaseId: string, env: Record<string, string>, partners: number): Promise<void> {
  await provisionBenchDatabase(client, databaseId, env);
  await bulkCreate(
    client.database(databaseId).container('partners'),
    Array.from({ length: partners }, (_, i) => partnerDoc(i)),
  );
}

/**
 * The bare program: page through the DirectBill partners deciding each, then read and replace each
 * due one and send its email (16 at a time). Reads before writes, as ours does: on the emulator a write makes the next
 * query page of its container rescan it.
 */
async function bareAssessment(
  client: CosmosClient,
  databaseId: string,
  email: EmailClient,
  pollIntervalMs: number,
): Promise<{ ms: number; suspended: number; pages: number }> {
  const partners = client.database(databaseId).container('partners');
  const started = performance.now();
  let continuationToken: string | undefined;
  let pages = 0;
  const now = new Date();
  const due: string[] = [];
  do {
    const response = await partners.items
      .query<AssessmentSubject>(
        {
          query:
            'SELECT c.partnerId, c.cspModel, c.createdAt, c.programs, c.locations, c.csp, c.directBill FROM c WHERE c.type = @type AND c.cspModel = @cspModel',
          parameters: [
            { name: '@type', value: 'partner' },
            { name: '@cspModel', value: 'DirectBill' },
          ],
        },
        { maxItemCount: pageSize, continuationToken },
      )
      .fetchNext();
    pages++;
    continuationToken = response.continuationToken || undefined;
    due.push(...response.resources.filter((p) => assessDirectBill(p, now).suspend).map((p) => p.partnerId));
  } while (continuationToken);
  let suspended = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(16, due.length) }, async () => {
      while (next < due.length) {
        const id = due[next++] ?? '';
        const read = await partners.item('partner', id).read<Partner>();
        const partner = read.resource;
        if (!partner) continue;
        const decision = assessDirectBill(partner, now);
        if (!decision.suspend) continue;
        const suspendedPartner: Partner = {
          ...partner,
          directBill: { ...partner.directBill, abilities: 'Suspended', suspendedAt: now.toISOString(), suspendedFor: decision.reasons },
        };
        await partners.item('partner', id).replace(suspendedPartner, { accessCondition: { type: 'IfMatch', condition: read.etag } });
        // The partner is told once (CSP-3): the same email, sent and polled until the service reports it.
        const poller = await email.beginSend(
          {
            senderAddress: 'DoNotReply@partner-portal.example',
            recipients: { to: [{ address: partner.primaryContact.email }] },
            content: { subject: 'Direct-bill abilities suspended', plainText: decision.reasons.join('\n') },
            headers: { 'x-notification-type': 'DirectBillAbilitiesSuspended' },
          },
          { operationId: randomUUID(), updateIntervalInMs: pollIntervalMs },
        );
        await poller.pollUntilDone();
        suspended++;
      }
    }),
  );
  return { ms: performance.now() - started, suspended, pages };
}

export async function benchDirectBillAssessment(partners = Number(process.env.BENCH_PARTNERS ?? 20_000)): Promise<Record<string, unknown>> {
  const stack = await startBenchStack();
  const client = createCosmosClient({ endpoint: stack.env.COSMOS_ENDPOINT ?? '', key: stack.env.COSMOS_KEY, tlsInsecure: true });
  const servers: Server[] = [];
  try {
    const keys = await ensureDevKeys(stack.keysDir);
    const operator = await signDevToken(keys.privateJwk, { roles: ['PlatformOperator'] });
    const ours = `bench-assessment-ours-${partners}`;
    const bare = `bench-assessment-bare-${partners}`;
    await seed(client, ours, stack.env, partners);
    await seed(client, bare, stack.env, partners);

    const host = await startFunctionHost('./servers/app-host.ts', { ...stack.env, COSMOS_DATABASE: ours });
    servers.push(host);
    await ask(host, { startTriggers: true }, 'triggersStarted');
    const runId = new Date().toISOString().slice(0, 10);
    const started = performance.now();
    const timer = await fetch(`http://127.0.0.1:${host.port}/admin/functions/directBillAssessment`, { method: 'POST', body: JSON.stringify({ input: '' }) });
    if (timer.status !== 202) throw new Error(`the timer answered ${timer.status}`);
    let status: { status: string; pages: number; scanned: number; suspended: number; requestUnits: number } | undefined;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${host.port}/api/operations/direct-bill-assessments/${runId}`, {
        headers: { authorization: `Bearer ${operator}` },
      });
      if (response.status === 200) {
        status = (await response.json()) as typeof status;
        if (status?.status === 'Completed') break;
      }
      if (performance.now() - started > 20 * 60_000) throw new Error(`the assessment of ${partners} partners did not complete in 20 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const oursMs = performance.now() - started;
    const emails = ((await (await fetch(`${emailEndpointUrl(stack.env)}/emails`)).json()) as { message: { headers?: Record<string, string> } }[]).filter(
      (e) => e.message.headers?.['x-notification-type'] === 'DirectBillAbilitiesSuspended',
    ).length;
    await host.stop();
    servers.pop();

    const sdkEmail = new EmailClient(stack.env.EMAIL_CONNECTION_STRING ?? '', { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
    const baseline = await bareAssessment(client, bare, sdkEmail, Number(stack.env.EMAIL_POLL_INTERVAL_MS ?? 1000));
    return {
      [`directBillAssessment${partners}`]: {
        oursSeconds: +(oursMs / 1000).toFixed(1),
        bareSeconds: +(baseline.ms / 1000).toFixed(1),
        ratio: ratio(oursMs, baseline.ms),
        goal: '<= 1.5',
        pages: status.pages,
        scanned: status.scanned,
        suspended: status.suspended,
        bareSuspended: baseline.suspended,
        barePages: baseline.pages,
        emails,
      },
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    client.dispose();
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchDirectBillAssessment(), null, 2));
}
