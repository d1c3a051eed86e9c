import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIdFor } from '../shared/adapters/email-sender.js';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices, overrideServices } from '../shared/composition-root.js';
import {
  acceptanceRequiredMessage,
  adminCenterAgreementUrl,
  attestationId,
  confirmationKey,
  eventAgreementId,
  type AcceptedBy,
} from '../shared/domain/agreements.js';
import { emailIntentId, type EmailIntent } from '../shared/domain/outbox.js';
import { deliverIntent } from '../shared/use-cases/outbox.js';
import type { EmailSender } from '../shared/use-cases/ports.js';
import type { Role } from '../shared/domain/roles.js';
import {
  acceptPartnerTab,
  call,
  emailOutage,
  emailsTo,
  eventually,
  partnerBody,
  queueService,
  startAppHost,
  tokenFor,
  unique,
  type TestHost,
} from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: 'agent-7' });
const today = () => new Date().toISOString().slice(0, 10);
/** The outbox intent of an attestation's confirmation (ATT-3), and the key its operation id derives from. */
const confirmationOf = (customerId: string, contact: AcceptedBy) => confirmationKey(attestationId(customerId, contact));
async function intent(partnerId: string, key: string) {
  return (await getServices()).outbox.read({ box: 'agreements', partnerId, intentId: emailIntentId(key) });
}

async function setup(cspModel = 'DirectBill', agreementOption = 'PartnerAttestation') {
  const partnerId = unique('P');
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: partnerBody({ cspModel }) })).status).toBe(201);
  const customerId = unique('C');
  const customerEmail = `${customerId.toLowerCase()}@fabrikam.example`;
  const put = await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, {
    token: await as(partnerId, 'AdminAgent'),
    body: { companyName: 'Fabrikam', primaryContact: { firstName: 'Kai', lastName: 'Ito', email: customerEmail }, agreementOption },
  });
  expect(put.status).toBe(201);
  return { partnerId, customerId, customerEmail, customer: (await put.json()) as Record<string, unknown> };
}

const contact = { firstName: 'Kai', lastName: 'Ito', email: 'kai@fabrikam.example', phoneNumber: '+1 555 0199' };

