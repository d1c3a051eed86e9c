import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionTable, withFunctionTable } from '../shared/local-host/function-table.js';
import { installFunctionsCore } from '../shared/local-host/functions-core-shim.js';
import { httpDefinitions } from '../shared/platform/functions.js';
import { buildOpenApiDocument } from '../shared/platform/openapi.js';

describe('the function table', () => {
  it('registers every function through app.* with the metadata the host reads', async () => {
    const core = installFunctionsCore();
    await import('../functions/index.js');
    const names = core.registrations.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['health', 'openapi']));
    expect(new Set(names).size).toBe(names.length);
    for (const fn of core.registrations) {
      const trigger = core.triggerOf(fn);
      if (trigger.type === 'httpTrigger') {
        expect(trigger.authLevel).toBe('anonymous'); // auth is ours (JWT), not function keys
        expect(trigger.route).toBeTruthy();
      }
      if (trigger.type === 'queueTrigger') expect(trigger.connection).toBe('AzureWebJobsStorage');
      if (trigger.type === 'timerTrigger') expect(String(trigger.schedule).split(' ')).toHaveLength(6);
    }
  });

  it('describes every HTTP function in the OpenAPI 3.1 document, from the same schemas', async () => {
    const core = installFunctionsCore();
    await import('../functions/index.js');
    const document = buildOpenApiDocument(httpDefinitions, { title: 't', version: '1' }) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const http = core.registrations.filter((r) => core.triggerOf(r).type === 'httpTrigger');
    for (const fn of http) {
      const trigger = core.triggerOf(fn);
      const operation = document.paths[`/api/${trigger.route}`]?.[String(trigger.methods?.[0]).toLowerCase()];
      expect(operation, `${fn.name} is documented`).toBeDefined();
    }
    const ids = Object.values(document.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the README function table is the one the registrations give: run npm run docs:functions after adding a function', async () => {
    const core = installFunctionsCore();
    await import('../functions/index.js');
    const readmePath = resolve(import.meta.dirname, '..', 'README.md');
    const readme = await readFile(readmePath, 'utf8');
    expect(await withFunctionTable(readme, core, readmePath), 'README.md is not current: npm run docs:functions').toBe(readme);
    // Every function has its row, HTTP rows name the exact roles of the access rule.
    const table = functionTable(core);
    for (const fn of core.registrations) expect(table).toContain(`| \`${fn.name}\` |`);
    expect(table).toMatch(/\| `putPartner` +\| HTTP PUT +\| `\/api\/partners\/\{partnerId\}` +\| PlatformOperator +\|/);
  });
});
