// The block uploader under verification documents (VER-8), against Azurite: blocks in order, bounded
// concurrency, nothing committed on failure, buffers reused and given back.
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BlockBufferPool, uploadInBlocks } from '../shared/adapters/block-upload.js';
import { blobService, unique } from './support/harness.js';

const KiB = 1024;
let container: ContainerClient;

beforeAll(async () => {
  container = blobService().getContainerClient(unique('blocks'));
  await container.create();
});
afterAll(async () => {
  await container.deleteIfExists();
});

/** The bytes in uneven chunks, as a socket delivers them. */
function chunked(bytes: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(chunks, { objectMode: false });
}

/** The distinct buffers a pool hands out. */
function watchTakes(pool: BlockBufferPool): Set<Buffer> {
  const handedOut = new Set<Buffer>();
  const take = pool.take.bind(pool);
  vi.spyOn(pool, 'take').mockImplementation(() => {
    const buffer = take();
    handedOut.add(buffer);
    return buffer;
  });
  return handedOut;
}

/** Counts the stage requests running at once, passing each through to Azurite unchanged. */
function watchStages(blob: BlockBlobClient): { peak: () => number; calls: () => number } {
  let running = 0;
  let peak = 0;
  let calls = 0;
  const stage = blob.stageBlock.bind(blob);
  vi.spyOn(blob, 'stageBlock').mockImplementation(async (...args) => {
    calls++;
    running++;
    peak = Math.max(peak, running);
    try {
      return await stage(...args);
    } finally {
      running--;
    }
  });
  return { peak: () => peak, calls: () => calls };
}

describe('uploading in blocks', () => {
  it('VER-8: commits the bytes exactly, in blocks of the pool size, with content type and metadata, and returns their SHA-256', async () => {
    const bytes = randomBytes(200 * KiB + 123);
    const blob = container.getBlockBlobClient(unique('exact'));
    const pool = new BlockBufferPool(64 * KiB, 2);
    const { sha256 } = await uploadInBlocks(blob, chunked(bytes, [7_000, 65_536, 1, 30_000]), pool, 2, {
      blobHTTPHeaders: { blobContentType: 'application/pdf' },
      metadata: { originalname: 'a.pdf' },
    });
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Buffer.compare(await blob.downloadToBuffer(), bytes)).toBe(0);
    const list = await blob.getBlockList('committed');
    expect(list.committedBlocks?.map((b) => b.size)).toEqual([65_536, 65_536, 65_536, 8_315]);
    const properties = await blob.getProperties();
    expect(properties.contentType).toBe('application/pdf');
    expect(properties.metadata).toEqual({ originalname: 'a.pdf' });
  });

  it('stages at most `concurrency` blocks at once, and reuses the pooled buffers between uploads', async () => {
    const pool = new BlockBufferPool(16 * KiB, 3);
    for (const name of ['first', 'second']) {
      const blob = container.getBlockBlobClient(unique(name));
      const stages = watchStages(blob);
      const bytes = randomBytes(160 * KiB);
      await uploadInBlocks(blob, chunked(bytes, [64 * KiB]), pool, 3, {});
      expect(stages.calls()).toBe(10);
      expect(stages.peak()).toBeGreaterThan(1);
      expect(stages.peak()).toBeLessThanOrEqual(3);
      expect(Buffer.compare(await blob.downloadToBuffer(), bytes)).toBe(0);
      // every buffer came back; at most `keep` of them are held
      expect(pool.idleCount).toBe(3);
    }
    const take = vi.spyOn(Buffer, 'allocUnsafeSlow');
    await uploadInBlocks(container.getBlockBlobClient(unique('third')), chunked(randomBytes(40 * KiB), [8 * KiB]), pool, 3, {});
    expect(take).not.toHaveBeenCalled();
    take.mockRestore();
  });

  it('VER-8: hashes every block before its buffer is reused, however fast the stages answer', async () => {
    // Stages that answer at once (a fake: Azurite always takes a while) hand a buffer back before a
    // hash that trails the network could have read it, unless the uploader waits for both.
    const blob = container.getBlockBlobClient(unique('fast-stages'));
    vi.spyOn(blob, 'stageBlock').mockResolvedValue({} as Awaited<ReturnType<BlockBlobClient['stageBlock']>>);
    vi.spyOn(blob, 'commitBlockList').mockResolvedValue({} as Awaited<ReturnType<BlockBlobClient['commitBlockList']>>);
    const bytes = randomBytes(300 * KiB + 7);
    const pool = new BlockBufferPool(16 * KiB, 1);
    const { sha256 } = await uploadInBlocks(blob, chunked(bytes, [5_000, 16 * KiB]), pool, 2, {});
    expect(sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('commits nothing when the body fails midway, and gives every buffer back', async () => {
    const blob = container.getBlockBlobClient(unique('body-fails'));
    const pool = new BlockBufferPool(16 * KiB, 8);
    async function* failing() {
      yield randomBytes(40 * KiB);
      throw new Error('the client went away');
    }
    const handedOut = watchTakes(pool);
    await expect(uploadInBlocks(blob, Readable.from(failing()), pool, 2, {})).rejects.toThrow('the client went away');
    expect(await blob.exists()).toBe(false);
    expect(handedOut.size).toBe(3); // two blocks staged, one being filled
    expect(pool.idleCount).toBe(3);
  });

  it('stops reading, aborts and awaits the other stages, and commits nothing when a block fails to stage', async () => {
    const blob = container.getBlockBlobClient(unique('stage-fails'));
    const stage = blob.stageBlock.bind(blob);
    let calls = 0;
    let secondAborted = false;
    let secondSettled = false;
    // Faults Azurite cannot be made to answer: the second block's request hangs until it is
    // aborted, and the third one fails.
    vi.spyOn(blob, 'stageBlock').mockImplementation(async (...args) => {
      const call = ++calls;
      if (call === 3) throw new Error('stage failed');
      if (call !== 2) return stage(...args);
      const signal = args[3]?.abortSignal;
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      secondAborted = signal?.aborted ?? false;
      try {
        return await stage(...args);
      } finally {
        secondSettled = true;
      }
    });
    let read = 0;
    async function* body() {
      for (let i = 0; i < 64; i++) {
        read++;
        yield randomBytes(16 * KiB);
      }
    }
    const pool = new BlockBufferPool(16 * KiB, 8);
    const handedOut = watchTakes(pool);
    await expect(uploadInBlocks(blob, Readable.from(body()), pool, 3, {})).rejects.toThrow('stage failed');
    expect(secondAborted).toBe(true);
    expect(secondSettled).toBe(true);
    expect(read).toBeLessThan(64);
    expect(await blob.exists()).toBe(false);
    expect(pool.idleCount).toBe(handedOut.size);
  });

  it('holds idle buffers only until the pool has been idle for its release time', async () => {
    vi.useFakeTimers();
    try {
      const pool = new BlockBufferPool(KiB, 2, 1_000);
      const buffers = [pool.take(), pool.take(), pool.take()];
      for (const buffer of buffers) pool.give(buffer);
      expect(pool.idleCount).toBe(2);
      vi.advanceTimersByTime(900);
      pool.give(pool.take()); // in use again: the release time starts over
      vi.advanceTimersByTime(900);
      expect(pool.idleCount).toBe(2);
      vi.advanceTimersByTime(200);
      expect(pool.idleCount).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
