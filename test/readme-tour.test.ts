import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWorkerArguments } from '../shared/local-host/host-settings.js';
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

interface Stack {
  api: string;
  email: string;
  env: Record<string, string>;
  output: () => string;
  stop: () => Promise<void>;
}

/** The program of `npm start` on free ports, healthy. */
async function startStack(): Promise<Stack> {
  const ports = {
    FUNCTIONS_PORT: await freePort(),
    COSMOS_PORT: await freePort(),
    AZURITE_BLOB_PORT: await freePort(),
    AZURITE_QUEUE_PORT: await freePort(),
    EMAIL_PORT: await freePort(),
  };
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
  // What `npm start` runs, compiled to a folder of its own: test/npm-start.test.ts compiles to .local/build
  // at the same time, and a module read while the other compiler rewrites it could be read half-written.
  await promisify(execFile)(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.local.json', '--outDir', '.local/tour-build'], { cwd: root });
  const child = spawn(process.execPath, [...nodeWorkerArguments, '.local/tour-build/shared/local-host/main.js'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const api = `http://127.0.0.1:${ports.FUNCTIONS_PORT}`;
  const stop = async () => {
    if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    await exited;
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the stack exited early:\n${output}`);
        return (await fetch(`${api}/api/health`).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      60_000,
      200,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { api, email: `http://127.0.0.1:${ports.EMAIL_PORT}`, env, output: () => output, stop };
}

describe('the README tour (first ten minutes)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs against the stack npm start runs, and every call answers what the README says', { timeout: 240_000 }, async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const { script, expectations } = tourScript(readme);
    expect(expectations.size).toBeGreaterThanOrEqual(13);
    const log = join(await mkdtemp(join(tmpdir(), 'tour-')), 'calls.tsv');
    const prelude = recorder.split('\n').length - 1;
    const run = await promisify(execFile)('bash', ['-c', `${recorder}${script}`], {
      cwd: root,
      env: { ...stack.env, API: stack.api, EMAIL: stack.email, TOUR_LOG: log },
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
    await eventually(() => (/Executed 'Functions\.incentiveEligibility' \(Succeeded, Id=[0-9a-f-]+, Duration=\d+ms\)/.test(stack.output()) ? true : undefined));
    expect(stack.output()).toMatch(/Executing 'Functions\.putPartner' \(Reason='HTTP PUT \/api\/partners\/contoso-\d+', Id=/);
  });

  it('VER-6: the email page confirms a verification link with one click (its Confirm button posts the token to the host)', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'dev:token', '--', '--roles', 'PlatformOperator'], { cwd: root, env: stack.env });
    const partnerId = `click-${Date.now().toString(36)}`;
    const put = await fetch(`${stack.api}/api/partners/${partnerId}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${stdout.trim()}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        companyName: 'Click Ltd',
        address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
        primaryContact: { firstName: 'Ana', lastName: 'Lee', email: `ana@${partnerId}.example` },
        programs: ['developer'],
        cspModel: 'None',
        locations: [{ partnerId: `${partnerId}-us`, country: 'US', active: true }],
        agreementActive: true,
        bankProfiles: [],
        taxProfiles: [],
      }),
    });
    expect(put.status).toBe(201);
    // The email's link leads to the local confirm page, and the email page carries the same token in a form.
    const emails = (await (await fetch(`${stack.email}/emails?to=ana@${partnerId}.example`)).json()) as { message: { content: { plainText: string } } }[];
    expect(emails).toHaveLength(1);
    const link = /http:\/\/127\.0\.0\.1:\d+\/verify-email\?token=[\w.-]+/.exec(emails[0]?.message.content.plainText ?? '')?.[0];
    expect(link?.startsWith(`${stack.email}/verify-email?token=`)).toBe(true);
    const token = new URL(link ?? '').searchParams.get('token') ?? '';
    expect(await (await fetch(link ?? '')).text()).toContain(`<input type="hidden" name="token" value="${token}">`);
    expect(await (await fetch(`${stack.email}/`)).text()).toContain(`value="${token}"><button type="submit">Confirm</button>`);

    const click = await fetch(`${stack.email}/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    });
    expect(click.status).toBe(200);
    expect(await click.text()).toContain('{&quot;emailOwnership&quot;:&quot;Accepted&quot;}');
    const again = await fetch(`${stack.email}/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${token}`,
    });
    expect(again.status).toBe(400); // a link is accepted once
  });
});
