import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { app, type Timer } from '../shared/platform/azure-functions.js';
import { httpFunction, queueFunction } from '../shared/platform/functions.js';
import { poisonQueueOf } from '../shared/use-cases/queues.js';
import { eventually, queueService, startTestHost, unique, type TestHost } from './support/harness.js';

// Test-only functions, registered through the same app.* calls as the real table.
const failingQueue = unique('always-fails');
const invalidQueue = unique('validated');
const failingCalls: number[] = [];
app.storageQueue('test-always-fails', {
  queueName: failingQueue,
  connection: 'AzureWebJobsStorage',
  handler: async (_item, context) => {
    failingCalls.push(Number(context.triggerMetadata?.dequeueCount));
    throw new Error('boom');
  },
});

const validatedCalls: unknown[] = [];
queueFunction('test-validated', {
  queueName: invalidQueue,
  message: z.object({ eventId: z.string() }),
  handler: async (message) => {
    validatedCalls.push(message);
  },
});

const slowQueue = unique('slow');
const slowDone: string[] = [];
app.storageQueue('test-slow', {
  queueName: slowQueue,
  connection: 'AzureWebJobsStorage',
  handler: async (item) => {
    await new Promise((r) => setTimeout(r, 300));
    slowDone.push(String((item as { n: number }).n));
  },
});

const timerRuns: Timer[] = [];
app.timer('test-timer', {
  schedule: '0 0 0 1 1 *', // once a year: it only runs when asked to
  handler: async (timer) => {
    timerRuns.push(timer);
  },
});

let streamReport: { isStream: boolean; bytes: number; sha256: string; retainedMidway: number } | undefined;
let baselineRetained = 0;
/** Memory still reachable after a full collection: what the process holds, not garbage awaiting GC. */
async function retainedBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the tests with --expose-gc (vitest.config.ts execArgv)');
  // V8 frees ArrayBuffer backing stores on a background sweeper after a GC: let it finish.
  gc();
  await new Promise((r) => setTimeout(r, 30));
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}
let firstChunkSeen: () => void = () => {};
const firstChunk = new Promise<void>((resolve) => {
  firstChunkSeen = resolve;
});
app.http('test-stream', {
  methods: ['POST'],
  route: 'test/stream',
  handler: async (request) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let retainedMidway = 0;
    const body = request.body;
    if (!body) return { status: 400 };
    for await (const chunk of body) {
      if (bytes === 0) firstChunkSeen();
      const before = bytes;
      bytes += (chunk as Uint8Array).byteLength;
      hash.update(chunk as Uint8Array);
      if (before < 10 * 1024 * 1024 && bytes >= 10 * 1024 * 1024) retainedMidway = (await retainedBytes()) - baselineRetained;
    }
    streamReport = { isStream: body instanceof ReadableStream, bytes, sha256: hash.digest('hex'), retainedMidway };
    return { status: 200, jsonBody: { bytes } };
  },
});

httpFunction('test-echo', {
  method: 'POST',
  route: 'test/echo/{name}',
  summary: 'echo',
  tags: ['test'],
  access: { anonymous: true },
  params: z.object({ name: z.string().regex(/^[a-z]+$/) }),
  body: z.object({ value: z.number() }),
  maxJsonBytes: 1024,
  responses: { 200: { description: 'echo', schema: z.object({ name: z.string(), value: z.number() }) } },
  handler: async ({ params, body }) => ({ status: 200, body: { name: params.name, value: body.value } }),
});

// Switched off by their AzureWebJobs.<name>.Disabled settings (stubbed while the host starts).
const disabledQueue = unique('disabled');
const disabledCalls: unknown[] = [];
app.http('test-disabled-http', { methods: ['GET'], route: 'test/disabled', authLevel: 'anonymous', handler: async () => ({ status: 200 }) });
app.storageQueue('test-disabled-queue', {
  queueName: disabledQueue,
  connection: 'AzureWebJobsStorage',
  handler: async (item) => {
    disabledCalls.push(item);
  },
});
app.timer('test-disabled-timer', {
  schedule: '* * * * * *', // every second, were it enabled
  handler: async (timer) => {
    disabledCalls.push(timer);
  },
});

let host: TestHost;

