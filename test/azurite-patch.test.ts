// patches/azurite+3.35.0.patch: Azurite's extent metadata store keeps its extents in a LokiJS
// collection. Unpatched, the collection has a binary index on `id` and deleteExtent() calls
// findAndRemove(), which re-sorts that index over every remaining extent on each call, so the
// garbage collection of n extents (MemoryExtentStore.deleteExtents -> deleteExtent per id) is
// O(n^2 log n) and holds the queue service's event loop. Patched, the collection has a unique (hash)
// index on `id` and deleteExtent() removes the one document it finds there.
//
// The same LokiJS behaviour (removing a batch rebuilds every binary index, even an empty batch) made
// every message operation of the queue service re-sort the messages collection's four indices:
// LokiQueueMetadataStore.clearExpiredMessages, which runs before each get, peek, update and delete,
// removed its (usually empty) list of expired messages unconditionally. Patched, it removes only a
// non-empty list.
//
// These tests count index rebuilds (LokiJS Collection.prepareFullDocIndex, which every full rebuild
// of a binary index starts with) rather than timing anything. The timing comparison is
// scripts/azurite-extent-gc.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterEach, describe, expect, it } from 'vitest';
import { azuriteConnectionString } from '../shared/local-host/emulators.js';

const require = createRequire(import.meta.url);
const azuriteRequire = createRequire(require.resolve('azurite/package.json'));

interface ExtentModel {
  id: string;
  locationId: string;
  path: string;
  size: number;
  lastModifiedInMS: number;
}
interface LokiCollection {
  data: object[];
  prepareFullDocIndex(): number[];
  insert(doc: object): object;
  findAndRemove(query: object): void;
  remove(doc: object | object[]): void;
  binaryIndices: Record<string, unknown>;
}
interface LokiDb {
  addCollection(name: string, options?: object): LokiCollection;
  getCollection(name: string): LokiCollection | null;
  saveDatabase(callback: (error?: Error) => void): void;
  close(callback?: (error?: Error) => void): void;
}
interface ExtentMetadataStore {
  db: LokiDb;
  EXTENTS_COLLECTION: string;
  init(): Promise<void>;
  close(): Promise<void>;
  updateExtent(extent: ExtentModel): Promise<void>;
  deleteExtent(id: string): Promise<void>;
  getExtentLocationId(id: string): Promise<string>;
  listExtents(id?: string, maxResults?: number, marker?: number): Promise<[ExtentModel[], number | undefined]>;
}
interface MemoryExtentStore {
  init(): Promise<void>;
  close(): Promise<void>;
  appendExtent(data: Buffer): Promise<{ id: string }>;
  deleteExtents(ids: Iterable<string>): Promise<number>;
}

/** The default export of one of Azurite's CommonJS modules. */
const defaultExport = (path: string): unknown => (azuriteRequire(path) as { default: unknown }).default;
const LokiExtentMetadataStore = defaultExport('./dist/src/common/persistence/LokiExtentMetadataStore.js') as new (
  path: string,
  inMemory: boolean,
) => ExtentMetadataStore;
const { default: MemoryExtentStoreClass, MemoryExtentChunkStore } = azuriteRequire('./dist/src/common/persistence/MemoryExtentStore.js') as {
  default: new (category: string, chunks: unknown, metadata: ExtentMetadataStore, logger: unknown, makeError: () => Error) => MemoryExtentStore;
  MemoryExtentChunkStore: new (sizeLimit?: number) => unknown;
};
const QueueServer = defaultExport('./dist/src/queue/QueueServer.js') as new (configuration: unknown) => {
  metadataStore: { db: LokiDb; MESSAGES_COLLECTION: string };
  gcManager: { gcIntervalInMS: number };
  start(): Promise<void>;
  close(): Promise<void>;
};
const QueueConfiguration = defaultExport('./dist/src/queue/QueueConfiguration.js') as new (...args: unknown[]) => unknown;
// LokiJS as Azurite resolves it.
const Loki = azuriteRequire('lokijs') as new (path: string, options?: object) => LokiDb;

