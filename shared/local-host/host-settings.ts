import { readFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * The Node worker's V8 arguments: the app setting `languageWorkers__node__arguments` on Azure
 * (infra/app/api.bicep), `npm start` and the benchmarks' function hosts locally (test/infra.test.ts
 * holds the three together). V8 sizes its heap from the machine's memory, not the instance's, and
 * lets the old generation grow to about four times what is live before a full collection: a
 * 20,000-enrolment rollover peaked at 82-88 MiB of heap over a live 27 MiB, while a 5,000 one ended
 * before getting there. Capped, V8 grows it at most twofold: both peak at about 50 MiB, at no cost in
 * time. 512 MiB is eighteen times the live heap and a quarter of the 2,048 MB
 * instance that the Functions host shares with the worker.
 */
export const nodeWorkerArguments = ['--max-old-space-size=512'] as const;

/** `hh:mm:ss` (or `d.hh:mm:ss`) as host.json writes durations, in milliseconds. */
const duration = z.string().regex(/^(\d+\.)?\d{1,2}:\d{2}:\d{2}(\.\d+)?$/, 'a duration like 00:00:30').transform((text) => {
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
