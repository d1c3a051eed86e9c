// In-memory implementations of the use cases' ports: the same contracts as the Cosmos, Blob, Queue
// and email adapters (versions, all-or-nothing commits, WriteConflict), in microseconds.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { EmailIntent, EmailMessage } from '../../../shared/domain/outbox.js';
import type { Enrollment } from '../../../shared/domain/incentives.js';
import type { RenewalSource, RolloverPage } from '../../../shared/domain/rollover.js';
import type { AssessmentPage } from '../../../shared/domain/direct-bill.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { emptyVerification } from '../../../shared/domain/verification.js';
import {
  WriteConflict,
  type AccountDoc,
  type AgreementDoc,
  type AssessmentDoc,
  type EnrollmentDoc,
  type IntentRef,
  type OutboxBox,
  type PartitionDoc,
  type PartitionStore,
  type ProfileDoc,
  type RolloverDoc,
  type UseCaseConfig,
  type UseCaseDeps,
  type Versioned,
  type Write,
  type EmailSendStatus,
} from '../../../shared/use-cases/ports.js';

/** One container: documents by partition and id, each with a version; commits apply all or none. */
export class MemoryPartitions<T extends PartitionDoc> implements PartitionStore<T> {
  readonly docs = new Map<string, { doc: T; etag: string }>();
  /** Requests served, for round-trip assertions. */
  reads = 0;
  commits = 0;

  private key(partnerId: string, id: string): string {
    return `${partnerId}\u0000${id}`;
  }

  async read(partnerId: string, id: string): Promise<Versioned<T> | undefined> {
    this.reads++;
    await Promise.resolve();
    const found = this.docs.get(this.key(partnerId, id));
    return found ? { doc: structuredClone(found.doc), etag: found.etag } : undefined;
  }

  async commit(partnerId: string, writes: readonly Write<T>[]): Promise<(string | undefined)[]> {
    this.commits++;
    await Promise.resolve();
    for (const w of writes) {
      const id = w.kind === 'delete' ? w.id : w.doc.id;
      const current = this.docs.get(this.key(partnerId, id));
      if (w.kind === 'create' && current) throw new WriteConflict('exists');
      const expected = w.kind === 'replace' || w.kind === 'delete' ? w.etag : undefined;
      if (expected !== undefined && current?.etag !== expected) throw new WriteConflict('stale');
    }
    return writes.map((w) => {
      if (w.kind === 'delete') {
        this.docs.delete(this.key(partnerId, w.id));
        return undefined;
      }
      const etag = randomUUID();
      this.docs.set(this.key(partnerId, w.doc.id), { doc: structuredClone(w.doc), etag });
      return etag;
    });
  }

  all(): T[] {
    return [...this.docs.values()].map((d) => d.doc);
  }

  ofPartner(partnerId: string): T[] {
    return this.all().filter((d) => d.partnerId === partnerId);
  }
}

export interface SentEmail {
  key: string;
  message: EmailMessage;
}

/** The email service: records what was sent; `failing` makes every send throw (an outage). */
export class MemoryEmail {
  readonly sent: SentEmail[] = [];
  failing = false;
  async send(key: string, message: EmailMessage) {
    await Promise.resolve();
    if (this.failing) throw new Error('email service unavailable (test)');
    this.sent.push({ key, message });
    return { operationId: key, status: 'Succeeded' };
  }
  /** As Communication Services: a repeated key is a second email; the result of a key is what it sent. */
  async sendResult(key: string): Promise<EmailSendStatus | undefined> {
    await Promise.resolve();
    if (this.failing) throw new Error('email service unavailable (test)');
    return this.sent.some((e) => e.key === key) ? ('Succeeded' as const) : undefined;
  }
  ofType(type: EmailMessage['type']): SentEmail[] {
    return this.sent.filter((e) => e.message.type === type);
  }
}

export const testConfig: UseCaseConfig = {
  VERIFICATION_LINK_BASE: 'https://portal.example/verify',
  VERIFICATION_TOKEN_TTL_HOURS: 168,
  VERIFICATION_RESEND_COOLDOWN_SECONDS: 900,
  VERIFICATION_RESEND_DAILY_CAP: 5,
  VERIFICATION_HOLIDAYS: [],
  UPLOAD_MAX_BYTES: 10 * 1024 * 1024,
  FISCAL_YEAR_START_MONTH: 7,
  ROLLOVER_PAGE_SIZE: 100,
  BUSINESS_PROFILES_GA_DATE: '2024-02-29',
  LEAD_RATE_LIMIT: 5,
  LEAD_RATE_WINDOW_SECONDS: 3600,
};

