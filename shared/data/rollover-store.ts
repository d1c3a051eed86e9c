import type { AssessmentPage } from '../domain/direct-bill.js';
import type { RolloverPage } from '../domain/rollover.js';
import type { AssessmentDoc, AssessmentStore, RolloverDoc, RolloverStore } from '../use-cases/ports.js';
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

/** The `operations` container: direct-bill assessment runs and their page records, one partition per run (CSP-3). */
export class CosmosAssessmentStore extends ContainerStore<AssessmentDoc> implements AssessmentStore {
  async pages(partition: string): Promise<AssessmentPage[]> {
    const docs = await this.repo.queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partition AND c.type = @type',
        parameters: [
          { name: '@partition', value: partition },
          { name: '@type', value: 'assessmentPage' },
        ],
      },
      { partnerId: partition },
    );
    return docs.filter((p): p is AssessmentPage => p.type === 'assessmentPage');
  }
}
