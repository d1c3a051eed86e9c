import { Ajv2020 } from 'ajv/dist/2020.js';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpDefinitions, httpFunction } from '../shared/platform/functions.js';
import { contractProblems, currentDocument, takeContractViolations, undescribedSuccesses } from './support/contract.js';
import { startTestHost, tokenFor, type TestHost } from './support/harness.js';

// A route declared as the function table declares them, whose handler can be told to drift.
let answer: { status: number; body?: unknown; headers?: Record<string, string> } = { status: 200, body: { id: 'a' } };
httpFunction('test-contract-drift', {
  method: 'GET',
  route: 'test-contract/drift',
  summary: 'test',
  tags: ['test'],
  access: { anonymous: true },
  responses: { 200: { description: 'ok', schema: z.object({ id: z.string(), note: z.string().optional() }) }, 404: { description: 'none' } },
  async handler() {
    return answer;
  },
});

let host: TestHost;
beforeAll(async () => {
  await import('../functions/index.js');
  host = await startTestHost(() => true);
});
afterAll(async () => {
  await host.stop();
});

async function driftOf(next: typeof answer): Promise<string[]> {
  answer = next;
  await fetch(`${host.url}/api/test-contract/drift`);
  return takeContractViolations();
}

describe('contract conformance of HTTP responses', () => {
  it('passes a response that matches its operation in the OpenAPI document', async () => {
    expect(await driftOf({ status: 200, body: { id: 'a', note: 'n' } })).toEqual([]);
    // A declared error status is problem+json: a bare 404 without its body is drift too.
    expect((await driftOf({ status: 404, body: undefined })).join('\n')).toMatch(/content type \(none\) is not one of application\/problem\+json/);
  });

  it('fails a handler that returns a field its response schema does not allow (planted drift)', async () => {
    const drift = await driftOf({ status: 200, body: { id: 'a', secret: 'leaked' } });
    expect(drift).toEqual([expect.stringMatching(/GET \/api\/test-contract\/drift 200 .*must NOT have additional properties \(secret\)/)]);
  });

  it('fails a wrong field type, an undocumented status and an undeclared content type', async () => {
    expect((await driftOf({ status: 200, body: { id: 7 } })).join('\n')).toMatch(/body\/id must be string/);
    expect((await driftOf({ status: 201, body: { id: 'a' } })).join('\n')).toMatch(/status 201 is not documented/);
    expect((await driftOf({ status: 200, body: '<p>hi</p>', headers: { 'content-type': 'text/html' } })).join('\n')).toMatch(
      /content type text\/html is not one of application\/json/,
    );
  });

  it('checks the real routes too: a partner answer with an extra field is drift', async () => {
    const token = await tokenFor({ roles: ['PlatformOperator'] });
    const response = await fetch(`${host.url}/api/operations/rollovers/contract-unknown-run`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(404);
    expect(takeContractViolations()).toEqual([]);
    const body = { companyName: 'x' };
    expect(
      contractProblems('partners/{partnerId}', 'PUT', { status: 201, contentType: 'application/json', body: JSON.stringify(body), empty: false }).join('\n'),
    ).toMatch(/must have required property/);
    expect(contractProblems('health', 'GET', { status: 200, contentType: 'application/json', body: '{"status":"ok","version":"1"}', empty: false })).toEqual([
      'GET /api/health 200 (getHealth): body must NOT have additional properties (version)',
    ]);
  });

  it('every 2xx of every route declares what it answers (schema or content type), so every route is held to the contract', () => {
    const real = httpDefinitions.filter((d) => !d.route.startsWith('test-'));
    expect(real.length).toBeGreaterThan(30);
    expect(undescribedSuccesses(real)).toEqual([]);
    expect(
      undescribedSuccesses([{ method: 'GET', route: 'partners/{partnerId}/new-thing', responses: { 200: { schema: undefined }, 204: {}, 404: {} } }]),
    ).toEqual(['GET /api/partners/{partnerId}/new-thing 200']);
    // ... and in the served document every 2xx with a body has a schema (JSON) or is a page or a script.
    for (const [path, operations] of Object.entries(currentDocument().paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^2/.test(status) || status === '204') continue;
          const content = response.content ?? {};
          expect(Object.keys(content).length, `${method} ${path} ${status}`).toBeGreaterThan(0);
          if (content['application/json']) expect(content['application/json'].schema, `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
  });
});

describe('the published documents', () => {
  it('OpenAPI: servers, license, the bearer scheme with security on every operation (empty when anonymous), every 4xx/5xx as problem+json', async () => {
    const document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as {
      servers: { url: string }[];
      info: { license?: { name: string; url: string } };
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
      paths: Record<string, Record<string, { security: unknown[]; 'x-roles'?: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(document.info.license?.url).toMatch(/^https:/);
    expect(document.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ at: `${method} ${path}`, op })),
    );
    for (const { at, op } of operations) {
      expect(op.security, at).toEqual(op['x-roles'] ? [{ bearer: [] }] : []);
      for (const [status, response] of Object.entries(op.responses)) {
        if (status === 'default' || Number(status) >= 400) expect(Object.keys(response.content ?? {}), `${at} ${status}`).toEqual(['application/problem+json']);
      }
    }
    expect(operations.find((o) => o.at === 'get /api/health')?.op.security).toEqual([]);
  });

  it('AsyncAPI: each upstream queue with the message schema its queue function enforces', async () => {
    const document = (await (await fetch(`${host.url}/api/asyncapi.json`)).json()) as {
      asyncapi: string;
      channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
      components: { messages: Record<string, { payload: Record<string, unknown> }> };
    };
    expect(document.asyncapi).toBe('3.0.0');
    const byQueue = new Map(Object.values(document.channels).map((c) => [c.address, c]));
    for (const queue of ['verification-decisions', 'incentive-eligibility', 'enrollment-validation', 'customer-agreement-events']) {
      expect(byQueue.has(queue), queue).toBe(true);
    }
    const channel = byQueue.get('verification-decisions');
    const name = Object.keys(channel?.messages ?? {})[0] ?? '';
    const validate = new Ajv2020({ strict: false }).compile(document.components.messages[name]?.payload ?? {});
    const decision = {
      decisionId: 'd-1',
      partnerId: 'P1',
      check: 'Business',
      tab: 'partner',
      outcome: 'Accepted',
      decidedAt: '2026-01-01T00:00:00Z',
    };
    expect(validate(decision)).toBe(true);
    expect(validate({ ...decision, outcome: 'Maybe' })).toBe(false);
    expect(validate({ ...decision, partnerId: undefined })).toBe(false);
  });
});
