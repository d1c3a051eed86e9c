import { describe, expect, it } from 'vitest';
import { customerPutSchema } from '../../../shared/domain/agreements.js';
import type { EmailIntent } from '../../../shared/domain/outbox.js';
import type { Partner } from '../../../shared/domain/partner.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import { customerAgreements, placeOrder, putCustomer } from '../../../shared/use-cases/agreements.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const agent: Principal = { userId: 'agent-1', partnerId: 'P1', roles: new Set<Role>(['AdminAgent']), email: undefined };
const contact = { firstName: 'Cleo', lastName: 'Customer', email: 'cleo@fabrikam.example' };
const customer = {
  companyName: 'Fabrikam',
  primaryContact: { firstName: 'Cleo', lastName: 'Customer', email: 'cleo@fabrikam.example' },
  agreementOption: 'PartnerAttestation' as const,
};

async function setup(partner: Partial<Partner> = {}) {
  const memory = memoryDeps({ now: () => NOW });
  await memory.accounts.commit('P1', [{ kind: 'create', doc: partnerFixture({ cspModel: 'DirectBill', ...partner }) }]);
  return memory;
}

const intentsOf = (docs: { type: string }[]) => docs.filter((d): d is EmailIntent => d.type === 'emailIntent');

describe('putCustomer with an attestation (ATT-8)', () => {
  it('ATT-8, ATT-2: the customer, its agreement and the confirmation owed are written in one commit', async () => {
    const { deps, agreements, queued } = await setup();
    const commitsBefore = agreements.commits;
    const result = await putCustomer(deps, 'P1', 'C1', { ...customer, attestation: { primaryContact: contact, dateAgreed: '2025-05-31' } }, agent);
    expect(agreements.commits - commitsBefore).toBe(1);
    expect(result.created).toBe(true);
    expect(result.customer).toMatchObject({ customerId: 'C1', agreement: { kind: 'PartnerAttestation', dateAgreed: '2025-05-31', userId: 'agent-1' } });
    expect(
      agreements
        .ofPartner('P1')
        .map((d) => d.type)
        .sort(),
    ).toEqual(['agreement', 'customer', 'emailIntent']);
    expect(intentsOf(agreements.ofPartner('P1'))[0]).toMatchObject({ emailType: 'AttestationConfirmation', status: 'Pending' });
    expect(queued).toHaveLength(1);
    expect((await customerAgreements(deps, 'P1', 'C1')).acceptance).toBe('Provided');
  });

  it('ATT-2: an attestation dated in the future answers 400 and records nothing, not even the customer', async () => {
    const { deps, agreements } = await setup();
    const error = await errorOf(putCustomer(deps, 'P1', 'C1', { ...customer, attestation: { primaryContact: contact, dateAgreed: '2025-06-02' } }, agent));
    expect(error.kind).toBe('Invalid');
    expect(error.errors).toEqual([{ path: 'body.attestation.dateAgreed', message: 'must not be after today (UTC)' }]);
    expect(agreements.ofPartner('P1')).toEqual([]);
  });

  it('ATT-1: an IndirectReseller partner cannot attest while adding a customer (403), and nothing is recorded', async () => {
    const { deps, agreements } = await setup({ cspModel: 'IndirectReseller' });
    const error = await errorOf(putCustomer(deps, 'P1', 'C1', { ...customer, attestation: { primaryContact: contact, dateAgreed: '2025-05-31' } }, agent));
    expect([error.kind, error.code]).toEqual(['Forbidden', 'IndirectResellerCannotAttest']);
    expect(agreements.ofPartner('P1')).toEqual([]);
  });

  it('ATT-1: only an agent attests: a PlatformOperator PUT with an attestation answers 403', async () => {
    const { deps } = await setup();
    const operator: Principal = { userId: 'op', partnerId: undefined, roles: new Set<Role>(['PlatformOperator']), email: undefined };
    const error = await errorOf(putCustomer(deps, 'P1', 'C1', { ...customer, attestation: { primaryContact: contact, dateAgreed: '2025-05-31' } }, operator));
    expect(error.kind).toBe('Forbidden');
  });

  it('ATT-3: a retried PUT with the same attestation records one agreement and owes one email', async () => {
    const { deps, agreements } = await setup();
    const input = { ...customer, attestation: { primaryContact: contact, dateAgreed: '2025-05-31' } };
    await putCustomer(deps, 'P1', 'C1', input, agent);
    const again = await putCustomer(deps, 'P1', 'C1', input, agent);
    expect(again.created).toBe(false);
    expect(agreements.ofPartner('P1').filter((d) => d.type === 'agreement')).toHaveLength(1);
    expect(intentsOf(agreements.ofPartner('P1'))).toHaveLength(1);
  });

  it('ATT-8: an attestation goes with agreementOption PartnerAttestation only', () => {
    const result = customerPutSchema.safeParse({
      ...customer,
      agreementOption: 'DirectAcceptance',
      attestation: { primaryContact: contact, dateAgreed: '2025-05-31' },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['attestation']);
  });
});

describe('placeOrder (ATT-6, ATT-8)', () => {
  it('ATT-8: a renewal order for a customer without acceptance passes; ATT-6: a new order answers 409', async () => {
    const { deps } = await setup();
    await putCustomer(deps, 'P1', 'C1', customer);
    expect(await placeOrder(deps, 'P1', 'C1', 'Renewal')).toMatchObject({ customerId: 'C1', status: 'Created' });
    const error = await errorOf(placeOrder(deps, 'P1', 'C1', 'New'));
    expect([error.kind, error.code]).toEqual(['Conflict', 'CustomerAgreementNotAccepted']);
    expect((await errorOf(placeOrder(deps, 'P1', 'C1'))).code).toBe('CustomerAgreementNotAccepted');
  });
});
