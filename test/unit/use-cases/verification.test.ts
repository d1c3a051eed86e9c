import { describe, expect, it } from 'vitest';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import type { Decision } from '../../../shared/domain/verification.js';
import { upsertPartner } from '../../../shared/use-cases/partners.js';
import { confirmVerificationEmail, handleVerificationDecision, resendVerificationEmail } from '../../../shared/use-cases/verification.js';
import { memoryDeps, type SentEmail } from '../support/memory-ports.js';
import { errorOf, partnerInput } from '../support/fixtures.js';

const START = Date.parse('2025-06-02T09:00:00.000Z');

/** A partner that just started verification (VER-2), with a clock the test moves. */
async function setup() {
  const clock = { now: START };
  const memory = memoryDeps({ now: () => new Date(clock.now) });
  await upsertPartner(memory.deps, 'P1', partnerInput());
  const advance = (seconds: number) => {
    clock.now += seconds * 1000;
  };
  return { ...memory, advance };
}

/** The one-time token of a verification email, from its link `?token=`. */
function tokenOf(sent: SentEmail | undefined): string {
  const match = sent?.message.plainText.match(/https?:\/\/\S+/);
  expect(match).not.toBeNull();
  const token = new URL(match?.[0] ?? '').searchParams.get('token');
  expect(token).toBeTruthy();
  return token ?? '';
}

const emailOwnership = async (deps: ReturnType<typeof memoryDeps>['deps']) =>
  (await deps.accounts.verification('P1')).doc.tabs.flatMap((t) => t.checks.filter((c) => c.type === 'EmailOwnership').map((c) => c.status));

describe('resendVerificationEmail', () => {
  it('VER-6: a resend within the cooldown is RateLimited (retry after the rest of it) and sends nothing', async () => {
    const { deps, email, advance } = await setup();
    advance(60);
    const error = await errorOf(resendVerificationEmail(deps, 'P1'));
    expect(error.kind).toBe('RateLimited');
    expect(error.retryAfterSeconds).toBe(900 - 60);
    expect(email.ofType('EmailVerification')).toHaveLength(1);
  });

  it('VER-6: after the cooldown a resend sends a new link that supersedes the earlier one', async () => {
    const { deps, email, advance } = await setup();
    const first = tokenOf(email.ofType('EmailVerification')[0]);
    advance(900);
    const result = await resendVerificationEmail(deps, 'P1');
    expect(result).toMatchObject({ sentTo: 'ana@contoso.example', resendCount: 2, nextAllowedAt: new Date(START + 1800_000).toISOString() });
    const sent = email.ofType('EmailVerification');
    expect(sent).toHaveLength(2);
    const second = tokenOf(sent[1]);
    expect(second).not.toBe(first);
    const error = await errorOf(confirmVerificationEmail(deps, first));
    expect(error).toMatchObject({ kind: 'Invalid', code: 'InvalidVerificationToken' });
    await expect(confirmVerificationEmail(deps, second)).resolves.toEqual({ emailOwnership: 'Accepted' });
  });

  it('VER-6: once email ownership is proven a resend is a Conflict EmailOwnershipAlreadyVerified', async () => {
    const { deps, email, advance } = await setup();
    await confirmVerificationEmail(deps, tokenOf(email.ofType('EmailVerification')[0]));
    advance(900);
    const error = await errorOf(resendVerificationEmail(deps, 'P1'));
    expect(error).toMatchObject({ kind: 'Conflict', code: 'EmailOwnershipAlreadyVerified' });
  });
});

describe('confirmVerificationEmail', () => {
  it('VER-3: the link from the email accepts EmailOwnership on every tab, once', async () => {
    const { deps, email } = await setup();
    expect(await emailOwnership(deps)).not.toContain('Accepted');
    const token = tokenOf(email.ofType('EmailVerification')[0]);
    await expect(confirmVerificationEmail(deps, token)).resolves.toEqual({ emailOwnership: 'Accepted' });
    const statuses = await emailOwnership(deps);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'Accepted')).toBe(true);
    expect((await deps.accounts.verification('P1')).doc.emailToken).toBeUndefined();
    const again = await errorOf(confirmVerificationEmail(deps, token));
    expect(again).toMatchObject({ kind: 'Invalid', code: 'InvalidVerificationToken' });
  });

  it('VER-3: an expired link (past the TTL) is Invalid', async () => {
    const { deps, email, advance } = await setup();
    const token = tokenOf(email.ofType('EmailVerification')[0]);
    advance(168 * 3600 + 1);
    expect(await errorOf(confirmVerificationEmail(deps, token))).toMatchObject({ kind: 'Invalid', code: 'InvalidVerificationToken' });
    expect(await emailOwnership(deps)).not.toContain('Accepted');
  });

  it('VER-3: a forged or tampered token is Invalid', async () => {
    const { deps, email } = await setup();
    const token = tokenOf(email.ofType('EmailVerification')[0]);
    expect(await errorOf(confirmVerificationEmail(deps, 'garbage'))).toMatchObject({ kind: 'Invalid', code: 'InvalidVerificationToken' });
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(await errorOf(confirmVerificationEmail(deps, tampered))).toMatchObject({ kind: 'Invalid', code: 'InvalidVerificationToken' });
  });
});

