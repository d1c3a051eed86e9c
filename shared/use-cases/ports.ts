// The ports of the use cases: what they need from the world, in domain terms. Adapters in shared/data
// (Cosmos DB) and shared/adapters (Blob, Queue, email, multipart) implement them; the composition root
// wires them; tests also implement them in memory (test/unit/support/memory-ports.ts).
import type { Readable } from 'node:stream';
import type { Agreement, Customer } from '../domain/agreements.js';
import type { BusinessProfile, Lead, ProfileLocationClaim } from '../domain/business-profiles.js';
import type { AssessmentSubject } from '../domain/csp.js';
import type { AssessmentPage, AssessmentRun, DirectBillRecord } from '../domain/direct-bill.js';
import type { Enrollment, IncentiveProgram, PartnerUser } from '../domain/incentives.js';
import type { EmailIntent, EmailMessage } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import type { RenewalSource, RolloverPage, RolloverRun } from '../domain/rollover.js';
import type { CheckType, DocumentType, Tab, VerificationDoc } from '../domain/verification.js';

/** Every stored document belongs to one partner partition (or a partition named by a key). */
export interface PartitionDoc {
  id: string;
  partnerId: string;
}

/** A document with the version it was read at. */
export interface Versioned<T> {
  doc: T;
  etag: string;
}

/** One write of a transactional batch: all writes of one commit apply together or not at all. */
export type Write<T> =
  { kind: 'create'; doc: T } | { kind: 'replace'; doc: T; etag: string } | { kind: 'upsert'; doc: T } | { kind: 'delete'; id: string; etag?: string };

/**
 * A commit lost a race: a document changed since it was read (stale version), or one it creates
 * exists already. The write primitive (write.ts) reads again and decides again.
 */
export class WriteConflict extends Error {
  constructor(readonly reason: 'stale' | 'exists') {
    super(reason === 'stale' ? 'a document changed since it was read' : 'a document to be created exists already');
    this.name = 'WriteConflict';
  }
}

/** One page of a list, and the token of the next (absent on the last page). */
export interface Page<T> {
  items: T[];
  continuationToken: string | undefined;
}

/** Point reads and atomic commits within one partition: what the write primitive runs on. */
export interface PartitionStore<T extends PartitionDoc> {
  read(partnerId: string, id: string): Promise<Versioned<T> | undefined>;
  /**
   * Applies every write or none; throws WriteConflict when it lost a race. Answers the new version of
   * each written document, in the order of `writes` (undefined for a delete).
   */
  commit(partnerId: string, writes: readonly Write<T>[]): Promise<(string | undefined)[]>;
}

/** A verification document's metadata; the bytes are in the document store at `blobName`. */
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

export type AccountDoc = Partner | VerificationDoc | DocumentRecord | DirectBillRecord | PartnerUser | EmailIntent;

