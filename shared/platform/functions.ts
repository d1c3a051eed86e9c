import { app, type HttpRequest, type HttpResponseInit, type InvocationContext, type Timer } from './azure-functions.js';
import * as z from 'zod';
import { getServices, type Services } from '../composition-root.js';
import { authorize, bearerToken, type AccessRule, type Principal } from './auth.js';
import { AppError, fieldErrors, toProblem } from './errors.js';
import { poisonQueueOf } from './queues.js';
import { logEvent } from './telemetry.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a handler returns; the wrapper turns it into JSON (or passes a stream through). */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HttpInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The caller; on anonymous routes a principal with no roles and no partner. */
  principal: Principal;
  request: HttpRequest;
  context: InvocationContext;
  services: Services;
}

export interface HttpFunctionDefinition<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
> {
  method: HttpMethod;
  /** Azure Functions route template, without the `api/` prefix: `partners/{partnerId}/verification`. */
  route: string;
  summary: string;
  tags: string[];
  access: AccessRule;
  params?: P;
  query?: Q;
  /** A JSON body schema. Leave unset and set `rawBody` when the handler reads the stream itself. */
  body?: B;
  rawBody?: { contentTypes: string[]; description: string };
  /** Cap for JSON bodies, enforced while reading (413). */
  maxJsonBytes?: number;
  responses: Record<number, ResponseSpec>;
  handler: (input: HttpInput<Out<P>, Out<Q>, Out<B>>) => Promise<HttpResult>;
}

/** Registered HTTP definitions in registration order; the OpenAPI document is generated from them. */
export const httpDefinitions: HttpFunctionDefinition<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>[] = [];

const defaultMaxJsonBytes = 256 * 1024;
const anonymousPrincipal: Principal = Object.freeze({ userId: 'anonymous', partnerId: undefined, roles: new Set<never>(), email: undefined });

/**
 * Declares an HTTP function: one method on one route, its access rule and schemas. Registers it with
 * `app.http` (the Functions host, or the local host's stand-in for it) and with the OpenAPI registry,
 * so what is validated, what is documented and what is served cannot drift apart.
 */
export function httpFunction<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(name: string, definition: HttpFunctionDefinition<P, Q, B>): void {
  httpDefinitions.push(definition as unknown as (typeof httpDefinitions)[number]);
  app.http(name, {
    methods: [definition.method],
    route: definition.route,
    authLevel: 'anonymous',
    handler: (request, context) => handleHttp(definition, request, context),
  });
}

async function handleHttp<P extends z.ZodType | undefined, Q extends z.ZodType | undefined, B extends z.ZodType | undefined>(
  definition: HttpFunctionDefinition<P, Q, B>,
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  try {
    const services = await getServices();
    let principal: Principal = anonymousPrincipal;
    if (!('anonymous' in definition.access)) {
      const token = bearerToken(request.headers);
      if (!token) throw AppError.unauthorized();
      principal = await services.tokens.verify(token);
      authorize(principal, definition.access, request.params);
    }
    const params = validate(definition.params, request.params, 'params') as Out<P>;
    const query = (definition.query ? validate(definition.query, Object.fromEntries(request.query), 'query') : undefined) as Out<Q>;
    const body = (definition.body ? validate(definition.body, await readJsonBody(request, definition.maxJsonBytes ?? defaultMaxJsonBytes), 'body') : undefined) as Out<B>;
    const result = await definition.handler({ params, query, body, principal, request, context, services });
    return toResponseInit(result);
  } catch (error) {
    return problemResponse(error, context);
  }
}

function validate(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw AppError.validation(`The request ${where} are not valid.`, fieldErrors(result.error, where));
  return result.data;
}

