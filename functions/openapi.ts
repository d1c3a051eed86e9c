import { httpDefinitions, httpFunction, loadEveryFunction } from '../shared/platform/functions.js';
import { buildOpenApiDocument } from '../shared/platform/openapi.js';

let document: Record<string, unknown> | undefined;

httpFunction('openapi', {
  method: 'GET',
  route: 'openapi.json',
  summary: 'The OpenAPI 3.1 description of every HTTP function, generated from the validating schemas.',
  tags: ['platform'],
  access: { anonymous: true },
  responses: { 200: { description: 'OpenAPI 3.1 document' } },
  async handler() {
    await loadEveryFunction();
    document ??= buildOpenApiDocument(httpDefinitions, { title: 'Partner portal API', version: '1.0.0' });
    return { status: 200, body: document };
  },
});
