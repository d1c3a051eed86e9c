import type { AssessmentSubject } from '../domain/csp.js';
import type { PartnerUser } from '../domain/incentives.js';
import type { Partner } from '../domain/partner.js';
import { emptyVerification, type VerificationDoc } from '../domain/verification.js';
import type { AccountDoc, DocumentRecord, Page, PartnerAccounts, Versioned, Write } from '../use-cases/ports.js';
import type { Repository } from './repository.js';

/**
 * The `partners` container holds, per partner partition, the account, its verification state and its
 * document records, users and owed emails, so that changes across them are written in one batch.
 */
export class PartnerStore implements PartnerAccounts {
  private readonly snapshots = new Map<string, { at: number; partner: Partner | undefined; verification: VerificationDoc }>();
  /** Bumped by every write: a snapshot read while a write happened is not kept (it may predate it). */
  private writes = 0;
  /** Reads in flight per partner: concurrent misses share one (no stampede when a snapshot expires). */
  private readonly loading = new Map<string, Promise<{ partner: Partner | undefined; verification: VerificationDoc }>>();

  /**
   * @param snapshotMs how long `snapshot` may answer from memory (0: never). Writes through this store
   * drop the partner's snapshot at once; other instances see a change within this time.
   */
  constructor(
    readonly repo: Repository<AccountDoc>,
    private readonly snapshotMs = 0,
    private readonly maxSnapshots = 10_000,
  ) {}

  /**
   * Partner and verification state for read-only views (the status page the portal polls), served
   * from memory for up to `snapshotMs`. Never use it to decide a write: those read fresh, with ETags.
   */
  async snapshot(partnerId: string): Promise<{ partner: Partner | undefined; verification: VerificationDoc }> {
    const cached = this.snapshots.get(partnerId);
    if (cached && Date.now() - cached.at < this.snapshotMs) return cached;
    const inFlight = this.loading.get(partnerId);
    if (inFlight) return inFlight;
    const load = this.load(partnerId).finally(() => this.loading.delete(partnerId));
    this.loading.set(partnerId, load);
    return load;
  }

  private async load(partnerId: string): Promise<{ partner: Partner | undefined; verification: VerificationDoc }> {
    const writesBefore = this.writes;
    const [partner, verification] = await Promise.all([this.partner(partnerId), this.verification(partnerId)]);
    const fresh = { at: Date.now(), partner: partner?.doc, verification: verification.doc };
    if (this.snapshotMs > 0 && this.writes === writesBefore) {
      this.snapshots.delete(partnerId);
      this.snapshots.set(partnerId, fresh);
      if (this.snapshots.size > this.maxSnapshots) this.snapshots.delete(this.snapshots.keys().next().value ?? '');
    }
    return fresh;
  }

  read(partnerId: string, id: string): Promise<Versioned<AccountDoc> | undefined> {
    return this.repo.read(partnerId, id);
  }

  /** Every write drops the partner's snapshot, before and after, so no snapshot predates it. */
  async commit(partnerId: string, writes: readonly Write<AccountDoc>[]): Promise<(string | undefined)[]> {
    this.forget(partnerId);
    try {
      return await this.repo.commit(partnerId, writes);
    } finally {
      this.forget(partnerId);
    }
  }

  private forget(partnerId: string): void {
    this.writes++;
    this.snapshots.delete(partnerId);
  }

  async partner(partnerId: string): Promise<Versioned<Partner> | undefined> {
    const stored = await this.repo.read(partnerId, 'partner');
    return stored && stored.doc.type === 'partner' ? { doc: stored.doc, etag: stored.etag } : undefined;
  }

  /** The verification state; a partner that never started one has an empty state (no ETag). */
  async verification(partnerId: string): Promise<{ doc: VerificationDoc; etag: string | undefined }> {
    const stored = await this.repo.read(partnerId, 'verification');
    return stored && stored.doc.type === 'verification' ? { doc: stored.doc, etag: stored.etag } : { doc: emptyVerification(partnerId), etag: undefined };
  }

  async document(partnerId: string, documentId: string): Promise<DocumentRecord | undefined> {
    const stored = await this.repo.read(partnerId, `document:${documentId}`);
    return stored?.doc.type === 'document' ? stored.doc : undefined;
  }

  async documents(partnerId: string): Promise<DocumentRecord[]> {
    return this.ofType(partnerId, 'document', ' ORDER BY c.uploadedAt DESC');
  }

  async users(partnerId: string): Promise<PartnerUser[]> {
    return this.ofType(partnerId, 'user');
  }

  /**
   * CSP-3: one page of the DirectBill partners of every partition, projected to what the assessment
   * decides from (no contact, address or profiles), with the page's request charge.
   */
  async directBillPartners(page: { size: number; continuationToken: string | undefined }): Promise<Page<AssessmentSubject> & { requestCharge: number }> {
    let requestCharge = 0;
    const metered = this.repo.withChargeListener((ru) => {
      requestCharge += ru;
    });
    const result = await metered.queryPage<AssessmentSubject>(
      {
        query:
          'SELECT c.partnerId, c.cspModel, c.createdAt, c.programs, c.locations, c.csp, c.directBill FROM c WHERE c.type = @type AND c.cspModel = @cspModel',
        parameters: [
          { name: '@type', value: 'partner' },
          { name: '@cspModel', value: 'DirectBill' },
        ],
      },
      { pageSize: page.size, continuationToken: page.continuationToken },
    );
    return { ...result, requestCharge };
  }

  /** Every document of one type in a partner's partition (bounded sets: its users, its documents). */
  private async ofType<K extends AccountDoc['type']>(
    partnerId: string,
    type: K,
    order: '' | ' ORDER BY c.uploadedAt DESC' = '',
  ): Promise<Extract<AccountDoc, { type: K }>[]> {
    const docs = await this.repo.queryAll(
      {
        query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type${order}`,
        parameters: [
          { name: '@partnerId', value: partnerId },
          { name: '@type', value: type },
        ],
      },
      { partnerId },
    );
    return docs.filter((d): d is Extract<AccountDoc, { type: K }> => d.type === type);
  }
}
