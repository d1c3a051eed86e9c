import { describe, expect, it } from 'vitest';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import type { Partner } from '../../../shared/domain/partner.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import { attestAgreement, customerAgreements, putCustomer, recordAgreementEvent, type AgreementEvent } from '../../../shared/use-cases/agreements.js';
import { deliverIntent } from '../../../shared/use-cases/outbox.js';
import type { IntentRef } from '../../../shared/use-cases/ports.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const principal: Principal = { userId: 'user-1', partnerId: 'P1', roles: new Set<Role>(['AdminAgent']), email: 'admin@contoso.com' };
const contact = { firstName: 'Cleo', lastName: 'Customer', email: 'cleo@fabrikam.example', phoneNumber: '+1 555 0199' };

async function setup(partner: Partial<Partner> = {}, agreementOption: 'PartnerAttestation' | 'DirectAcceptance' = 'PartnerAttestation') {
  const memory = memoryDeps({ now: () => NOW });
  await memory.accounts.commit('P1', [{ kind: 'create', doc: partnerFixture({ cspModel: 'DirectBill', ...partner }) }]);
  await putCustomer(memory.deps, 'P1', 'C1', {
    companyName: 'Fabrikam',
    primaryContact: { firstName: 'Cleo', lastName: 'Customer', email: 'cleo@fabrikam.example' },
    agreementOption,
  });
  return memory;
}

const intentsOf = (docs: { type: string }[]) => docs.filter((d): d is EmailIntent => d.type === 'emailIntent');

describe('attestAgreement', () => {
  it('ATT-3: an attestation owes one AttestationConfirmation, due 30 minutes after, queued for delivery', async () => {
    const { deps, agreements, queued, email } = await setup();
    const result = await attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-05-31', principal });
    expect(result).toMatchObject({ customerId: 'C1', kind: 'PartnerAttestation', dateAgreed: '2025-05-31', userId: 'user-1' });
    const owed = intentsOf(agreements.ofPartner('P1'));
    expect(owed).toHaveLength(1);
    expect(owed[0]).toMatchObject({ emailType: 'AttestationConfirmation', status: 'Pending', occurredAt: NOW.toISOString(), breached: false });
    expect(owed[0]?.dueBy).toBe(new Date(NOW.getTime() + 30 * 60_000).toISOString());
    expect(owed[0]?.message?.to[0]?.address).toBe('cleo@fabrikam.example');
    // Queued for the outbox workers; delivering it sends exactly one.
    expect(queued).toHaveLength(1);
    const ref = queued[0]?.message as IntentRef;
    expect(ref).toMatchObject({ box: 'agreements', partnerId: 'P1', intentId: owed[0]?.id });
    expect(await deliverIntent(deps, ref)).toBe('sent');
    expect(await deliverIntent(deps, ref)).toBe('already-sent');
    expect(email.ofType('AttestationConfirmation')).toHaveLength(1);
    expect((await customerAgreements(deps, 'P1', 'C1')).acceptance).toBe('Provided');
  });

  it('ATT-3: an attestation with the identical contact (case/phone-format aside) is a Conflict PartnerConfirmedAgreementAlreadyExists and owes nothing more', async () => {
    const { deps, agreements } = await setup();
    await attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-05-31', principal });
    const same = { ...contact, email: 'CLEO@fabrikam.example', phoneNumber: '+1 (555) 0199' };
    const error = await errorOf(attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: same, dateAgreed: '2025-05-30', principal }));
    expect(error.kind).toBe('Conflict');
    expect(error.code).toBe('PartnerConfirmedAgreementAlreadyExists');
    expect(intentsOf(agreements.ofPartner('P1'))).toHaveLength(1);
    expect((await customerAgreements(deps, 'P1', 'C1')).agreements).toHaveLength(1);
  });

  it('ATT-3: a different contact is a second attestation with its own confirmation', async () => {
    const { deps, agreements } = await setup();
    await attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-05-31', principal });
    await attestAgreement(deps, {
      partnerId: 'P1',
      customerId: 'C1',
      primaryContact: { ...contact, email: 'other@fabrikam.example' },
      dateAgreed: '2025-05-31',
      principal,
    });
    expect(intentsOf(agreements.ofPartner('P1'))).toHaveLength(2);
  });

  it('ATT-2: a date in the future (UTC) is Invalid and records nothing', async () => {
    const { deps, agreements, queued } = await setup();
    const error = await errorOf(attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-06-02', principal }));
    expect(error.kind).toBe('Invalid');
    expect(error.errors?.[0]?.path).toBe('body.dateAgreed');
    expect(agreements.ofPartner('P1').filter((d) => d.type !== 'customer')).toHaveLength(0);
    expect(queued).toHaveLength(0);
  });

  it('ATT-2: today (UTC) is accepted', async () => {
    const { deps } = await setup();
    await expect(
      attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-06-01', principal }),
    ).resolves.toMatchObject({ dateAgreed: '2025-06-01' });
  });

  it('ATT-1: an indirect reseller cannot attest (Forbidden IndirectResellerCannotAttest)', async () => {
    const { deps } = await setup({ cspModel: 'IndirectReseller' });
    const error = await errorOf(attestAgreement(deps, { partnerId: 'P1', customerId: 'C1', primaryContact: contact, dateAgreed: '2025-05-31', principal }));
    expect(error.kind).toBe('Forbidden');
    expect(error.code).toBe('IndirectResellerCannotAttest');
  });
});

