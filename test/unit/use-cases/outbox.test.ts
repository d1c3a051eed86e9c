import { describe, expect, it } from 'vitest';
import { emailIntent, type EmailIntent } from '../../../shared/domain/outbox.js';
import { confirmationSla, deliverIntent, deliverNow, sweepOutbox } from '../../../shared/use-cases/outbox.js';
import type { IntentRef } from '../../../shared/use-cases/ports.js';
import { memoryDeps } from '../support/memory-ports.js';

const T0 = Date.parse('2025-06-01T12:00:00.000Z');
const message = { type: 'AttestationConfirmation' as const, to: [{ address: 'cleo@fabrikam.example' }], subject: 'Confirmed', plainText: 'Thanks' };

async function owed(seconds = 0) {
  const clock = { now: T0 + seconds * 1000 };
  const memory = memoryDeps({ now: () => new Date(clock.now) });
  const intent = emailIntent('P1', 'attestation-confirmation:agreement:C1:x', message, new Date(T0).toISOString(), 30 * 60_000);
  await memory.agreements.commit('P1', [{ kind: 'create', doc: intent }]);
  const ref: IntentRef = { box: 'agreements', partnerId: 'P1', intentId: intent.id };
  const stored = () => memory.agreements.ofPartner('P1').find((d): d is EmailIntent => d.type === 'emailIntent');
  return { ...memory, clock, ref, stored };
}

describe('the outbox', () => {
  it('ATT-3: the sweep flags a confirmation still Pending past its dueBy as breached, queues it, and delivery sends it once', async () => {
    const { deps, email, queued, ref, stored, clock } = await owed();
    email.failing = true;
    expect(await deliverNow(deps, [ref])).toBe(0);
    expect(stored()).toMatchObject({ status: 'Pending', attempts: 1, breached: false });
    clock.now = T0 + 31 * 60_000;
    expect(await sweepOutbox(deps)).toEqual({ queued: 1, breached: 1 });
    expect(stored()?.breached).toBe(true);
    // A second sweep re-queues it but does not count the breach again.
    expect(await sweepOutbox(deps)).toEqual({ queued: 1, breached: 0 });
    email.failing = false;
    for (const q of queued) await deliverIntent(deps, q.message as IntentRef);
    expect(email.sent).toHaveLength(1);
    expect(stored()).toMatchObject({ status: 'Sent', breached: true });
    expect(stored()?.message).toBeUndefined();
    expect(await sweepOutbox(deps)).toEqual({ queued: 0, breached: 0 });
  });

  it('ATT-3: the sweep does not flag a confirmation within its 30 minutes', async () => {
    const { deps, stored } = await owed(29 * 60);
    expect(await sweepOutbox(deps)).toEqual({ queued: 1, breached: 0 });
    expect(stored()?.breached).toBe(false);
  });

  it('ATT-3: the SLA report counts sent, pending and late confirmations of the last 24 hours', async () => {
    const { deps, ref, clock } = await owed();
    clock.now = T0 + 60_000;
    await deliverIntent(deps, ref);
    clock.now = T0 + 3600_000;
    const sla = await confirmationSla(deps);
    expect(sla).toMatchObject({ sent: 1, pending: 0, breached: 0, p50Seconds: 60, p99Seconds: 60 });
  });

  it('overlapping deliveries of one intent send through one operation key and record one send', async () => {
    const { deps, email, ref, stored } = await owed();
    const results = await Promise.all([deliverIntent(deps, ref), deliverIntent(deps, ref)]);
    expect(results.filter((r) => r === 'sent').length).toBeGreaterThanOrEqual(1);
    expect(new Set(email.sent.map((s) => s.key)).size).toBe(1);
    expect(stored()?.status).toBe('Sent');
  });

  it('a missing intent is reported, not thrown', async () => {
    const { deps } = await owed();
    expect(await deliverIntent(deps, { box: 'agreements', partnerId: 'P1', intentId: 'email:none' })).toBe('missing');
  });
});

describe('exactly one email per intent, without trusting the service to drop a repeat', () => {
  async function owedAttestation() {
    const { deps, agreements, email } = memoryDeps();
    const message = { type: 'AttestationConfirmation' as const, to: [{ address: 'c@customer.example' }], subject: 's', plainText: 't' };
    const intent = emailIntent('P1', 'attestation-confirmation:a', message, new Date().toISOString(), 30 * 60_000);
    await agreements.commit('P1', [{ kind: 'create', doc: intent }]);
    return { deps, email, ref: { box: 'agreements' as const, partnerId: 'P1', intentId: intent.id } };
  }

  it('ATT-3: a crash between the send and the mark: the next delivery asks the service and sends nothing again', async () => {
    const { deps, email, ref } = await owedAttestation();
    const real = email.send.bind(email);
    email.send = async (key, message) => {
      await real(key, message);
      throw new Error('crashed after the send, before the mark');
    };
    await expect(deliverIntent(deps, ref)).rejects.toThrow(/crashed/);
    email.send = real;
    expect(await deliverIntent(deps, ref)).toBe('already-sent');
    expect(email.sent).toHaveLength(1);
    expect((await deps.outbox.read(ref))?.doc.status).toBe('Sent');
  });

  it('ATT-3: a sweep racing a queue retry: one of them claims the intent, the other leaves it, one email', async () => {
    const { deps, email, ref } = await owedAttestation();
    // A send takes a while: the others look again while the first is still sending.
    const real = email.send.bind(email);
    email.send = async (key, message) => {
      await new Promise((r) => setTimeout(r, 20));
      return real(key, message);
    };
    const outcomes = await Promise.all([deliverIntent(deps, ref), deliverIntent(deps, ref), deliverIntent(deps, ref)]);
    expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(1);
    expect(email.sent).toHaveLength(1);
  });

  it('ATT-3: an outage: failed deliveries release their claim, and once the service is back one email goes out', async () => {
    const { deps, email, ref } = await owedAttestation();
    email.failing = true;
    await expect(deliverIntent(deps, ref)).rejects.toThrow();
    await expect(deliverIntent(deps, ref)).rejects.toThrow();
    email.failing = false;
    expect(await deliverIntent(deps, ref)).toBe('sent');
    expect(await deliverIntent(deps, ref)).toBe('already-sent');
    expect(email.sent).toHaveLength(1);
    expect((await deps.outbox.read(ref))?.doc.attempts).toBe(3);
  });

  it('ATT-3: a retry that finds the send still running at the service sends nothing and leaves it for a later look', async () => {
    const { deps, email, ref } = await owedAttestation();
    email.failing = true;
    await expect(deliverIntent(deps, ref)).rejects.toThrow();
    email.failing = false;
    email.sendResult = async () => 'Running';
    expect(await deliverIntent(deps, ref)).toBe('running');
    expect(email.sent).toHaveLength(0);
    const after = (await deps.outbox.read(ref))?.doc;
    expect(after).toMatchObject({ status: 'Pending' });
    expect(after?.claimedUntil).toBeUndefined();
  });

  it('ATT-3: an intent whose every delivery failed is marked Failed after ten attempts, and no longer tried', async () => {
    const { deps, email, ref } = await owedAttestation();
    email.failing = true;
    for (let i = 0; i < 10; i++) await expect(deliverIntent(deps, ref)).rejects.toThrow();
    expect(await deliverIntent(deps, ref)).toBe('gave-up');
    expect((await deps.outbox.read(ref))?.doc).toMatchObject({ status: 'Failed', attempts: 10 });
    email.failing = false;
    expect(await deliverIntent(deps, ref)).toBe('gave-up');
    expect(email.sent).toHaveLength(0);
  });
});