/** A partner's account partition: the account, its verification, documents, users and owed emails. */
export interface PartnerAccounts extends PartitionStore<AccountDoc> {
  partner(partnerId: string): Promise<Versioned<Partner> | undefined>;
  /** The verification state; a partner that never started one has an empty state (no version). */
  verification(partnerId: string): Promise<{ doc: VerificationDoc; etag: string | undefined }>;
  /** Partner and verification for read-only views, possibly a few seconds old. Never decide a write on it. */
  snapshot(partnerId: string): Promise<{ partner: Partner | undefined; verification: VerificationDoc }>;
  document(partnerId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** Newest first. */
  documents(partnerId: string): Promise<DocumentRecord[]>;
  users(partnerId: string): Promise<PartnerUser[]>;
  /** CSP-3: a page of every DirectBill partner (across partitions): only what the assessment decides from. */
  directBillPartners(page: { size: number; continuationToken: string | undefined }): Promise<Page<AssessmentSubject> & { requestCharge: number }>;
}

export type AgreementDoc = Customer | Agreement | EmailIntent;

/** Customers, their agreements and their confirmation emails, per partner. */
export interface AgreementStore extends PartitionStore<AgreementDoc> {
  customer(partnerId: string, customerId: string): Promise<Versioned<Customer> | undefined>;
  /** Oldest first. */
  agreements(partnerId: string, customerId: string): Promise<Agreement[]>;
}

/** Enrolments and the emails they owe (per partner), and each program's status (partition `program:<id>`). */
export type EnrollmentDoc = Enrollment | EmailIntent | IncentiveProgram;

export interface EnrollmentStore extends PartitionStore<EnrollmentDoc> {
  /** A partner's enrolments of one fiscal year, by id. */
  ofYear(partnerId: string, fiscalYear: number): Promise<Enrollment[]>;
  /** A partner's enrolments of every fiscal year, by id. */
  everyYear(partnerId: string): Promise<Enrollment[]>;
  /** Invited enrolments of programs with criteria whose invitation has not gone out. */
  awaitingInvitation(partnerId: string): Promise<Enrollment[]>;
  /** The enrolments a rollover carried into `fiscalYear`, by id. */
  renewalsInto(partnerId: string, fiscalYear: number): Promise<Enrollment[]>;
  /** A page of every partner's enrolments of one fiscal year: only what a renewal is decided from. */
  renewalSources(fiscalYear: number, page: { size: number; continuationToken: string | undefined }): Promise<Page<RenewalSource> & { requestCharge: number }>;
  /** Creates renewals (across partners) in bulk; `existing` names those that were there already (not written). */
  createRenewals(renewals: readonly Enrollment[]): Promise<{ failed: number; existing: ReadonlySet<string>; requestCharge: number }>;
}

export type RolloverDoc = RolloverRun | RolloverPage;

/** Rollover runs and their page records; the partition is the run's key. */
export interface RolloverStore extends PartitionStore<RolloverDoc> {
  pages(runPartition: string): Promise<RolloverPage[]>;
}

export type AssessmentDoc = AssessmentRun | AssessmentPage;

/** Direct-bill assessment runs and their page records; the partition is the run's key. */
export interface AssessmentStore extends PartitionStore<AssessmentDoc> {
  pages(runPartition: string): Promise<AssessmentPage[]>;
}

export type ProfileDoc = BusinessProfile | ProfileLocationClaim | Lead;

export interface ProfileStore extends PartitionStore<ProfileDoc> {
  /** Oldest first. */
  profiles(partnerId: string): Promise<BusinessProfile[]>;
  /** Newest first, optionally only of some managing partner ids. */
  leads(
    partnerId: string,
    query: { managingPartnerIds?: readonly string[] | undefined; pageSize: number; continuationToken?: string | undefined },
  ): Promise<Page<Lead>>;
  /** Which partner owns a public profile id (the leads route names no partner). */
  ownerOf(profileId: string): Promise<string | undefined>;
  setOwner(profileId: string, partnerId: string): Promise<void>;
  forgetOwner(profileId: string): Promise<void>;
}

/** Where the outbox record of an email lives: the partition of the decision that owes it. */
export type OutboxBox = 'accounts' | 'agreements' | 'enrollments';

export interface IntentRef {
  box: OutboxBox;
  partnerId: string;
  intentId: string;
}

export type IntentTiming = Pick<EmailIntent, 'status' | 'sentAt' | 'occurredAt' | 'dueBy' | 'breached'>;

/** The email intents of every box, for the sender, the sweep and the SLA report. */
export interface OutboxStore {
  read(ref: IntentRef): Promise<Versioned<EmailIntent> | undefined>;
  /** Replaces the intent over the version read and answers the new version; WriteConflict when it changed since. */
  replace(ref: IntentRef, intent: EmailIntent, etag: string): Promise<string>;
  /** Pending intents of every box and partner, a page at a time (the token is the store's own). */
  pending(page: { size: number; continuationToken: string | undefined }): Promise<Page<IntentRef & { intent: EmailIntent }>>;
  /** Timings of the intents of one email type that occurred since `since` (no addresses, no text). */
  timingsSince(emailType: EmailIntent['emailType'], since: string): Promise<IntentTiming[]>;
}

export interface EmailSendReceipt {
  operationId: string;
  status: string;
}

/** What the email service knows of one send (its operation). */
export type EmailSendStatus = 'NotStarted' | 'Running' | 'Succeeded' | 'Failed' | 'Canceled';

/**
 * The email service. A send carries an operation id derived from `key`; the service does not promise
 * to drop a repeated one, so the outbox asks `sendResult` before any send that may repeat an earlier.
 */
export interface EmailSender {
  /** `firstAttemptAt`: when the first attempt of this email started (a retry says so to the service). */
  send(key: string, message: EmailMessage, firstAttemptAt?: Date): Promise<EmailSendReceipt>;
  /** The service's record of the send under `key`'s operation id; undefined when it has none. */
  sendResult(key: string): Promise<EmailSendStatus | undefined>;
}

/** Where verification documents' bytes live. */
export interface DocumentStore {
  /** Streams `body` into a blob; resolves once it is committed, with the SHA-256 of the bytes stored. */
  upload(name: string, body: Readable, options: { contentType: string; metadata: Record<string, string>; signal?: AbortSignal }): Promise<{ sha256: string }>;
  delete(name: string): Promise<void>;
  /** A read-only URL for the blob, valid for `seconds`. */
  readUrl(name: string, seconds: number): Promise<string>;
  exists(name: string): Promise<boolean>;
}

/** Puts a message on one of the suite's queues (names in queues.ts). */
export interface QueuePublisher {
  send(queueName: string, message: unknown, options?: { visibilityTimeoutSeconds?: number }): Promise<void>;
}

/** A fixed-window counter shared by every instance. */
export interface RateLimits {
  /** Counts one attempt of `key` against `name`'s window; says whether it was within the limit. */
  hit(name: string, key: string, limit: number, windowSeconds: number, now: Date): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

interface Metrics {
  record(name: string, value: number, attributes?: Record<string, string | number | boolean>): void;
}

/** The settings the use cases read (a subset of the app's configuration). */
export interface UseCaseConfig {
  VERIFICATION_LINK_BASE: string;
  VERIFICATION_TOKEN_TTL_HOURS: number;
  VERIFICATION_RESEND_COOLDOWN_SECONDS: number;
  VERIFICATION_RESEND_DAILY_CAP: number;
  VERIFICATION_HOLIDAYS: readonly string[];
  UPLOAD_MAX_BYTES: number;
  FISCAL_YEAR_START_MONTH: number;
  ROLLOVER_PAGE_SIZE: number;
  BUSINESS_PROFILES_GA_DATE: string;
  LEAD_RATE_LIMIT: number;
  LEAD_RATE_WINDOW_SECONDS: number;
}

/** Everything a use case may use. */
export interface UseCaseDeps {
  config: UseCaseConfig;
  accounts: PartnerAccounts;
  agreements: AgreementStore;
  enrollments: EnrollmentStore;
  rollovers: RolloverStore;
  assessments: AssessmentStore;
  profiles: ProfileStore;
  outbox: OutboxStore;
  email: EmailSender;
  documents: DocumentStore;
  queues: QueuePublisher;
  rateLimits: RateLimits;
  metrics: Metrics;
  now(): Date;
}

/** The file part of an upload: its content type is judged from its bytes; it flows capped. */
export interface IncomingFile {
  stream: Readable;
  contentType: string;
  filename: string;
  /** Bytes that have flowed so far (all of them once the stream has ended). */
  size(): number;
}

/** A form with fields and one file, read as it arrives. */
export interface MultipartForm {
  /** Fails at once when the request cannot be a valid form (wrong type, declared too large, no body). */
  check(): void;
  /**
   * Reads the form. `store` gets the fields sent before the file and the file, once its type is known;
   * resolves with every field and what `store` answered, once the form has ended.
   */
  read<T>(store: (fieldsSoFar: Readonly<Record<string, string>>, file: IncomingFile) => Promise<T>): Promise<{ fields: Record<string, string>; stored: T }>;
}
