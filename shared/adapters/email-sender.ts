import { keyedUuid } from '../platform/keyed-id.js';
import type { EmailClient, EmailMessage } from '@azure/communication-email';

/** The notification types of the contract (api.md, Email); each email carries one in a header. */
export const notificationTypes = [
  'EmailVerification',
  'VerificationDecision',
  'IncentiveInvitation',
  'AttestationConfirmation',
  'CreditCheckPassed',
  'RolloverSummary',
] as const;
export type NotificationType = (typeof notificationTypes)[number];

export interface OutgoingEmail {
  /**
   * What makes this email unique (e.g. `attestation:{outboxId}`). The same key always yields the
   * same operation id, so a retry or a re-send after a crash is accepted by the service only once.
   */
  idempotencyKey: string;
  type: NotificationType;
  to: { address: string; displayName?: string }[];
  subject: string;
  plainText: string;
  html?: string;
}

export interface EmailSendReceipt {
  operationId: string;
  status: string;
}

/** Port: what use cases need from an email service. */
export interface EmailSender {
  send(email: OutgoingEmail): Promise<EmailSendReceipt>;
}

/** A UUID (v5 layout) derived from a key, as the service's `Operation-Id` must be a UUID. */
export function operationIdFor(key: string): string {
  return keyedUuid('partner-portal-email', key);
}

export interface AcsEmailSenderOptions {
  senderAddress: string;
  pollIntervalMs: number;
  /** Attempts for a send that fails with a transient error (the SDK retries each request too). */
  attempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Sends through Communication Services and waits until the service reports the outcome. */
export class AcsEmailSender implements EmailSender {
  constructor(
    private readonly client: EmailClient,
    private readonly options: AcsEmailSenderOptions,
  ) {}

  async send(email: OutgoingEmail): Promise<EmailSendReceipt> {
    const operationId = operationIdFor(email.idempotencyKey);
    const message: EmailMessage = {
      senderAddress: this.options.senderAddress,
      recipients: { to: email.to },
      content: { subject: email.subject, plainText: email.plainText, ...(email.html ? { html: email.html } : {}) },
      headers: { 'x-notification-type': email.type },
    };
    const attempts = this.options.attempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        const poller = await this.client.beginSend(message, {
          operationId,
          updateIntervalInMs: this.options.pollIntervalMs,
        });
        const result = await poller.pollUntilDone();
        if (result.status !== 'Succeeded') throw new Error(`email operation ${operationId} ended ${result.status}`);
        return { operationId, status: result.status };
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
        await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }
}

function isTransient(error: unknown): boolean {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number') return true; // network failure: worth another try
  return status === 408 || status === 429 || status >= 500;
}
