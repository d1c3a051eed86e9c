import { DefaultAzureCredential } from '@azure/identity';
import { describe, expect, it, vi } from 'vitest';
import { getServices, resetServices } from '../shared/composition-root.js';
import { parseConfig } from '../shared/config/env.js';
import { parseHostSettings } from '../shared/local-host/host-settings.js';
import { Router } from '../shared/local-host/router.js';
import { readFileSync } from 'node:fs';
import { hostJsonPath } from './support/harness.js';

const base = {
  COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/',
  AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
  AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net',
  EMAIL_ENDPOINT: 'https://acs.communication.azure.com',
  AUTH_ISSUER: 'https://login.microsoftonline.com/t/v2.0',
  AUTH_AUDIENCE: 'api://portal',
  AUTH_JWKS_URI: 'https://login.microsoftonline.com/t/discovery/v2.0/keys',
};

describe('configuration', () => {
  it('accepts identity-based settings with no key or connection string (Azure)', () => {
    const config = parseConfig(base);
    expect(config.COSMOS_KEY).toBeUndefined();
    expect(config.COSMOS_TLS_INSECURE).toBe(false);
    expect(config.COSMOS_DATABASE).toBe('partner-portal');
  });

  it('builds identity-based clients, sharing one DefaultAzureCredential, when only endpoints are configured', async () => {
    const keyed = ['COSMOS_KEY', 'COSMOS_TLS_INSECURE', 'AzureWebJobsStorage', 'EMAIL_CONNECTION_STRING', 'EMAIL_ALLOW_INSECURE', 'AUTH_JWKS_FILE'];
    const previous = Object.fromEntries([...keyed, ...Object.keys(base)].map((name) => [name, process.env[name]]));
    try {
      for (const name of keyed) vi.stubEnv(name, undefined);
      for (const [name, value] of Object.entries(base)) vi.stubEnv(name, value);
      resetServices();
      // Every client asks one DefaultAzureCredential for tokens (intercepted here: no Azure in tests).
      const askers = new Set<unknown>();
      const getToken = vi.spyOn(DefaultAzureCredential.prototype, 'getToken').mockImplementation(function (this: unknown) {
        askers.add(this);
        return Promise.reject(new Error('no Entra ID in tests'));
      });
      try {
        const services = await getServices();
        const refused = /no Entra ID in tests/;
        await expect(services.documents.exists('c')).rejects.toThrow(refused);
        await expect(services.probes.queue('q')).rejects.toThrow(refused);
        await expect(services.probes.cosmos()).rejects.toThrow(refused);
        expect(getToken).toHaveBeenCalled();
        expect(askers.size).toBe(1);
      } finally {
        getToken.mockRestore();
      }
    } finally {
      for (const [name, value] of Object.entries(previous)) vi.stubEnv(name, value);
      resetServices();
    }
  });

  it('lists every problem at once when settings are missing', () => {
    expect(() => parseConfig({ COSMOS_ENDPOINT: 'not a url' })).toThrow(
      /COSMOS_ENDPOINT[\s\S]*AUTH_ISSUER[\s\S]*AzureWebJobsStorage:[\s\S]*EMAIL_CONNECTION_STRING:[\s\S]*AUTH_JWKS_URI:/,
    );
  });

  it('requires exactly one JWKS source', () => {
    expect(() => parseConfig({ ...base, AUTH_JWKS_FILE: '/tmp/jwks.json' })).toThrow(/exactly one/);
  });
});

describe('host.json settings', () => {
  it('reads the repository host.json with the values the queue listener uses', () => {
    const settings = parseHostSettings(JSON.parse(readFileSync(hostJsonPath, 'utf8')));
    expect(settings.routePrefix).toBe('api');
    expect(settings.queues).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxPollingIntervalMs: 2000,
      visibilityTimeoutMs: 5000,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
  });

  it("applies the host's defaults where host.json is silent", () => {
    const settings = parseHostSettings({ version: '2.0' });
    expect(settings.queues).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxPollingIntervalMs: 60_000,
      visibilityTimeoutMs: 0,
      maxDequeueCount: 5,
      messageEncoding: 'base64',
    });
    expect(settings.routePrefix).toBe('api');
  });
});

describe('route templates', () => {
  it('prefers literal segments over parameters and decodes parameters', () => {
    const router = new Router<string>();
    router.add('partners/{partnerId}/customers/{customerId}', ['GET'], 'customer');
    router.add('partners/{partnerId}/customers/export', ['GET'], 'export');
    router.add('items/{id:int}/{rest?}', ['POST'], 'optional');
    expect(router.match('GET', '/partners/P%201/customers/export')).toEqual({ target: 'export', params: { partnerId: 'P 1' } });
    expect(router.match('GET', '/partners/P1/customers/C9')).toEqual({ target: 'customer', params: { partnerId: 'P1', customerId: 'C9' } });
    expect(router.match('POST', '/items/4')).toEqual({ target: 'optional', params: { id: '4' } });
    expect(router.match('DELETE', '/partners/P1/customers/C9')).toBeUndefined();
  });

  it('matches by method and segment count without missing optional, catch-all or trailing-slash forms', () => {
    const router = new Router<string>();
    router.add('files/{*rest}', ['get'], 'catch-all');
    router.add('items/{id}/{rest?}', ['POST', 'PUT'], 'optional');
    router.add('items/{id}/parts/{part}', ['PUT'], 'part');
    expect(router.match('GET', '/files')).toEqual({ target: 'catch-all', params: {} });
    expect(router.match('get', '/files/a/b/c.pdf')).toEqual({ target: 'catch-all', params: { rest: 'a/b/c.pdf' } });
    expect(router.match('POST', '/items/4/')).toEqual({ target: 'optional', params: { id: '4' } });
    expect(router.match('PUT', '/items/4/x')).toEqual({ target: 'optional', params: { id: '4', rest: 'x' } });
    expect(router.match('PUT', '/items/4/parts/9')).toEqual({ target: 'part', params: { id: '4', part: '9' } });
    expect(router.match('POST', '/items/4/parts/9')).toBeUndefined();
    expect(router.match('POST', '/items')).toBeUndefined();
    expect(router.match('POST', '/items//4')).toBeUndefined();
  });
});
