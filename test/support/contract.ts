// Contract conformance: every HTTP response a test host gives is checked against its operation in the
// OpenAPI document (status documented, content type declared, JSON body valid against the response
// schema, unknown fields refused). A drift is recorded and fails the test that caused it (afterEach
// in test/setup-env.ts), however the test itself asserted the answer.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FunctionsCore, RegisteredFunction } from '../../shared/local-host/functions-core-shim.js';
import { httpDefinitions } from '../../shared/platform/functions.js';
import { buildOpenApiDocument } from '../../shared/platform/openapi.js';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  description: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** What a handler answered, as the host writes it. */
export interface ObservedResponse {
  status: number;
  contentType: string | undefined;
  /** The body text, or undefined when it is a stream or bytes (only the content type is checked then). */
  body: string | undefined;
  empty: boolean;
}

// ajv-formats is CommonJS with `exports.default`; under ESM interop the callable may sit one level down.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

let built: { count: number; document: OpenApiDocument; ajv: Ajv2020; validators: Map<string, ValidateFunction> } | undefined;

/** The OpenAPI document of the HTTP functions declared so far in this worker (rebuilt when more are declared). */
export function currentDocument(): OpenApiDocument {
  if (built?.count !== httpDefinitions.length) {
    const document = buildOpenApiDocument(httpDefinitions, { title: 'contract', version: '0' }) as unknown as OpenApiDocument;
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    ajv.addSchema({ $id: 'openapi.json', components: document.components }, 'openapi.json');
    built = { count: httpDefinitions.length, document, ajv, validators: new Map() };
  }
  return built.document;
}

function validatorFor(key: string, schema: Record<string, unknown>): ValidateFunction {
  currentDocument();
  const state = built;
  if (!state) throw new Error('no document');
  let validate = state.validators.get(key);
  if (!validate) {
    // $refs in the document point at '#/components/...'; resolve them against the registered document.
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/')) as Record<string, unknown>;
    validate = state.ajv.compile(rebased);
    state.validators.set(key, validate);
  }
  return validate;
}

const mediaType = (value: string | undefined) => (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
const isJson = (type: string) => /^application\/([\w.+-]+\+)?json$/.test(type);

/** The operation of a route template and method, if the document has one. */
export function operationOf(route: string, method: string): Operation | undefined {
  return currentDocument().paths[`/api/${route}`]?.[method.toLowerCase()];
}

/** What is wrong with a response of an operation, against the document; empty when it conforms. */
export function contractProblems(route: string, method: string, response: ObservedResponse): string[] {
  const operation = operationOf(route, method);
  if (!operation) return [];
  const where = `${method.toUpperCase()} /api/${route} ${response.status} (${operation.operationId})`;
  const declared = operation.responses[String(response.status)];
  const spec = declared ?? (response.status >= 400 ? operation.responses.default : undefined);
  if (!spec) return [`${where}: status ${response.status} is not documented`];
  if (!spec.content)
    return response.empty ? [] : [`${where}: the document declares no body, the handler sent one (${response.contentType ?? 'no content type'})`];
  const type = mediaType(response.contentType);
  const entry = Object.entries(spec.content).find(([declaredType]) => mediaType(declaredType) === type);
  if (!entry) return [`${where}: content type ${type || '(none)'} is not one of ${Object.keys(spec.content).join(', ')}`];
  const [declaredType, media] = entry;
  if (!isJson(type) || !media.schema || response.body === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(response.body) as unknown;
  } catch {
    return [`${where}: the body is not JSON`];
  }
  const validate = validatorFor(`${route} ${method} ${response.status} ${declaredType}`, media.schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${where}: body${e.instancePath || ''} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`,
  );
}

const violations: string[] = [];

/** The drifts seen since the last call (and forgets them). */
export function takeContractViolations(): string[] {
  return violations.splice(0);
}

interface HandlerResult {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

function observe(result: HandlerResult): ObservedResponse {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = typeof result.body === 'string' ? result.body : undefined;
  return { status: result.status ?? 200, contentType: headers['content-type'], body, empty: result.body === undefined || result.body === null || body === '' };
}

const checked = new WeakSet<RegisteredFunction>();

/**
 * Wraps every HTTP function registered so far so that each answer is checked against the document
 * before the host writes it; what does not conform is recorded for the test to fail on.
 */
export function checkHttpResponses(core: FunctionsCore): void {
  for (const fn of core.registrations) {
    if (checked.has(fn)) continue;
    const trigger = core.triggerOf(fn);
    if (trigger.type !== 'httpTrigger' || !trigger.route) continue;
    const route = trigger.route;
    const method = trigger.methods?.[0] ?? 'GET';
    const original = fn.callback;
    fn.callback = async (...args: unknown[]) => {
      const result = (await original(...args)) as HandlerResult;
      violations.push(...contractProblems(route, method, observe(result)));
      return result;
    };
    checked.add(fn);
  }
}

interface DeclaredResponses {
  method: string;
  route: string;
  responses: Record<number, { schema?: unknown; contentType?: string[] }>;
}

/**
 * Routes whose 2xx answers the document could not check: every 2xx but 204 must name a `schema` (JSON)
 * or a `contentType` (a page, a script). Any route added later is held to it.
 */
export function undescribedSuccesses(definitions: readonly DeclaredResponses[]): string[] {
  return definitions.flatMap((d) =>
    Object.entries(d.responses)
      .filter(([status, spec]) => Number(status) >= 200 && Number(status) < 300 && Number(status) !== 204 && !spec.schema && !spec.contentType)
      .map(([status]) => `${d.method} /api/${d.route} ${status}`),
  );
}

/**
 * The same check for a response read over HTTP from a host this worker does not run (the production
 * bundle, `npm start`): `route` is the function's route template. Reads a clone, so the caller can still
 * read the body.
 */
export async function responseProblems(response: Response, route: string, method: string): Promise<string[]> {
  if (!operationOf(route, method)) return [`${method.toUpperCase()} /api/${route} is not an operation of the document`];
  const body = await response.clone().text();
  return contractProblems(route, method, { status: response.status, contentType: response.headers.get('content-type') ?? undefined, body, empty: body === '' });
}
