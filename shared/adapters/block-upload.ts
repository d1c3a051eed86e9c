import { randomUUID } from 'node:crypto';
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

/**
 * Streams `body` into a block blob: fills pooled blocks of `pool.blockBytes`, stages up to
 * `concurrency` of them at once (reading pauses meanwhile: back-pressure), then commits the list.
 * It is what the SDK's `uploadStream` does, without a new buffer set per call and with each block
 * sent in one write instead of 16 KiB pieces. On any failure the staged requests are aborted and
 * awaited before the error is thrown, so nothing is committed and nothing is still being written.
 */
export async function uploadInBlocks(
  blob: BlockBlobClient,
  body: Readable,
  pool: BlockBufferPool,
  concurrency: number,
  options: BlockBlobCommitBlockListOptions & { abortSignal?: AbortSignal },
): Promise<void> {
  const prefix = randomUUID();
  const ids: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const abort = new AbortController();
  const outer = options.abortSignal;
  const onOuterAbort = (): void => abort.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  let failure: { error: unknown } | undefined;

  const stage = (buffer: Buffer, length: number): void => {
    // Block IDs must all have the same length within a blob.
    const id = Buffer.from(`${prefix}-${String(ids.length).padStart(6, '0')}`).toString('base64');
    ids.push(id);
    const staged: Promise<void> = blob
      .stageBlock(id, buffer.subarray(0, length), length, { abortSignal: abort.signal })
      .then(
        () => undefined,
        (error: unknown) => {
          failure ??= { error };
          abort.abort();
        },
      )
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
  } catch (error) {
    abort.abort();
    await Promise.all(inFlight);
    if (block) pool.give(block);
    throw error;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