describe('recordAgreementEvent', () => {
  const event = (overrides: Partial<AgreementEvent> = {}): AgreementEvent => ({
    eventId: 'evt-1',
    partnerId: 'P1',
    customerId: 'C1',
    kind: 'DirectAcceptance',
    primaryContact: contact,
    dateAgreed: '2025-05-31',
    occurredAt: '2025-06-01T11:00:00.000Z',
    ...overrides,
  });

  it('ATT-4: a DirectAcceptance event is recorded and owes no intent, sends no email', async () => {
    const { deps, agreements, email, queued } = await setup({}, 'DirectAcceptance');
    expect(await recordAgreementEvent(deps, event())).toEqual({ recorded: true });
    expect(intentsOf(agreements.ofPartner('P1'))).toHaveLength(0);
    expect(email.sent).toHaveLength(0);
    expect(queued).toHaveLength(0);
    expect((await customerAgreements(deps, 'P1', 'C1')).acceptance).toBe('Provided');
  });

  it('ATT-3: a PartnerAttestation event sends one confirmation; its redelivery records and sends nothing more', async () => {
    const { deps, agreements, email } = await setup();
    expect(await recordAgreementEvent(deps, event({ kind: 'PartnerAttestation' }))).toEqual({ recorded: true });
    expect(await recordAgreementEvent(deps, event({ kind: 'PartnerAttestation' }))).toEqual({ recorded: false });
    expect(email.ofType('AttestationConfirmation')).toHaveLength(1);
    const owed = intentsOf(agreements.ofPartner('P1'));
    expect(owed).toHaveLength(1);
    expect(owed[0]).toMatchObject({ status: 'Sent', dueBy: '2025-06-01T11:30:00.000Z' });
  });

  it('ATT-3: a redelivered PartnerAttestation event delivers the confirmation still owed after an outage', async () => {
    const { deps, email } = await setup();
    email.failing = true;
    await recordAgreementEvent(deps, event({ kind: 'PartnerAttestation' }));
    expect(email.sent).toHaveLength(0);
    email.failing = false;
    expect(await recordAgreementEvent(deps, event({ kind: 'PartnerAttestation' }))).toEqual({ recorded: false });
    expect(email.ofType('AttestationConfirmation')).toHaveLength(1);
  });

  it('an event for an unknown customer is an UnprocessableMessage', async () => {
    const { deps } = await setup();
    const error = await errorOf(recordAgreementEvent(deps, event({ customerId: 'nope' })));
    expect(error.kind).toBe('UnprocessableMessage');
  });
});
