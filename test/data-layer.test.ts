import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getServices } from '../shared/composition-root.js';
import { createCosmosDatabase } from '../shared/data/cosmos-client.js';
import { Repository } from '../shared/data/repository.js';
import { WriteConflict, type PartitionDoc } from '../shared/use-cases/ports.js';
import { unchanged, updateDocument } from '../shared/use-cases/write.js';
import { stackEnv, unique } from './support/harness.js';

interface Counter extends PartitionDoc {
  kind: 'counter';
  value: number;
  writers: string[];
}

let repo: Repository<Counter>;

beforeAll(async () => {
  repo = (await getServices()).repository<Counter>('operations');
});

describe('optimistic concurrency', () => {
  it('loses no update when 20 writers read-modify-write one document at once', async () => {
    const partnerId = unique('p');
    await repo.create({ id: 'counter', partnerId, kind: 'counter', value: 0, writers: [] });
    const writers = Array.from({ length: 20 }, (_, i) => `w${i}`);
    const results = await Promise.all(
      writers.map((w) => updateDocument(repo, partnerId, 'counter', (doc) => ({ ...doc, value: doc.value + 1, writers: [...doc.writers, w] }))),
    );
    expect(results.every((r) => r?.changed)).toBe(true);
    const final = await repo.read(partnerId, 'counter');
    expect(final?.doc.value).toBe(20);
    expect([...(final?.doc.writers ?? [])].sort()).toEqual([...writers].sort());
  });

  it('rejects a replace over a stale ETag instead of overwriting', async () => {
    const partnerId = unique('p');
    const created = await repo.create({ id: 'c', partnerId, kind: 'counter', value: 0, writers: [] });
    await repo.replace({ ...created.doc, value: 1 }, created.etag);
    await expect(repo.replace({ ...created.doc, value: 2 }, created.etag)).rejects.toBeInstanceOf(WriteConflict);
    expect((await repo.read(partnerId, 'c'))?.doc.value).toBe(1);
  });

  it('writes nothing when the mutator answers unchanged', async () => {
    const partnerId = unique('p');
    const created = await repo.create({ id: 'c', partnerId, kind: 'counter', value: 5, writers: [] });
    const result = await updateDocument(repo, partnerId, 'c', () => unchanged);
    expect(result?.changed).toBe(false);
    expect((await repo.read(partnerId, 'c'))?.etag).toBe(created.etag);
    expect(await updateDocument(repo, partnerId, 'missing', (d) => d)).toBeUndefined();
  });
});

describe('transactional batches', () => {
  it('are all or nothing: a failing write undoes the writes before it (as on Azure; the local emulator is patched to match)', async () => {
    const partnerId = unique('p');
    const kept = await repo.create({ id: 'kept', partnerId, kind: 'counter', value: 1, writers: [] });
    await repo.create({ id: 'taken', partnerId, kind: 'counter', value: 0, writers: [] });
    await expect(
      repo.transact(partnerId, [
        { kind: 'create', doc: { id: 'new', partnerId, kind: 'counter', value: 0, writers: [] } },
        { kind: 'replace', doc: { ...kept.doc, value: 2 }, etag: kept.etag },
        { kind: 'create', doc: { id: 'taken', partnerId, kind: 'counter', value: 9, writers: [] } },
      ]),
    ).rejects.toMatchObject({ reason: 'exists' });
    expect(await repo.read(partnerId, 'new')).toBeUndefined();
    const after = await repo.read(partnerId, 'kept');
    expect(after?.doc.value).toBe(1);
    expect(after?.etag).toBe(kept.etag);
    expect((await repo.read(partnerId, 'taken'))?.doc.value).toBe(0);
  });

  it('undo a replace and a delete too when a later create conflicts', async () => {
    const partnerId = unique('p');
    const a = await repo.create({ id: 'a', partnerId, kind: 'counter', value: 1, writers: [] });
    await repo.create({ id: 'b', partnerId, kind: 'counter', value: 2, writers: [] });
    await expect(
      repo.transact(partnerId, [
        { kind: 'replace', doc: { ...a.doc, value: 10 }, etag: a.etag },
        { kind: 'delete', id: 'b' },
        { kind: 'create', doc: { id: 'a', partnerId, kind: 'counter', value: 0, writers: [] } },
      ]),
    ).rejects.toBeInstanceOf(WriteConflict);
    expect((await repo.read(partnerId, 'a'))?.doc.value).toBe(1);
    expect((await repo.read(partnerId, 'b'))?.doc.value).toBe(2);
  });
});

describe('creates', () => {
  it('surfaces a duplicate create (Cosmos 409) as a WriteConflict of an existing document', async () => {
    const partnerId = unique('p');
    const doc: Counter = { id: 'dup', partnerId, kind: 'counter', value: 0, writers: [] };
    await repo.create(doc);
    const error = await repo.create(doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WriteConflict);
    expect((error as WriteConflict).reason).toBe('exists');
  });

  it('makes a deterministic-id create a no-op the second time', async () => {
    const partnerId = unique('p');
    const doc: Counter = { id: 'once', partnerId, kind: 'counter', value: 1, writers: [] };
    expect((await repo.createIfAbsent(doc)).created).toBe(true);
    expect((await repo.createIfAbsent({ ...doc, value: 2 })).created).toBe(false);
    expect((await repo.read(partnerId, 'once'))?.doc.value).toBe(1);
  });
});

