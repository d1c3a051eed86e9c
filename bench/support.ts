import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Container, CosmosClient, JSONObject, OperationInput } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import autocannon from 'autocannon';
import { provisionResources } from '../shared/data/provision.js';
import { nodeWorkerArguments } from '../shared/local-host/host-settings.js';
import { runningCompiled } from '../shared/local-host/project-root.js';

export interface Server {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** A server that hosts functions, started with the V8 arguments the Azure worker gets. */
export function startFunctionHost(relative: string, env: Record<string, string> = {}): Promise<Server> {
  return startServer(relative, env, nodeWorkerArguments);
}

/** Starts a bench server in its own process (so the load generator does not share its event loop). */
export async function startServer(relative: string, env: Record<string, string> = {}, nodeArguments: readonly string[] = []): Promise<Server> {
  // Servers run as the bench itself runs: compiled by `npm run bench`, or from source under tsx.
  const file = fileURLToPath(new URL(runningCompiled ? relative.replace(/\.ts$/, '.js') : relative, import.meta.url));
  const child = fork(file, [], {
    // BENCH_CPU_PROF=<dir> writes a CPU profile of each server (docs/benchmarks.md).
    execArgv: [
      '--expose-gc',
      ...nodeArguments,
      ...(runningCompiled ? [] : ['--import', 'tsx']),
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${relative} exited with ${code}`)));
  });
  return {
    port,
    child,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Whether a command is on the PATH (it runs; some, like wrk, exit 1 on --version). */
export function installed(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

/** wrk (Debian package `wrk`) when installed: a C client leaves the CPU to the servers; else autocannon. */
export const loadGenerator: 'wrk' | 'autocannon' = installed('wrk') ? 'wrk' : 'autocannon';

export interface LoadResult {
  rps: number;
  p99Ms: number;
  failures: number;
}

/** Requests per second at `connections` concurrent clients for `seconds`, after a 1 s warm-up. */
export async function requestsPerSecond(url: string, connections: number, seconds: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  if (loadGenerator === 'wrk') {
    const headerArgs = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const run = (s: number) => execFileSync('wrk', ['-t1', `-c${connections}`, `-d${s}s`, '--latency', ...headerArgs, url], { encoding: 'utf8' });
    run(1);
    const out = run(seconds);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : NaN;
    const failures = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?(\d+)/.exec(out)?.[1] ?? 0);
    return { rps, p99Ms, failures };
  }
  await autocannon({ url, connections, duration: 1, headers });
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return { rps: result.requests.average, p99Ms: result.latency.p99, failures: result.errors + result.non2xx };
}

export function ratio(a: number, b: number): string {
  return (a / b).toFixed(2);
}

/** Sends a message to a bench server and waits for the reply carrying `key`. */
export function ask<T>(server: Server, message: Record<string, unknown>, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      const reply = m as Record<string, unknown>;
      if ('error' in reply) {
        server.child.off('message', onMessage);
        reject(new Error(String(reply.error)));
      } else if (key in reply) {
        server.child.off('message', onMessage);
        resolve(reply[key] as T);
      }
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux; undefined elsewhere). */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields 14 and 15 (utime, stime) after the parenthesised command name, in clock ticks (100 a second).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** The local email endpoint's base URL, from the stack's connection string (to list what was sent). */
export function emailEndpointUrl(env: Record<string, string>): string {
  return /endpoint=([^;]+?)\/?;/.exec(env.EMAIL_CONNECTION_STRING ?? '')?.[1] ?? '';
}

/** Emulators on free ports (no function host), as the tests start them; returns their settings. */
export async function startBenchStack(): Promise<{
  env: Record<string, string>;
  keysDir: string;
  pids: Record<string, number | undefined>;
  /** Emails the in-process email endpoint accepted so far. */
  emailCount(): number;
  stop(): Promise<void>;
}> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { createServer } = await import('node:net');
  const { startStack } = await import('../shared/local-host/stack.js');
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
  const keysDir = await mkdtemp(path.join(tmpdir(), 'bench-keys-'));
  const stack = await startStack({
    ports: { host: 0, cosmos: await freePort(), blob: await freePort(), queue: await freePort(), email: await freePort() },
    env: { COSMOS_DATABASE: 'partner-portal-bench' },
    keysDir,
    functionHost: false,
    log: () => {},
  });
  return {
    env: stack.env,
    keysDir,
    pids: Object.fromEntries(stack.processes.map((p) => [p.name, p.pid])),
    emailCount: () => stack.email?.count() ?? 0,
    stop: async () => {
      await stack.stop();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}

/** Creates the database, its containers and the queues of the suite on the bench's emulators. */
export async function provisionBenchDatabase(client: CosmosClient, databaseId: string, env: Record<string, string>): Promise<void> {
  const storage = env.AzureWebJobsStorage ?? '';
  await provisionResources({
    cosmos: client,
    databaseId,
    queueService: QueueServiceClient.fromConnectionString(storage),
    blobService: BlobServiceClient.fromConnectionString(storage),
    blobContainers: [],
  });
}

/** Seeds documents 100 at a time; an existing one (409) is kept, any other failure stops the bench. */
export async function bulkCreate(container: Container, docs: { partnerId: string }[]): Promise<void> {
  for (let i = 0; i < docs.length; i += 100) {
    const ops: OperationInput[] = docs
      .slice(i, i + 100)
      .map((d) => ({ operationType: 'Create', partitionKey: d.partnerId, resourceBody: JSON.parse(JSON.stringify(d)) as JSONObject }));
    // The local emulator answers executeBulkOperations with 500 (see shared/data/enrollment-store.ts).
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
    const results = await container.items.bulk(ops);
    const bad = results.filter((r) => r.statusCode >= 400 && r.statusCode !== 409);
    if (bad.length > 0) throw new Error(`seeding failed with status ${bad[0]?.statusCode}`);
  }
}
