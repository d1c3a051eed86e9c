import { DomainError } from '../domain/errors.js';
import { WriteConflict, type PartitionDoc, type PartitionStore, type Versioned, type Write } from './ports.js';

/** What a decision asks to write (nothing: the state is already as it should be) and what it answers. */
export type Decision<W, R> = { result: R; write?: W };

/** How long a writer keeps trying against others before it answers a conflict. */
export interface RetryBudget {
  attempts: number;
  /** Back-off before try n is a random delay in [0, min(maxDelayMs, baseDelayMs × 2^(n-2))]. */
  baseDelayMs: number;
  maxDelayMs: number;
}

const defaultRetryBudget: RetryBudget = { attempts: 30, baseDelayMs: 4, maxDelayMs: 250 };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The conflict a caller sees once the budget is spent: the resource is too busy, try again. */
const busyConflict = (): DomainError =>
  DomainError.conflict('The resource is being changed by other requests at the same time; try again.', 'ConcurrentUpdate');

/**
 * The one read-modify-write of the suite: read, decide (a pure function of what was read), write with
 * the versions read, and on a lost race (WriteConflict) start over from a fresh read after a jittered
 * back-off, within one retry budget. `assumed`, when given, is decided on first without a read (a
 * create that is expected to be new, or a state read moments ago): it saves a round trip and is safe,
 * because the write is conditional and a wrong assumption only costs a retry.
 */
export async function readDecideWrite<S, W, R>(
  step: {
    read: () => Promise<S>;
    assumed?: { state: S };
    decide: (state: S, attempt: number) => Decision<W, R>;
    write: (write: W, state: S) => Promise<unknown>;
  },
  budget: RetryBudget = defaultRetryBudget,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    const state = attempt === 1 && step.assumed ? step.assumed.state : await step.read();
    const decision = step.decide(state, attempt);
    if (decision.write === undefined) return decision.result;
    try {
      await step.write(decision.write, state);
      return decision.result;
    } catch (error) {
      if (!(error instanceof WriteConflict)) throw error;
      if (attempt >= budget.attempts) throw busyConflict();
      if (attempt > 1) await sleep(Math.random() * Math.min(budget.maxDelayMs, budget.baseDelayMs * 2 ** (attempt - 2)));
    }
  }
}

/** Returned by a mutation to say "nothing to change". */
export const unchanged: unique symbol = Symbol('unchanged');

/**
 * Read-modify-write of one document through the primitive. `mutate` decides the next version from the
 * current one (it may run several times); undefined when the document does not exist. `known`, a
 * version read moments ago, is decided on first without reading it again.
 */
export async function updateDocument<T extends PartitionDoc>(
  store: PartitionStore<T>,
  partnerId: string,
  id: string,
  mutate: (current: T) => T | typeof unchanged,
  options: { known?: Versioned<T>; budget?: RetryBudget } = {},
): Promise<{ doc: T; etag: string; changed: boolean } | undefined> {
  let written = '';
  const outcome = await readDecideWrite<Versioned<T> | undefined, Write<T>[], { doc: T; etag: string; changed: boolean } | undefined>(
    {
      read: () => store.read(partnerId, id),
      ...(options.known ? { assumed: { state: options.known } } : {}),
      decide: (current) => {
        if (!current) return { result: undefined };
        const next = mutate(structuredClone(current.doc));
        if (next === unchanged) return { result: { doc: current.doc, etag: current.etag, changed: false } };
        return { result: { doc: next, etag: '', changed: true }, write: [{ kind: 'replace', doc: next, etag: current.etag }] };
      },
      write: async (writes) => {
        [written = ''] = await store.commit(partnerId, writes);
      },
    },
    options.budget,
  );
  return outcome?.changed ? { ...outcome, etag: written } : outcome;
}

/** Creates a document unless one with its id exists; says which. */
export async function createIfAbsent<T extends PartitionDoc>(store: PartitionStore<T>, doc: T): Promise<boolean> {
  try {
    await store.commit(doc.partnerId, [{ kind: 'create', doc }]);
    return true;
  } catch (error) {
    if (error instanceof WriteConflict && error.reason === 'exists') return false;
    throw error;
  }
}

/** A write of a document read with `etag` (replace), or never stored (create). */
export function writeOver<T>(doc: T, etag: string | undefined): Write<T> {
  return etag ? { kind: 'replace', doc, etag } : { kind: 'create', doc };
}