/** Reads a JSON body with a size cap checked as bytes arrive, so a huge body is never buffered. */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw AppError.unsupportedMediaType('The request body must be application/json.');
  }
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw AppError.tooLarge(`The request body exceeds ${maxBytes} bytes.`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw AppError.tooLarge(`The request body exceeds ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw AppError.validation('A JSON request body is required.', [{ path: 'body', message: 'required' }]);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw AppError.validation('The request body is not valid JSON.', [{ path: 'body', message: 'malformed JSON' }]);
  }
}

function toResponseInit(result: HttpResult): HttpResponseInit {
  const headers = { ...result.headers };
  if (result.body === undefined) return { status: result.status, headers };
  if (result.body instanceof ReadableStream || typeof result.body === 'string' || result.body instanceof Uint8Array) {
    return { status: result.status, headers, body: result.body };
  }
  return { status: result.status, headers: { 'content-type': 'application/json', ...headers }, body: htmlSafeJson(result.body) };
}

const htmlSignificant = /[<>&\u2028\u2029]/g;
const escapes: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/**
 * JSON whose text holds no `<`, `>` or `&` (escaped as \u003c etc., the same JSON value): a stored
 * `<script>` from a lead or a profile stays inert even where a client drops the JSON into HTML.
 */
export function htmlSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(htmlSignificant, (c) => escapes[c] ?? c);
}

/** The one mapping from errors to responses: 4xx detail shown, anything else logged and hidden. */
export function problemResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const { problem, headers } = toProblem(error);
  if (problem.status >= 500) {
    logEvent(context, 'error', 'UnhandledError', { error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  return { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' }, body: htmlSafeJson(problem) };
}

/**
 * Thrown by a queue handler for a message that can never succeed (e.g. it names an unknown partner):
 * the message goes to `<queue>-poison` at once, with nothing applied, instead of being retried.
 */
export class PoisonMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessage';
  }
}

export interface QueueHandlerInput {
  services: Services;
  context: InvocationContext;
  /** How many times this message has been dequeued, including this time (1 on the first try). */
  dequeueCount: number;
}

export interface QueueFunctionDefinition<S extends z.ZodType> {
  queueName: string;
  message: S;
  handler: (message: z.output<S>, input: QueueHandlerInput) => Promise<void>;
}

/**
 * Declares a queue-triggered function. A message that fails its schema can never succeed, so it goes
 * straight to `<queue>-poison` untouched; a handler error is rethrown so the host retries it and, after
 * `maxDequeueCount` tries, moves it to the poison queue itself.
 */
export function queueFunction<S extends z.ZodType>(name: string, definition: QueueFunctionDefinition<S>): void {
  app.storageQueue(name, {
    queueName: definition.queueName,
    connection: 'AzureWebJobsStorage',
    handler: async (item, context) => {
      const services = await getServices();
      const decoded = typeof item === 'string' ? tryParseJson(item) : item;
      const parsed = definition.message.safeParse(decoded);
      if (!parsed.success) {
        const issues = fieldErrors(parsed.error, 'message').map((e) => `${e.path}: ${e.message}`);
        logEvent(context, 'warn', 'MessagePoisoned', { queue: definition.queueName, reason: 'invalid', issues });
        await services.queues.send(poisonQueueOf(definition.queueName), decoded);
        return;
      }
      const dequeueCount = Number(context.triggerMetadata?.dequeueCount ?? 1);
      try {
        await definition.handler(parsed.data, { services, context, dequeueCount });
      } catch (error) {
        if (!(error instanceof PoisonMessage)) throw error;
        logEvent(context, 'warn', 'MessagePoisoned', { queue: definition.queueName, reason: error.message });
        await services.queues.send(poisonQueueOf(definition.queueName), decoded);
      }
    },
  });
}

function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export interface TimerFunctionDefinition {
  /** NCRONTAB with seconds: `{second} {minute} {hour} {day} {month} {day-of-week}`, in UTC. */
  schedule: string;
  runOnStartup?: boolean;
  handler: (timer: Timer, input: { services: Services; context: InvocationContext }) => Promise<void>;
}

/** Declares a timer-triggered function; it should only plan work and enqueue it (see README). */
export function timerFunction(name: string, definition: TimerFunctionDefinition): void {
  app.timer(name, {
    schedule: definition.schedule,
    runOnStartup: definition.runOnStartup ?? false,
    useMonitor: true,
    handler: async (timer, context) => definition.handler(timer, { services: await getServices(), context }),
  });
}
