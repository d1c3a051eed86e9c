import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { HttpResponse, type HttpResponseInit } from '../platform/azure-functions.js';
import { LocalHttpRequest } from './local-http-request.js';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { AppError, toProblem } from '../platform/errors.js';
import { poisonQueueOf } from '../use-cases/queues.js';
import type { FunctionsCore, RegisteredFunction } from './functions-core-shim.js';
import { loadHostSettings, type HostSettings } from './host-settings.js';
import { projectRoot } from './project-root.js';
import { createInvoker, invocationReason, type HostLog, type InvokeFunction } from './invoker.js';
import { QueueListener } from './queue-listener.js';
import { Router } from './router.js';
import { TimerScheduler } from './timer-scheduler.js';

/** How much of a body its handler left unread the host reads and discards before closing instead. */
const maxDrainBytes = 64 * 1024 * 1024;

export interface FunctionHostOptions {
  core: FunctionsCore;
  /** Only these functions are hosted (default: every registration). */
  include?: (fn: RegisteredFunction) => boolean;
  settings: HostSettings;
  queueService: QueueServiceClient;
  blobService: BlobServiceClient;
  log?: HostLog;
  /** Functions whose trigger the host ignores (default: the `AzureWebJobs.<name>.Disabled` settings). */
  disabled?: (name: string) => boolean;
}

/**
 * The host's switch for one function: the app setting `AzureWebJobs.<name>.Disabled` (or
 * `AzureWebJobs__<name>__Disabled`, where dots cannot be used) set to `true` or `1`. As on Azure, the
 * host then ignores the function's trigger (its route answers 404, its queue is not polled, its
 * timer does not run) and the admin endpoint still runs it.
 */
function isFunctionDisabled(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[`AzureWebJobs.${name}.Disabled`] ?? env[`AzureWebJobs__${name}__Disabled`];
  return value !== undefined && /^(true|1)$/i.test(value.trim());
}

const nullBodyStatuses = new Set([204, 205, 304]);

/**
 * Writes what a handler returned. Plain results with a JSON, string or byte body are written
 * directly, with the defaults the library's HttpResponse applies (application/json for jsonBody,
 * text/plain for strings); anything else (streams, cookies, HttpResponse objects) goes through
 * HttpResponse itself.
 */
function writeResponse(res: ServerResponse, result: HttpResponseInit | HttpResponse | undefined, head: boolean): Promise<void> | undefined {
  const init = result ?? {};
  if (
    !(init instanceof HttpResponse) &&
    !init.cookies?.length &&
    (init.body === undefined || init.body === null || typeof init.body === 'string' || init.body instanceof Uint8Array)
  ) {
    const status = init.status ?? 200;
    const headers = headerRecord(init.headers);
    let body: string | Uint8Array | undefined;
    if (!nullBodyStatuses.has(status)) {
      if (init.jsonBody !== undefined) {
        body = JSON.stringify(init.jsonBody);
        headers['content-type'] ??= 'application/json';
      } else if (typeof init.body === 'string') {
        body = init.body;
        headers['content-type'] ??= 'text/plain;charset=UTF-8';
      } else if (init.body) {
        body = init.body;
      }
    }
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    res.writeHead(status, headers);
    res.end(head ? undefined : body);
    return undefined;
  }
  const response = init instanceof HttpResponse ? init : new HttpResponse(init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body || head) {
    res.end();
    return undefined;
  }
  return new Promise<void>((resolve, reject) => {
    Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)
      .on('error', reject)
      .pipe(res)
      .on('finish', resolve)
      .on('close', resolve);
  });
}

