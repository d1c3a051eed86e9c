import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { devAudience, devIssuer } from '../shared/local-host/dev-keys.js';
import { createJwtVerifier } from '../shared/platform/auth.js';
import { freePort } from './global-setup.js';
import { eventually } from './support/harness.js';

const root = resolve(import.meta.dirname, '..');

function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

async function stackPorts() {
  return {
    FUNCTIONS_PORT: await freePort(),
    COSMOS_PORT: await freePort(),
    AZURITE_BLOB_PORT: await freePort(),
    AZURITE_QUEUE_PORT: await freePort(),
    EMAIL_PORT: await freePort(),
  };
}

/** A clean environment: nothing of this test run's own stack may leak into the child. */
function cleanEnv(ports: Record<string, number>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
}

async function waitHealthy(child: ChildProcess, port: number, output: () => string): Promise<void> {
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`the stack exited early:\n${output()}`);
      const response = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
      return response?.status === 200 ? true : undefined;
    },
    30_000,
    200,
  );
}

describe('npm start (the local stack)', () => {
  it('dev:token --help lists the roles and options (no stack trace); a wrong option says what is wrong', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('npm', ['run', '--silent', 'dev:token', '--', '--help'], { cwd: root });
    for (const role of ['GlobalAdmin', 'IncentiveAdmin', 'ReferralAdmin', 'PlatformOperator', '--partner', '--roles', '--expires-in'])
      expect(stdout).toContain(role);
    const wrong = await run('npm', ['run', '--silent', 'dev:token', '--', '--rolez', 'X'], { cwd: root }).catch(
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(wrong).toMatchObject({ code: 2 });
    expect((wrong as { stderr: string }).stderr).toContain("Unknown option '--rolez'");
    expect((wrong as { stderr: string }).stderr).not.toMatch(/ {4}at /);
  });

  it('serves /api/health within 30 s of `npm start`, and Ctrl-C stops everything', async () => {
    const ports = await stackPorts();
    const env = cleanEnv(ports);
    const started = Date.now();
    const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      await waitHealthy(child, ports.FUNCTIONS_PORT, () => output);
      expect(Date.now() - started).toBeLessThan(30_000);

      const notFound = await fetch(`http://127.0.0.1:${ports.FUNCTIONS_PORT}/api/definitely/not/here`);
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('content-type')).toBe('application/problem+json');
      expect(await (await fetch(`http://127.0.0.1:${ports.EMAIL_PORT}/emails`)).json()).toEqual([]);

      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'dev:token', '--', '--partner', 'P1', '--roles', 'GlobalAdmin,IncentiveAdmin'], {
        cwd: root,
        env,
      });
      const principal = await createJwtVerifier({ issuer: devIssuer, audience: devAudience, jwksFile: resolve(root, '.local/dev-jwks.json') }).verify(
        stdout.trim(),
      );
      expect(principal.partnerId).toBe('P1');
      expect([...principal.roles]).toEqual(['GlobalAdmin', 'IncentiveAdmin']);

      // Made for trying things: the start-up output names the functions, the storage connection, a short
      // resend cooldown and an upstream message to send.
      expect(output).toContain(`health: [GET] http://127.0.0.1:${ports.FUNCTIONS_PORT}/api/health`);
      expect(output).toContain('verificationDecisions: queueTrigger (verification-decisions)');
      expect(output).toMatch(new RegExp(`storage: +DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;.*${ports.AZURITE_QUEUE_PORT}`));
      expect(output).toContain(`resend cooldown: 10 s; verification links: http://127.0.0.1:${ports.EMAIL_PORT}/verify-email`);
      expect(output).toContain(`curl -X POST http://127.0.0.1:${ports.FUNCTIONS_PORT}/admin/functions/incentiveEligibility`);

      // A second stack on the same ports stops at once with what to do, and leaves the first one running.
      const second = spawn(process.execPath, ['.local/build/shared/local-host/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let secondOutput = '';
      second.stdout.on('data', (d: Buffer) => (secondOutput += d.toString()));
      second.stderr.on('data', (d: Buffer) => (secondOutput += d.toString()));
      expect(await new Promise<number | null>((r) => second.once('exit', (c) => r(c)))).toBe(1);
      expect(secondOutput).toContain(`port ${ports.COSMOS_PORT} (Cosmos DB emulator): set COSMOS_PORT to move it`);
      expect(secondOutput).toContain(`port ${ports.FUNCTIONS_PORT} (function host): set FUNCTIONS_PORT to move it`);
      expect(secondOutput).toMatch(/another stack is running \(npm start, process \d+\)/);
      expect(secondOutput).not.toMatch(/EADDRINUSE| {4}at /);
      expect((await fetch(`http://127.0.0.1:${ports.FUNCTIONS_PORT}/api/health`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${ports.EMAIL_PORT}/emails`)).status).toBe(200);
    } finally {
      // What Ctrl-C sends: the whole process group. A group already gone means the stack died during the
      // test: say so with its output, instead of hiding the test's own failure behind ESRCH.
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGINT');
        } catch (error) {
          // ESRCH: nothing left to interrupt; the assertions below (and any above) report what went wrong.
          console.error(`Ctrl-C could not be sent (${(error as NodeJS.ErrnoException).code ?? String(error)}); npm start's output:\n${output.slice(-4000)}`);
        }
      }
    }
    await exited;
    await eventually(async () => ((await Promise.all(Object.values(ports).map(portOpen))).some(Boolean) ? undefined : true), 10_000);
    expect(output).toContain('stopped');
  });

  it('stops every child it started when the host alone gets SIGTERM', async () => {
    const ports = await stackPorts();
    // The build from the test above (npm start compiles first); run the host directly, as a supervisor would.
    const child = spawn(process.execPath, ['.local/build/shared/local-host/main.js'], { cwd: root, env: cleanEnv(ports), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitHealthy(child, ports.FUNCTIONS_PORT, () => output);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);
  });

  it('after the host is killed with SIGKILL, the next start replaces what it left running, serves, and has the data of LOCAL_DATA_DIR', async () => {
    const ports = await stackPorts();
    const dataDir = await mkdtemp(join(tmpdir(), 'stack-data-'));
    const env = { ...cleanEnv(ports), LOCAL_DATA_DIR: dataDir };
    const run = () => {
      const child = spawn(process.execPath, ['.local/build/shared/local-host/main.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      return { child, output: () => output, exited: new Promise<number | null>((r) => child.once('exit', (code) => r(code))) };
    };
    const first = run();
    await waitHealthy(first.child, ports.FUNCTIONS_PORT, first.output);
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'dev:token', '--', '--roles', 'PlatformOperator'], { cwd: root, env });
    const operator = { authorization: `Bearer ${stdout.trim()}`, 'content-type': 'application/json' };
    const partnerId = `P-${Date.now().toString(36)}`;
    const body = {
      companyName: 'Kept Ltd',
      address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
      primaryContact: { firstName: 'Ana', lastName: 'Lee', email: 'ana@kept.example' },
      programs: ['developer'],
      cspModel: 'None',
      locations: [{ partnerId: '4011111', country: 'US', active: true }],
      agreementActive: true,
      bankProfiles: [],
      taxProfiles: [],
    };
    expect(
      (await fetch(`http://127.0.0.1:${ports.FUNCTIONS_PORT}/api/partners/${partnerId}`, { method: 'PUT', headers: operator, body: JSON.stringify(body) }))
        .status,
    ).toBe(201);
    // Saved to LOCAL_DATA_DIR within seconds.
    await eventually(
      async () => ((await readFile(join(dataDir, 'cosmos-data.json'), 'utf8').catch(() => '')).includes(partnerId) ? true : undefined),
      15_000,
      200,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    // Azurite's processes outlive their host and hold their ports.
    expect(await portOpen(ports.AZURITE_QUEUE_PORT)).toBe(true);

    const second = run();
    try {
      await waitHealthy(second.child, ports.FUNCTIONS_PORT, second.output);
      const kept = await fetch(`http://127.0.0.1:${ports.FUNCTIONS_PORT}/api/partners/${partnerId}`, {
        method: 'PUT',
        headers: operator,
        body: JSON.stringify(body),
      });
      expect(kept.status).toBe(200); // replaced, not created: the partner outlived the crash
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);
  });

  it('a port that something else holds stops the start at once, naming the port and the setting that moves it', async () => {
    const ports = await stackPorts();
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(ports.COSMOS_PORT, '127.0.0.1', r));
    try {
      const child = spawn(process.execPath, ['.local/build/shared/local-host/main.js'], { cwd: root, env: cleanEnv(ports), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(output).toContain(`port ${ports.COSMOS_PORT}`);
      expect(output).toContain('COSMOS_PORT');
      expect(output).toContain('another stack may be running');
      expect(output).not.toMatch(/EADDRINUSE| {4}at /);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });
});
