import { createHash } from 'node:crypto';

/** The notification types of the contract; each email carries one in its `x-notification-type` header. */
export const emailTypes = [
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
] as const;
type EmailType = (typeof emailTypes)[number];

export interface EmailAddress {
  address: string;
  displayName?: string;
}

export interface EmailMessage {
  type: EmailType;
  to: EmailAddress[];
  subject: string;
  plainText: string;
}

/** ATT-3: a confirmation must go out within this time of the attestation. */
export const confirmationDeadlineMs = 30 * 60_000;

/**
 * One email the system owes: written in the same transactional batch as the decision that owes it,
 * in the same partition, so a decision is never recorded without its email (nor the other way
 * round). The sender delivers it with an operation id derived from `key` and marks it Sent; the
 * sweep delivers any intent still Pending. The message is dropped once sent: the record keeps only
 * what the SLA report needs.
 */
export interface EmailIntent {
  id: string;
  type: 'emailIntent';
  partnerId: string;
  emailType: EmailType;
  /** What makes this email unique (e.g. `verification-decision:{decisionId}`). */
  key: string;
  message?: EmailMessage;
  /** Failed: every delivery attempt failed; the sweep no longer queues it (an operator looks at it). */
  status: 'Pending' | 'Sent' | 'Failed';
  /** When the decision that owes the email was made (the SLA clock starts here). */
  occurredAt: string;
  /** When it must have gone out (ATT-3 confirmations only). */
  dueBy?: string;
  /** Set by the sweep when a confirmation was not sent by dueBy. */
  breached?: boolean;
  /** Deliveries started: each claims the intent first. */
  attempts: number;
  /** When the first delivery started: a later one may find the email sent already, and asks first. */
  firstAttemptAt?: string;
  /** A deliverer holds the intent until then; no other sends it meanwhile. */
  claimedUntil?: string;
  sentAt?: string;
  failedAt?: string;
}

/** How long a deliverer holds an intent: well beyond a send and its polling. */
export const deliveryClaimMs = 2 * 60_000;

/** Claims the intent for one delivery attempt starting `now`. */
export function claimed(intent: EmailIntent, now: Date): EmailIntent {
  return {
    ...intent,
    attempts: intent.attempts + 1,
    firstAttemptAt: intent.firstAttemptAt ?? now.toISOString(),
    claimedUntil: new Date(now.getTime() + deliveryClaimMs).toISOString(),
  };
}

/** Whether a deliverer holds the intent at `now`. */
export function isClaimed(intent: EmailIntent, now: Date): boolean {
  return intent.claimedUntil !== undefined && Date.parse(intent.claimedUntil) > now.getTime();
}

/** The intent after a failed delivery: free for the next deliverer at once. */
export function released(intent: EmailIntent): EmailIntent {
  const { claimedUntil: _claimedUntil, ...rest } = intent;
  return rest;
}

/** The intent's id follows from its key: a decision applied twice owes the same email, once. */
export const emailIntentId = (key: string): string => `email:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;

export function emailIntent(partnerId: string, key: string, message: EmailMessage, occurredAt: string, deadlineMs?: number): EmailIntent {
  return {
    id: emailIntentId(key),
    type: 'emailIntent',
    partnerId,
    emailType: message.type,
    key,
    message,
    status: 'Pending',
    occurredAt,
    ...(deadlineMs === undefined ? {} : { dueBy: new Date(Date.parse(occurredAt) + deadlineMs).toISOString(), breached: false }),
    attempts: 0,
  };
}

/** The record once every attempt failed: kept, with its message, for an operator to look at. */
export function failedIntent(intent: EmailIntent, failedAt: string): EmailIntent {
  const { claimedUntil: _claimedUntil, ...rest } = intent;
  return { ...rest, status: 'Failed', failedAt };
}

/** The record once its email went out: the message (addresses, links, names) is not kept. */
export function sentIntent(intent: EmailIntent, sentAt: string): EmailIntent {
  const { message: _message, claimedUntil: _claimedUntil, ...rest } = intent;
  return { ...rest, status: 'Sent', sentAt };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}
