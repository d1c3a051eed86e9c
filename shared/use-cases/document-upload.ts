import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Busboy } from 'busboy';
import * as z from 'zod';
import type { Services } from '../composition-root.js';
import { documentRecordId, PartnerStore, type DocumentRecord } from '../data/partner-store.js';
import { ConcurrencyConflict } from '../data/repository.js';
import { documentTypes, fileDocument, tabRoles, tabs, type CheckStatus, type VerificationDoc } from '../domain/verification.js';
import type { Principal } from '../platform/auth.js';
import { AppError, fieldErrors } from '../platform/errors.js';

/** VER-8, api.md: the fields of an upload (the file aside). */
export const uploadFieldsSchema = z.object({
  check: z.enum(['Employment', 'Business', 'AdditionalDueDiligence', 'Identity']),
  documentType: z.enum(documentTypes),
  comment: z.string().max(2000, 'at most 2,000 characters').optional(),
  /** Optional: file the document under one tab only (default: every tab of the caller holding the check). */
  tab: z.enum(tabs).optional(),
});

/** What a document may be, judged by its first bytes (never by its name or declared type). */
const allowedTypes = new Map([
  ['application/pdf', 'PDF'],
  ['image/png', 'PNG'],
  ['image/jpeg', 'JPEG'],
  ['image/tiff', 'TIFF'],
]);
const sniffBytes = 4100;
const readAhead = 64 * 1024;
/** Room for the multipart framing and the text fields around the file. */
const multipartOverhead = 64 * 1024;

export interface UploadResult {
  documentId: string;
  sha256: string;
  size: number;
  contentType: string;
  check: string;
  checkStatus: CheckStatus;
}

interface ReceivedFile {
  size: number;
  sha256: string;
  contentType: string;
  originalName: string;
}

/**
 * Streams one multipart upload into blob storage and files it against a check (VER-8, VER-9). The
 * file is never held whole in memory: its first bytes are sniffed, the rest flows through a size cap
 * into the blob store, which hashes what it stores. The record (and an appeal's status change) is
 * written in one batch only after the blob is complete; any failure deletes the blob, so nothing is
 * left half-written.
 */
export async function uploadVerificationDocument(
  services: Services,
  input: { partnerId: string; principal: Principal; contentType: string; contentLength: number | undefined; body: NodeReadableStream<Uint8Array> | null },
): Promise<UploadResult> {
  if (!/^multipart\/form-data\s*;/i.test(input.contentType)) throw AppError.unsupportedMediaType('The request must be multipart/form-data with a boundary.');
  const maxBytes = services.config.UPLOAD_MAX_BYTES;
  if (input.contentLength !== undefined && input.contentLength > maxBytes + multipartOverhead) {
    throw AppError.tooLarge(`The file exceeds ${maxBytes} bytes.`);
  }
  if (!input.body) throw AppError.validation('The request has no body.', [{ path: 'file', message: 'required' }]);
  // The verification state is read beside the partner, while the body starts arriving: the early
  // field check and the first commit attempt use it (the commit is ETag-guarded, so a state changed
  // meanwhile is read again). Nothing is stored before it is known.
  const stateRead = Promise.all([services.partners.required(input.partnerId), services.partners.verification(input.partnerId)]).then(([, state]) => state);
  stateRead.catch(() => {}); // awaited below, on every path

  const documentId = randomUUID();
  const blobName = `${input.partnerId}/${documentId}`;
  let blobWritten = false;
  try {
    const { fields, file } = await receive(services, input, stateRead, blobName, maxBytes, () => {
      blobWritten = true;
    });
    const parsed = uploadFieldsSchema.safeParse(fields);
    if (!parsed.success) throw AppError.validation('The upload fields are not valid.', fieldErrors(parsed.error));
    const result = await commit(services, input.partnerId, input.principal, documentId, blobName, parsed.data, file, await stateRead);
    blobWritten = false; // committed: the blob now belongs to its record
    return result;
  } catch (error) {
    await stateRead; // an unknown partner is a 404, whatever the body held
    throw error;
  } finally {
    if (blobWritten) await services.documents.delete(blobName).catch(() => {});
  }
}