const quietLogger = { info() {}, debug() {}, warn() {}, error() {}, verbose() {} };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Counts full index rebuilds on a collection and the documents they walked. */
function countRebuilds(collection: LokiCollection): { rebuilds: number; documents: number } {
  const counts = { rebuilds: 0, documents: 0 };
  const original = collection.prepareFullDocIndex.bind(collection);
  collection.prepareFullDocIndex = () => {
    counts.rebuilds++;
    counts.documents += collection.data.length;
    return original();
  };
  return counts;
}

/** An in-memory extent store as Azurite's queue service builds it with --inMemoryPersistence. */
async function memoryStore(): Promise<{ metadata: ExtentMetadataStore; extents: MemoryExtentStore; collection: LokiCollection }> {
  const dir = await mkdtemp(join(tmpdir(), 'azurite-extents-'));
  const metadata = new LokiExtentMetadataStore(join(dir, 'extents.json'), true);
  const extents = new MemoryExtentStoreClass('queue', new MemoryExtentChunkStore(), metadata, quietLogger, () => new Error('extent store error'));
  await extents.init();
  cleanups.push(async () => {
    await extents.close();
    await rm(dir, { recursive: true, force: true });
  });
  const collection = metadata.db.getCollection(metadata.EXTENTS_COLLECTION);
  if (!collection) throw new Error('no extents collection');
  return { metadata, extents, collection };
}

