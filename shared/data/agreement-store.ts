import type { Agreement, ConfirmationNotification, Customer } from '../domain/agreements.js';
import { customerDocumentId } from '../domain/agreements.js';
import type { BatchWrite, Mutation, Page, Repository, Stored } from './repository.js';

export type AgreementPartitionDoc = Customer | Agreement | ConfirmationNotification;

/** What the SLA report reads of a confirmation. */
export type NotificationTiming = Pick<ConfirmationNotification, 'status' | 'sentAt' | 'occurredAt' | 'dueBy' | 'breached'>;

/**
 * The `agreements` container: per partner partition, its customers, their agreements and the outbox
 * of confirmation emails, so that an agreement and its notification are written in one batch.
 */
export class AgreementStore {
  constructor(readonly repo: Repository<AgreementPartitionDoc>) {}

  async customer(partnerId: string, customerId: string): Promise<Stored<Customer> | undefined> {
    const stored = await this.repo.read(partnerId, customerDocumentId(customerId));
    return stored?.doc.type === 'customer' ? { doc: stored.doc, etag: stored.etag } : undefined;
  }

  async agreement(partnerId: string, agreementId: string): Promise<Agreement | undefined> {
    const stored = await this.repo.read(partnerId, agreementId);
    return stored?.doc.type === 'agreement' ? stored.doc : undefined;
  }

  async notification(partnerId: string, id: string): Promise<Stored<ConfirmationNotification> | undefined> {
    const stored = await this.repo.read(partnerId, id);
    return stored?.doc.type === 'notification' ? { doc: stored.doc, etag: stored.etag } : undefined;
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

  /** Unsent confirmations of every partner, a page at a time (the sweep's work list). */
  async pendingNotifications(pageSize: number, continuationToken?: string): Promise<Page<ConfirmationNotification>> {
    const page = await this.repo.queryPage(
      {
        query: 'SELECT * FROM c WHERE c.type = @type AND c.status = @status',
        parameters: [
          { name: '@type', value: 'notification' },
          { name: '@status', value: 'Pending' },
        ],
      },
      { pageSize, continuationToken },
    );
    return { items: page.items.filter((d): d is ConfirmationNotification => d.type === 'notification'), continuationToken: page.continuationToken };
  }

  /**
   * The timings of every partner's confirmations whose attestation happened since `since` (the SLA
   * window): only the fields the report needs, so the read carries no customer's contact details
   * and a fraction of the bytes.
   */
  async notificationTimingsSince(since: string): Promise<NotificationTiming[]> {
    return this.repo.queryAll<NotificationTiming>(
      {
        query: 'SELECT c.status, c.sentAt, c.occurredAt, c.dueBy, c.breached FROM c WHERE c.type = @type AND c.occurredAt >= @since',
        parameters: [
          { name: '@type', value: 'notification' },
          { name: '@since', value: since },
        ],
      },
      { pageSize: 1000 },
    );
  }

  update(partnerId: string, id: string, mutate: (current: AgreementPartitionDoc) => Mutation<AgreementPartitionDoc>) {
    return this.repo.update(partnerId, id, mutate);
  }

  /** Writes atomically; answers the new ETag of each write. */
  transact(partnerId: string, writes: readonly BatchWrite<AgreementPartitionDoc>[], conflictDetail?: string): Promise<(string | undefined)[]> {
    return this.repo.transact(partnerId, writes, conflictDetail);
  }

  replace(doc: AgreementPartitionDoc, etag: string): Promise<Stored<AgreementPartitionDoc>> {
    return this.repo.replace(doc, etag);
  }
}
