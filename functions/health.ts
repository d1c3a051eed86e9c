import * as z from 'zod';
import { problemTypeBase } from '../shared/platform/errors.js';
import { httpFunction } from '../shared/platform/functions.js';
import { checkHealth } from '../shared/platform/health-check.js';

httpFunction('health', {
  method: 'GET',
  route: 'health',
  summary: 'Liveness and dependency reachability (Cosmos DB, Storage, email).',
  tags: ['platform'],
  access: { anonymous: true },
  responses: {
    200: { description: 'All dependencies reachable', schema: z.object({ status: z.literal('ok') }) },
    503: { description: 'A dependency is unreachable (problem+json naming it)' },
  },
  async handler({ services }) {
    const report = await checkHealth(services);
    if (report.healthy) return { status: 200, body: { status: 'ok' } };
    // An expected answer while a dependency is down, not a defect: said plainly, not logged as an error.
    const down = report.checks.filter((c) => !c.ok).map((c) => c.name);
    return {
      status: 503,
      headers: { 'content-type': 'application/problem+json', 'Retry-After': '5' },
      body: { type: `${problemTypeBase}unavailable`, title: 'Service Unavailable', status: 503, detail: `Unreachable: ${down.join(', ')}.` },
    };
  },
});
