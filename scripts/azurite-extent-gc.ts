// Times Azurite's extent garbage collection with the installed LokiExtentMetadataStore ("installed",
// patched by patches/azurite+3.35.0.patch) against the same store put back to azurite 3.35.0's code
// for the extents collection ("original": a binary index on `id`, findOne() lookups,
// findAndRemove() deletes). The first line printed says whether the installed store is patched.
//
//   npx tsx scripts/azurite-extent-gc.ts [--sizes 1000,2000,4000] [--server-sizes 1000,2000,4000]
//
// 1. store: a MemoryExtentStore (as `azurite-queue --inMemoryPersistence` builds it) holding n
//    extents; time of deleteExtents() over all of them, the garbage collector's sweep.
// 2. server: an Azurite queue server in this process on a free loopback port; n messages sent,
//    received and deleted through @azure/storage-queue, then one mark-and-sweep of its GC manager
//    (which runs every 60 s in a normal server, blocking its event loop while it runs).
// Index rebuilds are counted on the LokiJS collection (Collection.prepareFullDocIndex).
// The patch's other change (LokiQueueMetadataStore.clearExpiredMessages) is in place for both
// variants; test/azurite-patch.test.ts counts its effect.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { azuriteConnectionString } from '../shared/local-host/emulators.js';

const azuriteRequire = createRequire(createRequire(import.meta.url).resolve('azurite/package.json'));

interface LokiCollection {
  data: object[];
  uniqueNames: string[];
  prepareFullDocIndex(): number[];
  findOne(query: object): { locationId: string; size: number; LastModifyInMS?: number } | null;
  insert(doc: object): object;
  update(doc: object): void;
  findAndRemove(query: object): void;
}
interface LokiDb {
  getCollection(name: string): LokiCollection | null;
  removeCollection(name: string): void;
  addCollection(name: string, options?: object): LokiCollection;
}
interface ExtentModel {
  id: string;
  size: number;
  lastModifiedInMS: number;
}
interface ExtentMetadataStore {
  db: LokiDb;
  EXTENTS_COLLECTION: string;
  init(): Promise<void>;
  updateExtent(extent: ExtentModel): Promise<void>;
  deleteExtent(id: string): Promise<void>;
  getExtentLocationId(id: string): Promise<string>;
}
interface MemoryExtentStore {
  init(): Promise<void>;
  close(): Promise<void>;
  appendExtent(data: Buffer): Promise<{ id: string }>;
  deleteExtents(ids: Iterable<string>): Promise<number>;
}
interface QueueServer {
  extentMetadataStore: ExtentMetadataStore;
  gcManager: { gcIntervalInMS: number; markSweep(): Promise<void> };
  start(): Promise<void>;
  close(): Promise<void>;
}

const persistence = './dist/src/common/persistence/';
/** The default export of one of Azurite's CommonJS modules. */
const defaultExport = (path: string): unknown => (azuriteRequire(path) as { default: unknown }).default;
const LokiExtentMetadataStore = defaultExport(`${persistence}LokiExtentMetadataStore.js`) as new (path: string, inMemory: boolean) => ExtentMetadataStore;
const memoryModule = azuriteRequire(`${persistence}MemoryExtentStore.js`) as {
  default: new (category: string, chunks: unknown, metadata: ExtentMetadataStore, logger: unknown, makeError: () => Error) => MemoryExtentStore;
  MemoryExtentChunkStore: new (sizeLimit?: number) => unknown;
};
const QueueServerClass = defaultExport('./dist/src/queue/QueueServer.js') as new (configuration: unknown) => QueueServer;
const QueueConfiguration = defaultExport('./dist/src/queue/QueueConfiguration.js') as new (...args: unknown[]) => unknown;
const quietLogger = { info() {}, debug() {}, warn() {}, error() {}, verbose() {} };

type Variant = 'installed' | 'original';

/** Puts azurite 3.35.0's extents-collection code back on one store instance (before its init()). */
function restoreUnpatched(store: ExtentMetadataStore): void {
  const init = store.init.bind(store);
  const collection = () => store.db.getCollection(store.EXTENTS_COLLECTION) as LokiCollection;
  store.init = async () => {
    await init();
    store.db.removeCollection(store.EXTENTS_COLLECTION);
    store.db.addCollection(store.EXTENTS_COLLECTION, { indices: ['id'] });
  };
  // The bodies of 3.35.0's async methods (which await nothing).
  store.updateExtent = (extent) => {
    const coll = collection();
    const doc = coll.findOne({ id: extent.id });
    if (!doc) {
      coll.insert(extent);
      return Promise.resolve();
    }
    doc.size = extent.size;
    doc.LastModifyInMS = extent.lastModifiedInMS;
    coll.update(doc);
    return Promise.resolve();
  };
  store.deleteExtent = (extentId) => {
    collection().findAndRemove({ id: extentId });
    return Promise.resolve();
  };
  store.getExtentLocationId = (extentId) => Promise.resolve((collection().findOne({ id: extentId }) as { locationId: string }).locationId);
}

