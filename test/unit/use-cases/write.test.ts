import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors.js';
import type { PartitionDoc } from '../../../shared/use-cases/ports.js';
import { readDecideWrite, unchanged, updateDocument } from '../../../shared/use-cases/write.js';
import { MemoryPartitions } from '../support/memory-ports.js';

interface Counter extends PartitionDoc {
  value: number;
  deciders: string[];
}

describe('the one write primitive (read, decide, write with the version, retry on conflict)', () => {
  it('loses no decision when 20 deciders change one document at once', async () => {
    const store = new MemoryPartitions<Counter>();
    await store.commit('p', [{ kind: 'create', doc: { id: 'c', partnerId: 'p', value: 0, deciders: [] } }]);
    const deciders = Array.from({ length: 20 }, (_, i) => `d${i}`);
    const results = await Promise.all(
      deciders.map((d) => updateDocument(store, 'p', 'c', (doc) => ({ ...doc, value: doc.value + 1, deciders: [...doc.deciders, d] }))),
    );
    expect(results.every((r) => r?.changed)).toBe(true);
    const final = await store.read('p', 'c');
    expect(final?.doc.value).toBe(20);
    expect([...(final?.doc.deciders ?? [])].sort()).toEqual([...deciders].sort());
    // Conflicts were retried: more commits were tried than succeeded.
    expect(store.commits).toBeGreaterThan(21);
  });

  it('surfaces a spent retry budget as one typed conflict, not a lost write', async () => {
    const store = new MemoryPartitions<Counter>();
    await store.commit('p', [{ kind: 'create', doc: { id: 'c', partnerId: 'p', value: 0, deciders: [] } }]);
    let attempts = 0;
    const error = await readDecideWrite(
      {
        read: () => store.read('p', 'c'),
        decide: (current) => {
          attempts++;
          // Someone else always writes between this read and this write.
          return { result: undefined, write: current };
        },
        write: async (current) => {
          if (!current) return;
          await store.commit('p', [{ kind: 'replace', doc: { ...current.doc, value: current.doc.value + 100 }, etag: current.etag }]);
          await store.commit('p', [{ kind: 'replace', doc: { ...current.doc, value: -1 }, etag: current.etag }]);
        },
      },
      { attempts: 3, baseDelayMs: 0, maxDelayMs: 0 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'Conflict', code: 'ConcurrentUpdate' });
    expect(attempts).toBe(3);
  });

  it('writes nothing when the decision is "unchanged", and answers undefined for a missing document', async () => {
    const store = new MemoryPartitions<Counter>();
    await store.commit('p', [{ kind: 'create', doc: { id: 'c', partnerId: 'p', value: 5, deciders: [] } }]);
    const commits = store.commits;
    expect(await updateDocument(store, 'p', 'c', () => unchanged)).toMatchObject({ changed: false, doc: { value: 5 } });
    expect(store.commits).toBe(commits);
    expect(await updateDocument(store, 'p', 'missing', (d) => d)).toBeUndefined();
  });

  it('decides first on an assumed state without reading, and reads only after that assumption lost', async () => {
    const store = new MemoryPartitions<Counter>();
    await store.commit('p', [{ kind: 'create', doc: { id: 'c', partnerId: 'p', value: 1, deciders: [] } }]);
    const reads = store.reads;
    const created = await readDecideWrite({
      read: () => store.read('p', 'c'),
      assumed: { state: undefined },
      decide: (current) =>
        current
          ? { result: 'existed' as const }
          : { result: 'created' as const, write: { kind: 'create' as const, doc: { id: 'c', partnerId: 'p', value: 2, deciders: [] } } },
      write: (w) => store.commit('p', [w]),
    });
    expect(created).toBe('existed');
    expect(store.reads).toBe(reads + 1);
    expect((await store.read('p', 'c'))?.doc.value).toBe(1);
  });
});
