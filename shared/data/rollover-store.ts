import type { RolloverPage } from '../domain/rollover.js';
import type { RolloverDoc, RolloverStore } from '../use-cases/ports.js';
import { ContainerStore } from './repository.js';

/** The `operations` container: rollover runs and their page records, one partition per run. */
export class CosmosRolloverStore extends ContainerStore<RolloverDoc> implements RolloverStore {
  async pages(partition: string): Promise<RolloverPage[]> {
    const docs = await this.repo.queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partition AND c.type = @type',
        parameters: [
          { name: '@partition', value: partition },
          { name: '@type', value: 'rolloverPage' },
        ],
      },
      { partnerId: partition },
    );
    return docs.filter((p): p is RolloverPage => p.type === 'rolloverPage');
  }
}
