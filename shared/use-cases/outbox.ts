import type { EmailIntent } from '../domain/outbox.js';
import { percentile, sentIntent } from '../domain/outbox.js';
import type { IntentRef, IntentTiming, OutboxBox, OutboxStore, PartitionDoc, PartitionStore, UseCaseDeps, Versioned, Write } from './ports.js';
import { queueNames } from './queues.js';
import { readDecideWrite, unchanged } from './write.js';

type Deps = Pick<UseCaseDeps, 'outbox' | 'email' | 'queues' | 'metrics' | 'now'>;

/** Read-modify-write of one intent through the write primitive. */
async function updateIntent(outbox: OutboxStore, ref: IntentRef, mutate: (intent: EmailIntent) => EmailIntent | typeof unchanged): Promise<void> {
  await readDecideWrite({
    read: () => outbox.read(ref),
    decide: (current) => {
      if (!current) return { result: undefined };
      const next = mutate(current.doc);
      return next === unchanged ? { result: undefined } : { result: undefined, write: { next, etag: current.etag } };
    },
    write: ({ next, etag }) => outbox.replace(ref, next, etag),
  });
}

/**
 * Delivers one owed email and marks it sent. The service's operation id derives from the intent's
 * key, so a send repeated after a crash (sent, not yet marked) names the same operation; the mark is
 * version-guarded, so overlapping senders record one send. A failed send counts an attempt and
 * throws: the intent stays Pending for the queue's retry or the sweep.
 */
export async function deliverIntent(deps: Deps, ref: IntentRef, known?: { doc: EmailIntent; etag: string }): Promise<'sent' | 'already-sent' | 'missing'> {
  const stored = known ?? (await deps.outbox.read(ref));
  if (!stored) return 'missing';
  const intent = stored.doc;
  if (intent.status === 'Sent' || !intent.message) return 'already-sent';
  try {
    await deps.email.send(intent.key, intent.message);
  } catch (error) {
    await updateIntent(deps.outbox, ref, (doc) => (doc.status === 'Pending' ? { ...doc, attempts: doc.attempts + 1 } : unchanged));
    throw error;
  }
  const sentAt = deps.now().toISOString();
  await readDecideWrite({
    read: () => deps.outbox.read(ref),
    // Usually nobody wrote since it was read: one replace over that version, no second read.
    assumed: { state: stored },
    decide: (current) =>
      !current || current.doc.status === 'Sent'
        ? { result: undefined }
        : { result: undefined, write: { next: sentIntent(current.doc, sentAt), etag: current.etag } },
    write: ({ next, etag }) => deps.outbox.replace(ref, next, etag),
  });
  const delay = (Date.parse(sentAt) - Date.parse(intent.occurredAt)) / 1000;
  deps.metrics.record('email.delivery.delay', delay, { type: intent.emailType });
  if (intent.emailType === 'AttestationConfirmation') deps.metrics.record('attestation.confirmation.delay', delay);
  return 'sent';
}

/**
 * Delivers intents just committed, from the request or message that owed them: they usually go out
 * at once. A failure is not the caller's: the intent is durable, and the sweep delivers it.
 */
export async function deliverNow(deps: Deps, refs: readonly OwedEmail[], log: (message: string) => void = () => {}): Promise<number> {
  let sent = 0;
  for (const ref of refs) {
    try {
      if ((await deliverIntent(deps, ref, ref.known)) === 'sent') sent++;
    } catch (error) {
      log(`email ${ref.intentId} of ${ref.partnerId} not sent yet (the sweep retries): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return sent;
}

/** An intent to deliver, with the version it was written at when known (no read before the send). */
export type OwedEmail = IntentRef & { known?: Versioned<EmailIntent> };

/**
 * Commits to one partition of a box and remembers what the successful commit created: the email
 * intents it owes, with their new versions, so they are delivered without being read again.
 */
export function committing<T extends PartitionDoc & { type: string }>(store: PartitionStore<T>, box: OutboxBox, partnerId: string) {
  let owed: OwedEmail[] = [];
  return {
    write: async (writes: readonly Write<T>[]): Promise<void> => {
      const etags = await store.commit(partnerId, writes);
      owed = writes.flatMap((w, i) => {
        const etag = etags[i];
        if (w.kind !== 'create' || w.doc.type !== 'emailIntent' || !etag) return [];
        const doc = w.doc as unknown as EmailIntent;
        return [{ box, partnerId, intentId: doc.id, known: { doc, etag } }];
      });
    },
    /** The intents the last successful commit created. */
    owed: (): OwedEmail[] => owed,
  };
}

/** Queues an intent for delivery by the outbox's queue workers (in parallel, off the request). */
export async function queueDelivery(deps: Pick<UseCaseDeps, 'queues'>, ref: IntentRef): Promise<void> {
  await deps.queues.send(queueNames.emailOutbox, { box: ref.box, partnerId: ref.partnerId, intentId: ref.intentId } satisfies IntentRef);
}

/**
 * The 5-minute sweep: every intent still Pending (a lost message, a failed send, a crash between the
 * write and the send or between the send and the mark) is queued for delivery again; a confirmation
 * past its due time is flagged as breached. It only plans: the queue's workers send, in parallel.
 */
export async function sweepOutbox(deps: Deps, pageSize = 200): Promise<{ queued: number; breached: number }> {
  const now = deps.now();
  let queued = 0;
  let breached = 0;
  let continuationToken: string | undefined;
  do {
    const page = await deps.outbox.pending({ size: pageSize, continuationToken });
    continuationToken = page.continuationToken;
    for (const { intent, ...ref } of page.items) {
      if (intent.dueBy && !intent.breached && Date.parse(intent.dueBy) < now.getTime()) {
        await updateIntent(deps.outbox, ref, (doc) => (doc.status === 'Pending' && !doc.breached ? { ...doc, breached: true } : unchanged));
        breached++;
      }
      await queueDelivery(deps, ref);
      queued++;
    }
  } while (continuationToken);
  return { queued, breached };
}

/** ATT-3 over the last 24 hours: confirmations sent, pending, breached, and attestation-to-send latency. */
export async function confirmationSla(deps: Pick<UseCaseDeps, 'outbox' | 'now'>) {
  const now = deps.now();
  const intents = await deps.outbox.timingsSince('AttestationConfirmation', new Date(now.getTime() - 86_400_000).toISOString());
  const latencies = intents
    .filter((n) => n.status === 'Sent' && n.sentAt)
    .map((n) => (Date.parse(n.sentAt ?? '') - Date.parse(n.occurredAt)) / 1000)
    .sort((a, b) => a - b);
  const due = (n: IntentTiming) => Date.parse(n.dueBy ?? n.occurredAt);
  const late = (n: IntentTiming) => n.breached === true || (n.status === 'Sent' ? Date.parse(n.sentAt ?? '') > due(n) : due(n) < now.getTime());
  return {
    sent: intents.filter((n) => n.status === 'Sent').length,
    pending: intents.filter((n) => n.status === 'Pending').length,
    breached: intents.filter(late).length,
    p50Seconds: +percentile(latencies, 50).toFixed(3),
    p99Seconds: +percentile(latencies, 99).toFixed(3),
  };
}
