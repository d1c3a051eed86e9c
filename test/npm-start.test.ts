import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
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

describe('npm start (the local stack)', () => {
  it('serves /api/health within 30 s, accepts dev tokens, and stops every child on SIGTERM', async () => {
    const ports = { FUNCTIONS_PORT: await freePort(), COSMOS_PORT: await freePort(), AZURITE_BLOB_PORT: await freePort(), AZURITE_QUEUE_PORT: await freePort(), EMAIL_PORT: await freePort() };
    // A clean environment: nothing of this test run's stack may leak into the child.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])) };
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'shared/local-host/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const base = `http://127.0.0.1:${ports.FUNCTIONS_PORT}`;
      await eventually(async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        const response = await fetch(`${base}/api/health`).catch(() => undefined);
        return response?.status === 200 ? true : undefined;
      }, 30_000, 200);
      expect(Date.now() - started).toBeLessThan(30_000);

      const notFound = await fetch(`${base}/api/definitely/not/here`);
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('content-type')).toBe('application/problem+json');

      const email = await fetch(`http://127.0.0.1:${ports.EMAIL_PORT}/emails`);
      expect(await email.json()).toEqual([]);

      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/dev-token.ts', '--partner', 'P1', '--roles', 'GlobalAdmin,IncentiveAdmin'], { cwd: root, env });
      const principal = await createJwtVerifier({ issuer: devIssuer, audience: devAudience, jwksFile: resolve(root, '.local/dev-jwks.json') }).verify(stdout.trim());
      expect(principal.partnerId).toBe('P1');
      expect([...principal.roles]).toEqual(['GlobalAdmin', 'IncentiveAdmin']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    for (const port of Object.values(ports)) expect(await portOpen(port)).toBe(false);
  });
});
