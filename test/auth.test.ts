import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import * as z from 'zod';
import { devAudience, devIssuer } from '../shared/local-host/dev-keys.js';
import { httpFunction } from '../shared/platform/functions.js';
import { startTestHost, tokenFor, type TestHost } from './support/harness.js';

// ACC-3: a partner-scoped route; PlatformOperator may act on any partner, every other role only on its own.
httpFunction('test-partner-scoped', {
  method: 'GET',
  route: 'test/partners/{partnerId}/thing',
  summary: 'partner scoped',
  tags: ['test'],
  access: { roles: ['GlobalAdmin', 'PlatformOperator'], partnerParam: 'partnerId' },
  params: z.object({ partnerId: z.string() }),
  responses: { 200: { description: 'ok', schema: z.object({ partnerId: z.string(), userId: z.string() }) } },
  handler: async ({ principal, params }) => ({ status: 200, body: { partnerId: params.partnerId, userId: principal?.userId } }),
});

let host: TestHost;
beforeAll(async () => {
  host = await startTestHost((fn) => fn.name === 'test-partner-scoped');
});
afterAll(async () => host?.stop());

async function call(partnerId: string, token?: string): Promise<Response> {
  return fetch(`${host.url}/api/test/partners/${partnerId}/thing`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
}

async function expectProblem(response: Response, status: number): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as { status: number; detail: string };
  expect(body.status).toBe(status);
  expect(body.detail).not.toMatch(/jose|JWS|JWT[A-Z]|stack/);
}

describe('authentication (ACC-3)', () => {
  it('answers 401 with WWW-Authenticate when there is no token', async () => {
    const response = await call('P1');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(response, 401);
  });

  it('answers 401 for a malformed Authorization header', async () => {
    await expectProblem(await fetch(`${host.url}/api/test/partners/P1/thing`, { headers: { authorization: 'Basic abc' } }), 401);
    await expectProblem(await call('P1', 'not.a.jwt'), 401);
  });

  it('answers 401 for an expired token', async () => {
    await expectProblem(await call('P1', await tokenFor({ partnerId: 'P1', roles: ['GlobalAdmin'], expiresInSeconds: -120 })), 401);
  });

  it('answers 401 for a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const kid = (JSON.parse(inject('devPrivateJwk')) as JWK).kid ?? '';
    const forged = await new SignJWT({ roles: ['GlobalAdmin'], partnerId: 'P1' })
      .setProtectedHeader({ alg: 'ES256', kid })
      .setSubject('u')
      .setIssuer(devIssuer)
      .setAudience(devAudience)
      .setExpirationTime('1h')
      .sign(privateKey);
    await expectProblem(await call('P1', forged), 401);
  });

  it('answers 401 for the wrong issuer or audience', async () => {
    const key = await importJWK(JSON.parse(inject('devPrivateJwk')) as JWK, 'ES256');
    const kid = (JSON.parse(inject('devPrivateJwk')) as JWK).kid ?? '';
    const sign = (issuer: string, audience: string) =>
      new SignJWT({ roles: ['GlobalAdmin'], partnerId: 'P1' })
        .setProtectedHeader({ alg: 'ES256', kid })
        .setSubject('u')
        .setIssuer(issuer)
        .setAudience(audience)
        .setExpirationTime('1h')
        .sign(key);
    await expectProblem(await call('P1', await sign('https://evil.example', devAudience)), 401);
    await expectProblem(await call('P1', await sign(devIssuer, 'api://other')), 401);
  });
});

describe('authorisation (ACC-3)', () => {
  it('answers 403 for a role the route does not allow', async () => {
    await expectProblem(await call('P1', await tokenFor({ partnerId: 'P1', roles: ['SalesAgent'] })), 403);
  });

  it('answers 403 for a token of another partner', async () => {
    await expectProblem(await call('P2', await tokenFor({ partnerId: 'P1', roles: ['GlobalAdmin'] })), 403);
  });

  it('allows the right role on its own partner, with the user id from the token', async () => {
    const response = await call('P1', await tokenFor({ partnerId: 'P1', roles: ['GlobalAdmin'], userId: 'user-7' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partnerId: 'P1', userId: 'user-7' });
  });

  it('allows PlatformOperator on any partner, with no partner claim', async () => {
    const response = await call('P9', await tokenFor({ roles: ['PlatformOperator'] }));
    expect(response.status).toBe(200);
  });
});
