import type { IncomingMessage } from 'node:http';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { HttpRequest } from '../platform/azure-functions.js';

/**
 * The request body as a web stream that reads ahead of the handler by at most `readAheadBytes`, so TCP
 * back-pressure holds and memory stays bounded whatever the body size. (Node 20's Readable.toWeb
 * queues up to 16,384 chunks ahead of the reader; the Azure worker likewise hands undici the request
 * to pull.)
 */
const readAheadBytes = 64 * 1024;

export interface PulledBody {
  stream: ReadableStream<Uint8Array>;
  /** Stops feeding the stream (the request is not destroyed): resuming the request then drains it. */
  release(): void;
}

function pullStream(req: IncomingMessage): PulledBody {
  // Flowing with pauses rather than an async iterator: once released, the same 'data' listener
  // discards what is left, so resuming drains the body (an iterator's 'readable' listener would keep
  // resume() from doing anything until it was torn down, a race with the next request).
  let released = false;
  let settled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const settle = (end: () => void): void => {
          if (settled || released) return;
          settled = true;
          end();
        };
        req.on('data', (chunk: Buffer) => {
          if (released || settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => settle(() => controller.close()));
        req.on('error', (error) => settle(() => controller.error(error)));
        req.on('close', () => {
          if (!req.readableEnded) settle(() => controller.error(new Error('the request closed before its body ended')));
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        release();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: readAheadBytes }),
  );
  const release = (): void => {
    released = true;
  };
  return { stream, release };
}

/**
 * The `HttpRequest` a handler receives from the local host. It behaves as the library's class does
 * (which the Azure worker builds), but builds headers, query and body only when first used, and the
 * undici-backed library request only for the members that need it (user, formData, blob, clone):
 * most handlers never pay for an AbortSignal, a Request and a stream adapter per call.
 */
export class LocalHttpRequest implements HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly params: Record<string, string>;
  #req: IncomingMessage;
  #headers: Headers | undefined;
  #query: URLSearchParams | undefined;
  #body: PulledBody | null | undefined;
  #full: HttpRequest | undefined;

  /**
   * @param beforeBody called when the handler first asks for the body: a request that sent
   * `Expect: 100-continue` gets its 100 then, so a handler that answers from the headers alone (a
   * declared length over its cap: 413) never makes the client send the body.
   */
  constructor(
    req: IncomingMessage,
    url: string,
    params: Record<string, string>,
    private readonly beforeBody: () => void = () => {},
  ) {
    this.#req = req;
    this.method = req.method ?? 'GET';
    this.url = url;
    this.params = params;
  }

  get headers(): Headers {
    if (!this.#headers) {
      const headers = new Headers();
      const raw = this.#req.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] ?? '', raw[i + 1] ?? '');
      // As Azure's front end does: the connecting address is appended to X-Forwarded-For.
      const remote = this.#req.socket.remoteAddress;
      if (remote)
        headers.append(
          'x-forwarded-for',
          remote.includes(':') ? `[${remote}]:${this.#req.socket.remotePort ?? 0}` : `${remote}:${this.#req.socket.remotePort ?? 0}`,
        );
      this.#headers = headers;
    }
    return this.#headers;
  }

  get query(): URLSearchParams {
    this.#query ??= new URL(this.url).searchParams;
    return this.#query;
  }

  get body(): NodeReadableStream<Uint8Array> | null {
    if (this.#full) return this.#full.body;
    if (this.#body === undefined) {
      if (this.method !== 'GET' && this.method !== 'HEAD') this.beforeBody();
      this.#body = this.method === 'GET' || this.method === 'HEAD' ? null : pullStream(this.#req);
    }
    return this.#body?.stream ?? null;
  }

  /** Whether the handler asked for the body at all. */
  get bodyRequested(): boolean {
    return this.#body !== undefined;
  }

  get bodyUsed(): boolean {
    return this.#full?.bodyUsed ?? this.#body?.stream.locked ?? false;
  }

  /**
   * Called by the host once the response is out: whatever of the body the handler left unread is no
   * longer pulled for it, so the host can drain it (a stream left pulling would hold the connection).
   */
  releaseBody(): void {
    this.#body?.release();
  }

  get user(): HttpRequest['user'] {
    return this.full().user;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.full().arrayBuffer();
  }
  blob(): ReturnType<HttpRequest['blob']> {
    return this.full().blob();
  }
  formData(): Promise<FormData> {
    return this.full().formData();
  }
  json(): Promise<unknown> {
    return this.full().json();
  }
  text(): Promise<string> {
    return this.full().text();
  }
  clone(): HttpRequest {
    return this.full().clone();
  }

  private full(): HttpRequest {
    if (!this.#full) {
      const body = this.body;
      const nativeRequest = new Request(this.url, { method: this.method, headers: this.headers, ...(body ? { body, duplex: 'half' } : {}) });
      this.#full = new HttpRequest({ nativeRequest, params: this.params } as ConstructorParameters<typeof HttpRequest>[0]);
    }
    return this.#full;
  }
}
