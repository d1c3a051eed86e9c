import { EmailClient, type EmailMessage as AcsMessage } from '@azure/communication-email';
import { createCommunicationAuthPolicy, parseClientArguments } from '@azure/communication-common';
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient, createEmptyPipeline, createPipelineRequest, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import { keyedUuid } from '../domain/keyed-id.js';
import type { EmailMessage } from '../domain/outbox.js';
import type { EmailSender, EmailSendReceipt, EmailSendStatus } from '../use-cases/ports.js';

/** A UUID (v5 layout) derived from a key, as the service's `Operation-Id` must be a UUID. */
export function operationIdFor(key: string): string {
  return keyedUuid('partner-portal-email', key);
}

/** The REST API version the SDK speaks; the send-result reads use the same. */
const apiVersion = '2025-09-01';
const statuses = new Set<EmailSendStatus>(['NotStarted', 'Running', 'Succeeded', 'Failed', 'Canceled']);

export interface AcsEmailSenderOptions {
  /** A connection string (`endpoint=...;accesskey=...`), or the endpoint URL with `credential`. */
  connection: string;
  credential?: TokenCredential;
  allowInsecureConnection?: boolean;
  senderAddress: string;
  pollIntervalMs: number;
  /** Attempts for a send that fails with a transient error. */
  attempts?: number;
  /** A send gives up after this long, all attempts together: well inside the outbox's claim (2 minutes). */
  deadlineMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends through Communication Services and waits until the service reports the outcome. The SDK's own
 * retries are off: a send is tried again only here, and only after asking the service for the result
 * of the same operation id (`GET /emails/operations/{id}`), since a repeated send is not documented to
 * be dropped. Retries also carry `Repeatability-Request-Id` and `Repeatability-First-Sent`, which the
 * service honours for five minutes.
 */
export class AcsEmailSender implements EmailSender {
  private readonly client: EmailClient;
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();
  private readonly endpoint: string;

  constructor(private readonly options: AcsEmailSenderOptions) {
    const clientOptions = { ...(options.allowInsecureConnection ? { allowInsecureConnection: true } : {}), retryOptions: { maxRetries: 0 } };
    this.client = options.credential
      ? new EmailClient(options.connection, options.credential, clientOptions)
      : new EmailClient(options.connection, clientOptions);
    const { url, credential } = parseClientArguments(options.connection, options.credential);
    this.endpoint = url.replace(/\/+$/, '');
    this.pipeline = createEmptyPipeline();
    this.pipeline.addPolicy(createCommunicationAuthPolicy(credential));
  }

  async sendResult(key: string): Promise<EmailSendStatus | undefined> {
    const operationId = operationIdFor(key);
    const request = createPipelineRequest({
      url: `${this.endpoint}/emails/operations/${operationId}?api-version=${apiVersion}`,
      method: 'GET',
      allowInsecureConnection: this.options.allowInsecureConnection ?? false,
    });
    const response = await this.pipeline.sendRequest(this.http, request);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw Object.assign(new Error(`email operation ${operationId}: HTTP ${response.status}`), { statusCode: response.status });
    const status = (JSON.parse(response.bodyAsText ?? '{}') as { status?: string }).status;
    return statuses.has(status as EmailSendStatus) ? (status as EmailSendStatus) : undefined;
  }

  async send(key: string, email: EmailMessage, firstAttemptAt?: Date): Promise<EmailSendReceipt> {
    const operationId = operationIdFor(key);
    const message: AcsMessage = {
      senderAddress: this.options.senderAddress,
      recipients: { to: email.to },
      content: { subject: email.subject, plainText: email.plainText },
      headers: { 'x-notification-type': email.type },
    };
    const attempts = this.options.attempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const firstSent = firstAttemptAt ?? new Date();
    const deadline = AbortSignal.timeout(this.options.deadlineMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > 1) {
          // The last attempt may have reached the service before it failed for us: ask before sending
          // again. Accepted (running or done) is not sent twice; only a send the service lacks, or one
          // that ended without sending, is tried again.
          const recorded = await this.sendResult(key);
          if (recorded === 'Succeeded' || recorded === 'Running' || recorded === 'NotStarted') return { operationId, status: recorded };
        }
        const poller = await this.client.beginSend(message, {
          operationId,
          updateIntervalInMs: this.options.pollIntervalMs,
          abortSignal: deadline,
          requestOptions: { customHeaders: { 'Repeatability-Request-Id': operationId, 'Repeatability-First-Sent': firstSent.toUTCString() } },
        });
        const result = await poller.pollUntilDone({ abortSignal: deadline }).catch((error: unknown) => {
          const state = poller.getOperationState().status;
          throw state === 'failed' || state === 'canceled' ? new EmailOperationEnded(operationId, state) : error;
        });
        if (result.status !== 'Succeeded') throw new EmailOperationEnded(operationId, result.status);
        return { operationId, status: result.status };
      } catch (error) {
        if (attempt >= attempts || deadline.aborted || !isTransient(error)) throw error;
        await sleep(Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }
}

/** The service ran the operation and it ended without sending (a bad recipient, say): not retried here. */
class EmailOperationEnded extends Error {
  constructor(operationId: string, status: string) {
    super(`email operation ${operationId} ended ${status}`);
    this.name = 'EmailOperationEnded';
  }
}

function isTransient(error: unknown): boolean {
  if (error instanceof EmailOperationEnded) return false;
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number') return true; // network failure: worth another try
  return status === 408 || status === 429 || status >= 500;
}