beforeAll(async () => {
  const queues = queueService();
  for (const q of [failingQueue, invalidQueue, slowQueue, disabledQueue]) {
    await queues.getQueueClient(q).createIfNotExists();
    await queues.getQueueClient(poisonQueueOf(q)).createIfNotExists();
  }
  const switches = {
    'AzureWebJobs.test-disabled-http.Disabled': 'true',
    'AzureWebJobs__test-disabled-queue__Disabled': '1',
    'AzureWebJobs.test-disabled-timer.Disabled': 'True',
  };
  for (const [name, value] of Object.entries(switches)) vi.stubEnv(name, value);
  try {
    host = await startTestHost(
      (fn) => fn.name.startsWith('test-'),
      (s) => ({
        ...s,
        queues: { ...s.queues, maxPollingIntervalMs: 200, visibilityTimeoutMs: 0 },
      }),
    );
  } finally {
    // Only these: the suite's own settings are stubbed too (setup-env.ts).
    for (const name of Object.keys(switches)) vi.stubEnv(name, undefined);
  }
});

afterAll(async () => {
  await host?.stop();
});

async function peekAll(queueName: string): Promise<string[]> {
  const response = await queueService().getQueueClient(queueName).peekMessages({ numberOfMessages: 32 });
  return response.peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'));
}

describe('queue triggers', () => {
  it('moves a message that throws 5 times (maxDequeueCount) to <queue>-poison, untouched', async () => {
    const body = JSON.stringify({ eventId: 'e-1', n: 42 });
    await queueService().getQueueClient(failingQueue).sendMessage(encodeQueueMessage(body));

    const poisoned = await eventually(async () => {
      const messages = await peekAll(poisonQueueOf(failingQueue));
      return messages.length > 0 ? messages : undefined;
    });
    expect(poisoned).toEqual([body]);
    expect(failingCalls).toEqual([1, 2, 3, 4, 5]);
    expect(await peekAll(failingQueue)).toEqual([]);
  });

  it('sends a message that fails its schema straight to poison, without calling the handler', async () => {
    await queueService()
      .getQueueClient(invalidQueue)
      .sendMessage(encodeQueueMessage({ wrong: true }));
    const poisoned = await eventually(async () => {
      const messages = await peekAll(poisonQueueOf(invalidQueue));
      return messages.length > 0 ? messages : undefined;
    });
    expect(JSON.parse(poisoned[0] ?? '')).toEqual({ wrong: true });
    expect(validatedCalls).toEqual([]);

    await queueService()
      .getQueueClient(invalidQueue)
      .sendMessage(encodeQueueMessage({ eventId: 'ok' }));
    await eventually(() => (validatedCalls.length > 0 ? true : undefined));
    expect(validatedCalls).toEqual([{ eventId: 'ok' }]);
  });
});

