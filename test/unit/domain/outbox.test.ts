import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  claimed,
  confirmationDeadlineMs,
  emailIntent,
  emailIntentId,
  emailTypes,
  isClaimed,
  percentile,
  released,
  sentIntent,
  type EmailMessage,
} from '../../../shared/domain/outbox.js';

const message: EmailMessage = {
  type: 'AttestationConfirmation',
  to: [{ address: 'bob@fabrikam.com', displayName: 'Bob Smith' }],
  subject: 's',
  plainText: 'p',
};

describe('outbox', () => {
  it('ATT-3: the confirmation must go out within 30 minutes', () => {
    expect(confirmationDeadlineMs).toBe(1_800_000);
  });

  it('VER-10, INC-2, ATT-3, CSP-2: the notification types of the contract', () => {
    expect(emailTypes).toEqual([
      'EmailVerification',
      'VerificationDecision',
      'IncentiveInvitation',
      'AttestationConfirmation',
      'CreditCheckPassed',
      'RolloverSummary',
      'VerificationDocumentsRequested',
      'VerificationCompleted',
      'DirectBillDecision',
      'DirectBillAbilitiesSuspended',
    ]);
  });

  it('VER-10: an intent’s id follows from its key, so a decision applied twice owes one email', () => {
    const key = 'verification-decision:d1';
    expect(emailIntentId(key)).toBe(`email:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`);
    expect(emailIntentId(key)).toHaveLength(38);
    expect(emailIntentId('verification-decision:d2')).not.toBe(emailIntentId(key));
  });

  it('ATT-3: a confirmation intent is due 30 minutes after the attestation and not yet breached', () => {
    expect(emailIntent('P1', 'attestation-confirmation:a1', message, '2025-03-03T23:45:00.000Z', confirmationDeadlineMs)).toEqual({
      id: emailIntentId('attestation-confirmation:a1'),
      type: 'emailIntent',
      partnerId: 'P1',
      emailType: 'AttestationConfirmation',
      key: 'attestation-confirmation:a1',
      message,
      status: 'Pending',
      occurredAt: '2025-03-03T23:45:00.000Z',
      dueBy: '2025-03-04T00:15:00.000Z',
      breached: false,
      attempts: 0,
    });
  });

  it('VER-10: an intent without a deadline has no due time', () => {
    const intent = emailIntent('P1', 'k', { ...message, type: 'VerificationDecision' }, '2025-03-03T10:00:00.000Z');
    expect(intent).toMatchObject({ emailType: 'VerificationDecision', status: 'Pending', attempts: 0 });
    expect(intent).not.toHaveProperty('dueBy');
    expect(intent).not.toHaveProperty('breached');
    expect(emailIntent('P1', 'k', message, '2025-03-03T10:00:00.000Z', 0).dueBy).toBe('2025-03-03T10:00:00.000Z');
  });

  it('ATT-3: once sent, the intent keeps what the SLA report needs and drops the message', () => {
    const pending = { ...emailIntent('P1', 'k', message, '2025-03-03T10:00:00.000Z', confirmationDeadlineMs), attempts: 2 };
    const sent = sentIntent(pending, '2025-03-03T10:01:00.000Z');
    const { message: _message, ...rest } = pending;
    expect(sent).toEqual({ ...rest, status: 'Sent', sentAt: '2025-03-03T10:01:00.000Z' });
    expect(sent).not.toHaveProperty('message');
    expect(pending.message).toBe(message);
  });
});

describe('percentile', () => {
  it('ATT-3: nearest-rank percentiles of the confirmation delays', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile([], 95)).toBe(0);
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 100)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 11)).toBe(2);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 150)).toBe(10);
    expect(percentile([7], 99)).toBe(7);
  });

  it('ATT-3: a percentile is one of the values, and at least p% of the values are at or below it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 100 }), (raw, p) => {
        const sorted = [...raw].sort((a, b) => a - b);
        const value = percentile(sorted, p);
        expect(sorted).toContain(value);
        expect(sorted.filter((v) => v <= value).length / sorted.length).toBeGreaterThanOrEqual(p / 100);
        expect(sorted.filter((v) => v < value).length / sorted.length).toBeLessThan(p / 100);
      }),
    );
  });

  it('ATT-3: a delivery claims the intent for two minutes, counts an attempt and keeps the first attempt time', () => {
    const intent = emailIntent('P1', 'k', message, '2025-03-03T10:00:00.000Z');
    const first = claimed(intent, new Date('2025-03-03T10:00:01.000Z'));
    expect(first).toMatchObject({ attempts: 1, firstAttemptAt: '2025-03-03T10:00:01.000Z', claimedUntil: '2025-03-03T10:02:01.000Z' });
    const second = claimed(released(first), new Date('2025-03-03T10:05:00.000Z'));
    expect(second).toMatchObject({ attempts: 2, firstAttemptAt: '2025-03-03T10:00:01.000Z', claimedUntil: '2025-03-03T10:07:00.000Z' });
  });

  it('ATT-3: an intent is claimed until its claim expires, and not once released or sent', () => {
    const intent = claimed(emailIntent('P1', 'k', message, '2025-03-03T10:00:00.000Z'), new Date('2025-03-03T10:00:00.000Z'));
    expect(isClaimed(intent, new Date('2025-03-03T10:01:59.999Z'))).toBe(true);
    expect(isClaimed(intent, new Date('2025-03-03T10:02:00.000Z'))).toBe(false);
    expect(isClaimed(released(intent), new Date('2025-03-03T10:00:30.000Z'))).toBe(false);
    expect(released(intent)).not.toHaveProperty('claimedUntil');
    expect(sentIntent(intent, '2025-03-03T10:00:05.000Z')).not.toHaveProperty('claimedUntil');
    expect(isClaimed(emailIntent('P1', 'k', message, '2025-03-03T10:00:00.000Z'), new Date('2025-03-03T10:00:00.000Z'))).toBe(false);
  });
});
