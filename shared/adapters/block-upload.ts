import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlockBlobClient, BlockBlobCommitBlockListOptions } from '@azure/storage-blob';

/**
 * Block buffers kept between uploads. `uploadStream` allocates a new set per call: for 10 MiB, 12
 * MiB of fresh memory to fault in and then to collect; reused buffers cost neither. At most `keep`
 * idle buffers are held, and only until the pool has been idle for `idleMs`, so a host that stops
 * receiving uploads gives the memory back.
 */
export class BlockBufferPool {
  private readonly idle: Buffer[] = [];
  private release: NodeJS.Timeout | undefined;

  constructor(
    readonly blockBytes: number,
    private readonly keep: number,
    private readonly idleMs = 60_000,
  ) {}

  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.blockBytes);
  }

  give(buffer: Buffer): void {
    if (this.idle.length < this.keep) this.idle.push(buffer);
    if (this.release) this.release.refresh();
    else {
      this.release = setTimeout(() => {
        this.idle.length = 0;
        this.release = undefined;
      }, this.idleMs).unref();
    }
  }

  /** Idle buffers held now (for tests). */
  get idleCount(): number {
    return this.idle.length;
  }
}

/** How much of a block is hashed per turn of the event loop. */
const digestSlice = 256 * 1024;

/**
 * The SHA-256 of the staged blocks, in order, computed while the network works. A block is hashed
 * once its stage request has started, a slice per turn of the event loop, so reading the body and
 * writing blocks never wait behind it. Hashing each chunk as it arrived did the same work at the
 * worst moment: it held the first block back from Azurite by about 10 ms, and the last block's hash
 * ran while Azurite sat idle.
 */
class BlockDigest {
  private readonly hash = createHash('sha256');
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;

  /** Resolves once `buffer`'s first `length` bytes are hashed, after every block added before. */
  add(buffer: Buffer, length: number): Promise<void> {
    this.queue = this.queue.then(async () => {
      for (let at = 0; at < length; at += digestSlice) {
        await new Promise<void>((turn) => setImmediate(turn));
        if (this.stopped) return;
        this.hash.update(buffer.subarray(at, Math.min(length, at + digestSlice)));
      }
    });
    return this.queue;
  }

  /** After a failure: the remaining slices are skipped, so the buffers come back sooner. */
  stop(): void {
    this.stopped = true;
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Streams `body` into a block blob: fills pooled blocks of `pool.blockBytes`, stages up to
 * `concurrency` of them at once (reading pauses meanwhile: back-pressure), then commits the list,
 * and resolves with the SHA-256 of exactly the bytes committed. It is what the SDK's `uploadStream`
 * does, without a new buffer set per call, with each block sent in one write instead of 16 KiB
 * pieces, and hashed off the critical path (BlockDigest). On any failure the staged requests are
 * aborted and awaited before the error is thrown, so nothing is committed and nothing is still being
 * written or read.
 */
export async function uploadInBlocks(
  blob: BlockBlobClient,
  body: Readable,
  pool: BlockBufferPool,
  concurrency: number,
  options: BlockBlobCommitBlockListOptions & { abortSignal?: AbortSignal },
): Promise<{ sha256: string }> {
  const prefix = randomUUID();
  const digest = new BlockDigest();
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  const outer = options.abortSignal;
  const onOuterAbort = (): void => abort.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    failure ??= { error };
    abort.abort();
  };

  const stage = (buffer: Buffer, length: number): void => {
    // Block IDs must all have the same length within a blob.
    const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    // The buffer goes back once it is both sent and hashed.
    const staged: Promise<void> = Promise.all([
      blob.stageBlock(id, buffer.subarray(0, length), length, { abortSignal: abort.signal }).then(() => undefined, fail),
      digest.add(buffer, length).catch(fail),
    ])
      .then(() => undefined)
      .finally(() => {
        inFlight.delete(staged);
        pool.give(buffer);
      });
    inFlight.add(staged);
  };

  let block: Buffer | undefined = pool.take();
  let filled = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const copied = chunk.copy(block, filled, offset);
        filled += copied;
        offset += copied;
        if (filled < block.length) continue;
        while (inFlight.size >= concurrency && !failure) await Promise.race(inFlight);
        if (failure) throw failure.error;
        const full: Buffer = block;
        block = undefined; // the stage owns it now, and gives it back
        stage(full, filled);
        block = pool.take();
        filled = 0;
      }
      if (failure) throw failure.error;
    }
    if (filled > 0) stage(block, filled);
    else pool.give(block);
    block = undefined;
    await Promise.all(inFlight);
    if (failure) throw failure.error;
    const { abortSignal: _ignored, ...commit } = options;
    await blob.commitBlockList(ids, { ...commit, abortSignal: abort.signal });
    return { sha256: digest.hex() };
  } catch (error) {
    abort.abort();
    digest.stop();
    await Promise.all(inFlight);
    if (block) pool.give(block);
    throw error;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
