import * as z from 'zod';
import { errorCodes } from '../domain/errors.js';
import type { HttpFunctionDefinition } from './functions.js';

type AnyDefinition = HttpFunctionDefinition<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
type JsonSchema = Record<string, unknown>;

/** RFC 9457 problem details, as `toProblem` (shared/platform/errors.ts) writes them: nothing else. */
const problemSchema: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details. `code` names the domain condition a client can branch on; `errors` lists the fields a 400 refused.',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(errorCodes), description: 'The catalogue of codes (docs/api.md says when each is answered).' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: { path: { type: 'string' }, message: { type: 'string' } },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/** The statuses every operation may answer whatever it declares (the one error mapping). */
const standardProblems = (anonymous: boolean): Record<string, string> => ({
  '400': 'The request is not valid (problem+json with `errors`)',
  ...(anonymous ? {} : { '401': 'No valid bearer token', '403': 'The token does not grant this route, or names another partner' }),
  '500': 'An unexpected error (logged; the detail is generic)',
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function objectProperties(schema: z.ZodType | undefined): { name: string; schema: JsonSchema; required: boolean }[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({ name, schema: s, required: required.has(name) }));
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** What the served documents say about themselves (functions/openapi.ts, functions/asyncapi.ts, scripts/api-documents.ts). */
export const openApiInfo: OpenApiInfo = {
  title: 'Partner portal API',
  version: '1.0.0',
  description:
    'The partner program portal backend. Try it at /api/docs (Authorize with a bearer token from `npm run dev:token` locally). The storage queues it reads are described by the AsyncAPI document at /api/asyncapi.json.',
};
export const asyncApiInfo: OpenApiInfo = {
  title: 'Partner portal queues',
  version: '1.0.0',
  description: 'The storage queues the partner portal function app reads: upstream systems write the ones tagged upstream.',
};

const license = { name: 'Proprietary: all rights reserved', url: 'https://partner-portal.example/terms' };

const bearerScheme = {
  type: 'http',
  scheme: 'bearer',
  bearerFormat: 'JWT',
  description:
    'An Entra ID access token (RS256; roles in `roles`, the partner in `partnerId`). Against the local stack, `npm run --silent dev:token -- --partner <id> --roles <Role,...>` prints one signed with the dev key.',
};

/**
 * Builds the OpenAPI 3.1 document from the same definitions that validate the requests: parameters and
 * bodies from their input schemas, each 2xx from its response schema (closed objects, so a field the
 * handler adds that the schema lacks is drift the contract tests catch), every 4xx and 5xx as problem+json.
 */
export function buildOpenApiDocument(definitions: readonly AnyDefinition[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of definitions) {
    const path = `/api/${def.route}`;
    const anonymous = 'anonymous' in def.access;
    const routeParams = [...def.route.matchAll(/\{(\w+)\??\}/g)].map((m) => m[1] ?? '');
    const paramSchemas = new Map(objectProperties(def.params).map((p) => [p.name, p.schema]));
    const parameters = [
      ...routeParams.map((name) => ({ name, in: 'path', required: true, schema: paramSchemas.get(name) ?? { type: 'string' } })),
      ...objectProperties(def.query).map((p) => ({ name: p.name, in: 'query', required: p.required, schema: p.schema })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(def.responses)) {
      if (Number(status) >= 400) responses[status] = problemResponse(spec.description);
      else if (spec.schema)
        responses[status] = { description: spec.description, content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } };
      else if (spec.contentType)
        responses[status] = { description: spec.description, content: Object.fromEntries(spec.contentType.map((t) => [t, { schema: { type: 'string' } }])) };
      else responses[status] = { description: spec.description };
    }
    for (const [status, description] of Object.entries(standardProblems(anonymous))) responses[status] ??= problemResponse(description);
    responses.default = problemResponse('Any other error status (404, 409, 413, 415, 429, 503, ...), as problem+json');
    const operation: Record<string, unknown> = {
      operationId: operationId(def),
      summary: def.summary,
      tags: def.tags,
      parameters,
      responses,
      security: anonymous ? [] : [{ bearer: [] }],
    };
    if ('roles' in def.access) operation['x-roles'] = def.access.roles;
    if (def.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } };
    } else if (def.rawBody) {
      operation.requestBody = {
        required: true,
        description: def.rawBody.description,
        content: Object.fromEntries(def.rawBody.contentTypes.map((t) => [t, {}])),
      };
    }
    (paths[path] ??= {})[def.method.toLowerCase()] = operation;
  }
  const tags = [...new Set(definitions.flatMap((d) => d.tags))].sort().map((name) => ({ name, description: `Operations on ${name}` }));
  return {
    openapi: '3.1.0',
    info: { ...info, license },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    // Relative: the document is served by the function app it describes (Azure or the local stack).
    servers: [{ url: '/', description: 'The function app serving this document' }],
    tags,
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: bearerScheme },
    },
  };
}

function operationId(def: AnyDefinition): string {
  const words = def.route
    .replace(/\{(\w+)\??\}/g, 'by-$1')
    .split(/[/-]/)
    .filter(Boolean);
  return [def.method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

/**
 * The AsyncAPI 3.0 companion of the OpenAPI document: the storage queues this app receives from, each
 * with its message schema (what the queue function validates before its handler runs; an invalid
 * message goes to `<queue>-poison`). Upstream systems validate what they send against it.
 */
export function buildAsyncApiDocument(
  queues: readonly { name: string; queueName: string; message: z.ZodType }[],
  upstream: ReadonlySet<string>,
  info: OpenApiInfo,
): JsonSchema {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const queue of queues) {
    const key = queue.name;
    const messageName = `${key.charAt(0).toUpperCase()}${key.slice(1)}Message`;
    const origin = upstream.has(queue.queueName) ? 'upstream' : 'internal';
    messages[messageName] = {
      name: messageName,
      title: `A ${queue.queueName} message`,
      contentType: 'application/json',
      payload: jsonSchema(queue.message, 'input'),
    };
    channels[key] = {
      address: queue.queueName,
      description:
        origin === 'upstream'
          ? `Written by upstream systems: JSON, base64-encoded as the Functions host writes queue messages. A message that fails the schema goes to ${queue.queueName}-poison untouched.`
          : `Internal fan-out queue written by this app itself; a message that fails the schema goes to ${queue.queueName}-poison untouched.`,
      messages: { [messageName]: { $ref: `#/components/messages/${messageName}` } },
    };
    operations[`receive${messageName.replace(/Message$/, '')}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${key}` },
      summary: `The queue function ${queue.name} (${origin})`,
      'x-origin': origin,
      security: [{ $ref: '#/components/securitySchemes/entraId' }],
      messages: [{ $ref: `#/channels/${key}/messages/${messageName}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: { ...info, license },
    defaultContentType: 'application/json',
    servers: {
      storage: {
        host: '{account}.queue.core.windows.net',
        protocol: 'https',
        description: 'Azure Queue Storage of the deployment (UseDevelopmentStorage=true locally: Azurite)',
        variables: { account: { description: 'The storage account name' } },
        security: [{ $ref: '#/components/securitySchemes/entraId' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      securitySchemes: {
        entraId: {
          type: 'http',
          scheme: 'bearer',
          description: 'Microsoft Entra ID: a writer needs the Storage Queue Data Message Sender role on the account (no account keys).',
        },
      },
    },
  };
}
