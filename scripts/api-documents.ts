// Writes the OpenAPI and AsyncAPI documents the function app serves (GET /api/openapi.json and
// /api/asyncapi.json) to .local/api/, generated from the function table exactly as the app does, for
// `npm run lint:api` (Redocly's recommended rules) and for anyone who wants them as files.
import { mkdir, writeFile } from 'node:fs/promises';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { httpDefinitions, queueDefinitions } from '../shared/platform/functions.js';
import { asyncApiInfo, buildAsyncApiDocument, buildOpenApiDocument, openApiInfo } from '../shared/platform/openapi.js';
import { upstreamQueues } from '../shared/use-cases/queues.js';

installFunctionsCore();
await import('../functions/index.js');
await mkdir('.local/api', { recursive: true });
const openapi = buildOpenApiDocument(httpDefinitions, openApiInfo);
const asyncapi = buildAsyncApiDocument(queueDefinitions, new Set(upstreamQueues), asyncApiInfo);
await writeFile('.local/api/openapi.json', `${JSON.stringify(openapi, null, 2)}\n`);
await writeFile('.local/api/asyncapi.json', `${JSON.stringify(asyncapi, null, 2)}\n`);
console.log(`.local/api/openapi.json: ${Object.keys(openapi.paths as object).length} paths; .local/api/asyncapi.json: ${queueDefinitions.length} queues`);
