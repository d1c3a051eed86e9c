import type { RolloverPage } from '../domain/rollover.js';
import type { RolloverDoc, RolloverStore, Versioned, Write } from '../use-cases/ports.js';
import type { Repository } from './repository.js';

/** The `operations` container: rollover runs and their page records, one partition per run. */
export class CosmosRolloverStore implements RolloverStore {
  constructor(readonly repo: Repository<RolloverDoc>) {}

  read(partition: string, id: string): Promise<Versioned<RolloverDoc> | undefined> {
    return this.repo.read(partition, id);
  }

  commit(partition: string, writes: readonly Write<RolloverDoc>[]): Promise<void> {
    return this.repo.commit(partition, writes);
  }

  async pages(partition: string): Promise<RolloverPage[]> {
    const docs = await this.repo.queryAll(
      { query: 'SELECT * FROM c WHERE c.partnerId = @partition AND c.type = @type', parameters: [{ name: '@partition', value: partition }, { name: '@type', value: 'rolloverPage' }] },
      { partnerId: partition },
    );
    return docs.filter((p): p is RolloverPage => p.type === 'rolloverPage');
  }
}
