import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** One local port the stack needs, and the setting that moves it. */
export interface WantedPort {
  part: string;
  port: number;
  setting: string;
}

interface Recorded {
  part: string;
  port: number;
  pid: number;
  /** The `npm start` process that started it: while that one lives, its emulators are not orphans. */
  host?: number;
}

const stateFile = (dir: string) => join(dir, 'stack-processes.json');

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopProcess(pid: number): Promise<void> {
  if (!alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 5000 && alive(pid); waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Makes the stack's ports usable before anything starts. An emulator that a previous stack left
 * running on its port (its host died without stopping it) is recorded in `stateDir`: it is stopped,
 * so the new stack replaces it cleanly. The emulators of a stack whose host still runs are left
 * alone. Every port still held stops the start at once with one message naming each port, its part
 * and the setting that moves it, and saying that another stack may be running.
 */
export async function claimPorts(wanted: readonly WantedPort[], stateDir: string | undefined): Promise<void> {
  const recorded = stateDir ? await readRecorded(stateDir) : [];
  const busy: WantedPort[] = [];
  for (const w of wanted) {
    if (await isFree(w.port)) continue;
    const orphan = recorded.find((r) => r.port === w.port && alive(r.pid) && !(r.host !== undefined && r.host !== process.pid && alive(r.host)));
    if (orphan) {
      await stopProcess(orphan.pid);
      for (let waited = 0; waited < 5000 && !(await isFree(w.port)); waited += 100) await new Promise((r) => setTimeout(r, 100));
      if (await isFree(w.port)) continue;
    }
    busy.push(w);
  }
  if (busy.length === 0) return;
  const running = recorded.find((r) => r.host !== undefined && r.host !== process.pid && alive(r.host));
  throw new Error(
    [
      `${busy.length === 1 ? 'a port' : 'ports'} of the local stack ${busy.length === 1 ? 'is' : 'are'} in use:`,
      ...busy.map((w) => `  port ${w.port} (${w.part}): set ${w.setting} to move it`),
      running
        ? `another stack is running (npm start, process ${running.host}): stop it with Ctrl-C, or start this one on other ports, e.g. ${busy.map((w) => `${w.setting}=${w.port + 100}`).join(' ')} npm start`
        : `another stack may be running (npm start, func start, Azurite or a Cosmos emulator): stop it, or start this one on other ports, e.g. ${busy.map((w) => `${w.setting}=${w.port + 100}`).join(' ')} npm start`,
    ].join('\n'),
  );
}

/** Records the stack's emulator processes, so a later start can replace them if this one dies. */
export async function recordProcesses(stateDir: string | undefined, processes: readonly Omit<Recorded, 'host'>[]): Promise<void> {
  if (stateDir) await writeFile(stateFile(stateDir), JSON.stringify(processes.map((p) => ({ ...p, host: process.pid }))));
}

export async function forgetProcesses(stateDir: string | undefined): Promise<void> {
  if (stateDir) await rm(stateFile(stateDir), { force: true });
}

async function readRecorded(stateDir: string): Promise<Recorded[]> {
  try {
    const parsed = JSON.parse(await readFile(stateFile(stateDir), 'utf8')) as unknown;
    return Array.isArray(parsed) ? (parsed as Recorded[]).filter((r) => typeof r.pid === 'number' && typeof r.port === 'number') : [];
  } catch {
    return [];
  }
}