async function attest(partnerId: string, customerId: string, body: Record<string, unknown>, roles: Role[] = ['AdminAgent']): Promise<Response> {
  return call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/agreements`, { token: await as(partnerId, ...roles), body });
}

const confirmations = async (address: string) =>
  (await emailsTo(address)).filter((e) => e.message.headers?.['x-notification-type'] === 'AttestationConfirmation');

describe('customers (ATT-7)', () => {
  it('ATT-7: a DirectAcceptance customer comes with the invitation email holding the admin-center URL', async () => {
    const { customer } = await setup('DirectBill', 'DirectAcceptance');
    const invitation = customer.invitationEmail as { subject: string; body: string };
    expect(invitation.body).toContain(adminCenterAgreementUrl);
    expect(invitation.subject).toMatch(/Microsoft Customer Agreement/);
  });

  it('a PartnerAttestation customer has no invitation', async () => {
    const { customer } = await setup();
    expect(customer.invitationEmail).toBeUndefined();
  });
});

describe('attestation (ATT-1, ATT-2, ATT-3, ATT-5, ATT-6)', () => {
  it('ATT-2, ATT-3, ATT-5: records the attestation with who and when, and emails the customer once', async () => {
    const { partnerId, customerId, customerEmail } = await setup();
    const before = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements?type=MicrosoftCustomerAgreement`, {
        token: await as(partnerId, 'SalesAgent'),
      })
    ).json()) as { acceptance: string };
    expect(before.acceptance).toBe('NotProvided');

    const response = await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      type: 'MicrosoftCustomerAgreement',
      userId: 'agent-7',
      primaryContact: contact,
      dateAgreed: today(),
      templateId: expect.any(String),
    });

    const after = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements?type=MicrosoftCustomerAgreement`, {
        token: await as(partnerId, 'SalesAgent'),
      })
    ).json()) as { acceptance: string; agreements: unknown[] };
    expect(after.acceptance).toBe('Provided');
    expect(after.agreements).toHaveLength(1);

    const sent = await eventually(async () => ((await confirmations(customerEmail)).length > 0 ? confirmations(customerEmail) : undefined));
    expect(sent).toHaveLength(1);
    const outbox = await intent(partnerId, confirmationOf(customerId, contact));
    expect(outbox?.doc.status).toBe('Sent');
    expect(Date.parse(outbox?.doc.sentAt ?? '')).toBeLessThan(Date.parse(outbox?.doc.dueBy ?? ''));
  });

  it('answers 409 PartnerConfirmedAgreementAlreadyExists for an identical contact, even when two race; a different contact is a new attestation', async () => {
    const { partnerId, customerId, customerEmail } = await setup();
    const body = { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() };
    const statuses = (await Promise.all([attest(partnerId, customerId, body), attest(partnerId, customerId, body), attest(partnerId, customerId, body)]))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([201, 409, 409]);
    const again = await attest(partnerId, customerId, { ...body, primaryContact: { ...contact, email: 'KAI@fabrikam.example' } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { code: string }).code).toBe('PartnerConfirmedAgreementAlreadyExists');
    expect((await attest(partnerId, customerId, { ...body, primaryContact: { ...contact, phoneNumber: '+1 555 0100' } })).status).toBe(201);
    await eventually(async () => ((await confirmations(customerEmail)).length === 2 ? true : undefined));
  });

  it('ATT-1: an indirect reseller cannot attest (403 with the reason); other roles and other partners are refused', async () => {
    const { partnerId, customerId } = await setup('IndirectReseller');
    const response = await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/indirect provider/);

    const direct = await setup();
    expect(
      (await attest(direct.partnerId, direct.customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() }, ['GlobalAdmin']))
        .status,
    ).toBe(403);
    const otherPartner = await call(host, 'POST', `/api/partners/${direct.partnerId}/customers/${direct.customerId}/agreements`, {
      token: await as('someone-else', 'AdminAgent'),
      body: { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() },
    });
    expect(otherPartner.status).toBe(403);
  });

  it('answers 404 for an unknown customer', async () => {
    const { partnerId } = await setup();
    expect((await attest(partnerId, 'no-such-customer', { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() })).status).toBe(
      404,
    );
  });

  it('ATT-2: rejects bad attestations with 400 and records nothing', async () => {
    const { partnerId, customerId } = await setup();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const cases: [string, Record<string, unknown>, string][] = [
      ['missing contact', { type: 'MicrosoftCustomerAgreement', dateAgreed: today() }, 'body.primaryContact'],
      [
        'contact without last name',
        { type: 'MicrosoftCustomerAgreement', primaryContact: { firstName: 'A', email: 'a@b.example' }, dateAgreed: today() },
        'body.primaryContact.lastName',
      ],
      [
        'email not an address',
        { type: 'MicrosoftCustomerAgreement', primaryContact: { ...contact, email: 'kai at fabrikam' }, dateAgreed: today() },
        'body.primaryContact.email',
      ],
      [
        'phone with letters',
        { type: 'MicrosoftCustomerAgreement', primaryContact: { ...contact, phoneNumber: '555-CALL-NOW' }, dateAgreed: today() },
        'body.primaryContact.phoneNumber',
      ],
      ['31 February', { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: '2025-02-31' }, 'body.dateAgreed'],
      ['a date tomorrow', { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: tomorrow }, 'body.dateAgreed'],
      ['another agreement type', { type: 'MicrosoftOnlineSubscriptionAgreement', primaryContact: contact, dateAgreed: today() }, 'body.type'],
    ];
    for (const [what, body, path] of cases) {
      const response = await attest(partnerId, customerId, body);
      expect(response.status, what).toBe(400);
      const problem = (await response.json()) as { errors: { path: string }[] };
      expect(
        problem.errors.map((e) => e.path),
        what,
      ).toContain(path);
    }
    const state = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements`, { token: await as(partnerId, 'AdminAgent') })
    ).json()) as { acceptance: string };
    expect(state.acceptance).toBe('NotProvided');
  });

  it('ATT-6: a purchase without acceptance answers 409 with the ATT-6 text; after acceptance 201', async () => {
    const { partnerId, customerId } = await setup();
    await acceptPartnerTab(partnerId); // VER-11 comes first
    const order = { offerId: 'offer-1', quantity: 5 };
    const refused = await call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, {
      token: await as(partnerId, 'SalesAgent'),
      body: order,
    });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toBe(acceptanceRequiredMessage);
    await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() });
    expect(
      (await call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/orders`, { token: await as(partnerId, 'SalesAgent'), body: order })).status,
    ).toBe(201);
  });
});

describe('upstream events (ATT-4)', () => {
  async function sendEvent(event: Record<string, unknown>): Promise<void> {
    await queueService().getQueueClient('customer-agreement-events').sendMessage(encodeQueueMessage(event));
  }

  it('records the same PartnerAttestation event delivered three times once, and emails once', async () => {
    const { partnerId, customerId, customerEmail } = await setup();
    const event = {
      eventId: unique('e'),
      partnerId,
      customerId,
      kind: 'PartnerAttestation',
      primaryContact: contact,
      dateAgreed: today(),
      occurredAt: new Date().toISOString(),
    };
    await sendEvent(event);
    await sendEvent(event);
    await sendEvent(event);
    await eventually(async () => ((await confirmations(customerEmail)).length > 0 ? true : undefined));
    await host.host.idle();
    expect(await confirmations(customerEmail)).toHaveLength(1);
    expect(await (await getServices()).agreements.agreements(partnerId, customerId)).toHaveLength(1);
  });

  it('ATT-4: a DirectAcceptance event is recorded and sends no email', async () => {
    const { partnerId, customerId, customerEmail } = await setup('DirectBill', 'DirectAcceptance');
    const eventId = unique('e');
    await sendEvent({
      eventId,
      partnerId,
      customerId,
      kind: 'DirectAcceptance',
      primaryContact: contact,
      dateAgreed: today(),
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => ((await (await getServices()).agreements.agreements(partnerId, customerId)).length === 1 ? true : undefined));
    // No email is owed at all: nothing for this worker to send, nothing for the sweep to find later.
    expect(await intent(partnerId, confirmationKey(eventAgreementId(customerId, eventId)))).toBeUndefined();
    expect(await emailsTo(customerEmail)).toHaveLength(0);
    const state = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/customers/${customerId}/agreements`, { token: await as(partnerId, 'AdminAgent') })
    ).json()) as { acceptance: string };
    expect(state.acceptance).toBe('Provided');
  });

  it('moves an event for an unknown customer to customer-agreement-events-poison', async () => {
    const { partnerId } = await setup();
    const eventId = unique('e');
    await sendEvent({
      eventId,
      partnerId,
      customerId: 'ghost',
      kind: 'PartnerAttestation',
      primaryContact: contact,
      dateAgreed: today(),
      occurredAt: new Date().toISOString(),
    });
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('customer-agreement-events-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(eventId)) ? true : undefined;
    });
  });
});

