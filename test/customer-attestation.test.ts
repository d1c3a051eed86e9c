// Attesting while a customer is added (ATT-8), and renewal orders past the ATT-6 guard, over the real stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getServices } from '../shared/composition-root.js';
import { acceptanceRequiredMessage } from '../shared/domain/agreements.js';
import type { Role } from '../shared/domain/roles.js';
import type { AgreementDoc } from '../shared/use-cases/ports.js';
import { acceptPartnerTab, call, emailsTo, eventually, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: 'agent-8' });
const today = () => new Date().toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

async function partner(cspModel = 'DirectBill') {
  const partnerId = unique('CA');
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: partnerBody({ cspModel }) })).status).toBe(201);
  return partnerId;
}

function customer(email: string, attestation?: Record<string, unknown>) {
  return {
    companyName: 'Fabrikam',
    primaryContact: { firstName: 'Kai', lastName: 'Ito', email },
    agreementOption: 'PartnerAttestation',
    ...(attestation ? { attestation } : {}),
  };
}

async function stored(partnerId: string): Promise<AgreementDoc[]> {
  return (await getServices())
    .repository<AgreementDoc>('agreements')
    .queryAll({ query: 'SELECT * FROM c WHERE c.partnerId = @partnerId', parameters: [{ name: '@partnerId', value: partnerId }] }, { partnerId });
}

describe('attestation while adding a customer (ATT-8)', () => {
  it('ATT-8, ATT-3: the customer and its agreement are recorded together, acceptance is Provided, and the customer is emailed once', async () => {
    const partnerId = await partner();
    const customerId = unique('C');
    const email = `${customerId.toLowerCase()}@fabrikam.example`;
    const body = customer(email, { primaryContact: { firstName: 'Kai', lastName: 'Ito', email }, dateAgreed: today() });
    const put = await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, { token: await as(partnerId, 'SalesAgent'), body });
    expect(put.status).toBe(201);
    expect(await put.json()).toMatchObject({ customerId, agreement: { kind: 'PartnerAttestation', dateAgreed: today(), userId: 'agent-8' } });
    expect((await stored(partnerId)).map((d) => d.type).sort()).toEqual(['agreement', 'customer', 'emailIntent']);
    const acceptance = await call(host, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements`, { token: await as(partnerId, 'AdminAgent') });
    expect(((await acceptance.json()) as { acceptance: string }).acceptance).toBe('Provided');
    // A retried PUT records no second agreement and sends no second email.
    expect((await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, { token: await as(partnerId, 'SalesAgent'), body })).status).toBe(
      200,
    );
    await eventually(async () => ((await emailsTo(email)).length > 0 ? true : undefined));
    await host.host.idle();
    expect((await emailsTo(email)).filter((e) => e.message.headers?.['x-notification-type'] === 'AttestationConfirmation')).toHaveLength(1);
    expect((await stored(partnerId)).filter((d) => d.type === 'agreement')).toHaveLength(1);
  });

  it('ATT-2: an attestation dated tomorrow inside the customer PUT answers 400 and records nothing', async () => {
    const partnerId = await partner();
    const customerId = unique('C');
    const email = `${customerId.toLowerCase()}@fabrikam.example`;
    const put = await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, {
      token: await as(partnerId, 'AdminAgent'),
      body: customer(email, { primaryContact: { firstName: 'Kai', lastName: 'Ito', email }, dateAgreed: tomorrow() }),
    });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['body.attestation.dateAgreed']);
    expect(await stored(partnerId)).toEqual([]);
  });

  it('ATT-1: an IndirectReseller partner cannot attest while adding a customer (403), and nothing is recorded', async () => {
    const partnerId = await partner('IndirectReseller');
    const customerId = unique('C');
    const email = `${customerId.toLowerCase()}@fabrikam.example`;
    const put = await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, {
      token: await as(partnerId, 'AdminAgent'),
      body: customer(email, { primaryContact: { firstName: 'Kai', lastName: 'Ito', email }, dateAgreed: today() }),
    });
    expect(put.status).toBe(403);
    expect(await stored(partnerId)).toEqual([]);
  });
});

describe('orders: renewals and the ATT-6 guard', () => {
  it('ATT-8: a renewal order for a customer without acceptance answers 201; ATT-6: a new order answers 409', async () => {
    const partnerId = await partner();
    const customerId = unique('C');
    const token = await as(partnerId, 'AdminAgent');
    expect(
      (await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, { token, body: customer(`${customerId.toLowerCase()}@fabrikam.example`) }))
        .status,
    ).toBe(201);
    await acceptPartnerTab(partnerId); // VER-11: buying waits for the partner tab
    const order = (kind?: string) =>
      call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, {
        token,
        body: { offerId: 'm365-e3', quantity: 5, ...(kind ? { kind } : {}) },
      });
    const renewal = await order('Renewal');
    expect(renewal.status).toBe(201);
    expect(await renewal.json()).toMatchObject({ kind: 'Renewal', customerId });
    for (const kind of ['New', undefined]) {
      const refused = await order(kind);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { detail: string }).detail).toContain(acceptanceRequiredMessage);
    }
    expect((await order('Upgrade')).status).toBe(400);
  });
});
