import * as z from 'zod';
import { httpFunction, loadEveryFunction, queueDefinitions } from '../shared/platform/functions.js';
import { asyncApiInfo, buildAsyncApiDocument } from '../shared/platform/openapi.js';
import { upstreamQueues } from '../shared/use-cases/queues.js';

let document: Record<string, unknown> | undefined;

httpFunction('asyncapi', {
  method: 'GET',
  route: 'asyncapi.json',
  summary: 'The AsyncAPI 3.0 description of the storage queues the app reads, with each message schema, so upstream systems can validate what they send.',
  tags: ['platform'],
  access: { anonymous: true },
  responses: {
    200: {
      description: 'AsyncAPI 3.0 document',
      schema: z.looseObject({ asyncapi: z.literal('3.0.0'), channels: z.record(z.string(), z.unknown()), components: z.looseObject({}) }),
    },
  },
  async handler() {
    await loadEveryFunction();
    document ??= buildAsyncApiDocument(queueDefinitions, new Set(upstreamQueues), asyncApiInfo);
    return { status: 200, body: document };
  },
});