describe('Azurite extent garbage collection (patched)', () => {
  it.each([500, 2000])('collects %i extents without rebuilding an index, and keeps the referenced ones', async (n) => {
    const { metadata, extents, collection } = await memoryStore();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await extents.appendExtent(Buffer.from(`message ${i}`))).id);
    const kept = ids.filter((_, i) => i % 100 === 0);
    const garbage = ids.filter((_, i) => i % 100 !== 0);

    const counts = countRebuilds(collection);
    expect(await extents.deleteExtents(new Set(garbage))).toBe(garbage.length);

    // Unpatched, this is one rebuild per deleted extent (see the reference test below).
    expect(counts).toEqual({ rebuilds: 0, documents: 0 });
    const [listed] = await metadata.listExtents(undefined, 5000);
    expect(listed.map((e) => e.id).sort()).toEqual([...kept].sort());
    for (const id of kept) expect(await metadata.getExtentLocationId(id)).toBe(id);
    await expect(metadata.getExtentLocationId(garbage[0] ?? '')).rejects.toThrow(TypeError);
  });

  it('updates an existing extent in place and ignores deleting an unknown id', async () => {
    const { metadata, collection } = await memoryStore();
    const extent = { id: 'e1', locationId: 'loc-1', path: 'p1', size: 1, lastModifiedInMS: 1 };
    await metadata.updateExtent(extent);
    await metadata.updateExtent({ ...extent, size: 7, lastModifiedInMS: 2 });
    expect(collection.data).toHaveLength(1);
    expect(collection.data[0]).toMatchObject({ id: 'e1', size: 7, locationId: 'loc-1' });
    await metadata.deleteExtent('no-such-extent');
    expect(collection.data).toHaveLength(1);
    await metadata.deleteExtent('e1');
    expect(collection.data).toHaveLength(0);
    // The id can be used again once deleted (the unique index forgets it).
    await metadata.updateExtent(extent);
    expect(await metadata.getExtentLocationId('e1')).toBe('loc-1');
  });

  it('opens an extent database saved by unpatched Azurite (binary index on id) and deletes from it without re-sorting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azurite-extents-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, '__azurite_db_queue_extent__.json');
    const old = new Loki(path);
    const oldCollection = old.addCollection('$EXTENTS_COLLECTION$', { indices: ['id'] });
    for (let i = 0; i < 300; i++) oldCollection.insert({ id: `x${i}`, locationId: `loc-${i}`, path: `p${i}`, size: 1, lastModifiedInMS: 1 });
    await new Promise<void>((resolve, reject) => old.saveDatabase((error) => (error ? reject(error) : resolve())));
    await new Promise<void>((resolve) => old.close(() => resolve()));

    const metadata = new LokiExtentMetadataStore(path, false);
    await metadata.init();
    cleanups.push(() => metadata.close());
    const collection = metadata.db.getCollection(metadata.EXTENTS_COLLECTION);
    if (!collection) throw new Error('no extents collection');
    expect(Object.keys(collection.binaryIndices)).toEqual(['id']);

    const counts = countRebuilds(collection);
    expect(await metadata.getExtentLocationId('x42')).toBe('loc-42');
    for (let i = 0; i < 300; i += 2) await metadata.deleteExtent(`x${i}`);
    expect(counts.rebuilds).toBe(0);
    expect(collection.data).toHaveLength(150);
    await metadata.updateExtent({ id: 'x1', locationId: 'loc-1', path: 'p1', size: 9, lastModifiedInMS: 2 });
    await metadata.updateExtent({ id: 'new', locationId: 'loc-new', path: 'pn', size: 1, lastModifiedInMS: 2 });
    expect(collection.data).toHaveLength(151);
    expect(await metadata.getExtentLocationId('x299')).toBe('loc-299');
    expect(await metadata.getExtentLocationId('new')).toBe('loc-new');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('Azurite queue message operations (patched)', () => {
  it('drains a queue without re-sorting the messages indices on every request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'azurite-queue-'));
    const port = await freePort();
    // host, port, keepAliveTimeout, metadataDBPath, extentDBPath, persistencePathArray, enableAccessLog,
    // accessLogWriteStream, enableDebugLog, debugLogFilePath, loose, skipApiVersionCheck, cert, key, pwd,
    // oauth, disableProductStyleUrl, isMemoryPersistence, memoryStore
    const configuration = new QueueConfiguration(
      '127.0.0.1',
      port,
      5,
      join(dir, 'queue.json'),
      join(dir, 'extents.json'),
      [],
      false,
      undefined,
      false,
      undefined,
      false,
      true,
      '',
      '',
      '',
      undefined,
      false,
      true,
      new MemoryExtentChunkStore(),
    );
    const server = new QueueServer(configuration);
    server.gcManager.gcIntervalInMS = 2 ** 31 - 1;
    await server.start();
    cleanups.push(async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    });
    const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString(port, port)).getQueueClient('patch-check');
    await queue.create();
    const n = 200;
    for (let i = 0; i < n; i++) await queue.sendMessage(`message ${i}`);

    const messages = server.metadataStore.db.getCollection(server.metadataStore.MESSAGES_COLLECTION);
    if (!messages) throw new Error('no messages collection');
    expect(Object.keys(messages.binaryIndices)).toHaveLength(4);
    const counts = countRebuilds(messages);
    let receives = 0;
    let deletes = 0;
    while (deletes < n) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 600 });
      receives++;
      await Promise.all(receivedMessageItems.map((m) => queue.deleteMessage(m.messageId, m.popReceipt)));
      deletes += receivedMessageItems.length;
    }
    expect(messages.data).toHaveLength(0);
    // What remains: a receive updates its batch of messages with one Collection.update([...]), after
    // which LokiJS rebuilds the four indices once. Unpatched, every request also rebuilt all four
    // (about 4 x (receives + deletes) here).
    expect(counts.rebuilds).toBeLessThanOrEqual(4 * receives);
  });
});

describe('the cause, reproduced on LokiJS alone', () => {
  it('findAndRemove on a binary-indexed collection re-sorts the index once per call: n deletes walk n(n-1)/2 documents', () => {
    const n = 400;
    const collection = new Loki('reference.json', { persistenceMethod: 'memory' }).addCollection('$EXTENTS_COLLECTION$', { indices: ['id'] });
    for (let i = 0; i < n; i++) collection.insert({ id: `x${i}`, locationId: `x${i}` });
    const counts = countRebuilds(collection);
    for (let i = 0; i < n; i++) collection.findAndRemove({ id: `x${i}` });
    expect(counts).toEqual({ rebuilds: n, documents: (n * (n - 1)) / 2 });
  });

  it('removing an empty batch from a binary-indexed collection re-sorts every index', () => {
    const collection = new Loki('reference.json', { persistenceMethod: 'memory' }).addCollection('messages', { indices: ['a', 'b'] });
    for (let i = 0; i < 100; i++) collection.insert({ a: i, b: -i });
    const counts = countRebuilds(collection);
    collection.remove([]);
    expect(counts).toEqual({ rebuilds: 2, documents: 200 });
  });
});
