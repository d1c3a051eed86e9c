import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { DomainError, type FieldError } from '../domain/errors.js';
import type { Principal } from '../domain/roles.js';
import { documentTypes, fileDocument, tabRoles, tabs, type CheckStatus, type VerificationDoc } from '../domain/verification.js';
import { requirePartner } from './accounts.js';
import type { AccountDoc, DocumentRecord, IncomingFile, MultipartForm, UseCaseDeps, Write } from './ports.js';
import { readDecideWrite, writeOver } from './write.js';

/** VER-8: the fields of an upload (the file aside; docs/domain.md). */
const uploadFieldsSchema = z.object({
  check: z.enum(['Employment', 'Business', 'AdditionalDueDiligence', 'Identity']),
  documentType: z.enum(documentTypes),
  comment: z.string().max(2000, 'at most 2,000 characters').optional(),
  /** Optional: file the document under one tab only (default: every tab of the caller holding the check). */
  tab: z.enum(tabs).optional(),
});
type UploadFields = z.infer<typeof uploadFieldsSchema>;

export interface UploadResult {
  documentId: string;
  sha256: string;
  size: number;
  contentType: string;
  check: string;
  checkStatus: CheckStatus;
}

interface StoredFile {
  size: number;
  sha256: string;
  contentType: string;
  originalName: string;
}

const documentRecordId = (documentId: string): string => `document:${documentId}`;

function parseFields(fields: Readonly<Record<string, string>>): UploadFields {
  const parsed = uploadFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    const errors: FieldError[] = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    throw DomainError.validation('The upload fields are not valid.', errors);
  }
  return parsed.data;
}

/**
 * Streams one upload into the document store and files it against a check (VER-8, VER-9). Fields
 * sent before the file are checked before any byte is stored; the store hashes what it stores. The
 * record (and an appeal's status change) is written in one batch only after the blob is complete;
 * any failure deletes the blob, so nothing is left half-written.
 */
export async function uploadVerificationDocument(
  deps: UseCaseDeps,
  input: { partnerId: string; principal: Principal; form: MultipartForm },
): Promise<UploadResult> {
  input.form.check();
  // The verification state is read beside the partner, while the body starts arriving: the early
  // field check and the first commit attempt use it (the commit is version-guarded, so a state
  // changed meanwhile is read again). Nothing is stored before it is known.
  const stateRead = Promise.all([requirePartner(deps, input.partnerId), deps.accounts.verification(input.partnerId)]).then(([, state]) => state);
  stateRead.catch(() => {}); // awaited below, on every path

  const documentId = randomUUID();
  const blobName = `${input.partnerId}/${documentId}`;
  // Set once bytes may have been stored, cleared once the record owns the blob.
  const blob = { written: false };
  try {
    const { fields, stored } = await input.form.read(async (fieldsSoFar, file) => {
      checkEarly(deps, input.principal, fieldsSoFar, (await stateRead).doc);
      blob.written = true;
      return storeFile(deps, input.partnerId, blobName, file);
    });
    const result = await commit(deps, input, documentId, blobName, parseFields(fields), stored, await stateRead);
    blob.written = false; // committed: the blob now belongs to its record
    return result;
  } catch (error) {
    await stateRead; // an unknown partner is a not-found, whatever the body held
    throw error;
  } finally {
    if (blob.written) await deps.documents.delete(blobName).catch(() => {});
  }
}

/** Fields sent before the file (as the portal does) are checked before any byte is stored. */
function checkEarly(deps: UseCaseDeps, principal: Principal, fieldsSoFar: Readonly<Record<string, string>>, verification: VerificationDoc): void {
  if (fieldsSoFar.check === undefined && fieldsSoFar.documentType === undefined) return;
  const early = parseFields(fieldsSoFar);
  const filed = fileDocument(verification, early.check, principal.roles, deps.now());
  if (!filed.ok) throw DomainError.conflict(filed.reason);
}

