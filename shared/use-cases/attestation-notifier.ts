import type { Services } from '../composition-root.js';
import { ConcurrencyConflict, unchanged, type Stored } from '../data/repository.js';
import type { NotificationTiming } from '../data/agreement-store.js';
import { percentile, type ConfirmationNotification } from '../domain/agreements.js';
import { queueNames } from '../platform/queues.js';

/**
 * ATT-3: sends one confirmation and marks it sent. The email's operation id derives from the outbox
 * id, so a send repeated after a crash (sent, not yet marked) is accepted by the service only once;
 * the mark is ETag-guarded, so overlapping senders record one send.
 */
export async function sendConfirmation(
  services: Services,
  partnerId: string,
  notificationId: string,
  known?: Stored<ConfirmationNotification>,
): Promise<'sent' | 'already-sent' | 'missing'> {
  const stored = known ?? (await services.agreements.notification(partnerId, notificationId));
  if (!stored) return 'missing';
  if (stored.doc.status === 'Sent') return 'already-sent';
  const n = stored.doc;
  try {
    await services.email.send({
      idempotencyKey: n.id,
      type: 'AttestationConfirmation',
      to: [n.to],
      subject: 'Your Microsoft Customer Agreement acceptance was recorded',
      plainText: [
        `Hello ${n.to.displayName},`,
        '',
        `Your partner confirmed that ${n.companyName} accepted the Microsoft Customer Agreement.`,
        'If you did not accept it, contact your partner.',
      ].join('\n'),
    });
  } catch (error) {
    await services.agreements.update(partnerId, notificationId, (doc) => (doc.type === 'notification' && doc.status === 'Pending' ? { ...doc, attempts: doc.attempts + 1 } : unchanged));
    throw error;
  }
  const sentAt = services.now().toISOString();
  try {
    // Usually nobody wrote since it was read: one replace over that version.
    await services.agreements.replace({ ...n, status: 'Sent', sentAt }, stored.etag);
  } catch (error) {
    if (!(error instanceof ConcurrencyConflict)) throw error;
    await services.agreements.update(partnerId, notificationId, (doc) =>
      doc.type === 'notification' && doc.status !== 'Sent' ? { ...doc, status: 'Sent', sentAt } : unchanged,
    );
  }
  services.metrics.record('attestation.confirmation.delay', (Date.parse(sentAt) - Date.parse(n.occurredAt)) / 1000);
  return 'sent';
}

/**
 * The 5-minute sweep: every confirmation still unsent (lost message, failed send, crash between send
 * and mark) is queued for sending again; one past its due time is flagged as breached. It only plans:
 * the sending is done by the queue's senders, in parallel.
 */
export async function sweepConfirmations(services: Services, pageSize = 200): Promise<{ queued: number; breached: number }> {
  const now = services.now();
  let queued = 0;
  let breached = 0;
  let continuationToken: string | undefined;
  do {
    const page = await services.agreements.pendingNotifications(pageSize, continuationToken);
    continuationToken = page.continuationToken;
    for (const n of page.items) {
      if (!n.breached && Date.parse(n.dueBy) < now.getTime()) {
        await services.agreements.update(n.partnerId, n.id, (doc) => (doc.type === 'notification' && doc.status === 'Pending' && !doc.breached ? { ...doc, breached: true } : unchanged));
        breached++;
      }
      await services.queues.send(queueNames.attestationNotifications, { partnerId: n.partnerId, notificationId: n.id });
      queued++;
    }
  } while (continuationToken);
  return { queued, breached };
}

/** The last 24 hours of confirmations: sent, pending, breached, and attestation-to-send latency. */
export async function confirmationSla(services: Services) {
  const now = services.now();
  const notifications = await services.agreements.notificationTimingsSince(new Date(now.getTime() - 86_400_000).toISOString());
  const latencies = notifications
    .filter((n) => n.status === 'Sent' && n.sentAt)
    .map((n) => (Date.parse(n.sentAt ?? '') - Date.parse(n.occurredAt)) / 1000)
    .sort((a, b) => a - b);
  const late = (n: NotificationTiming) => n.breached || (n.status === 'Sent' ? Date.parse(n.sentAt ?? '') > Date.parse(n.dueBy) : Date.parse(n.dueBy) < now.getTime());
  return {
    sent: notifications.filter((n) => n.status === 'Sent').length,
    pending: notifications.filter((n) => n.status === 'Pending').length,
    breached: notifications.filter(late).length,
    p50Seconds: +percentile(latencies, 50).toFixed(3),
    p99Seconds: +percentile(latencies, 99).toFixed(3),
  };
}
