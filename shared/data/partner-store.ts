import type { Partner } from '../domain/partner.js';
import { emptyVerification, type CheckType, type DocumentType, type Tab, type VerificationDoc } from '../domain/verification.js';
import type { BatchWrite, Repository, Stored } from './repository.js';

/** A verification document's metadata; the bytes are in blob storage at `blobName`. */
export interface DocumentRecord {
  id: string;
  type: 'document';
  partnerId: string;
  documentId: string;
  check: CheckType;
  documentType: DocumentType;
  tabs: Tab[];
  comment?: string;
  sha256: string;
  size: number;
  contentType: string;
  originalName: string;
  blobName: string;
  uploadedAt: string;
  uploadedBy: string;
}

export type PartnerPartitionDoc = Partner | VerificationDoc | DocumentRecord;

export const documentRecordId = (documentId: string): string => `document:${documentId}`;

/**
 * The `partners` container holds, per partner partition, the account, its verification state and its
 * document records, so that changes across them can be written in one transactional batch.
 */
export class PartnerStore {
  constructor(readonly repo: Repository<PartnerPartitionDoc>) {}

  async partner(partnerId: string): Promise<Stored<Partner> | undefined> {
    const stored = await this.repo.read(partnerId, 'partner');
    return stored && stored.doc.type === 'partner' ? { doc: stored.doc, etag: stored.etag } : undefined;
  }

  /** The verification state; a partner that never started one has an empty state (no ETag). */
  async verification(partnerId: string): Promise<{ doc: VerificationDoc; etag: string | undefined }> {
    const stored = await this.repo.read(partnerId, 'verification');
    return stored && stored.doc.type === 'verification' ? { doc: stored.doc, etag: stored.etag } : { doc: emptyVerification(partnerId), etag: undefined };
  }

  async document(partnerId: string, documentId: string): Promise<DocumentRecord | undefined> {
    const stored = await this.repo.read(partnerId, documentRecordId(documentId));
    return stored?.doc.type === 'document' ? stored.doc : undefined;
  }

  async documents(partnerId: string): Promise<DocumentRecord[]> {
    const docs = await this.repo.queryAll(
      {
        query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type ORDER BY c.uploadedAt DESC',
        parameters: [
          { name: '@partnerId', value: partnerId },
          { name: '@type', value: 'document' },
        ],
      },
      { partnerId },
    );
    return docs.filter((d): d is DocumentRecord => d.type === 'document');
  }

  /** A write of the verification state: create when new (no ETag), else replace over the version read. */
  static verificationWrite(doc: VerificationDoc, etag: string | undefined): BatchWrite<PartnerPartitionDoc> {
    return etag ? { kind: 'replace', doc, etag } : { kind: 'create', doc };
  }

  transact(partnerId: string, writes: readonly BatchWrite<PartnerPartitionDoc>[]): Promise<void> {
    return this.repo.transact(partnerId, writes);
  }
}