async function receive(
  services: Services,
  input: { partnerId: string; principal: Principal; contentType: string; body: NodeReadableStream<Uint8Array> | null },
  state: Promise<{ doc: VerificationDoc }>,
  blobName: string,
  maxBytes: number,
  uploading: () => void,
): Promise<{ fields: Record<string, string>; file: ReceivedFile }> {
  // Loaded on the first upload, not with the function table (cold start).
  const { default: busboy } = await import('busboy');
  const reader = (input.body as NodeReadableStream<Uint8Array>).getReader();
  return new Promise((resolve, reject) => {
    let settled = false;
    let parser: Busboy | undefined;
    let file: Promise<ReceivedFile> | undefined;
    // On any failure: stop reading, end the file stream, and answer only once the blob upload has
    // settled, so that the caller's clean-up runs after the last byte was (or was not) committed.
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      void reader.cancel().catch(() => {});
      parser?.destroy();
      const inFlight = file;
      if (inFlight) inFlight.then(() => reject(error), () => reject(error));
      else reject(error);
    };
    try {
      parser = busboy({
        headers: { 'content-type': input.contentType },
        highWaterMark: readAhead,
        fileHwm: readAhead,
        limits: { files: 1, fields: 10, parts: 12, fieldSize: 16 * 1024, fileSize: maxBytes + 1 },
      });
    } catch {
      fail(AppError.badRequest('The multipart body is malformed.'));
      return;
    }
    const fields: Record<string, string> = {};
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(AppError.validation('A field is too long.', [{ path: name, message: 'too long' }]));
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // A parser destroyed by a failure errors the file stream it has open: that error is already
      // being answered (through fail), and must not go unhandled, whatever storeFile has reached.
      stream.on('error', () => {});
      if (name !== 'file') {
        stream.resume();
        fail(AppError.validation(`Unexpected file field "${name}".`, [{ path: name, message: 'the document goes in the field "file"' }]));
        return;
      }
      file = storeFile(services, input, state, fields, stream, info.filename, blobName, maxBytes, uploading);
      file.catch(fail);
    });
    parser.on('filesLimit', () => fail(AppError.validation('Send exactly one file.', [{ path: 'file', message: 'only one file is accepted' }])));
    parser.on('fieldsLimit', () => fail(AppError.badRequest('Too many fields.')));
    parser.on('partsLimit', () => fail(AppError.badRequest('Too many parts.')));
    parser.on('error', () => fail(AppError.badRequest('The multipart body is malformed or incomplete.')));
    parser.on('close', () => {
      if (!file) {
        fail(AppError.validation('A file is required.', [{ path: 'file', message: 'required' }]));
        return;
      }
      file.then((received) => {
        if (!settled) {
          settled = true;
          resolve({ fields, file: received });
        }
      }, fail);
    });
    // The body is written into the parser as it is read, with the parser's back-pressure. A client
    // that goes away mid-upload fails the read: the parser, the file stream and the blob upload fail
    // with it, and the caller deletes whatever was written.
    const feed = async (): Promise<void> => {
      for (;;) {
        const { done, value } = await reader.read();
        if (settled) return;
        if (done) {
          parser?.end();
          return;
        }
        if (parser && !parser.write(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) {
          await new Promise<void>((resume) => parser?.once('drain', resume));
        }
      }
    };
    feed().catch(() => fail(AppError.badRequest('The upload was interrupted.')));
  });
}

