// Two corrections to the local Cosmos emulator (@vercel/cosmosdb-server), installed by its process
// before the server loads. Local development only: production talks to Azure Cosmos DB.
//
// 1. Transactional batches. The emulator runs a batch operation by operation and keeps the writes
//    before a failing one; Azure rolls them back. Code that relies on all-or-nothing batches (a
//    profile and its location claims, an agreement and its outbox) would otherwise be tested against
//    behaviour production never has.
//    It also honours `Prefer: return=minimal` (no documents echoed back), as Azure does.
// 2. Query scans. The query compiler (@zeit/cosmosdb-query) wraps the documents with
//    `reduce(($, c) => [...$, { c }], [])`, which copies the array once per document: a query page over
//    20,000 documents took 13 to 17 s, over 40,000 more than the SDK's 30 s time-out. The same
//    wrapping done in one pass returns the same results in linear time. Queries still scan the whole
//    container, as the emulator always has.
import { createRequire } from 'node:module';

interface StoredDoc {
  id: string;
  [key: string]: unknown;
}
interface Documents {
  delete(id: string, partition: unknown): void;
  _set(doc: StoredDoc): StoredDoc;
}
interface Collection {
  read(): unknown;
  document(id: string, partition: unknown): { read(): StoredDoc | undefined };
  documents: Documents;
}
interface Account {
  database(id: string): { collection(id: string): Collection };
}
interface BatchInput {
  operationType?: string;
  id?: string;
  partitionKey?: string;
  resourceBody?: { id?: string };
}
interface OperationResult {
  statusCode: number;
  body?: { _etag?: string };
}
type Operation = (collection: Collection, input: BatchInput) => OperationResult;
interface Response {
  statusCode: number;
}

const require = createRequire(import.meta.url);
const lib = '@vercel/cosmosdb-server/lib';

/** Installs both corrections. Call before loading the server (its route table captures the batch handler). */
export function installEmulatorFixes(): void {
  installAtomicBatches();
  installLinearQueryScans();
}

const quadraticWrap = /\.reduce\(\(\$, (\w+)\) => typeof \1 !== "undefined" \? \[\.\.\.\$, \{\s*\1: \1\s*\}\] : \$, \[\]\)/g;

/** Rewrites the compiled query's per-document array copy into one filter and map (same results, linear time). */
export function linearQueryCode(code: string): string {
  return code.replace(quadraticWrap, (_match, alias: string) => `.filter(${alias} => typeof ${alias} !== "undefined").map(${alias} => ({ ${alias}: ${alias} }))`);
}

function installLinearQueryScans(): void {
  // The compiler the emulator itself loads (its own dependency).
  const serverRequire = createRequire(require.resolve('@vercel/cosmosdb-server/package.json'));
  const queries = serverRequire('@zeit/cosmosdb-query') as { default: (sql: string) => object };
  const prototype = Object.getPrototypeOf(queries.default('SELECT * FROM c')) as object;
  const original = Object.getOwnPropertyDescriptor(prototype, 'code');
  const getter = original?.get;
  if (!getter) throw new Error('@zeit/cosmosdb-query changed: Query.prototype.code is not a getter');
  Object.defineProperty(prototype, 'code', {
    configurable: true,
    get(this: object) {
      return linearQueryCode(getter.call(this) as string);
    },
  });
}

function installAtomicBatches(): void {
  const operations = require(`${lib}/handler/_document-operations.js`) as Record<string, Operation>;
  const readJson = (require(`${lib}/json.js`) as { default: (req: unknown) => Promise<unknown> }).default;
  const isTrue = (require(`${lib}/true-header.js`) as { default: (req: unknown, name: string) => boolean }).default;
  const { parsePartitionKey } = require(`${lib}/utils/get-partition-from-header.js`) as { parsePartitionKey: (pk: string | undefined, fallback: string | undefined) => unknown };
  const handlerModule = require(`${lib}/handler/batch-documents.js`) as { default: unknown };
  const byType: Record<string, Operation | undefined> = {
    Create: operations.createOperation,
    Upsert: operations.upsertOperation,
    Read: operations.readOperation,
    Delete: operations.deleteOperation,
    Replace: operations.replaceOperation,
  };

  handlerModule.default = async (account: Account, req: unknown, res: Response, { dbId, collId }: { dbId: string; collId: string }) => {
    const body = await readJson(req);
    const atomic = isTrue(req, 'x-ms-cosmos-batch-atomic');
    // `Prefer: return=minimal` (the SDK's contentResponseOnWriteEnabled: false): no document echoed back, as on Azure.
    const minimal = /return=minimal/i.test(String((req as { headers?: Record<string, unknown> }).headers?.prefer ?? ''));
    const continueOnError = isTrue(req, 'x-ms-cosmos-batch-continue-on-error');
    const collection = account.database(dbId).collection(collId);
    if (!collection.read()) {
      res.statusCode = 404;
      return {};
    }
    if (!Array.isArray(body)) {
      res.statusCode = 400;
      return { message: 'Invalid request body' };
    }
    const undo: (() => void)[] = [];
    const results: { statusCode: number; requestCharge: number; eTag?: string | undefined; resourceBody?: unknown }[] = [];
    let failed = false;
    for (const input of body as BatchInput[]) {
      if (failed && !continueOnError) {
        results.push({ statusCode: 424, requestCharge: 0 });
        continue;
      }
      const operation = byType[input?.operationType ?? ''];
      if (!operation) {
        res.statusCode = 400;
        return { message: `Operation type '${String(input?.operationType)}' is not supported in Batch.` };
      }
      const id = input.id ?? input.resourceBody?.id;
      const partition = id === undefined ? undefined : parsePartitionKey(input.partitionKey, id);
      const before = id === undefined ? undefined : collection.document(id, partition).read();
      const result = operation(collection, input);
      failed = result.statusCode >= 400;
      if (failed) {
        results.push({ statusCode: result.statusCode, requestCharge: 0 });
        continue;
      }
      if (id !== undefined && input.operationType !== 'Read') {
        undo.push(() => {
          if (collection.document(id, partition).read()) collection.documents.delete(id, partition);
          if (before) collection.documents._set(before);
        });
      }
      results.push({ statusCode: result.statusCode, requestCharge: 1, eTag: result.body?._etag, ...(minimal ? {} : { resourceBody: result.body }) });
    }
    if (failed && atomic) {
      for (const step of undo.reverse()) step();
      // As Azure answers: the failing operation keeps its status, every other one is 424.
      return results.map((r) => (r.statusCode < 400 ? { statusCode: 424, requestCharge: 0 } : r));
    }
    return results;
  };
}
