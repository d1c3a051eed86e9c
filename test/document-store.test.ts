// The document store as it runs on Azure, with a managed identity instead of an account key: the
// download links it hands out are user-delegation SAS (VER-8).
// Azurite grants OAuth only over HTTPS, so this file starts its own blob service with both.
import { createRequire } from 'node:module';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { BlobServiceClient } from '@azure/storage-blob';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BlobDocumentStore } from '../shared/adapters/document-store.js';
import { startAzurite, type ChildHandle } from '../shared/local-host/emulators.js';
import { freePort } from './global-setup.js';
import { unique } from './support/harness.js';

/** What Azure AD would issue for the app's identity; Azurite checks the claims, not a signature. */
const identity: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    const expiresOnTimestamp = Date.now() + 3600_000;
    const token = new UnsecuredJWT({ oid: '5f1c3c1e-0000-4000-8000-0000000000aa', tid: '72f988bf-0000-4000-8000-0000000000bb' })
      .setIssuer('https://sts.windows.net/72f988bf-0000-4000-8000-0000000000bb/')
      .setAudience('https://storage.azure.com')
      .setIssuedAt()
      .setNotBefore('-1m')
      .setExpirationTime(Math.floor(expiresOnTimestamp / 1000))
      .encode();
    return { token, expiresOnTimestamp };
  },
};

/** One HTTPS request to a SAS link (the emulator's certificate is self-signed). */
function viaLink(url: string, method: 'GET' | 'PUT', body?: Buffer): Promise<{ status: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = method === 'PUT' ? { 'x-ms-blob-type': 'BlockBlob', 'content-length': String(body?.length ?? 0) } : {};
    const req = request(url, { method, headers, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let azurite: ChildHandle[] = [];
let service: BlobServiceClient;

beforeAll(async () => {
  const certs = dirname(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'));
  const [blobPort, queuePort] = [await freePort(), await freePort()];
  azurite = await startAzurite({
    blobPort,
    queuePort,
    blobArgs: ['--oauth', 'basic', '--cert', join(certs, 'cert.pem'), '--key', join(certs, 'key.pem')],
    log: () => {},
  });
  // The SDK's own connections to the emulator: its certificate is self-signed.
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
  service = new BlobServiceClient(`https://127.0.0.1:${blobPort}/devstoreaccount1`, identity);
}, 60_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(azurite.map((a) => a.stop()));
});

describe('documents with a managed identity', () => {
  it('VER-8: a download link is a read-only user-delegation SAS, valid for at most 15 minutes', async () => {
    const containerName = unique('documents');
    await service.getContainerClient(containerName).create();
    const store = new BlobDocumentStore(service, containerName);
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(70_000, 0x41)]);
    await store.upload('p-1/doc-1', Readable.from([bytes]), { contentType: 'application/pdf', metadata: { originalname: 'a.pdf' } });

    const before = Date.now();
    const link = new URL(await store.readUrl('p-1/doc-1', 15 * 60));
    // signed by a key the identity obtained (skoid, sktid...), never by an account key
    expect(link.searchParams.get('skoid')).toBe('5f1c3c1e-0000-4000-8000-0000000000aa');
    expect(link.searchParams.get('sktid')).toBe('72f988bf-0000-4000-8000-0000000000bb');
    expect(link.searchParams.get('sp')).toBe('r');
    const expires = new Date(link.searchParams.get('se') ?? '').getTime();
    expect(expires - before).toBeLessThanOrEqual(15 * 60 * 1000 + 1000);

    const read = await viaLink(link.toString(), 'GET');
    expect(read.status, read.bytes.toString()).toBe(200);
    expect(Buffer.compare(read.bytes, bytes)).toBe(0);
    // read-only: the same link cannot overwrite the document
    const write = await viaLink(link.toString(), 'PUT', Buffer.from('%PDF-1.7 forged'));
    expect(write.status).toBe(403);
    expect((await viaLink(link.toString(), 'GET')).bytes.length).toBe(bytes.length);
  });
});
