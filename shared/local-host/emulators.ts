import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningCompiled } from './project-root.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The key @vercel/cosmosdb-server accepts, the same as the official emulator's well-known key. */
export const emulatorCosmosKey = 'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';
const azuriteAccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export function azuriteConnectionString(blobPort: number, queuePort: number): string {
  return [
    'DefaultEndpointsProtocol=http',
    'AccountName=devstoreaccount1',
    `AccountKey=${azuriteAccountKey}`,
    `BlobEndpoint=http://127.0.0.1:${blobPort}/devstoreaccount1`,
    `QueueEndpoint=http://127.0.0.1:${queuePort}/devstoreaccount1`,
  ].join(';');
}

export interface ChildHandle {
  name: string;
  /** For diagnosis (the benchmarks read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms`);
}

/** Children still running when this process exits (even by an uncaught error) are killed with it. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function handle(name: string, child: ChildProcess, cleanup?: () => Promise<void>): ChildHandle {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return {
    name,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await cleanup?.();
    },
  };
}

function pipeLogs(child: ChildProcess, name: string, log: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (data: Buffer) => {
      for (const line of data.toString('utf8').split('\n')) if (line.trim()) log(`[${name}] ${line.trimEnd()}`);
    });
  }
}

/** Azurite blob and queue services, in memory unless `dataDir` is given. */
export async function startAzurite(options: {
  blobPort: number;
  queuePort: number;
  dataDir?: string | undefined;
  /** More arguments for the blob service (a test's HTTPS and OAuth). */
  blobArgs?: string[];
  log: (line: string) => void;
}): Promise<ChildHandle[]> {
  const root = dirname(require.resolve('azurite/package.json'));
  // In memory, Azurite takes no --location; it still runs in a scratch folder so nothing lands in the repo.
  const scratch = await mkdtemp(join(tmpdir(), 'azurite-'));
  const storage = options.dataDir ? ['--location', options.dataDir] : ['--inMemoryPersistence'];
  const common = ['--skipApiVersionCheck', '--disableTelemetry', '--silent', ...storage];
  const services = [
    {
      name: 'azurite-blob',
      script: 'dist/src/blob/main.js',
      args: ['--blobHost', '127.0.0.1', '--blobPort', String(options.blobPort), ...(options.blobArgs ?? [])],
      port: options.blobPort,
    },
    {
      name: 'azurite-queue',
      script: 'dist/src/queue/main.js',
      args: ['--queueHost', '127.0.0.1', '--queuePort', String(options.queuePort)],
      port: options.queuePort,
    },
  ];
  const handles: ChildHandle[] = [];
  try {
    for (const service of services) {
      const child = spawn(process.execPath, [join(root, service.script), ...service.args, ...common], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
      pipeLogs(child, service.name, options.log);
      handles.push(handle(service.name, child));
      await waitForPort(service.port, child, service.name);
    }
  } catch (error) {
    await Promise.all(handles.map((h) => h.stop()));
    throw error;
  }
  const last = handles[handles.length - 1];
  if (last)
    handles[handles.length - 1] = {
      name: last.name,
      pid: last.pid,
      stop: async () => {
        await last.stop();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  return handles;
}

/** The Cosmos DB emulator (@vercel/cosmosdb-server) over HTTPS, in its own process. */
export async function startCosmos(options: { port: number; log: (line: string) => void }): Promise<ChildHandle> {
  const child = fork(join(here, runningCompiled ? 'cosmos-process.js' : 'cosmos-process.ts'), [String(options.port)], {
    execArgv: runningCompiled ? [] : ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  pipeLogs(child, 'cosmos', options.log);
  const h = handle('cosmos', child);
  try {
    await waitForPort(options.port, child, 'cosmos');
  } catch (error) {
    await h.stop();
    throw error;
  }
  return h;
}
