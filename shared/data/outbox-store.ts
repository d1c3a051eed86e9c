import type { EmailIntent } from '../domain/outbox.js';
import type { IntentRef, IntentTiming, OutboxBox, OutboxStore, Page, PartitionDoc, Versioned } from '../use-cases/ports.js';
import type { Repository } from './repository.js';

type AnyDoc = PartitionDoc & { type: string };

/**
 * The email intents, kept beside the decisions that owe them: in the partners, agreements and
 * enrollments containers. Reads and writes go to the box's container; the sweep's list and the SLA
 * report query each box in turn (cross-partition, filtered on the intent's type and status).
 */
export class CosmosOutboxStore implements OutboxStore {
  private readonly order: OutboxBox[];

  constructor(private readonly boxes: Record<OutboxBox, Repository<AnyDoc>>) {
    this.order = Object.keys(boxes) as OutboxBox[];
  }

  async read(ref: IntentRef): Promise<Versioned<EmailIntent> | undefined> {
    const stored = await this.boxes[ref.box].read(ref.partnerId, ref.intentId);
    return stored?.doc.type === 'emailIntent' ? { doc: stored.doc as EmailIntent, etag: stored.etag } : undefined;
  }

  async replace(ref: IntentRef, intent: EmailIntent, etag: string): Promise<string> {
    return (await this.boxes[ref.box].replace(intent, etag)).etag;
  }

  /** The token names the box and that box's own query token, so paging resumes where it stopped. */
  async pending(page: { size: number; continuationToken: string | undefined }): Promise<Page<IntentRef & { intent: EmailIntent }>> {
    const resume: { box?: OutboxBox; token?: string } = page.continuationToken
      ? (JSON.parse(page.continuationToken) as { box: OutboxBox; token?: string })
      : { box: this.order[0] };
    const box = resume.box ?? 'accounts';
    const result = await this.boxes[box].queryPage<EmailIntent>(
      {
        query: 'SELECT * FROM c WHERE c.type = @type AND c.status = @status',
        parameters: [
          { name: '@type', value: 'emailIntent' },
          { name: '@status', value: 'Pending' },
        ],
      },
      { pageSize: page.size, continuationToken: resume.token },
    );
    const next = this.order[this.order.indexOf(box) + 1];
    const continuationToken = result.continuationToken
      ? JSON.stringify({ box, token: result.continuationToken })
      : next
        ? JSON.stringify({ box: next })
        : undefined;
    return { items: result.items.map((intent) => ({ box, partnerId: intent.partnerId, intentId: intent.id, intent })), continuationToken };
  }

  async timingsSince(emailType: EmailIntent['emailType'], since: string): Promise<IntentTiming[]> {
    const all: IntentTiming[] = [];
    for (const box of this.order) {
      all.push(
        ...(await this.boxes[box].queryAll<IntentTiming>(
          {
            query:
              'SELECT c.status, c.sentAt, c.occurredAt, c.dueBy, c.breached FROM c WHERE c.type = @type AND c.emailType = @emailType AND c.occurredAt >= @since',
            parameters: [
              { name: '@type', value: 'emailIntent' },
              { name: '@emailType', value: emailType },
              { name: '@since', value: since },
            ],
          },
          { pageSize: 1000 },
        )),
      );
    }
    return all;
  }
}
