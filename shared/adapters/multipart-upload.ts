import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Busboy } from 'busboy';
import { DomainError } from '../domain/errors.js';
import type { IncomingFile, MultipartForm } from '../use-cases/ports.js';

/** What a document may be, judged by its first bytes (never by its name or declared type). */
const allowedTypes = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/tiff']);
const sniffBytes = 4100;
const readAhead = 64 * 1024;
/** Room for the multipart framing and the text fields around the file. */
const multipartOverhead = 64 * 1024;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed from a file name
const controlCharacters = /[\u0000-\u001f\u007f]/g;

/**
 * A multipart/form-data request body with one file (busboy parses, file-type judges the content).
 * The file reaches `store` as a stream whose type is known from its first bytes, counted and capped
 * as it flows, so the body is never held whole in memory.
 */
export class MultipartRequestForm implements MultipartForm {
  constructor(
    /** `body` is asked for only once the headers passed (a request that expects 100-continue gets it then). */
    private readonly request: { contentType: string; contentLength: number | undefined; body: () => NodeReadableStream<Uint8Array> | null },
    private readonly maxFileBytes: number,
  ) {}

  /** Fails fast, before any byte is read: not multipart (415), declared too large (413), no body (400). */
  check(): void {
    if (!/^multipart\/form-data\s*;/i.test(this.request.contentType))
      throw DomainError.unsupportedContent('The request must be multipart/form-data with a boundary.');
    const { contentLength } = this.request;
    if (contentLength !== undefined && contentLength > this.maxFileBytes + multipartOverhead)
      throw DomainError.tooLarge(`The file exceeds ${this.maxFileBytes} bytes.`);
    if (!this.request.body()) throw DomainError.validation('The request has no body.', [{ path: 'file', message: 'required' }]);
  }

  async read<T>(
    store: (fieldsSoFar: Readonly<Record<string, string>>, file: IncomingFile) => Promise<T>,
  ): Promise<{ fields: Record<string, string>; stored: T }> {
    this.check();
    // Loaded on the first upload, not with the function table (cold start).
    const { default: busboy } = await import('busboy');
    const reader = (this.request.body() as NodeReadableStream<Uint8Array>).getReader();
    const maxBytes = this.maxFileBytes;
    const contentType = this.request.contentType;
    return new Promise((resolve, reject) => {
      let settled = false;
      let parser: Busboy | undefined;
      let file: Promise<T> | undefined;
      // On any failure: stop reading, end the file stream, and answer only once the store has settled,
      // so that the caller's clean-up runs after the last byte was (or was not) committed.
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        void reader.cancel().catch(() => {});
        parser?.destroy();
        const inFlight = file;
        if (inFlight)
          inFlight.then(
            () => reject(error),
            () => reject(error),
          );
        else reject(error);
      };
      try {
        parser = busboy({
          headers: { 'content-type': contentType },
          highWaterMark: readAhead,
          fileHwm: readAhead,
          limits: { files: 1, fields: 10, parts: 12, fieldSize: 16 * 1024, fileSize: maxBytes + 1 },
        });
      } catch {
        fail(DomainError.invalid('The multipart body is malformed.'));
        return;
      }
      const fields: Record<string, string> = {};
      parser.on('field', (name, value, info) => {
        if (info.valueTruncated) fail(DomainError.validation('A field is too long.', [{ path: name, message: 'too long' }]));
        else fields[name] = value;
      });
      parser.on('file', (name, stream, info) => {
        // A parser destroyed by a failure errors the file stream it has open: that error is already
        // being answered (through fail), and must not go unhandled, whatever the store has reached.
        stream.on('error', () => {});
        if (name !== 'file') {
          stream.resume();
          fail(DomainError.validation(`Unexpected file field "${name}".`, [{ path: name, message: 'the document goes in the field "file"' }]));
          return;
        }
        file = typedFile(stream, info.filename, maxBytes).then((incoming) => store({ ...fields }, incoming));
        file.catch(fail);
      });
      parser.on('filesLimit', () => fail(DomainError.validation('Send exactly one file.', [{ path: 'file', message: 'only one file is accepted' }])));
      parser.on('fieldsLimit', () => fail(DomainError.invalid('Too many fields.')));
      parser.on('partsLimit', () => fail(DomainError.invalid('Too many parts.')));
      parser.on('error', () => fail(DomainError.invalid('The multipart body is malformed or incomplete.')));
      parser.on('close', () => {
        if (!file) {
          fail(DomainError.validation('A file is required.', [{ path: 'file', message: 'required' }]));
          return;
        }
        file.then((stored) => {
          if (!settled) {
            settled = true;
            resolve({ fields, stored });
          }
        }, fail);
      });
      // The body is written into the parser as it is read, with the parser's back-pressure. A client
      // that goes away mid-upload fails the read: the parser, the file stream and the store fail
      // with it, and the caller deletes whatever was written.
      const feed = async (): Promise<void> => {
        for (;;) {
          const { done, value } = await reader.read();
          if (settled) return;
          if (done) {
            parser.end();
            return;
          }
          if (!parser.write(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) {
            await new Promise<void>((resume) => parser.once('drain', resume));
          }
        }
      };
      feed().catch(() => fail(DomainError.invalid('The upload was interrupted.')));
    });
  }
}

/**
 * One transform over the file part: holds the first bytes back until their type is known, then
 * counts and caps everything that flows on. Resolves once the type is known (the store may start).
 */
async function typedFile(stream: Readable, filename: string | undefined, maxBytes: number): Promise<IncomingFile> {
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
    if (size > maxBytes) throw DomainError.tooLarge(`The file exceeds ${maxBytes} bytes.`);
    return chunk;
  };
  const sniff = async (): Promise<Buffer> => {
    const first = Buffer.concat(head);
    head = [];
    if (first.length === 0) throw DomainError.validation('The file is empty.', [{ path: 'file', message: 'empty' }]);
    const { fileTypeFromBuffer } = await import('file-type');
    const sniffed = await fileTypeFromBuffer(first);
    if (!sniffed || !allowedTypes.has(sniffed.mime)) {
      throw DomainError.unsupportedContent('The file must be a PDF, PNG, JPEG or TIFF (judged by its content).');
    }
    resolveType(sniffed.mime);
    return count(first);
  };
  let typed = false;
  /** Once the first bytes are in (or the file ended before): judge them, then let them flow on. */
  const releaseHead = (callback: TransformCallback): void => {
    typed = true;
    sniff().then(
      (first) => callback(null, first),
      (error: unknown) => callback(error as Error),
    );
  };
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
      if (headBytes < sniffBytes) {
        callback();
        return;
      }
      releaseHead(callback);
    },
    flush(callback) {
      if (typed) {
        callback();
        return;
      }
      releaseHead(callback);
    },
  });
  body.on('error', rejectType);
  stream.on('error', (error) => body.destroy(error));
  stream.on('close', () => {
    if (!stream.readableEnded) body.destroy(new Error('the file stream closed before its end'));
  });
  stream.pipe(body);
  const contentType = await type;
  const originalName = (filename ?? 'document').replace(controlCharacters, '').slice(0, 255) || 'document';
  return { stream: body, contentType, filename: originalName, size: () => size };
}