function countRebuilds(collection: LokiCollection): { rebuilds: number } {
  const counts = { rebuilds: 0 };
  const original = collection.prepareFullDocIndex.bind(collection);
  collection.prepareFullDocIndex = () => {
    counts.rebuilds++;
    return original();
  };
  return counts;
}

function extentsCollection(store: ExtentMetadataStore): LokiCollection {
  const collection = store.db.getCollection(store.EXTENTS_COLLECTION);
  if (!collection) throw new Error('no extents collection');
  return collection;
}

async function storeRun(variant: Variant, n: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'azurite-extent-gc-'));
  const metadata = new LokiExtentMetadataStore(join(dir, 'extents.json'), true);
  if (variant === 'original') restoreUnpatched(metadata);
  const extents = new memoryModule.default('queue', new memoryModule.MemoryExtentChunkStore(), metadata, quietLogger, () => new Error('extent store'));
  try {
    await extents.init();
    const ids: string[] = [];
    let started = performance.now();
    for (let i = 0; i < n; i++) ids.push((await extents.appendExtent(Buffer.from(`message ${i}`))).id);
    const appendMs = performance.now() - started;
    const counts = countRebuilds(extentsCollection(metadata));
    started = performance.now();
    const deleted = await extents.deleteExtents(new Set(ids));
    const deleteMs = performance.now() - started;
    if (deleted !== n || extentsCollection(metadata).data.length !== 0) throw new Error(`${variant}: ${deleted} of ${n} extents deleted`);
    return { variant, extents: n, appendMs: Math.round(appendMs), deleteExtentsMs: Math.round(deleteMs), indexRebuilds: counts.rebuilds };
  } finally {
    await extents.close();
    await rm(dir, { recursive: true, force: true });
  }
}

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

async function serverRun(variant: Variant, n: number): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'azurite-extent-gc-'));
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
    new memoryModule.MemoryExtentChunkStore(),
  );
  const server = new QueueServerClass(configuration);
  if (variant === 'original') restoreUnpatched(server.extentMetadataStore);
  // Its own mark-and-sweep loop sweeps once at start, then every 60 s: only the timed sweep below.
  server.gcManager.gcIntervalInMS = 2 ** 31 - 1;
  await server.start();
  try {
    const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString(port, port)).getQueueClient('gc-bench');
    await queue.create();
    let started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < n) {
          next++;
          await queue.sendMessage(`message ${next}`);
        }
      }),
    );
    const sendMs = performance.now() - started;
    started = performance.now();
    let done = 0;
    while (done < n) {
      const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 600 });
      await Promise.all(receivedMessageItems.map((m) => queue.deleteMessage(m.messageId, m.popReceipt)));
      done += receivedMessageItems.length;
    }
    const receiveDeleteMs = performance.now() - started;
    const collection = extentsCollection(server.extentMetadataStore);
    const before = collection.data.length;
    const counts = countRebuilds(collection);
    started = performance.now();
    await server.gcManager.markSweep();
    const sweepMs = performance.now() - started;
    return {
      variant,
      messages: n,
      sendMs: Math.round(sendMs),
      receiveDeleteMs: Math.round(receiveDeleteMs),
      extentsBeforeSweep: before,
      extentsAfterSweep: collection.data.length,
      markSweepMs: Math.round(sweepMs),
      indexRebuilds: counts.rebuilds,
    };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function sizesArgument(name: string, fallback: number[]): number[] {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? process.argv[at + 1] : undefined;
  return value ? value.split(',').map(Number) : fallback;
}

async function main(): Promise<void> {
  const probe = new LokiExtentMetadataStore(join(tmpdir(), `azurite-extent-gc-probe-${process.pid}.json`), true);
  await probe.init();
  const installed = extentsCollection(probe).uniqueNames.includes('id') ? 'patched (unique index on id)' : 'unpatched (binary index on id)';
  console.log(`installed LokiExtentMetadataStore: ${installed}`);
  const rows: Record<string, unknown>[] = [];
  for (const n of sizesArgument('--sizes', [1000, 2000, 4000])) {
    for (const variant of ['installed', 'original'] as const) rows.push(await storeRun(variant, n));
  }
  console.table(rows);
  const serverRows: Record<string, unknown>[] = [];
  for (const n of sizesArgument('--server-sizes', [1000, 2000, 4000])) {
    for (const variant of ['installed', 'original'] as const) serverRows.push(await serverRun(variant, n));
  }
  console.table(serverRows);
}

await main();
