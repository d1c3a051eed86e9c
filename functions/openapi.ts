import * as z from 'zod';
import { httpDefinitions, httpFunction, loadEveryFunction } from '../shared/platform/functions.js';
import { buildOpenApiDocument, openApiInfo } from '../shared/platform/openapi.js';

let document: Record<string, unknown> | undefined;

httpFunction('openapi', {
  method: 'GET',
  route: 'openapi.json',
  summary: 'The OpenAPI 3.1 description of every HTTP function, generated from the validating schemas.',
  tags: ['platform'],
  access: { anonymous: true },
  responses: {
    200: {
      description: 'OpenAPI 3.1 document',
      schema: z.looseObject({
        openapi: z.literal('3.1.0'),
        info: z.looseObject({ title: z.string(), version: z.string() }),
        paths: z.record(z.string(), z.unknown()),
      }),
    },
  },
  async handler() {
    await loadEveryFunction();
    document ??= buildOpenApiDocument(httpDefinitions, openApiInfo);
    return { status: 200, body: document };
  },
});