/** Every port in memory, with handles on what tests observe. */
export function memoryDeps(overrides: { now?: () => Date } = {}) {
  const accounts = new MemoryPartitions<AccountDoc>();
  const agreements = new MemoryPartitions<AgreementDoc>();
  const enrollments = new MemoryPartitions<EnrollmentDoc>();
  const rollovers = new MemoryPartitions<RolloverDoc>();
  const assessments = new MemoryPartitions<AssessmentDoc>();
  const profiles = new MemoryPartitions<ProfileDoc>();
  const owners = new Map<string, string>();
  const boxes: Record<OutboxBox, MemoryPartitions<PartitionDoc & { type: string }>> = {
    accounts: accounts,
    agreements: agreements,
    enrollments: enrollments,
  };
  const email = new MemoryEmail();
  const queued: { queue: string; message: unknown }[] = [];
  const windows = new Map<string, number>();
  const isIntent = (d: PartitionDoc & { type: string }): d is EmailIntent => d.type === 'emailIntent';

  const deps: UseCaseDeps = {
    config: testConfig,
    accounts: Object.assign(accounts, {
      async partner(partnerId: string) {
        const found = await accounts.read(partnerId, 'partner');
        return found?.doc.type === 'partner' ? { doc: found.doc, etag: found.etag } : undefined;
      },
      async verification(partnerId: string) {
        const found = await accounts.read(partnerId, 'verification');
        return found?.doc.type === 'verification' ? { doc: found.doc, etag: found.etag } : { doc: emptyVerification(partnerId), etag: undefined };
      },
      async snapshot(partnerId: string) {
        const [partner, verification] = await Promise.all([deps.accounts.partner(partnerId), deps.accounts.verification(partnerId)]);
        return { partner: partner?.doc, verification: verification.doc };
      },
      async document(partnerId: string, documentId: string) {
        const found = await accounts.read(partnerId, `document:${documentId}`);
        return found?.doc.type === 'document' ? found.doc : undefined;
      },
      async documents(partnerId: string) {
        return accounts
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'document' ? [d] : []))
          .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
      },
      async users(partnerId: string) {
        return accounts.ofPartner(partnerId).flatMap((d) => (d.type === 'user' ? [d] : []));
      },
      async directBillPartners(page: { size: number; continuationToken: string | undefined }) {
        const all = accounts.all().filter((d): d is Partner => d.type === 'partner' && d.cspModel === 'DirectBill');
        const start = Number(page.continuationToken ?? 0);
        return {
          items: all.slice(start, start + page.size),
          continuationToken: start + page.size < all.length ? String(start + page.size) : undefined,
          requestCharge: 1,
        };
      },
    }),
    agreements: Object.assign(agreements, {
      async customer(partnerId: string, customerId: string) {
        const found = await agreements.read(partnerId, `customer:${customerId}`);
        return found?.doc.type === 'customer' ? { doc: found.doc, etag: found.etag } : undefined;
      },
      async agreements(partnerId: string, customerId: string) {
        return agreements
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'agreement' && d.customerId === customerId ? [d] : []))
          .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
      },
    }),
    enrollments: Object.assign(enrollments, {
      async ofYear(partnerId: string, fiscalYear: number) {
        return enrollments
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'enrollment' && d.fiscalYear === fiscalYear ? [d] : []))
          .sort((a, b) => a.id.localeCompare(b.id));
      },
      async everyYear(partnerId: string) {
        return enrollments
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'enrollment' ? [d] : []))
          .sort((a, b) => a.id.localeCompare(b.id));
      },
      async awaitingInvitation(partnerId: string) {
        return enrollments
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'enrollment' && d.status === 'Invited' && !d.openProgram && !d.invitationSentAt ? [d] : []));
      },
      async renewalsInto(partnerId: string, fiscalYear: number) {
        return enrollments
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'enrollment' && d.fiscalYear === fiscalYear && d.renewedFrom ? [d] : []))
          .sort((a, b) => a.id.localeCompare(b.id));
      },
      async renewalSources(fiscalYear: number, page: { size: number; continuationToken: string | undefined }) {
        const all = enrollments.all().filter((d): d is Enrollment => d.type === 'enrollment' && d.fiscalYear === fiscalYear);
        const start = Number(page.continuationToken ?? 0);
        const items: RenewalSource[] = all.slice(start, start + page.size);
        return { items, continuationToken: start + page.size < all.length ? String(start + page.size) : undefined, requestCharge: 1 };
      },
      async createRenewals(renewals: readonly Enrollment[]) {
        const existing = new Set<string>();
        for (const r of renewals) {
          if (enrollments.docs.has(`${r.partnerId}\u0000${r.id}`)) existing.add(r.id);
          else await enrollments.commit(r.partnerId, [{ kind: 'create', doc: r }]);
        }
        return { failed: 0, existing, requestCharge: renewals.length };
      },
    }),
    rollovers: Object.assign(rollovers, {
      async pages(partition: string) {
        return rollovers.ofPartner(partition).filter((d): d is RolloverPage => d.type === 'rolloverPage');
      },
    }),
    assessments: Object.assign(assessments, {
      async pages(partition: string) {
        return assessments.ofPartner(partition).filter((d): d is AssessmentPage => d.type === 'assessmentPage');
      },
    }),
    profiles: Object.assign(profiles, {
      async profiles(partnerId: string) {
        return profiles
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'businessProfile' ? [d] : []))
          .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      },
      async leads(partnerId: string, query: { managingPartnerIds?: readonly string[] | undefined; pageSize: number; continuationToken?: string | undefined }) {
        const all = profiles
          .ofPartner(partnerId)
          .flatMap((d) => (d.type === 'lead' && (!query.managingPartnerIds || query.managingPartnerIds.includes(d.managingPartnerId)) ? [d] : []))
          .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
        const start = Number(query.continuationToken ?? 0);
        return {
          items: all.slice(start, start + query.pageSize),
          continuationToken: start + query.pageSize < all.length ? String(start + query.pageSize) : undefined,
        };
      },
      async ownerOf(profileId: string) {
        return owners.get(profileId);
      },
      async setOwner(profileId: string, partnerId: string) {
        owners.set(profileId, partnerId);
      },
      async forgetOwner(profileId: string) {
        owners.delete(profileId);
      },
    }),
    outbox: {
      async read(ref: IntentRef) {
        const found = await boxes[ref.box].read(ref.partnerId, ref.intentId);
        return found && isIntent(found.doc) ? { doc: found.doc, etag: found.etag } : undefined;
      },
      async replace(ref, intent, etag) {
        const [written] = await boxes[ref.box].commit(ref.partnerId, [{ kind: 'replace', doc: intent, etag }]);
        return written ?? '';
      },
      async pending() {
        const items = (Object.keys(boxes) as OutboxBox[]).flatMap((box) =>
          boxes[box].all().flatMap((d) => (isIntent(d) && d.status === 'Pending' ? [{ box, partnerId: d.partnerId, intentId: d.id, intent: d }] : [])),
        );
        return { items, continuationToken: undefined };
      },
      async timingsSince(emailType, since) {
        return Object.values(boxes)
          .flatMap((b) => b.all())
          .filter((d): d is EmailIntent => isIntent(d) && d.emailType === emailType && d.occurredAt >= since);
      },
    },
    email,
    documents: {
      async upload(_name: string, body: Readable) {
        for await (const _ of body) {
          // consumed
        }
        return { sha256: 'memory' };
      },
      async delete() {},
      async readUrl(name: string) {
        return `https://blob.example/${name}`;
      },
      async exists() {
        return false;
      },
    },
    queues: {
      async send(queue: string, message: unknown) {
        queued.push({ queue, message });
      },
    },
    rateLimits: {
      async hit(name, key, limit, windowSeconds, now) {
        const window = `${name}:${key}:${Math.floor(now.getTime() / (windowSeconds * 1000))}`;
        const count = (windows.get(window) ?? 0) + 1;
        windows.set(window, count);
        return count <= limit ? { allowed: true } : { allowed: false, retryAfterSeconds: windowSeconds };
      },
    },
    metrics: { record() {} },
    now: overrides.now ?? (() => new Date()),
  };
  return { deps, accounts, agreements, enrollments, rollovers, assessments, profiles, email, queued };
}
