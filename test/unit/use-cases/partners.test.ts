import { describe, expect, it } from 'vitest';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import { deliverIntent, sweepOutbox } from '../../../shared/use-cases/outbox.js';
import { upsertPartner } from '../../../shared/use-cases/partners.js';
import type { IntentRef } from '../../../shared/use-cases/ports.js';
import { memoryDeps } from '../support/memory-ports.js';
import { partnerInput } from '../support/fixtures.js';

const csp = {
  trailing12MonthRevenueUsd: 300_000,
  supportPlan: 'Advanced' as const,
  managedServices: 1,
  authorityToSign: true,
  firstLineSupport: true,
  infrastructure: true,
  capabilityAssessmentPassed: true,
  creditCheck: 'NotStarted' as const,
};

/** The shape of test/support/harness.ts partnerBody(), parsed as the edge parses it. */
const intents = (docs: { type: string }[]) => docs.filter((d): d is EmailIntent => d.type === 'emailIntent');

describe('upsertPartner', () => {
  it('VER-2: a new partner is created and sent one EmailVerification; its intent is marked Sent', async () => {
    const { deps, accounts, email } = memoryDeps();
    const result = await upsertPartner(deps, 'P1', partnerInput());
    expect(result.created).toBe(true);
    expect(result.partner.partnerId).toBe('P1');
    expect(email.ofType('EmailVerification')).toHaveLength(1);
    expect(email.sent).toHaveLength(1);
    expect(email.sent[0]?.message.to[0]?.address).toBe('ana@contoso.example');
    const owed = intents(accounts.ofPartner('P1'));
    expect(owed).toHaveLength(1);
    expect(owed[0]).toMatchObject({ emailType: 'EmailVerification', status: 'Sent' });
    expect(owed[0]?.message).toBeUndefined();
    const verification = await deps.accounts.verification('P1');
    expect(verification.etag).toBeDefined();
    expect(verification.doc.emailToken).toBeDefined();
  });

  it('VER-2: an identical PUT writes nothing and sends nothing', async () => {
    const { deps, accounts, email } = memoryDeps();
    await upsertPartner(deps, 'P1', partnerInput());
    const commits = accounts.commits;
    const partnerBefore = await deps.accounts.partner('P1');
    const result = await upsertPartner(deps, 'P1', partnerInput());
    expect(result.created).toBe(false);
    expect(accounts.commits).toBe(commits);
    expect(email.sent).toHaveLength(1);
    expect((await deps.accounts.partner('P1'))?.etag).toBe(partnerBefore?.etag);
  });

  it('VER-2 (outbox): during an email outage the upsert succeeds, the intent stays Pending, and the sweep delivers exactly one', async () => {
    const { deps, accounts, email, queued } = memoryDeps();
    email.failing = true;
    const logs: string[] = [];
    const result = await upsertPartner(deps, 'P1', partnerInput(), (m) => logs.push(m));
    expect(result.created).toBe(true);
    expect(email.sent).toHaveLength(0);
    expect(logs.length).toBeGreaterThan(0);
    const pending = intents(accounts.ofPartner('P1'));
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ emailType: 'EmailVerification', status: 'Pending', attempts: 1 });
    expect(await deps.accounts.partner('P1')).toBeDefined();

    // Service back: the sweep queues the pending intent; the queue worker delivers it.
    email.failing = false;
    const swept = await sweepOutbox(deps);
    expect(swept.queued).toBe(1);
    expect(queued).toHaveLength(1);
    const ref = queued[0]?.message as IntentRef;
    expect(await deliverIntent(deps, ref)).toBe('sent');
    // A redelivery (duplicate message, second sweep) sends nothing more.
    expect(await deliverIntent(deps, ref)).toBe('already-sent');
    expect((await sweepOutbox(deps)).queued).toBe(0);
    expect(email.ofType('EmailVerification')).toHaveLength(1);
    expect(intents(accounts.ofPartner('P1'))[0]?.status).toBe('Sent');
  });

  it('VER-2 (outbox): delivering over deps.outbox.pending after an outage sends exactly one', async () => {
    const { deps, email } = memoryDeps();
    email.failing = true;
    await upsertPartner(deps, 'P1', partnerInput());
    email.failing = false;
    const page = await deps.outbox.pending({ size: 10, continuationToken: undefined });
    expect(page.items).toHaveLength(1);
    for (const { intent: _intent, ...ref } of page.items) await deliverIntent(deps, ref);
    for (const { intent: _intent, ...ref } of page.items) await deliverIntent(deps, ref);
    expect(email.sent).toHaveLength(1);
    expect((await deps.outbox.pending({ size: 10, continuationToken: undefined })).items).toHaveLength(0);
  });

  it('CSP-2: the credit check passing sends one CreditCheckPassed; the same PUT again sends none', async () => {
    const { deps, email } = memoryDeps();
    await upsertPartner(deps, 'P1', partnerInput({ csp: { ...csp, creditCheck: 'Pending' } }));
    expect(email.ofType('CreditCheckPassed')).toHaveLength(0);
    await upsertPartner(deps, 'P1', partnerInput({ csp: { ...csp, creditCheck: 'Passed' } }));
    expect(email.ofType('CreditCheckPassed')).toHaveLength(1);
    await upsertPartner(deps, 'P1', partnerInput({ csp: { ...csp, creditCheck: 'Passed' } }));
    expect(email.ofType('CreditCheckPassed')).toHaveLength(1);
  });

  it('CSP-2: a changed PUT while the check stays Passed sends no second CreditCheckPassed', async () => {
    const { deps, email } = memoryDeps();
    await upsertPartner(deps, 'P1', partnerInput({ csp: { ...csp, creditCheck: 'Passed' } }));
    expect(email.ofType('CreditCheckPassed')).toHaveLength(1);
    await upsertPartner(deps, 'P1', partnerInput({ csp: { ...csp, creditCheck: 'Passed', managedServices: 2 } }));
    expect(email.ofType('CreditCheckPassed')).toHaveLength(1);
    expect(email.ofType('EmailVerification')).toHaveLength(1);
  });
});
