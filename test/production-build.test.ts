import { execFile, fork } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { responseProblems } from './support/contract.js';
import { partnerBody, stackEnv, tokenFor, unique } from './support/harness.js';

const root = resolve(import.meta.dirname, '..');

describe('the production build', () => {
  it('bundles every function of the table behind a lazy entry, and the bundle serves requests (lazy modules and SDK chunks, CommonJS dependencies)', async () => {
    await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: root });

    // The deployable package: compiled JS, host.json and a manifest of production dependencies only.
    const files = (await readdir(resolve(root, 'dist'), { recursive: true, withFileTypes: true })).filter((f) => f.isFile());
    const names = files.map((f) => resolve(f.parentPath, f.name).slice(resolve(root, 'dist').length + 1));
    expect(names.filter((n) => !/^functions\/[\w.-]+\.js(\.map)?$/.test(n)).sort()).toEqual([
      'functions/docs-assets/swagger-ui-bundle.js',
      'functions/docs-assets/swagger-ui.css',
      'host.json',
      'package.json',
    ]);
    const manifest = JSON.parse(await readFile(resolve(root, 'dist/package.json'), 'utf8')) as Record<string, unknown> & {
      dependencies: Record<string, string>;
    };
    const rootManifest = JSON.parse(await readFile(resolve(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.main).toBe('functions/index.js');
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.scripts).toBeUndefined();
    for (const [name, version] of Object.entries(manifest.dependencies)) expect(rootManifest.dependencies[name], name).toBe(version);
    expect(Object.keys(manifest.dependencies)).toEqual(expect.arrayContaining(['@azure/functions', '@azure/cosmos']));
    const bundle = (
      await Promise.all(names.filter((n) => n.endsWith('.js') && !n.includes('docs-assets')).map((n) => readFile(resolve(root, 'dist', n), 'utf8')))
    ).join('\n');
    for (const devOnly of ['azurite', 'cosmosdb-server', 'vitest', 'FunctionHost', 'installFunctionsCore']) expect(bundle, devOnly).not.toContain(devOnly);

    const child = fork(resolve(root, 'test/support/bundle-host.ts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...stackEnv() },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    try {
      const { port, functions } = await new Promise<{ port: number; functions: { name: string; trigger: unknown }[] }>((done, fail) => {
        child.once('message', (m) => done(m as { port: number; functions: { name: string; trigger: unknown }[] }));
        child.once('exit', (code) => fail(new Error(`bundle host exited with ${code}`)));
      });
      const core = installFunctionsCore();
      await import('../functions/index.js');
      // The generated entry registers every function of the table with the same trigger metadata
      // (routes, methods, queues, schedules): no "no job functions found" and no drift on Azure.
      const byName = (list: { name: string; trigger: unknown }[]) => [...list].sort((a, b) => a.name.localeCompare(b.name));
      expect(byName(functions)).toEqual(byName(core.registrations.map((r) => ({ name: r.name, trigger: core.triggerOf(r) }))));

      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/api/health`);
      expect(health.status).toBe(200);
      // What the bundle answers conforms to the OpenAPI document too (test/support/contract.ts).
      expect(await responseProblems(health, 'health', 'GET')).toEqual([]);
      const partnerId = unique('B');
      const put = await fetch(`${base}/api/partners/${partnerId}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${await tokenFor({ roles: ['PlatformOperator'] })}`, 'content-type': 'application/json' },
        body: JSON.stringify(partnerBody()),
      });
      expect(put.status).toBe(201);
      expect(await responseProblems(put, 'partners/{partnerId}', 'PUT')).toEqual([]);
      const form = new FormData();
      form.append('check', 'Business');
      form.append('documentType', 'BusinessRegistration');
      form.append('file', new Blob([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n' + ' '.repeat(5000), 'latin1')]), 'a.pdf');
      const upload = await fetch(`${base}/api/partners/${partnerId}/verification/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await tokenFor({ partnerId, roles: ['GlobalAdmin'] })}` },
        body: form,
      });
      expect(upload.status).toBe(201);
      expect(await responseProblems(upload, 'partners/{partnerId}/verification/documents', 'POST')).toEqual([]);
      // Function modules load on first use; the OpenAPI document loads them all and describes every route.
      const served = await fetch(`${base}/api/openapi.json`);
      expect(await responseProblems(served, 'openapi.json', 'GET')).toEqual([]);
      const openapi = (await served.json()) as { paths: Record<string, unknown> };
      const routes = core.registrations.flatMap((r) => (core.triggerOf(r).type === 'httpTrigger' ? [`/api/${core.triggerOf(r).route ?? ''}`] : []));
      expect(Object.keys(openapi.paths).sort()).toEqual([...new Set(routes)].sort());
      // The API reference page ships: its page, and swagger-ui-dist's files copied beside the bundle.
      const docs = await fetch(`${base}/api/docs`);
      expect(docs.status).toBe(200);
      expect(await responseProblems(docs, 'docs', 'GET')).toEqual([]);
      expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");
      for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) {
        const file = await fetch(`${base}/api/docs/${asset}`);
        expect(file.status, asset).toBe(200);
        expect(await responseProblems(file, 'docs/{asset}', 'GET'), asset).toEqual([]);
        expect((await file.text()).length, asset).toBeGreaterThan(100);
      }
    } finally {
      child.kill('SIGTERM');
    }
  });
});
