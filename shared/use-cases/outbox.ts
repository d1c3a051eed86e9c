import type { EmailIntent, EmailMessage } from '../domain/outbox.js';
import { claimed, deliveryClaimMs, failedIntent, isClaimed, percentile, released, sentIntent } from '../domain/outbox.js';
import {
  WriteConflict,
  type IntentRef,
  type IntentTiming,
  type OutboxBox,
  type OutboxStore,
  type PartitionDoc,
  type PartitionStore,
  type UseCaseDeps,
  type Versioned,
  type Write,
} from './ports.js';
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
 * Delivers one owed email, exactly once, without trusting the email service to drop a repeat:
 * 1. the deliverer claims the intent (a version-guarded write) unless it holds it already (it created
 *    it claimed, `known`): an intent claimed by another is left to it, so a sweep racing a queue retry
 *    sends nothing twice;
 * 2. when an earlier attempt started (a crash after the send, before the mark; a lost answer), it asks
 *    the service for that operation's result: Succeeded is marked Sent without a send; still running
 *    is left for a later look (claim released, nothing sent); none, or ended without sending, is sent;
 * 3. it sends, then marks the intent Sent over the version it claimed. A failed send releases the
 *    claim and throws: the queue's retry or the sweep tries again, up to `maxDeliveryAttempts`, after
 *    which the intent is marked Failed (an address the service refuses is not tried for ever).
 */
export async function deliverIntent(
  deps: Deps,
  ref: IntentRef,
  known?: Versioned<EmailIntent>,
): Promise<'sent' | 'already-sent' | 'claimed' | 'missing' | 'running' | 'gave-up'> {
  const now = deps.now();
  // A claim taken with the intent is trusted only with most of its time left, so a send never outlives it.
  const held = known && known.doc.status === 'Pending' && known.doc.attempts === 1 && claimLeft(known.doc, now) > deliveryClaimMs / 2 ? known : undefined;
  let version = held?.etag ?? '';
  type Claim = { intent: EmailIntent; retry: boolean } | 'already-sent' | 'claimed' | 'missing' | 'gave-up';
  const claim: Claim = held
    ? { intent: held.doc, retry: false }
    : await readDecideWrite<Versioned<EmailIntent> | undefined, { next: EmailIntent; etag: string }, Claim>({
        read: () => deps.outbox.read(ref),
        ...(known ? { assumed: { state: known } } : {}),
        decide: (current) => {
          if (!current) return { result: 'missing' as const };
          if (current.doc.status === 'Failed') return { result: 'gave-up' as const };
          if (current.doc.status === 'Sent' || !current.doc.message) return { result: 'already-sent' as const };
          if (isClaimed(current.doc, now)) return { result: 'claimed' as const };
          if (current.doc.attempts >= maxDeliveryAttempts)
            return { result: 'gave-up' as const, write: { next: failedIntent(current.doc, now.toISOString()), etag: current.etag } };
          const next = claimed(current.doc, now);
          return { result: { intent: next, retry: current.doc.firstAttemptAt !== undefined }, write: { next, etag: current.etag } };
        },
        write: async ({ next, etag }) => {
          version = await deps.outbox.replace(ref, next, etag);
        },
      });
  if (typeof claim === 'string') return claim;
  const { intent, retry } = claim;
  const message = intent.message;
  if (!message) return 'already-sent';

  let outcome: 'sent' | 'recorded' | 'running';
  try {
    outcome = await sendUnlessRecorded(deps, intent, message, retry);
  } catch (error) {
    await replaceIfUnchanged(deps.outbox, ref, released(intent), version);
    throw error;
  }
  if (outcome === 'running') {
    // Accepted by the service and not done yet: a later delivery looks again; nothing is sent now.
    await replaceIfUnchanged(deps.outbox, ref, released(intent), version);
    return 'running';
  }
  const alreadyAccepted = outcome === 'recorded';
  const sentAt = deps.now().toISOString();
  await readDecideWrite({
    read: () => deps.outbox.read(ref),
    // Usually nobody wrote since the claim: one replace over that version, no second read.
    assumed: { state: { doc: intent, etag: version } },
    decide: (current) =>
      !current || current.doc.status === 'Sent'
        ? { result: undefined }
        : { result: undefined, write: { next: sentIntent(current.doc, sentAt), etag: current.etag } },
    write: ({ next, etag }) => deps.outbox.replace(ref, next, etag),
  });
  const delay = (Date.parse(sentAt) - Date.parse(intent.occurredAt)) / 1000;
  deps.metrics.record('email.delivery.delay', delay, { type: intent.emailType });
  if (intent.emailType === 'AttestationConfirmation') deps.metrics.record('attestation.confirmation.delay', delay);
  return alreadyAccepted ? 'already-sent' : 'sent';
}

/** Deliveries of one intent before it is marked Failed. */
const maxDeliveryAttempts = 10;

function claimLeft(intent: EmailIntent, now: Date): number {
  return intent.claimedUntil ? Date.parse(intent.claimedUntil) - now.getTime() : 0;
}

/** Sends, unless a retry finds the service has the send already (done, or still running). */
async function sendUnlessRecorded(deps: Deps, intent: EmailIntent, message: EmailMessage, retry: boolean): Promise<'sent' | 'recorded' | 'running'> {
  const recorded = retry ? await deps.email.sendResult(intent.key) : undefined;
  if (recorded === 'Succeeded') return 'recorded';
  if (recorded === 'Running' || recorded === 'NotStarted') return 'running';
  await deps.email.send(intent.key, message, intent.firstAttemptAt ? new Date(intent.firstAttemptAt) : undefined);
  return 'sent';
}

/** Writes over `etag` unless the intent changed since (then whoever changed it decides). */
async function replaceIfUnchanged(outbox: OutboxStore, ref: IntentRef, next: EmailIntent, etag: string): Promise<void> {
  try {
    await outbox.replace(ref, next, etag);
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
  }
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
      try {
        if (intent.dueBy && !intent.breached && Date.parse(intent.dueBy) < now.getTime()) {
          await updateIntent(deps.outbox, ref, (doc) => (doc.status === 'Pending' && !doc.breached ? { ...doc, breached: true } : unchanged));
          breached++;
        }
        // One being delivered is its deliverer's; should that deliverer die, its claim expires and a later sweep queues it.
        if (isClaimed(intent, now)) continue;
        await queueDelivery(deps, ref);
        queued++;
      } catch {
        // One intent that cannot be flagged or queued now does not hold up the others: the next sweep retries it.
      }
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
