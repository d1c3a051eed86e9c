import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CosmosClient, JSONObject, OperationInput } from '@azure/cosmos';
import { containerDefinitions } from '../data/containers.js';

type Snapshot = Record<string, JSONObject[]>;
const systemProperties = new Set(['_rid', '_self', '_etag', '_attachments', '_ts', '_lsn']);

/**
 * The local Cosmos emulator keeps its data in memory only. With LOCAL_DATA_DIR set, the local stack
 * keeps it on disk as Azurite does: every document of every container is written to
 * `cosmos-data.json` every few seconds and when the stack stops, and loaded back when it starts, so a
 * restart (or a crash of the host, which takes the emulator with it) loses at most those seconds.
 */
export class CosmosSnapshot {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: CosmosClient,
    private readonly databaseId: string,
    private readonly dir: string,
    private readonly everyMs = 3000,
  ) {}

  private get file(): string {
    return join(this.dir, 'cosmos-data.json');
  }

  /** Loads what the last run saved (nothing when there is no file) into the provisioned containers. */
  async load(): Promise<number> {
    let snapshot: Snapshot;
    try {
      snapshot = JSON.parse(await readFile(this.file, 'utf8')) as Snapshot;
    } catch {
      return 0;
    }
    const database = this.client.database(this.databaseId);
    let loaded = 0;
    for (const definition of containerDefinitions) {
      const docs = snapshot[definition.id] ?? [];
      const key = definition.partitionKey.slice(1);
      for (let i = 0; i < docs.length; i += 100) {
        const operations: OperationInput[] = docs
          .slice(i, i + 100)
          .map((doc) => ({ operationType: 'Upsert', partitionKey: typeof doc[key] === 'string' ? doc[key] : '', resourceBody: doc }));
        // The emulator answers executeBulkOperations with 500 (see shared/data/enrollment-store.ts).
        // eslint-disable-next-line @typescript-eslint/no-deprecated -- see above
        await database.container(definition.id).items.bulk(operations);
        loaded += operations.length;
      }
    }
    return loaded;
  }

  /** Saves every few seconds until `stop`, which saves once more. */
  start(): void {
    this.timer = setInterval(() => void this.save().catch(() => {}), this.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.save().catch(() => {});
  }

  /** One save at a time; the file is replaced whole (written aside, then renamed). */
  save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const database = this.client.database(this.databaseId);
      const snapshot: Snapshot = {};
      for (const definition of containerDefinitions) {
        const { resources } = await database.container(definition.id).items.query<JSONObject>('SELECT * FROM c').fetchAll();
        snapshot[definition.id] = resources.map((doc) => Object.fromEntries<JSONObject[string]>(Object.entries(doc).filter(([k]) => !systemProperties.has(k))));
      }
      await mkdir(this.dir, { recursive: true });
      await writeFile(`${this.file}.tmp`, JSON.stringify(snapshot));
      await rename(`${this.file}.tmp`, this.file);
    });
    return this.writing;
  }
}