describe('handleVerificationDecision', () => {
  const decision = (overrides: Partial<Decision> = {}): Decision => ({
    decisionId: 'dec-1',
    partnerId: 'P1',
    check: 'Business',
    tab: 'partner',
    outcome: 'Accepted',
    decidedAt: '2025-06-02T08:00:00.000Z',
    ...overrides,
  });

  it('VER-10: a decision is applied and the primary contact told by one VerificationDecision email', async () => {
    const { deps, email, accounts } = await setup();
    expect(await handleVerificationDecision(deps, decision())).toEqual({ applied: true, emailsSent: 1 });
    const sent = email.ofType('VerificationDecision');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.message.to[0]?.address).toBe('ana@contoso.example');
    const business = (await deps.accounts.verification('P1')).doc.tabs.find((t) => t.tab === 'partner')?.checks.find((c) => c.type === 'Business');
    expect(business?.status).toBe('Accepted');
    const owed = accounts.ofPartner('P1').filter((d): d is EmailIntent => d.type === 'emailIntent' && d.emailType === 'VerificationDecision');
    expect(owed).toEqual([expect.objectContaining({ status: 'Sent' })]);
  });

  it('VER-10: a repeated decision is not applied again: no email, the verification version unchanged', async () => {
    const { deps, email } = await setup();
    await handleVerificationDecision(deps, decision());
    const before = await deps.accounts.verification('P1');
    expect(await handleVerificationDecision(deps, decision())).toEqual({ applied: false, emailsSent: 0 });
    expect((await deps.accounts.verification('P1')).etag).toBe(before.etag);
    expect(email.ofType('VerificationDecision')).toHaveLength(1);
  });

  it('VER-10: an older decision of the same check (by decidedAt) is not applied', async () => {
    const { deps, email } = await setup();
    await handleVerificationDecision(deps, decision());
    const before = await deps.accounts.verification('P1');
    expect(await handleVerificationDecision(deps, decision({ decisionId: 'dec-0', outcome: 'Rejected', decidedAt: '2025-06-01T08:00:00.000Z' }))).toEqual({
      applied: false,
      emailsSent: 0,
    });
    expect((await deps.accounts.verification('P1')).etag).toBe(before.etag);
    expect(email.ofType('VerificationDecision')).toHaveLength(1);
  });

  it('VER-10: during an email outage the decision is applied and its email stays owed (Pending)', async () => {
    const { deps, email, accounts } = await setup();
    email.failing = true;
    expect(await handleVerificationDecision(deps, decision())).toEqual({ applied: true, emailsSent: 0 });
    const owed = accounts.ofPartner('P1').filter((d): d is EmailIntent => d.type === 'emailIntent' && d.emailType === 'VerificationDecision');
    expect(owed).toEqual([expect.objectContaining({ status: 'Pending' })]);
  });

  it('VER-7: Identity Rejected without Fix now suspends the account', async () => {
    const { deps } = await setup();
    await handleVerificationDecision(deps, decision({ check: 'Identity', outcome: 'Rejected', fixNowAvailable: false }));
    expect((await deps.accounts.verification('P1')).doc.suspended).toBe(true);
  });

  it('an outcome impossible for the check, or an unknown partner, is an UnprocessableMessage', async () => {
    const { deps } = await setup();
    expect((await errorOf(handleVerificationDecision(deps, decision({ check: 'Business', outcome: 'Challenged' })))).kind).toBe('UnprocessableMessage');
    expect((await errorOf(handleVerificationDecision(deps, decision({ partnerId: 'nobody' })))).kind).toBe('UnprocessableMessage');
  });
});