describe('the 30-minute promise (ATT-3)', () => {
  it('sends every confirmation once the email service recovers from a 10-minute outage, before dueBy', async () => {
    const { partnerId, customerId } = await setup();
    const outage = await emailOutage();
    const restore = await overrideServices({ email: outage.sender });
    try {
      const contacts = [0, 1, 2].map((i) => ({ ...contact, email: `person${i}@fabrikam.example` }));
      for (const c of contacts)
        expect((await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: c, dateAgreed: today() })).status).toBe(201);
      const ids = contacts.map((c) => confirmationOf(customerId, c));
      // The immediate sends fail (and land in the poison queue after 5 tries); the outbox stays Pending.
      await eventually(async () => {
        const all = await Promise.all(ids.map((id) => intent(partnerId, id)));
        return all.every((n) => n?.doc.status === 'Pending' && n.doc.attempts >= 1) ? true : undefined;
      });
      expect(outage.endpoint.list()).toHaveLength(0);

      // Ten minutes later the service is back; the next sweep sends everything.
      outage.endpoint.failSendsUntil(503, 0);
      const later = new Date(Date.now() + 10 * 60_000);
      const restoreClock = await overrideServices({ now: () => later });
      try {
        expect((await fetch(`${host.url}/admin/functions/attestationNotificationSweep`, { method: 'POST', body: '{}' })).status).toBe(202);
        await eventually(async () => {
          const all = await Promise.all(ids.map((id) => intent(partnerId, id)));
          return all.every((n) => n?.doc.status === 'Sent') ? all : undefined;
        });
      } finally {
        restoreClock();
      }
      const all = await Promise.all(ids.map((id) => intent(partnerId, id)));
      for (const n of all) expect(Date.parse(n?.doc.sentAt ?? '')).toBeLessThan(Date.parse(n?.doc.dueBy ?? ''));
      expect(
        outage.endpoint
          .list()
          .map((e) => e.id)
          .sort(),
      ).toEqual(ids.map((id) => operationIdFor(id)).sort());
    } finally {
      restore();
      await outage.endpoint.stop();
    }
  });

  it('after a crash between the send and the mark, the next delivery asks the service, finds the send, and sends nothing again: one email', async () => {
    const real = (await getServices()).email;
    let sends = 0;
    const crashing: EmailSender = {
      async send(key, email) {
        sends++;
        await real.send(key, email);
        throw new Error('process crashed after the send, before the mark');
      },
      sendResult: (key) => real.sendResult(key),
    };
    const { partnerId, customerId, customerEmail } = await setup();
    const restore = await overrideServices({ email: crashing });
    const id = confirmationOf(customerId, contact);
    try {
      expect((await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() })).status).toBe(201);
      await eventually(() => (sends >= 1 ? true : undefined));
      await host.host.idle();
    } finally {
      restore();
    }
    // The queue's retry (or, had it been lost, the sweep) finds the operation at the service and marks it.
    expect((await fetch(`${host.url}/admin/functions/attestationNotificationSweep`, { method: 'POST', body: '{}' })).status).toBe(202);
    await eventually(async () => ((await intent(partnerId, id))?.doc.status === 'Sent' ? true : undefined));
    await host.host.idle();
    expect(sends).toBe(1);
    const stored = await confirmations(customerEmail);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id).toBe(operationIdFor(id));
  });

  it('a sweep racing a queue retry and a direct delivery: the email service receives the confirmation once', async () => {
    const { partnerId, customerId, customerEmail } = await setup();
    const outage = await emailOutage();
    const restore = await overrideServices({ email: outage.sender });
    const key = confirmationOf(customerId, contact);
    try {
      expect((await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() })).status).toBe(201);
      await host.host.idle(); // every try of the queued delivery failed; the intent is owed
    } finally {
      restore();
      await outage.endpoint.stop();
    }
    expect((await intent(partnerId, key))?.doc).toMatchObject({ status: 'Pending' });
    const services = await getServices();
    const ref = { box: 'agreements' as const, partnerId, intentId: emailIntentId(key) };
    const [sweep] = await Promise.all([
      fetch(`${host.url}/admin/functions/attestationNotificationSweep`, { method: 'POST', body: '{}' }),
      deliverIntent(services, ref),
      deliverIntent(services, ref),
    ]);
    expect(sweep.status).toBe(202);
    await host.host.idle();
    expect((await intent(partnerId, key))?.doc.status).toBe('Sent');
    const stored = await confirmations(customerEmail);
    expect(stored.map((e) => e.id)).toEqual([operationIdFor(key)]);
  });

  it('reports sent, pending, breached and latency percentiles over 24 hours to PlatformOperator only', async () => {
    const { partnerId, customerId, customerEmail } = await setup();
    await attest(partnerId, customerId, { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: today() });
    await eventually(async () => ((await confirmations(customerEmail)).length === 1 ? true : undefined));
    await eventually(async () => ((await intent(partnerId, confirmationOf(customerId, contact)))?.doc.status === 'Sent' ? true : undefined));
    const response = await call(host, 'GET', '/api/operations/notifications/sla', { token: await operator() });
    expect(response.status).toBe(200);
    const sla = (await response.json()) as { sent: number; pending: number; breached: number; p50Seconds: number; p99Seconds: number };
    expect(sla.sent).toBeGreaterThanOrEqual(1);
    expect(sla.p50Seconds).toBeGreaterThanOrEqual(0);
    expect(sla.p99Seconds).toBeGreaterThanOrEqual(sla.p50Seconds);
    expect(sla.p99Seconds).toBeLessThan(30 * 60);
    expect((await call(host, 'GET', '/api/operations/notifications/sla', { token: await as(partnerId, 'GlobalAdmin') })).status).toBe(403);
  });

  it('ATT-3: the SLA report counts exactly the last 24 hours: sent, pending, late or overdue as breached, latency percentiles', async () => {
    // Confirmations dated 2099, read with the clock set there: no other test's data is in the window.
    const partnerId = unique('sla');
    const base = { type: 'emailIntent', partnerId, emailType: 'AttestationConfirmation', attempts: 1, breached: false } as const;
    const docs: EmailIntent[] = [
      {
        ...base,
        id: 'n-on-time',
        key: 'a1',
        occurredAt: '2099-06-01T10:00:00.000Z',
        dueBy: '2099-06-01T10:30:00.000Z',
        status: 'Sent',
        sentAt: '2099-06-01T10:01:00.000Z',
      },
      {
        ...base,
        id: 'n-late',
        key: 'a2',
        occurredAt: '2099-06-01T09:00:00.000Z',
        dueBy: '2099-06-01T09:30:00.000Z',
        status: 'Sent',
        sentAt: '2099-06-01T09:45:00.000Z',
      },
      { ...base, id: 'n-overdue', key: 'a3', occurredAt: '2099-06-01T11:00:00.000Z', dueBy: '2099-06-01T11:30:00.000Z', status: 'Pending' },
      { ...base, id: 'n-not-yet-due', key: 'a4', occurredAt: '2099-06-01T11:50:00.000Z', dueBy: '2099-06-01T12:20:00.000Z', status: 'Pending' },
      {
        ...base,
        id: 'n-flagged',
        key: 'a5',
        occurredAt: '2099-06-01T08:00:00.000Z',
        dueBy: '2099-06-01T08:30:00.000Z',
        status: 'Sent',
        sentAt: '2099-06-01T08:02:00.000Z',
        breached: true,
      },
      { ...base, id: 'n-day-before', key: 'a6', occurredAt: '2099-05-31T11:59:00.000Z', dueBy: '2099-05-31T12:29:00.000Z', status: 'Pending' },
    ];
    await (
      await getServices()
    ).agreements.commit(
      partnerId,
      docs.map((doc) => ({ kind: 'create' as const, doc })),
    );
    const restoreClock = await overrideServices({ now: () => new Date('2099-06-01T12:00:00.000Z') });
    try {
      const response = await call(host, 'GET', '/api/operations/notifications/sla', { token: await operator() });
      expect(response.status).toBe(200);
      // latencies 60, 120 and 2,700 s; breached: the late one, the overdue one, the one the sweep flagged
      expect(await response.json()).toEqual({ sent: 3, pending: 2, breached: 3, p50Seconds: 120, p99Seconds: 2700 });
    } finally {
      restoreClock();
    }
  });
});