describe('admin endpoint and timers', () => {
  it('POST /admin/functions/{name} answers 202 and runs the timer', async () => {
    const before = timerRuns.length;
    const response = await fetch(`${host.url}/admin/functions/test-timer`, { method: 'POST', body: JSON.stringify({ input: '' }) });
    expect(response.status).toBe(202);
    const run = await eventually(() => timerRuns[before]);
    expect(run.isPastDue).toBe(false);
    expect(run.scheduleStatus.next).toMatch(/^\d{4}-01-01T00:00:00/);
  });

  it('answers 404 problem+json for an unknown function', async () => {
    const response = await fetch(`${host.url}/admin/functions/nope`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('runs a timer at start with isPastDue when the schedule monitor shows a missed occurrence', async () => {
    const { TimerScheduler } = await import('../shared/local-host/timer-scheduler.js');
    const store = (await import('./support/harness.js')).blobService().getContainerClient('azure-webjobs-hosts');
    await store.createIfNotExists();
    const name = unique('missed');
    const status = JSON.stringify({ last: '2020-01-01T00:00:00.000Z', next: '2020-01-02T00:00:00.000Z', lastUpdated: '2020-01-01T00:00:00.000Z' });
    await store.getBlockBlobClient(`timers/local/${name}/status`).upload(status, status.length);
    const runs: Timer[] = [];
    const scheduler = new TimerScheduler({
      functionName: name,
      schedule: '0 0 0 1 1 *',
      runOnStartup: false,
      useMonitor: true,
      statusStore: store,
      invoke: async (_n, input) => {
        runs.push(input as Timer);
      },
      log: () => {},
    });
    await scheduler.start();
    const run = await eventually(() => runs[0]);
    expect(run.isPastDue).toBe(true);
    expect(run.scheduleStatus.last).toBe('2020-01-01T00:00:00.000Z');
    await scheduler.stop();

    const again: Timer[] = [];
    const second = new TimerScheduler({
      functionName: name,
      schedule: '0 0 0 1 1 *',
      runOnStartup: true,
      useMonitor: true,
      statusStore: store,
      invoke: async (_n, input) => {
        again.push(input as Timer);
      },
      log: () => {},
    });
    await second.start();
    const startupRun = await eventually(() => again[0]);
    expect(startupRun.isPastDue).toBe(false); // status was brought up to date by the first run
    await second.stop();
  });
});

describe('HTTP triggers', () => {
  it('streams a 20 MiB request body to the handler without buffering it', async () => {
    const total = 20 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const expected = createHash('sha256');
    baselineRetained = await retainedBytes();

    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${host.url}/api/test/stream`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      let sent = 0;
      const writeSome = async (): Promise<void> => {
        // Send 1 MiB, then wait until the handler has already seen data: a buffering host would
        // never call the handler before the body is complete, and this test would time out.
        while (sent < 1024 * 1024) {
          req.write(chunk);
          expected.update(chunk);
          sent += chunk.length;
        }
        await firstChunk;
        while (sent < total) {
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          expected.update(chunk);
          sent += chunk.length;
        }
        req.end();
      };
      writeSome().catch(reject);
    });

    expect(response.status).toBe(200);
    expect(streamReport?.isStream).toBe(true);
    expect(streamReport?.bytes).toBe(total);
    expect(streamReport?.sha256).toBe(expected.digest('hex'));
    // Halfway through, the process holds a few chunks in flight, not the 10 MiB already received.
    expect(streamReport?.retainedMidway).toBeLessThan(4 * 1024 * 1024);
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const response = await fetch(`${host.url}/api/no/such/route`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers 400 problem+json with errors for malformed JSON', async () => {
    const response = await fetch(`${host.url}/api/test/echo/abc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": 1,' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { errors: { path: string }[]; detail: string };
    expect(problem.errors).toEqual([{ path: 'body', message: 'malformed JSON' }]);
  });

  it('validates params and body with their schemas, and passes route params through', async () => {
    const ok = await fetch(`${host.url}/api/test/echo/abc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": 1}' });
    expect(await ok.json()).toEqual({ name: 'abc', value: 1 });

    const badParam = await fetch(`${host.url}/api/test/echo/ABC`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": 1}' });
    expect(badParam.status).toBe(400);
    expect(((await badParam.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('params.name');

    const badBody = await fetch(`${host.url}/api/test/echo/abc`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value": "x"}' });
    expect(((await badBody.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('body.value');
  });

  it('answers 415 for a non-JSON body and 413 past the JSON size cap', async () => {
    const wrongType = await fetch(`${host.url}/api/test/echo/abc`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"value": 1}' });
    expect(wrongType.status).toBe(415);
    const tooLarge = await fetch(`${host.url}/api/test/echo/abc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 1, pad: 'x'.repeat(2000) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('AzureWebJobs.<name>.Disabled', () => {
  it("ignores a disabled function's trigger (its route answers 404, its queue is not polled, its timer does not run), while the admin endpoint still runs it", async () => {
    expect(host.host.describe('')).toEqual(
      expect.arrayContaining([
        'test-disabled-http: httpTrigger (disabled)',
        'test-disabled-queue: queueTrigger (disabled)',
        'test-disabled-timer: timerTrigger (disabled)',
      ]),
    );
    const route = await fetch(`${host.url}/api/test/disabled`);
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toBe('application/problem+json');

    await queueService()
      .getQueueClient(disabledQueue)
      .sendMessage(encodeQueueMessage({ n: 1 }));
    // The barrier waits for every queue the host polls to be empty: were this one polled, the message
    // would be consumed before it resolves.
    await host.host.idle();
    expect(await peekAll(disabledQueue)).toEqual(['{"n":1}']);
    // Not scheduled at all (an enabled timer has its next run), so it cannot have fired.
    expect(host.host.nextTimerRun('test-disabled-timer')).toBeNull();
    expect(host.host.nextTimerRun('test-timer')).toBeInstanceOf(Date);
    expect(disabledCalls).toEqual([]);

    const run = await fetch(`${host.url}/admin/functions/test-disabled-timer`, { method: 'POST', body: JSON.stringify({ input: '' }) });
    expect(run.status).toBe(202);
    const timer = await eventually(() => disabledCalls[0] as Timer | undefined);
    expect(timer.isPastDue).toBe(false);
    expect(disabledCalls).toHaveLength(1);
  });
});

describe('the idle barrier', () => {
  it('resolves only once every queued message has been processed, so "nothing more happened" can be asserted without a guessed sleep', async () => {
    for (const n of [1, 2, 3]) await queueService().getQueueClient(slowQueue).sendMessage(encodeQueueMessage({ n }));
    await host.host.idle();
    expect([...slowDone].sort()).toEqual(['1', '2', '3']);
  });
});