async function storeFile(deps: UseCaseDeps, partnerId: string, blobName: string, file: IncomingFile): Promise<StoredFile> {
  // The store hashes what it stores (off the critical path): the digest is of the very bytes kept.
  const { sha256 } = await deps.documents.upload(blobName, file.stream, {
    contentType: file.contentType,
    metadata: { originalname: encodeURIComponent(file.filename), partnerid: partnerId },
  });
  return { size: file.size(), sha256, contentType: file.contentType, originalName: file.filename };
}

async function commit(
  deps: UseCaseDeps,
  input: { partnerId: string; principal: Principal },
  documentId: string,
  blobName: string,
  fields: UploadFields,
  file: StoredFile,
  known: { doc: VerificationDoc; etag: string | undefined },
): Promise<UploadResult> {
  const { partnerId, principal } = input;
  const roles = fields.tab ? new Set([...principal.roles].filter((r) => tabRoles[fields.tab ?? 'partner'].includes(r))) : principal.roles;
  const checkStatus = await readDecideWrite({
    read: () => deps.accounts.verification(partnerId),
    // A state read earlier is decided on first, and only when it exists (a version): its replace fails
    // if it changed. Without one, a concurrent first write would look like an existing document.
    ...(known.etag ? { assumed: { state: known } } : {}),
    decide: ({ doc, etag }) => {
      const now = deps.now();
      const filed = fileDocument(doc, fields.check, roles, now);
      if (!filed.ok) throw DomainError.conflict(filed.reason);
      const record: DocumentRecord = {
        id: documentRecordId(documentId),
        type: 'document',
        partnerId,
        documentId,
        check: fields.check,
        documentType: fields.documentType,
        tabs: fields.tab ? filed.tabs.filter((t) => t === fields.tab) : filed.tabs,
        ...(fields.comment ? { comment: fields.comment } : {}),
        sha256: file.sha256,
        size: file.size,
        contentType: file.contentType,
        originalName: file.originalName,
        blobName,
        uploadedAt: now.toISOString(),
        uploadedBy: principal.userId,
      };
      const writes: Write<AccountDoc>[] = [{ kind: 'create', doc: record }, writeOver<AccountDoc>(filed.doc, etag)];
      return { result: filed.checkStatus, write: writes };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
  deps.metrics.record('verification.upload.bytes', file.size, { contentType: file.contentType });
  return { documentId, sha256: file.sha256, size: file.size, contentType: file.contentType, check: fields.check, checkStatus };
}

/** The documents of the tabs the caller may see (VER-1). */
export async function listVerificationDocuments(deps: UseCaseDeps, partnerId: string, principal: Principal) {
  const [, records] = await Promise.all([requirePartner(deps, partnerId), deps.accounts.documents(partnerId)]);
  return records.filter((r) => visible(r, principal)).map(publicRecord);
}

/** One document's metadata and a read-only download link valid for at most 15 minutes. */
export async function getVerificationDocument(deps: UseCaseDeps, partnerId: string, documentId: string, principal: Principal) {
  const record = await deps.accounts.document(partnerId, documentId);
  if (!record || !visible(record, principal)) throw DomainError.notFound(`Document ${documentId} does not exist.`);
  const seconds = 15 * 60;
  const downloadUrl = await deps.documents.readUrl(record.blobName, seconds);
  return { ...publicRecord(record), downloadUrl, downloadUrlExpiresAt: new Date(deps.now().getTime() + seconds * 1000).toISOString() };
}

function visible(record: DocumentRecord, principal: Principal): boolean {
  return record.tabs.some((t) => tabRoles[t].some((r) => principal.roles.has(r)));
}

function publicRecord(r: DocumentRecord) {
  return {
    documentId: r.documentId,
    check: r.check,
    documentType: r.documentType,
    tabs: r.tabs,
    ...(r.comment ? { comment: r.comment } : {}),
    sha256: r.sha256,
    size: r.size,
    contentType: r.contentType,
    originalName: r.originalName,
    uploadedAt: r.uploadedAt,
    uploadedBy: r.uploadedBy,
  };
}
