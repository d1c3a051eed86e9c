import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * The Node worker's V8 arguments: the app setting `languageWorkers__node__arguments` on Azure
 * (infra/app/api.bicep), `npm start` and the benchmarks' function hosts locally (test/infra.test.ts
 * holds the three together). Measured in bench/ (docs/benchmarks.md), for a live heap of 25-28 MiB:
 * - `--max-old-space-size=512`: V8 sizes its heap from the machine's memory, not the instance's,
 *   and lets the old generation grow to about four times what is live before a full collection: a
 *   20,000-enrolment rollover peaked at 82-88 MiB of heap, while a 5,000 one ended before getting
 *   there. Capped, V8 grows it at most twofold. 512 MiB is a quarter of the 2,048 MB instance.
 * - `--max-semi-space-size=4` and `--initial-old-space-size=56`: V8 starts a full collection as
 *   soon as the old generation's headroom is smaller than what the young generation could promote.
 *   With the default 16 MiB semi-spaces and a small live heap that held after every collection, so
 *   each 10 MiB upload (whose socket reads force young collections) ended in a mark-compact: 16 ms
 *   of its 105 ms of CPU. A smaller young generation and an old-generation floor of about twice the
 *   live heap leave room for it: no full collection in 250 uploads, and the rollover's peak still
 *   does not grow with its size.
 */
export const nodeWorkerArguments = ['--max-old-space-size=512', '--max-semi-space-size=4', '--initial-old-space-size=56'] as const;

/** `hh:mm:ss` (or `d.hh:mm:ss`) as host.json writes durations, in milliseconds. */
const duration = z
  .string()
  .regex(/^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?$/, 'a duration like 00:00:30')
  .transform((text) => {
    const [dayPart, rest] = text.includes('.') && text.indexOf('.') < text.indexOf(':') ? text.split('.', 2) : ['0', text];
    const [h = '0', m = '0', s = '0'] = (rest ?? text).split(':');
    return ((Number(dayPart) * 24 + Number(h)) * 60 + Number(m)) * 60_000 + Number(s) * 1000;
  });

const hostJsonSchema = z.object({
  version: z.literal('2.0'),
  functionTimeout: duration.optional(),
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().default('api') }).prefault({}),
      queues: z
        .object({
          batchSize: z.number().int().min(1).max(32).default(16),
          newBatchThreshold: z.number().int().min(0).optional(),
          maxPollingInterval: duration.default(60_000),
          visibilityTimeout: duration.default(0),
          maxDequeueCount: z.number().int().min(1).default(5),
          messageEncoding: z.enum(['base64', 'none']).default('base64'),
        })
        .prefault({}),
    })
    .prefault({}),
});

export interface HostSettings {
  routePrefix: string;
  /**
   * How long a request body may stall (no byte arriving) before the host answers 408 and closes the
   * connection, releasing the handler's stream. Not a host.json setting: on Azure the platform's front
   * end bounds slow clients; the local host does it here, at 30 s.
   */
  bodyIdleTimeoutMs: number;
  functionTimeoutMs: number | undefined;
  queues: {
    batchSize: number;
    newBatchThreshold: number;
    maxPollingIntervalMs: number;
    visibilityTimeoutMs: number;
    maxDequeueCount: number;
    messageEncoding: 'base64' | 'none';
  };
}

/** Reads the same host.json the Azure host reads, with the Azure host's defaults. */
export function parseHostSettings(json: unknown): HostSettings {
  const parsed = hostJsonSchema.parse(json);
  const q = parsed.extensions.queues;
  return {
    routePrefix: parsed.extensions.http.routePrefix,
    bodyIdleTimeoutMs: 30_000,
    functionTimeoutMs: parsed.functionTimeout,
    queues: {
      batchSize: q.batchSize,
      newBatchThreshold: q.newBatchThreshold ?? Math.floor(q.batchSize / 2),
      maxPollingIntervalMs: q.maxPollingInterval,
      visibilityTimeoutMs: q.visibilityTimeout,
      maxDequeueCount: q.maxDequeueCount,
      messageEncoding: q.messageEncoding,
    },
  };
}

export async function loadHostSettings(path: string): Promise<HostSettings> {
  return parseHostSettings(JSON.parse(await readFile(path, 'utf8')));
}
