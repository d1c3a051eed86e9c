import type { Container, ItemDefinition, JSONObject, OperationInput, SqlQuerySpec } from '@azure/cosmos';
import { WriteConflict, type Page, type PartitionDoc, type PartitionStore, type Versioned, type Write } from '../use-cases/ports.js';
import { uncounted, type CosmosRequestCounter } from './request-meter.js';

export type ChargeListener = (requestCharge: number, operation: string) => void;

const systemProperties = ['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn'] as const;

/** Status code of an @azure/cosmos error (it carries the HTTP status as `code`). */
function cosmosStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** The document without Cosmos's system properties (_rid, _etag, ...), as the caller's type. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names what the stored document is
function strip<T>(resource: ItemDefinition): T {
  return Object.fromEntries(Object.entries(resource).filter(([key]) => !(systemProperties as readonly string[]).includes(key))) as T;
}

/**
 * Typed access to one container. Queries are always parameterised and always name the partner
 * partition in the SQL (the local emulator ignores the partitionKey option); writes that depend on
 * what was read go through `update`, which is ETag-guarded and retried, so no update is lost.
 */
export class Repository<T extends PartitionDoc> implements PartitionStore<T> {
  constructor(
    readonly container: Container,
    private readonly onCharge: ChargeListener = () => {},
    private readonly requests: Pick<CosmosRequestCounter, 'count'> = uncounted,
  ) {}

  /** The same container, reporting every request's charge to `listener` (a unit of work's RU). */
  withChargeListener(listener: ChargeListener): Repository<T> {
    return new Repository<T>(this.container, listener, this.requests);
  }

  /** Counts a request sent past the repository's own methods (the rollover's bulk creates). */
  countRequest(kind: string): void {
    this.requests.count(kind);
  }

  private charge(operation: string, requestCharge: number | undefined): void {
    if (requestCharge !== undefined) this.onCharge(requestCharge, operation);
  }

  async read(partnerId: string, id: string): Promise<Versioned<T> | undefined> {
    try {
      this.requests.count('read');
      const response = await this.container.item(id, partnerId).read<ItemDefinition>();
      this.charge('read', response.requestCharge);
      if (response.statusCode === 404 || !response.resource) return undefined;
      return { doc: strip<T>(response.resource), etag: response.etag };
    } catch (error) {
      if (cosmosStatus(error) === 404) return undefined;
      throw error;
    }
  }

  /** Creates the document; one with the same id in the partition is a WriteConflict ('exists'). */
  async create(doc: T): Promise<Versioned<T>> {
    const result = await this.createIfAbsent(doc);
    if (!result.created) throw new WriteConflict('exists');
    return result.stored;
  }

  /**
   * Creates the document unless one with the same id exists, and says which happened. With
   * deterministic ids this is what makes a redelivered message or a retried request a no-op.
   */
  async createIfAbsent(doc: T): Promise<{ created: true; stored: Versioned<T> } | { created: false; stored: undefined }> {
    try {
      this.requests.count('create');
      const response = await this.container.items.create<T>(doc);
      this.charge('create', response.requestCharge);
      return { created: true, stored: { doc: strip<T>(response.resource ?? doc), etag: response.etag } };
    } catch (error) {
      if (cosmosStatus(error) === 409) return { created: false, stored: undefined };
      throw error;
    }
  }

