// Every operation of the OpenAPI document, fed what a hostile or careless client sends: random path
// parameters (reserved and control characters, blanks, long strings), random query strings and random
// bodies under random content types. Whatever arrives, the answer comes in time, is never a 5xx, and a
// 4xx is problem+json. New routes are covered by being in the document.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles } from '../shared/domain/roles.js';
import { partnerBody, startAppHost, tokenFor, type TestHost } from './support/harness.js';

let host: TestHost;
let operations: { method: string; path: string }[] = [];
beforeAll(async () => {
  host = await startAppHost();
  // A partner and a customer that exist, so requests that name them reach past the not-found.
  const operator = await tokenFor({ roles: ['PlatformOperator'] });
  const put = (path: string, body: unknown) =>
    fetch(`${host.url}/api${path}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  expect((await put('/partners/P-fuzz', partnerBody())).status).toBeLessThan(300);
  const customer = {
    companyName: 'Fuzz Ltd',
    primaryContact: { firstName: 'F', lastName: 'Z', email: 'f.z@fuzz.example' },
    agreementOption: 'PartnerAttestation',
  };
  expect((await put('/partners/P-fuzz/customers/customerId-fuzz', customer)).status).toBeLessThan(300);
  const document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      .map((method) => ({ method: method.toUpperCase(), path })),
  );
});
afterAll(async () => host?.stop());

/** Runs per operation: a few thousand requests over the whole document in CI. */
const runsPerOperation = 200;

const segment = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,20}$/), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }), {
  arbitrary: fc.constantFrom('%23kk%5B%25p', ' ', '..', '%2F', '#', '?', '\\', '\u0000', 'x'.repeat(400), '{}', '[]'),
  weight: 3,
});
const body = fc.oneof(
  { arbitrary: fc.constant('{}'), weight: 4 },
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('{', '{"a":', '\u0000\u0001', '[]', 'null', '{"companyName":"x","address":{}}'),
);
const contentType = fc.oneof(
  { arbitrary: fc.constant('application/json'), weight: 5 },
  fc.constantFrom(undefined, 'text/plain', 'multipart/form-data; boundary=x', 'multipart/form-data', 'application/x-www-form-urlencoded'),
);
/** Each path parameter: usually the one that exists (partner P-fuzz, its customer), else anything. */
const params = fc.record(
  Object.fromEntries(
    ['partnerId', 'customerId', 'profileId', 'enrollmentId', 'documentId', 'runId', 'userId'].map((name) => [name, fc.option(segment, { freq: 2 })]),
  ),
);
const query = fc.dictionary(
  fc.constantFrom('fiscalYear', 'pageSize', 'continuationToken', 'managingPartnerId', 'kind', 'type', 'location', 'unexpected'),
  fc.oneof(fc.string({ maxLength: 30 }), fc.integer().map(String), fc.constantFrom('{}', '[]', '-1', '1e9')),
  { maxKeys: 3 },
);

describe('every operation of the OpenAPI document, under random input', () => {
  it('answers in time, never 5xx, and every 4xx is problem+json', async () => {
    expect(operations.length).toBeGreaterThan(25);
    let requests = 0;
    for (const operation of operations.filter((o) => !o.path.endsWith('/health'))) {
      await fc.assert(
        fc.asyncProperty(params, query, body, contentType, fc.boolean(), async (named: Partial<Record<string, string | null>>, q, text, type, authorized) => {
          const partnerId = named.partnerId ?? 'P-fuzz';
          const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
            encodeURIComponent(named[name] ?? (name === 'partnerId' ? 'P-fuzz' : `${name}-fuzz`)),
          );
          const search = new URLSearchParams(q).toString();
          const token = authorized ? await tokenFor({ partnerId, roles: [...roles] }) : undefined;
          const response = await fetch(`${host.url}${path}${search ? `?${search}` : ''}`, {
            method: operation.method,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(type ? { 'content-type': type } : {}) },
            ...(text !== undefined && operation.method !== 'GET' ? { body: text } : {}),
            signal: AbortSignal.timeout(15_000),
          });
          requests++;
          const answer = await response.text();
          expect(response.status, `${operation.method} ${path}: ${answer.slice(0, 200)}`).toBeLessThan(500);
          if (response.status >= 400) expect(response.headers.get('content-type'), `${operation.method} ${path}`).toContain('application/problem+json');
        }),
        { numRuns: runsPerOperation },
      );
    }
    console.info(`fuzz: ${requests} requests over ${operations.length} operations, none answered 5xx`);
  }, 600_000);
});
