import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from './global-setup.js';
import { eventually } from './support/harness.js';

const root = resolve(import.meta.dirname, '..');

interface Expectation {
  /** The README line of the comment, for the failure message. */
  readmeLine: number;
  status: number;
  /** A piece of the body the README says the answer contains. */
  fragment: string | undefined;
}

/**
 * The README's "first ten minutes" as one bash script: its `sh` blocks between the tour markers, in
 * order. A `# → 201 "piece"` comment on a command (or on the last line of a command continued with
 * `\`) is what that command's curl answers; it is keyed by the command's first line, the line bash
 * reports for the call.
 */
function tourScript(readme: string): { script: string; expectations: Map<number, Expectation> } {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => l.includes('<!-- tour:start -->'));
  const end = lines.findIndex((l) => l.includes('<!-- tour:end -->'));
  if (start < 0 || end < start) throw new Error('README.md has no tour markers');
  const script: string[] = [];
  const expectations = new Map<number, Expectation>();
  let inBlock = false;
  for (let i = start + 1; i < end; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('```')) {
      inBlock = line === '```sh' ? true : false;
      continue;
    }
    if (!inBlock) continue;
    script.push(line);
    const comment = /# → (\d{3})(?: (.+))?$/.exec(line);
    if (!comment) continue;
    let first = script.length; // 1-based line of this line in the script
    while (first > 1 && (script[first - 2] ?? '').endsWith('\\')) first--;
    expectations.set(first, { readmeLine: i + 1, status: Number(comment[1]), fragment: comment[2]?.trim() });
  }
  return { script: script.join('\n'), expectations };
}

// Every curl of the tour goes through this function: it answers what curl answers and records the
// calling line, the status and the body.
const recorder = `curl() {
  local out rc
  out=$(command curl -w '\\n%{http_code}' "$@"); rc=$?
  printf '%s\\n' "\${out%$'\\n'*}"
  printf '%s\\t%s\\t%s\\n' "\${BASH_LINENO[0]}" "\${out##*$'\\n'}" "$(printf '%s' "\${out%$'\\n'*}" | base64 -w0)" >> "$TOUR_LOG"
  return $rc
}
`;

describe('the README tour (first ten minutes)', () => {
  it('runs against npm start and every call answers what the README says', { timeout: 240_000 }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const { script, expectations } = tourScript(readme);
    expect(expectations.size).toBeGreaterThanOrEqual(13);

    const ports = {
      FUNCTIONS_PORT: await freePort(),
      COSMOS_PORT: await freePort(),
      AZURITE_BLOB_PORT: await freePort(),
      AZURITE_QUEUE_PORT: await freePort(),
      EMAIL_PORT: await freePort(),
    };
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
    const stack = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    stack.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    stack.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => stack.once('exit', () => r()));
    const api = `http://127.0.0.1:${ports.FUNCTIONS_PORT}`;
    try {
      await eventually(
        async () => {
          if (stack.exitCode !== null) throw new Error(`the stack exited early:\n${output}`);
          return (await fetch(`${api}/api/health`).catch(() => undefined))?.status === 200 ? true : undefined;
        },
        60_000,
        200,
      );
      const log = join(await mkdtemp(join(tmpdir(), 'tour-')), 'calls.tsv');
      const prelude = recorder.split('\n').length - 1;
      const run = await promisify(execFile)('bash', ['-c', `${recorder}${script}`], {
        cwd: root,
        env: { ...env, API: api, EMAIL: `http://127.0.0.1:${ports.EMAIL_PORT}`, TOUR_LOG: log },
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const calls = new Map<number, { status: number; body: string }>();
      for (const row of (await readFile(log, 'utf8')).trim().split('\n')) {
        const [line = '', status = '', body = ''] = row.split('\t');
        calls.set(Number(line) - prelude, { status: Number(status), body: Buffer.from(body, 'base64').toString('utf8') });
      }
      for (const [line, expected] of expectations) {
        const call = calls.get(line);
        const where = `README.md:${expected.readmeLine}`;
        expect(call, `${where}: the command made no call\n${run.stdout}\n${run.stderr}`).toBeDefined();
        expect(call?.status, `${where}: ${call?.body}`).toBe(expected.status);
        if (expected.fragment) expect(call?.body, where).toContain(expected.fragment);
      }
      // The invocations show in the host's log as func start shows them.
      await eventually(() => (/Executed 'Functions\.incentiveEligibility' \(Succeeded, Id=[0-9a-f-]+, Duration=\d+ms\)/.test(output) ? true : undefined));
      expect(output).toMatch(/Executing 'Functions\.putPartner' \(Reason='HTTP PUT \/api\/partners\/contoso-\d+', Id=/);
    } finally {
      if (stack.pid) process.kill(-stack.pid, 'SIGINT');
    }
    await exited;
  });
});
