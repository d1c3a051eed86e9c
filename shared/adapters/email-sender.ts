import { keyedUuid } from '../domain/keyed-id.js';
import type { EmailClient, EmailMessage as AcsMessage } from '@azure/communication-email';
import type { EmailMessage } from '../domain/outbox.js';
import type { EmailSender, EmailSendReceipt } from '../use-cases/ports.js';

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

  async send(key: string, email: EmailMessage): Promise<EmailSendReceipt> {
    const operationId = operationIdFor(key);
    const message: AcsMessage = {
      senderAddress: this.options.senderAddress,
      recipients: { to: email.to },
      content: { subject: email.subject, plainText: email.plainText },
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
