import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { FunctionHost } from '../shared/local-host/function-host.js';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { app } from '../shared/platform/azure-functions.js';
import { poisonQueueOf } from '../shared/use-cases/queues.js';
import { eventually, queueService, storageConnection, unique } from './support/harness.js';

// The local host frames every invocation as `func start` does: an "Executing" line naming the function,
// why it runs (the trigger) and the invocation id, the function's own logs, then an "Executed" line with
// the outcome and the duration.
const queueName = unique('log-lines');
const core = installFunctionsCore();
app.http('log-http', {
  methods: ['GET'],
  route: 'log/hello',
  authLevel: 'anonymous',
  handler: async (_request, context) => {
    context.log('hello from the handler');
    return { status: 200, jsonBody: { ok: true } };
  },
});
app.http('log-http-throws', {
  methods: ['GET'],
  route: 'log/throws',
  authLevel: 'anonymous',
  handler: async () => {
    throw new Error('planted failure');
  },
});
app.storageQueue('log-queue', {
  queueName,
  connection: 'AzureWebJobsStorage',
  handler: async (message, context) => {
    context.log(`got ${JSON.stringify(message)}`);
  },
});
app.timer('log-timer', {
  schedule: '0 0 0 1 1 *',
  runOnStartup: true,
  handler: async (_timer, context) => {
    context.log('tick');
  },
});

const lines: string[] = [];
let host: FunctionHost;
let url: string;

beforeAll(async () => {
  await queueService().getQueueClient(queueName).createIfNotExists();
  await queueService().getQueueClient(poisonQueueOf(queueName)).createIfNotExists();
  host = await FunctionHost.forConnection(core, storageConnection(), {
    include: (fn) => fn.name.startsWith('log-'),
    settings: (s) => ({ ...s, queues: { ...s.queues, maxPollingIntervalMs: 200 } }),
    log: (line) => lines.push(line),
  });
  await host.start();
  url = `http://127.0.0.1:${await host.listen(0)}`;
});

afterAll(async () => {
  await host?.stop();
});

const id = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The lines of the invocation whose "Executing" line matches `executing`, through its "Executed" line. */
function invocation(name: string, executing: RegExp): string[] | undefined {
  const start = lines.findIndex((l) => l.startsWith(`Executing 'Functions.${name}'`) && executing.test(l));
  if (start < 0) return undefined;
  const invocationId = /Id=([0-9a-f-]+)\)/.exec(lines[start] ?? '')?.[1] ?? '';
  const end = lines.findIndex((l, i) => i > start && l.startsWith(`Executed 'Functions.${name}'`) && l.includes(`Id=${invocationId},`));
  return end < 0 ? undefined : lines.slice(start, end + 1).filter((l, i, all) => i === 0 || i === all.length - 1 || !l.startsWith('Execut'));
}

describe('the local host logs every invocation as func start does', () => {
  it('an HTTP call: Executing with the method and path, the function log, Executed (Succeeded) with its duration', async () => {
    expect((await fetch(`${url}/api/log/hello`)).status).toBe(200);
    const framed = await eventually(() => invocation('log-http', /Reason='HTTP GET \/api\/log\/hello'/));
    expect(framed[0]).toMatch(new RegExp(`^Executing 'Functions.log-http' \\(Reason='HTTP GET /api/log/hello', Id=${id}\\)$`));
    expect(framed[1]).toBe('[log-http] information: hello from the handler');
    expect(framed.at(-1)).toMatch(new RegExp(`^Executed 'Functions.log-http' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)$`));
    expect(framed[0]?.match(/Id=([^)]+)/)?.[1]).toBe(framed.at(-1)?.match(/Id=([^,]+)/)?.[1]);
  });

  it('a handler that throws: Executed (Failed) and the exception message', async () => {
    expect((await fetch(`${url}/api/log/throws`)).status).toBe(500);
    const framed = await eventually(() => invocation('log-http-throws', /HTTP GET/));
    expect(framed.at(-1)).toMatch(new RegExp(`^Executed 'Functions.log-http-throws' \\(Failed, Id=${id}, Duration=\\d+ms\\)$`));
    expect(lines).toContain('Exception while executing function: Functions.log-http-throws. planted failure');
  });

  it('a queue message: Executing with the queue, the trigger details, the function log, Executed (Succeeded)', async () => {
    const sent = await queueService()
      .getQueueClient(queueName)
      .sendMessage(encodeQueueMessage({ eventId: 'e-1' }));
    const framed = await eventually(() => invocation('log-queue', /New queue message/));
    expect(framed[0]).toMatch(new RegExp(`^Executing 'Functions.log-queue' \\(Reason='New queue message detected on '${queueName}'.', Id=${id}\\)$`));
    expect(framed[1]).toMatch(new RegExp(`^Trigger Details: MessageId: ${sent.messageId}, DequeueCount: 1, InsertedOn: \\d{4}-`));
    expect(framed[2]).toBe('[log-queue] information: got {"eventId":"e-1"}');
    expect(framed.at(-1)).toMatch(new RegExp(`^Executed 'Functions.log-queue' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)$`));
  });

  it('a timer: Executing with the time it fired, the function log, Executed (Succeeded); the admin endpoint says it was called via the host APIs', async () => {
    const scheduled = await eventually(() => invocation('log-timer', /Reason='Timer fired at \d{4}-\d{2}-\d{2}T/));
    expect(scheduled[1]).toBe('[log-timer] information: tick');
    expect(scheduled.at(-1)).toMatch(new RegExp(`^Executed 'Functions.log-timer' \\(Succeeded, Id=${id}, Duration=\\d+ms\\)$`));

    expect((await fetch(`${url}/admin/functions/log-timer`, { method: 'POST', body: '{}' })).status).toBe(202);
    const byAdmin = await eventually(() => invocation('log-timer', /Reason='This function was programmatically called via the host APIs.'/));
    expect(byAdmin.at(-1)).toContain('(Succeeded,');
  });

  it('prints the start-up table of functions: HTTP ones with methods and URL, the others with their trigger', () => {
    expect(host.describe('http://127.0.0.1:7071')).toEqual([
      'log-http: [GET] http://127.0.0.1:7071/api/log/hello',
      'log-http-throws: [GET] http://127.0.0.1:7071/api/log/throws',
      `log-queue: queueTrigger (${queueName})`,
      'log-timer: timerTrigger (0 0 0 1 1 *)',
    ]);
  });
});