describe('queries', () => {
  it('pages with continuation tokens, each document once, within one partner only', async () => {
    const partnerId = unique('p');
    const other = unique('p');
    for (let i = 0; i < 7; i++) await repo.create({ id: `d${i}`, partnerId, kind: 'counter', value: i, writers: [] });
    await repo.create({ id: 'd0', partnerId: other, kind: 'counter', value: 99, writers: [] });

    const seen: number[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await repo.queryPage(
        { query: 'SELECT * FROM c WHERE c.partnerId = @partnerId ORDER BY c.id', parameters: [{ name: '@partnerId', value: partnerId }] },
        { partnerId, pageSize: 3, continuationToken },
      );
      seen.push(...page.items.map((d) => d.value));
      continuationToken = page.continuationToken;
      pages++;
    } while (continuationToken);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pages).toBe(3);
  });

  it('refuses a query whose values were built into the SQL text', async () => {
    await expect(repo.queryPage({ query: "SELECT * FROM c WHERE c.partnerId = 'x'" }, { pageSize: 1 })).rejects.toThrow(/parameters/);
  });
});

describe('throttling', () => {
  // A TLS proxy in front of the emulator that answers the first writes with 429 and a retry-after,
  // as Cosmos DB does when a partition's RU budget is spent.
  let proxy: Server;
  let throttleLeft = 0;
  const retryAfterMs = 400;
  const arrivals: number[] = [];

  beforeAll(async () => {
    const certDir = dirname(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'));
    const target = new URL(stackEnv().COSMOS_ENDPOINT ?? '');
    proxy = createServer({ cert: readFileSync(join(certDir, 'cert.pem')), key: readFileSync(join(certDir, 'key.pem')) }, (req, res) => {
      if (req.method === 'POST' && req.url?.endsWith('/docs') && req.headers['x-ms-documentdb-isquery'] === undefined) {
        arrivals.push(Date.now());
        if (throttleLeft > 0) {
          throttleLeft--;
          req.resume();
          res.writeHead(429, { 'content-type': 'application/json', 'x-ms-retry-after-ms': String(retryAfterMs), 'x-ms-substatus': '3200' });
          res.end(JSON.stringify({ code: 'TooManyRequests', message: 'Request rate is large' }));
          return;
        }
      }
      const upstream = httpsRequest(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host },
          rejectUnauthorized: false,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise((r) => proxy.close(r));
  });

  it('retries a throttled write after the server-given retry-after and succeeds', async () => {
    const env = stackEnv();
    const database = createCosmosDatabase(
      { endpoint: `https://127.0.0.1:${(proxy.address() as AddressInfo).port}/`, key: env.COSMOS_KEY, database: env.COSMOS_DATABASE ?? '', tlsInsecure: true },
      () => {
        throw new Error('no identity in tests');
      },
    );
    const throttled = new Repository<Counter>(database.container('operations'));
    const partnerId = unique('p');
    throttleLeft = 2;
    arrivals.length = 0;
    await throttled.create({ id: 'after-429', partnerId, kind: 'counter', value: 1, writers: [] });

    expect(arrivals).toHaveLength(3);
    const gaps = arrivals.slice(1).map((t, i) => t - (arrivals[i] ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(retryAfterMs - 20);
    expect((await repo.read(partnerId, 'after-429'))?.doc.value).toBe(1);
  });
});

describe('the status-view snapshot', () => {
  it('serves a snapshot from memory within its window, and a write through the store drops it at once', async () => {
    const { PartnerStore } = await import('../shared/data/partner-store.js');
    const { emptyVerification } = await import('../shared/domain/verification.js');
    const services = await getServices();
    const store = new PartnerStore(services.accounts.repo, 60_000);
    const partnerId = unique('p');
    await store.commit(partnerId, [{ kind: 'create', doc: emptyVerification(partnerId) }]);
    const first = await store.snapshot(partnerId);
    expect(first.verification.suspended).toBe(false);

    // Written behind the store's back (another instance): this instance keeps its snapshot for the window.
    await updateDocument(services.accounts.repo, partnerId, 'verification', (d) => (d.type === 'verification' ? { ...d, suspended: true } : d));
    expect((await store.snapshot(partnerId)).verification.suspended).toBe(false);

    // Written through the store: the next view is fresh.
    await updateDocument(store, partnerId, 'verification', (d) => (d.type === 'verification' ? { ...d, emailSends: ['2026-01-01T00:00:00.000Z'] } : d));
    const fresh = await store.snapshot(partnerId);
    expect(fresh.verification.suspended).toBe(true);
    expect(fresh.verification.emailSends).toEqual(['2026-01-01T00:00:00.000Z']);
  });
});
