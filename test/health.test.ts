import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getServices, overrideServices } from '../shared/composition-root.js';
import { startAppHost, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

describe('GET /api/health', () => {
  it('answers 200 {status: ok} when Cosmos, Storage and email answer', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers 503 problem+json naming the unreachable dependency', async () => {
    const services = await getServices();
    const restore = await overrideServices({ config: { ...services.config, EMAIL_CONNECTION_STRING: 'endpoint=http://127.0.0.1:1/;accesskey=a2V5' } });
    try {
      const response = await fetch(`${host.url}/api/health`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.headers.get('retry-after')).toBe('5');
      expect(((await response.json()) as { detail: string }).detail).toBe('Unreachable: email.');
    } finally {
      restore();
    }
  });

  it('publishes the OpenAPI 3.1 document without a token', async () => {
    const response = await fetch(`${host.url}/api/openapi.json`);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/api/partners/{partnerId}/verification', '/api/verification/email/confirm']));
  });
});