/** Response headers as a lower-cased record; plain objects (the common case) skip undici's Headers. */
function headerRecord(init: HttpResponseInit['headers']): Record<string, string> {
  const headers: Record<string, string> = {};
  if (init === undefined) return headers;
  if (Object.getPrototypeOf(init) === Object.prototype) {
    for (const [name, value] of Object.entries(init as Record<string, string>)) headers[name.toLowerCase()] = value;
    return headers;
  }
  new Headers(init).forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

function sendProblem(res: ServerResponse, error: AppError): void {
  const { problem, headers } = toProblem(error);
  res.writeHead(problem.status, { ...headers, 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
}

/**
 * A development stand-in for the Azure Functions host over the same registrations: HTTP triggers under
 * the route prefix (request bodies streamed, never buffered), queue triggers polling storage with the
 * host.json settings, timers on their schedules, and `POST /admin/functions/{name}`.
 */
export class FunctionHost {
  readonly functions: RegisteredFunction[];
  private readonly router = new Router<RegisteredFunction>();
  private readonly invoke: InvokeFunction;
  private readonly log: HostLog;
  private readonly listeners: QueueListener[] = [];
  private readonly timers = new Map<string, TimerScheduler>();
  private server: Server | undefined;
  private readonly prefix: string;
  private readonly background = new Set<Promise<unknown>>();
  private readonly disabled = new Set<string>();

  /** A host over a storage connection string, with the repository's host.json. */
  static async forConnection(
    core: FunctionsCore,
    storageConnection: string,
    options: { log?: HostLog; include?: (fn: RegisteredFunction) => boolean; settings?: (s: HostSettings) => HostSettings } = {},
  ): Promise<FunctionHost> {
    const settings = await loadHostSettings(join(projectRoot(), 'host.json'));
    return new FunctionHost({
      core,
      settings: options.settings ? options.settings(settings) : settings,
      queueService: QueueServiceClient.fromConnectionString(storageConnection),
      blobService: BlobServiceClient.fromConnectionString(storageConnection),
      ...(options.log ? { log: options.log } : {}),
      ...(options.include ? { include: options.include } : {}),
    });
  }

  constructor(private readonly options: FunctionHostOptions) {
    this.log = options.log ?? ((line) => console.log(line));
    this.functions = options.core.registrations.filter(options.include ?? (() => true));
    this.invoke = createInvoker(this.functions, this.log);
    this.prefix = `/${options.settings.routePrefix}`.replace(/\/$/, '');
    const disabled = options.disabled ?? ((name: string) => isFunctionDisabled(name));
    for (const fn of this.functions) {
      const trigger = options.core.triggerOf(fn);
      if (!['httpTrigger', 'queueTrigger', 'timerTrigger'].includes(trigger.type)) {
        throw new Error(`function ${fn.name}: the local host does not support ${trigger.type}`);
      }
      const off = disabled(fn.name);
      if (off) this.disabled.add(fn.name);
      if (trigger.type === 'httpTrigger') {
        if (!off) this.router.add(trigger.route ?? fn.name, trigger.methods ?? ['GET', 'POST'], fn);
      } else if (trigger.type === 'queueTrigger') {
        if (off) continue;
        const queueName = String(trigger.queueName);
        this.listeners.push(
          new QueueListener({
            functionName: fn.name,
            queue: options.queueService.getQueueClient(queueName),
            poison: options.queueService.getQueueClient(poisonQueueOf(queueName)),
            settings: options.settings.queues,
            invoke: this.invoke,
            log: this.log,
          }),
        );
      } else {
        // A disabled timer is kept (not started): the admin endpoint still runs it with its timer input.
        this.timers.set(
          fn.name,
          new TimerScheduler({
            functionName: fn.name,
            schedule: String(trigger.schedule),
            runOnStartup: trigger.runOnStartup === true,
            useMonitor: trigger.useMonitor !== false,
            statusStore: options.blobService.getContainerClient('azure-webjobs-hosts'),
            invoke: this.invoke,
            log: this.log,
          }),
        );
      }
    }
  }

  /**
   * The start-up table `func start` prints: one line per function, HTTP ones with their methods and
   * URL, the others with their trigger and what it listens to.
   */
  describe(baseUrl: string): string[] {
    return this.functions.map((fn) => {
      const trigger = this.options.core.triggerOf(fn);
      if (this.disabled.has(fn.name)) return `${fn.name}: ${trigger.type} (disabled)`;
      if (trigger.type === 'httpTrigger')
        return `${fn.name}: [${(trigger.methods ?? ['GET', 'POST']).join(',')}] ${baseUrl}${this.prefix}/${trigger.route ?? fn.name}`;
      if (trigger.type === 'queueTrigger') return `${fn.name}: queueTrigger (${String(trigger.queueName)})`;
      return `${fn.name}: timerTrigger (${String(trigger.schedule)})`;
    });
  }

  /** Starts queue polling and timers (HTTP is served by `listen`). */
  async start(): Promise<void> {
    await this.options.blobService.getContainerClient('azure-webjobs-hosts').createIfNotExists();
    for (const listener of this.listeners) listener.start();
    for (const [name, timer] of this.timers) if (!this.disabled.has(name)) await timer.start();
  }

  async listen(port: number, host = '127.0.0.1'): Promise<number> {
    // Request bodies are read in chunks of up to 64 KiB (Node's default is 16 KiB per read).
    const server = createServer({ highWaterMark: 64 * 1024 }, (req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log(`host error: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end();
      });
    });
    // A client that sent Expect: 100-continue waits for the handler: a 413 from the headers alone comes
    // without a 100, so the client never sends the body it would only have to throw away.
    server.on('checkContinue', (req, res) => {
      this.handle(req, res, true).catch((error: unknown) => {
        this.log(`host error: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' });
        res.end();
      });
    });
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  /**
   * Stops queue polling and timers and waits for what they run; HTTP is still served. `start` starts
   * them again as a host start does: a timer with `runOnStartup`, or past due, fires at once.
   */
  async stopTriggers(): Promise<void> {
    for (const timer of this.timers.values()) await timer.stop();
    await Promise.all(this.listeners.map((l) => l.stop()));
  }

  async stop(): Promise<void> {
    await this.stopTriggers();
    await Promise.allSettled([...this.background]);
    const server = this.server;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
  }

  /**
   * Resolves once every queue this host listens to is empty, no message is being processed and no
   * admin invocation runs, seen twice in a row: the barrier tests wait on before asserting that
   * nothing more happened (instead of sleeping for a guessed time).
   */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let quiet = 0; quiet < 2;) {
      const states = await Promise.all(this.listeners.map((l) => l.idle()));
      quiet = this.background.size === 0 && states.every(Boolean) ? quiet + 1 : 0;
      if (quiet >= 2) break;
      if (Date.now() > deadline) throw new Error(`the host was not idle within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** When a timer function fires next on its schedule: null when it is not scheduled (not started, or disabled). */
  nextTimerRun(functionName: string): Date | null {
    return this.timers.get(functionName)?.nextRun() ?? null;
  }

  /** Runs a non-HTTP function now, as the admin endpoint does; resolves when it has finished. */
  async run(functionName: string, input: string | undefined): Promise<void> {
    const timer = this.timers.get(functionName);
    if (timer) return timer.fire(false, invocationReason.admin);
    const fn = this.functions.find((f) => f.name === functionName);
    if (!fn) throw new Error(`no function named ${functionName}`);
    let item: unknown = input ?? '';
    try {
      item = JSON.parse(input ?? '') as unknown;
    } catch {
      // not JSON: passed as a string, like the host does
    }
    await this.invoke(functionName, item, { invocationId: randomUUID(), reason: invocationReason.admin, triggerMetadata: { dequeueCount: 1 } });
  }

  private async handle(req: IncomingMessage, res: ServerResponse, expectsContinue = false): Promise<void> {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const method = req.method ?? 'GET';
    const prefix = this.prefix;
    const adminMatch = /^\/admin\/functions\/([^/]+)\/?$/.exec(pathname);
    if (adminMatch && method === 'POST') return this.handleAdmin(decodeURIComponent(adminMatch[1] ?? ''), req, res);

    let match;
    try {
      match = pathname.startsWith(`${prefix}/`) ? this.router.match(method, pathname.slice(prefix.length)) : undefined;
    } catch {
      sendProblem(res, AppError.badRequest('The URL is malformed.'));
      return;
    }
    if (!match) {
      req.resume();
      sendProblem(res, AppError.notFound(`No function serves ${method} ${pathname}.`));
      return;
    }

    // A client that goes away mid-upload ends the body stream with an error the handler sees; one
    // that stalls mid-body gets 408 after the idle time, and its stream ends with an error too.
    if (method !== 'GET' && method !== 'HEAD') {
      res.on('close', () => {
        if (!res.writableFinished && !req.readableEnded) req.destroy(new Error('client disconnected'));
      });
      req.setTimeout(this.options.settings.bodyIdleTimeoutMs, () => {
        if (req.readableEnded) return;
        if (!res.headersSent) {
          res.setHeader('connection', 'close');
          sendProblem(res, new AppError(408, `No part of the request body arrived for ${this.options.settings.bodyIdleTimeoutMs / 1000} s.`));
        }
        req.destroy(new Error('request body stalled'));
      });
    }
    // Expect: 100-continue is answered with 100 only once the handler asks for the body.
    const request = new LocalHttpRequest(req, `http://${req.headers.host ?? '127.0.0.1'}${target}`, match.params, () => {
      if (expectsContinue && !res.headersSent) res.writeContinue();
    });
    const result = (await this.invoke(match.target.name, request, {
      invocationId: randomUUID(),
      reason: invocationReason.http(method, pathname),
      triggerMetadata: { ...match.params },
    })) as HttpResponseInit | HttpResponse | undefined;
    // Answered without the body the client holds back: the connection cannot carry another request.
    if (expectsContinue && !request.bodyRequested) res.shouldKeepAlive = false;
    const streaming = writeResponse(res, result, method === 'HEAD');
    if (streaming) await streaming;
    // Whatever of the request body the handler did not read is drained, so the client reads the answer
    // and the socket can be reused; past a bound (a client that keeps sending) the connection closes.
    request.releaseBody();
    if (!req.readableEnded) {
      let drained = 0;
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > maxDrainBytes) req.destroy();
      });
      req.resume();
    }
  }

  private async handleAdmin(name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 1024 * 1024) {
        sendProblem(res, AppError.tooLarge('The admin request body is too large.'));
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const fn = this.functions.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (!fn) {
      sendProblem(res, AppError.notFound(`No function named ${name}.`));
      return;
    }
    if (this.options.core.triggerOf(fn).type === 'httpTrigger') {
      sendProblem(res, AppError.badRequest('HTTP functions are invoked over HTTP.'));
      return;
    }
    let input: string | undefined;
    try {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text.trim() === '' ? {} : (JSON.parse(text) as { input?: unknown });
      input = typeof body.input === 'string' ? body.input : body.input === undefined ? undefined : JSON.stringify(body.input);
    } catch {
      sendProblem(res, AppError.badRequest('The body must be JSON: {"input": "..."}.'));
      return;
    }
    // 202 at once, as the Azure host answers; the outcome is the invocation's "Executed" line in the log.
    const work = this.run(fn.name, input).catch(() => {});
    this.background.add(work);
    void work.finally(() => this.background.delete(work));
    res.writeHead(202).end();
  }
}