async function storeFile(
  services: Services,
  input: { partnerId: string; principal: Principal },
  state: Promise<{ doc: VerificationDoc }>,
  fieldsSoFar: Record<string, string>,
  stream: Readable,
  filename: string | undefined,
  blobName: string,
  maxBytes: number,
  uploading: () => void,
): Promise<ReceivedFile> {
  const verification = (await state).doc;
  // Fields sent before the file (as the portal does) are checked before any byte is stored.
  if (fieldsSoFar.check !== undefined || fieldsSoFar.documentType !== undefined) {
    const early = uploadFieldsSchema.safeParse(fieldsSoFar);
    if (!early.success) throw AppError.validation('The upload fields are not valid.', fieldErrors(early.error));
    const filed = fileDocument(verification, early.data.check, input.principal.roles, services.now());
    if (!filed.ok) throw AppError.conflict(filed.reason);
  }

  // One transform over the file stream: holds the first bytes back until their type is known, then
  // counts and caps everything that flows on into the blob upload.
  let size = 0;
  let head: Buffer[] = [];
  let headBytes = 0;
  let resolveType: (mime: string) => void = () => {};
  let rejectType: (error: unknown) => void = () => {};
  const type = new Promise<string>((resolve, reject) => {
    resolveType = resolve;
    rejectType = reject;
  });
  const count = (chunk: Buffer): Buffer => {
    size += chunk.length;
    if (size > maxBytes) throw AppError.tooLarge(`The file exceeds ${maxBytes} bytes.`);
    return chunk;
  };
  const sniff = async (): Promise<Buffer> => {
    const first = Buffer.concat(head);
    head = [];
    if (first.length === 0) throw AppError.validation('The file is empty.', [{ path: 'file', message: 'empty' }]);
    const { fileTypeFromBuffer } = await import('file-type');
    const sniffed = await fileTypeFromBuffer(first);
    if (!sniffed || !allowedTypes.has(sniffed.mime)) {
      throw AppError.unsupportedMediaType('The file must be a PDF, PNG, JPEG or TIFF (judged by its content).');
    }
    resolveType(sniffed.mime);
    return count(first);
  };
  let typed = false;
  const body = new Transform({
    highWaterMark: readAhead,
    transform(chunk: Buffer, _encoding, callback) {
      if (typed) {
        try {
          callback(null, count(chunk));
        } catch (error) {
          callback(error as Error);
        }
        return;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < sniffBytes) return callback();
      typed = true;
      sniff().then((first) => callback(null, first), (error: unknown) => callback(error as Error));
    },
    flush(callback) {
      if (typed) return callback();
      typed = true;
      sniff().then((first) => callback(null, first), (error: unknown) => callback(error as Error));
    },
  });
  body.on('error', rejectType);
  stream.on('error', (error) => body.destroy(error));
  stream.on('close', () => {
    if (!stream.readableEnded) body.destroy(new Error('the file stream closed before its end'));
  });
  stream.pipe(body);

  const contentType = await type;
  const originalName = (filename ?? 'document').replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'document';
  uploading();
  // The store hashes what it stores (off the critical path): the digest is of the very bytes kept.
  const { sha256 } = await services.documents.upload(blobName, body, {
    contentType,
    metadata: { originalname: encodeURIComponent(originalName), partnerid: input.partnerId },
  });
  return { size, sha256, contentType, originalName };
}

async function commit(
  services: Services,
  partnerId: string,
  principal: Principal,
  documentId: string,
  blobName: string,
  fields: z.infer<typeof uploadFieldsSchema>,
  file: ReceivedFile,
  known: { doc: VerificationDoc; etag: string | undefined },
): Promise<UploadResult> {
  const roles = fields.tab ? new Set([...principal.roles].filter((r) => tabRoles[fields.tab ?? 'partner'].includes(r))) : principal.roles;
  for (let attempt = 1; attempt <= 10; attempt++) {
    // A state read earlier is used once, and only when it exists (an ETag): its replace fails if it
    // changed. Without one, a concurrent first write would turn into a 409 rather than a retry.
    const { doc, etag } = attempt === 1 && known.etag ? known : await services.partners.verification(partnerId);
    const now = services.now();
    const filed = fileDocument(doc, fields.check, roles, now);
    if (!filed.ok) throw AppError.conflict(filed.reason);
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
    try {
      await services.partners.transact(partnerId, [{ kind: 'create', doc: record }, PartnerStore.verificationWrite(filed.doc, etag)]);
    } catch (error) {
      if (error instanceof ConcurrencyConflict) continue;
      throw error;
    }
    services.metrics.record('verification.upload.bytes', file.size, { contentType: file.contentType });
    return { documentId, sha256: file.sha256, size: file.size, contentType: file.contentType, check: fields.check, checkStatus: filed.checkStatus };
  }
  throw AppError.conflict('The verification is being changed by another request; try again.');
}

/** The documents of the tabs the caller may see (VER-1). */
export async function listVerificationDocuments(services: Services, partnerId: string, principal: Principal) {
  await services.partners.required(partnerId);
  const records = await services.partners.documents(partnerId);
  return records.filter((r) => visible(r, principal)).map(publicRecord);
}

/** One document's metadata and a read-only download link valid for at most 15 minutes. */
export async function getVerificationDocument(services: Services, partnerId: string, documentId: string, principal: Principal) {
  const record = await services.partners.document(partnerId, documentId);
  if (!record || !visible(record, principal)) throw AppError.notFound(`Document ${documentId} does not exist.`);
  const seconds = 15 * 60;
  const downloadUrl = await services.documents.readUrl(record.blobName, seconds);
  return { ...publicRecord(record), downloadUrl, downloadUrlExpiresAt: new Date(services.now().getTime() + seconds * 1000).toISOString() };
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
