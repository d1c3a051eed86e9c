import * as z from 'zod';
import type { HttpFunctionDefinition } from './functions.js';

type AnyDefinition = HttpFunctionDefinition<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;
type JsonSchema = Record<string, unknown>;

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

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

/** Builds the OpenAPI 3.1 document from the same definitions that validate the requests. */
export function buildOpenApiDocument(definitions: readonly AnyDefinition[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const def of definitions) {
    const path = `/api/${def.route}`;
    const routeParams = [...def.route.matchAll(/\{(\w+)\??\}/g)].map((m) => m[1] ?? '');
    const paramSchemas = new Map(objectProperties(def.params).map((p) => [p.name, p.schema]));
    const parameters = [
      ...routeParams.map((name) => ({ name, in: 'path', required: true, schema: paramSchemas.get(name) ?? { type: 'string' } })),
      ...objectProperties(def.query).map((p) => ({ name: p.name, in: 'query', required: p.required, schema: p.schema })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(def.responses)) {
      responses[status] = spec.schema
        ? { description: spec.description, content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } }
        : { description: spec.description };
    }
    const errorStatuses = ['400', ...('anonymous' in def.access ? [] : ['401', '403']), '500'];
    for (const status of errorStatuses) {
      responses[status] ??= { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    const operation: Record<string, unknown> = {
      operationId: operationId(def),
      summary: def.summary,
      tags: def.tags,
      parameters,
      responses,
      security: 'anonymous' in def.access ? [] : [{ bearer: [] }],
    };
    if (!('anonymous' in def.access)) operation['x-roles'] = def.access.roles;
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
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
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
