import { z } from 'zod';
import { AppError } from '../shared/platform/errors.js';
import { httpFunction } from '../shared/platform/functions.js';
import { checkHealth } from '../shared/platform/health-check.js';

httpFunction('health', {
  method: 'GET',
  route: 'health',
  summary: 'Liveness and dependency reachability (Cosmos DB, Storage, email).',
  tags: ['platform'],
  access: { anonymous: true },
  responses: { 200: { description: 'All dependencies reachable', schema: z.object({ status: z.literal('ok') }) } },
  async handler({ services }) {
    const report = await checkHealth(services);
    if (!report.healthy) {
      const down = report.checks.filter((c) => !c.ok).map((c) => c.name);
      throw new AppError(503, `Unreachable: ${down.join(', ')}.`, { headers: { 'Retry-After': '5' } });
    }
    return { status: 200, body: { status: 'ok' } };
  },
});
