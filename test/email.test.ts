import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AcsEmailSender, operationIdFor } from '../shared/adapters/email-sender.js';
import { EmailEndpoint } from '../shared/local-host/email-endpoint.js';
import { unique } from './support/harness.js';

// This file empties its endpoint between tests, so it runs its own instance rather than the shared one.
const local = new EmailEndpoint({ port: 0, accessKey: Buffer.from('email-test-key').toString('base64') });
let endpoint = '';
beforeAll(async () => {
  await local.start();
  endpoint = local.url;
});
afterAll(() => local.stop());

function sender(connectionString = local.connectionString): AcsEmailSender {
  return new AcsEmailSender({
    connection: connectionString,
    allowInsecureConnection: true,
    senderAddress: 'DoNotReply@partner-portal.example',
    pollIntervalMs: 20,
    attempts: 1,
  });
}

interface Listed {
  id: string;
  receivedAt: string;
  message: { headers?: Record<string, string>; recipients: { to: { address: string }[] }; content: { subject: string } };
}

async function listed(): Promise<Listed[]> {
  return (await (await fetch(`${endpoint}/emails`)).json()) as Listed[];
}

describe('email sender over the local Communication Services endpoint', () => {
  beforeEach(async () => {
    expect((await fetch(`${endpoint}/emails`, { method: 'DELETE' })).status).toBe(204);
  });

  it('sends through the unmodified SDK with x-notification-type and a key-derived operation id', async () => {
    const key = unique('verification');
    const receipt = await sender().send(key, {
      type: 'EmailVerification',
      to: [{ address: 'ana@contoso.example', displayName: 'Ana Lee' }],
      subject: 'Verify your email',
      plainText: 'Open the link',
    });
    expect(receipt).toEqual({ operationId: operationIdFor(key), status: 'Succeeded' });
    const [email] = await listed();
    expect(email?.id).toBe(operationIdFor(key));
    expect(email?.message.headers?.['x-notification-type']).toBe('EmailVerification');
    expect(email?.message.recipients.to[0]?.address).toBe('ana@contoso.example');
  });

  it('stores a repeated operation id twice, as Communication Services may: only asking first keeps it to one', async () => {
    const key = unique('same');
    const email = { type: 'AttestationConfirmation' as const, to: [{ address: 'a@b.example' }], subject: 's', plainText: 't' };
    expect(await sender().sendResult(key)).toBeUndefined();
    await sender().send(key, email);
    expect(await sender().sendResult(key)).toBe('Succeeded');
    await sender().send(key, email);
    expect(await listed()).toHaveLength(2);
  });

  it('retries a failed send only after asking the service: a send whose answer was lost is not sent again', async () => {
    const key = unique('lost-answer');
    const email = { type: 'AttestationConfirmation' as const, to: [{ address: 'a@b.example' }], subject: 's', plainText: 't' };
    const retrying = new AcsEmailSender({
      connection: local.connectionString,
      allowInsecureConnection: true,
      senderAddress: 'DoNotReply@partner-portal.example',
      pollIntervalMs: 20,
      attempts: 3,
      sleep: async () => {},
    });
    // The service stores the first send but its answer is lost (a 503 after the fact); the retry must ask first.
    local.loseNextAnswers(1);
    expect(await retrying.send(key, email)).toMatchObject({ status: 'Succeeded' });
    expect((await listed()).filter((e) => e.id === operationIdFor(key))).toHaveLength(1);
  });

  it('rejects a request signed with the wrong key (401) and stores nothing', async () => {
    const wrong = `endpoint=${endpoint}/;accesskey=${Buffer.from('not-the-key').toString('base64')}`;
    const error = await sender(wrong)
      .send(unique('x'), { type: 'EmailVerification', to: [{ address: 'a@b.example' }], subject: 's', plainText: 't' })
      .catch((e: unknown) => e);
    expect((error as { statusCode?: number }).statusCode).toBe(401);
    expect(await listed()).toHaveLength(0);
  });

  it('derives operation ids as UUIDs, stable per key', () => {
    expect(operationIdFor('k')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(operationIdFor('k')).toBe(operationIdFor('k'));
    expect(operationIdFor('k')).not.toBe(operationIdFor('k2'));
  });

  it('shows messages on GET / as an HTML page with content escaped', async () => {
    await sender().send(unique('html'), { type: 'RolloverSummary', to: [{ address: 'a@b.example' }], subject: '<script>x</script>', plainText: 't' });
    const page = await (await fetch(`${endpoint}/`)).text();
    expect(page).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(page).not.toContain('<script>x');
    expect(page).toContain('RolloverSummary');
  });
});
