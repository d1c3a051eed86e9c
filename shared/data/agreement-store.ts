import type { Agreement, Customer } from '../domain/agreements.js';
import { customerDocumentId } from '../domain/agreements.js';
import type { AgreementDoc, AgreementStore, Versioned } from '../use-cases/ports.js';
import { ContainerStore } from './repository.js';

/**
 * The `agreements` container: per partner partition, its customers, their agreements and the
 * confirmation emails they owe, so that an agreement and its email are written in one batch.
 */
export class CosmosAgreementStore extends ContainerStore<AgreementDoc> implements AgreementStore {
  async customer(partnerId: string, customerId: string): Promise<Versioned<Customer> | undefined> {
    const stored = await this.repo.read(partnerId, customerDocumentId(customerId));
    return stored?.doc.type === 'customer' ? { doc: stored.doc, etag: stored.etag } : undefined;
  }

  async agreements(partnerId: string, customerId: string): Promise<Agreement[]> {
    const docs = await this.repo.queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type AND c.customerId = @customerId ORDER BY c.occurredAt',
        parameters: [
          { name: '@partnerId', value: partnerId },
          { name: '@type', value: 'agreement' },
          { name: '@customerId', value: customerId },
        ],
      },
      { partnerId },
    );
    return docs.filter((d): d is Agreement => d.type === 'agreement');
  }
}
