// The emulator (@vercel/cosmosdb-server) runs a transactional batch operation by operation and keeps
// the writes before a failing one; Azure Cosmos DB rolls them back. Code that relies on batches being
// all-or-nothing (a profile and its location claims, an agreement and its outbox) would be tested
// against behaviour production never has, so the local stack installs this rollback before the
// server's routes are loaded. Local development only: production talks to Azure Cosmos DB.
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

/** Replaces the emulator's batch handler with one that undoes a failed atomic batch. Call before loading the server. */
export function installAtomicBatches(): void {
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
      results.push({ statusCode: result.statusCode, requestCharge: 1, eTag: result.body?._etag, resourceBody: result.body });
    }
    if (failed && atomic) {
      for (const step of undo.reverse()) step();
      // As Azure answers: the failing operation keeps its status, every other one is 424.
      return results.map((r) => (r.statusCode < 400 ? { statusCode: 424, requestCharge: 0 } : r));
    }
    return results;
  };
}