  /** Writes over the version that was read; throws WriteConflict ('stale') if someone wrote since. */
  async replace(doc: T, etag: string): Promise<Versioned<T>> {
    try {
      this.requests.count('replace');
      const response = await this.container.item(doc.id, doc.partnerId).replace<T>(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
      this.charge('replace', response.requestCharge);
      return { doc: strip<T>(response.resource ?? doc), etag: response.etag };
    } catch (error) {
      // Changed (412) or deleted (404) since it was read: either way the caller reads again.
      if (cosmosStatus(error) === 412 || cosmosStatus(error) === 404) throw new WriteConflict('stale');
      throw error;
    }
  }

  async upsert(doc: T): Promise<Versioned<T>> {
    this.requests.count('upsert');
    const response = await this.container.items.upsert<T>(doc);
    this.charge('upsert', response.requestCharge);
    return { doc: strip<T>(response.resource ?? doc), etag: response.etag };
  }

  /**
   * Deletes a document; an absent one counts as deleted (deletes are retried after crashes), unless
   * `etag` names the version to delete: then a changed or absent document is a WriteConflict.
   */
  async delete(partnerId: string, id: string, etag?: string): Promise<void> {
    try {
      this.requests.count('delete');
      const response = await this.container.item(id, partnerId).delete(etag ? { accessCondition: { type: 'IfMatch', condition: etag } } : {});
      this.charge('delete', response.requestCharge);
    } catch (error) {
      const status = cosmosStatus(error);
      if (status === 412 || (etag && status === 404)) throw new WriteConflict('stale');
      if (status !== 404) throw error;
    }
  }

  /** Applies the writes of one partition together (PartitionStore): a point operation for one, else a batch. */
  async commit(partnerId: string, writes: readonly Write<T>[]): Promise<(string | undefined)[]> {
    const [only] = writes;
    if (writes.length !== 1 || !only) return writes.length > 0 ? this.transact(partnerId, writes) : [];
    switch (only.kind) {
      case 'create':
        return [(await this.create(only.doc)).etag];
      case 'replace':
        return [(await this.replace(only.doc, only.etag)).etag];
      case 'upsert':
        return [(await this.upsert(only.doc)).etag];
      case 'delete':
        await this.delete(partnerId, only.id, only.etag);
        return [undefined];
    }
  }

  /**
   * Writes several documents of one partner atomically (a transactional batch): all or nothing. A
   * stale ETag or an existing id fails the whole batch with WriteConflict.
   */
  async transact(partnerId: string, writes: readonly Write<T>[]): Promise<(string | undefined)[]> {
    const json = (doc: T): JSONObject => JSON.parse(JSON.stringify(doc)) as JSONObject;
    const operations: OperationInput[] = writes.map((w) => {
      switch (w.kind) {
        // Each operation names the partition too: the emulator reads it per operation.
        case 'create':
          return { operationType: 'Create', partitionKey: partnerId, resourceBody: json(w.doc) };
        case 'replace':
          return { operationType: 'Replace', partitionKey: partnerId, id: w.doc.id, resourceBody: json(w.doc), ifMatch: w.etag };
        case 'upsert':
          return { operationType: 'Upsert', partitionKey: partnerId, resourceBody: json(w.doc) };
        case 'delete':
          return { operationType: 'Delete', partitionKey: partnerId, id: w.id, ...(w.etag ? { ifMatch: w.etag } : {}) };
      }
    });
    let statuses: number[];
    let etags: (string | undefined)[] = [];
    try {
      this.requests.count('batch');
      const response = await this.container.items.batch(operations, partnerId);
      this.charge(
        'batch',
        (response.result ?? []).reduce((sum, r) => sum + r.requestCharge, 0),
      );
      statuses = (response.result ?? []).map((r) => r.statusCode);
      etags = (response.result ?? []).map((r) => r.eTag);
    } catch (error) {
      statuses = [cosmosStatus(error) ?? 500];
      if (statuses[0] === 500) throw error;
    }
    const failed = statuses.find((s) => s >= 400 && s !== 424);
    if (failed === 412 || failed === 404) throw new WriteConflict('stale');
    if (failed === 409) throw new WriteConflict('exists');
    if (failed !== undefined) throw new Error(`transactional batch failed with status ${failed}`);
    return etags;
  }

  /**
   * One page of a parameterised query. Pass `partnerId` for a single-partition query; the SQL must
   * filter on `c.partnerId = @partnerId` too. The continuation token is opaque to callers. `R`
   * types the rows of a query that projects fields (its SELECT names them).
   */
  async queryPage<R = T>(
    query: SqlQuerySpec,
    options: { partnerId?: string | undefined; pageSize: number; continuationToken?: string | undefined },
  ): Promise<Page<R>> {
    assertParameterised(query);
    const iterator = this.container.items.query<ItemDefinition>(query, {
      maxItemCount: options.pageSize,
      continuationToken: options.continuationToken,
      ...(options.partnerId !== undefined ? { partitionKey: options.partnerId } : {}),
    });
    this.requests.count('query');
    const response = await iterator.fetchNext();
    this.charge('query', response.requestCharge);
    return {
      items: response.resources.map((r) => strip<R>(r)),
      continuationToken: response.continuationToken || undefined,
    };
  }

  /** Every result of a query, page by page; for bounded result sets (one partner's documents). */
  async queryAll<R = T>(query: SqlQuerySpec, options: { partnerId?: string; pageSize?: number } = {}): Promise<R[]> {
    const all: R[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.queryPage<R>(query, { ...options, pageSize: options.pageSize ?? 100, continuationToken });
      all.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return all;
  }
}

/** Values must arrive as parameters: a query whose text holds a quote was string-built. */
function assertParameterised(query: SqlQuerySpec): void {
  if (/['"]/.test(query.query)) {
    throw new Error('Cosmos queries must pass values as parameters, not inside the SQL text');
  }
}

/** A port's store over one container: point reads and commits go straight to the repository. */
export abstract class ContainerStore<T extends PartitionDoc> implements PartitionStore<T> {
  constructor(readonly repo: Repository<T>) {}

  read(partnerId: string, id: string): Promise<Versioned<T> | undefined> {
    return this.repo.read(partnerId, id);
  }

  commit(partnerId: string, writes: readonly Write<T>[]): Promise<(string | undefined)[]> {
    return this.repo.commit(partnerId, writes);
  }
}
