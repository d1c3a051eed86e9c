import { randomUUID } from 'node:crypto';
import type { Services } from '../composition-root.js';
import type { AgreementPartitionDoc } from '../data/agreement-store.js';
import { ConcurrencyConflict, type BatchWrite, type Stored } from '../data/repository.js';
import {
  acceptanceRequiredMessage,
  attestationId,
  customerAgreementTemplateId,
  customerDocumentId,
  directAcceptanceInvitation,
  eventAgreementId,
  newNotification,
  notificationId,
  notInTheFuture,
  type AcceptedBy,
  type Agreement,
  type AgreementOption,
  type ConfirmationNotification,
  type Customer,
  type CustomerInput,
} from '../domain/agreements.js';
import type { Partner } from '../domain/partner.js';
import type { Principal } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';
import { PoisonMessage } from '../platform/functions.js';
import { queueNames } from '../platform/queues.js';
import { sendConfirmation } from './attestation-notifier.js';

async function requireCustomer(services: Services, partnerId: string, customerId: string): Promise<Customer> {
  const customer = await services.agreements.customer(partnerId, customerId);
  if (!customer) throw AppError.notFound(`Customer ${customerId} does not exist.`);
  return customer.doc;
}

/** Creates or replaces a customer; with DirectAcceptance the answer carries the invitation (ATT-7). */
export async function putCustomer(services: Services, partnerId: string, customerId: string, input: CustomerInput) {
  const partner = (await services.partners.required(partnerId)).doc;
  for (let attempt = 1; attempt <= 10; attempt++) {
    const existing = await services.agreements.customer(partnerId, customerId);
    const now = services.now().toISOString();
    const customer: Customer = { ...input, id: customerDocumentId(customerId), type: 'customer', partnerId, customerId, createdAt: existing?.doc.createdAt ?? now, updatedAt: now };
    try {
      await services.agreements.transact(partnerId, [existing ? { kind: 'replace', doc: customer, etag: existing.etag } : { kind: 'create', doc: customer }]);
    } catch (error) {
      if (error instanceof ConcurrencyConflict || (error instanceof AppError && error.status === 409)) continue;
      throw error;
    }
    const { id: _id, type: _type, ...body } = customer;
    return {
      created: !existing,
      customer: { ...body, ...(input.agreementOption === 'DirectAcceptance' ? { invitationEmail: directAcceptanceInvitation(input, partner.companyName) } : {}) },
    };
  }
  throw AppError.conflict('The customer is being changed by another request; try again.');
}

/** ATT-1: who may attest for a partner's customers. */
function assertMayAttest(partner: Partner): void {
  if (partner.cspModel === 'IndirectReseller') {
    throw AppError.forbidden('Indirect resellers cannot attest customer acceptance; work with your indirect provider.', 'IndirectResellerCannotAttest');
  }
  if (partner.cspModel === 'None') {
    throw AppError.forbidden('Only CSP partners billing their customers directly can attest customer acceptance.', 'NotADirectBillPartner');
  }
}

function publicAgreement(a: Agreement) {
  return {
    agreementId: a.id,
    customerId: a.customerId,
    type: a.agreementType,
    templateId: a.templateId,
    kind: a.kind,
    primaryContact: a.primaryContact,
    dateAgreed: a.dateAgreed,
    occurredAt: a.occurredAt,
    ...(a.userId ? { userId: a.userId } : {}),
  };
}

/**
 * Records an agreement and, for a partner attestation, its confirmation in the same batch. Answers
 * the stored confirmation (with its ETag) for the caller to send, or undefined when the agreement
 * existed already. If the send never happens, the sweep finds the Pending record (ATT-3).
 */
async function record(
  services: Services,
  agreement: Agreement,
  customer: Customer,
): Promise<{ created: boolean; notification: Stored<ConfirmationNotification> | undefined }> {
  const notify = agreement.kind === 'PartnerAttestation'; // ATT-4: none for direct acceptance
  const notification = notify ? newNotification(agreement, customer) : undefined;
  const writes: BatchWrite<AgreementPartitionDoc>[] = [{ kind: 'create', doc: agreement }];
  if (notification) writes.push({ kind: 'create', doc: notification });
  let etags: (string | undefined)[];
  try {
    etags = await services.agreements.transact(agreement.partnerId, writes, 'exists');
  } catch (error) {
    if (error instanceof AppError && error.status === 409) return { created: false, notification: undefined };
    throw error;
  }
  const etag = etags[1];
  return { created: true, notification: notification && etag ? { doc: notification, etag } : undefined };
}

/** ATT-1, ATT-2, ATT-3: a partner attests that its customer accepted the agreement. */
export async function attestAgreement(
  services: Services,
  input: { partnerId: string; customerId: string; primaryContact: AcceptedBy; dateAgreed: string; principal: Principal },
) {
  const partner = (await services.partners.required(input.partnerId)).doc;
  assertMayAttest(partner);
  const now = services.now();
  if (!notInTheFuture(input.dateAgreed, now)) {
    throw AppError.validation('The acceptance date cannot be in the future.', [{ path: 'body.dateAgreed', message: 'must not be after today (UTC)' }]);
  }
  const customer = await requireCustomer(services, input.partnerId, input.customerId);
  const agreement: Agreement = {
    id: attestationId(input.customerId, input.primaryContact),
    type: 'agreement',
    partnerId: input.partnerId,
    customerId: input.customerId,
    agreementType: 'MicrosoftCustomerAgreement',
    templateId: customerAgreementTemplateId,
    kind: 'PartnerAttestation',
    primaryContact: input.primaryContact,
    dateAgreed: input.dateAgreed,
    occurredAt: now.toISOString(),
    userId: input.principal.userId,
  };
  const { created, notification } = await record(services, agreement, customer);
  if (!created) {
    throw AppError.conflict('An attestation with the same contact already exists for this customer.', 'PartnerConfirmedAgreementAlreadyExists');
  }
  // Sent by the queue's senders, so the request answers at once; a lost message is the sweep's.
  const id = notification?.doc.id ?? notificationId(agreement.id);
  await services.queues.send(queueNames.attestationNotifications, { partnerId: agreement.partnerId, notificationId: id }).catch(() => {});
  return publicAgreement(agreement);
}

/** ATT-5: whether the customer's acceptance is on record, and the agreements behind it. */
export async function customerAgreements(services: Services, partnerId: string, customerId: string) {
  await requireCustomer(services, partnerId, customerId);
  const agreements = await services.agreements.agreements(partnerId, customerId);
  return { acceptance: agreements.length > 0 ? ('Provided' as const) : ('NotProvided' as const), agreements: agreements.map(publicAgreement) };
}

/** ATT-6: no purchase for a customer whose acceptance is not on record. */
export async function placeOrder(services: Services, partnerId: string, customerId: string) {
  const { acceptance } = await customerAgreements(services, partnerId, customerId);
  if (acceptance === 'NotProvided') throw AppError.conflict(acceptanceRequiredMessage, 'CustomerAgreementNotAccepted');
  return { orderId: randomUUID(), customerId, status: 'Created' as const, createdAt: services.now().toISOString() };
}

export interface AgreementEvent {
  eventId: string;
  partnerId: string;
  customerId: string;
  kind: AgreementOption;
  primaryContact: AcceptedBy;
  dateAgreed: string;
  occurredAt: string;
}

/**
 * Upstream acceptance events: recorded once per eventId; only partner attestations notify (ATT-4).
 * The event's worker sends the confirmation itself; a redelivery sends what is still unsent.
 */
export async function recordAgreementEvent(services: Services, event: AgreementEvent, log: (message: string) => void = () => {}): Promise<{ recorded: boolean }> {
  // A customer exists only under an existing partner: one read tells both.
  const customer = await services.agreements.customer(event.partnerId, event.customerId);
  if (!customer) throw new PoisonMessage(`unknown customer ${event.customerId} of partner ${event.partnerId}`);
  const agreement: Agreement = {
    id: eventAgreementId(event.customerId, event.eventId),
    type: 'agreement',
    partnerId: event.partnerId,
    customerId: event.customerId,
    agreementType: 'MicrosoftCustomerAgreement',
    templateId: customerAgreementTemplateId,
    kind: event.kind,
    primaryContact: event.primaryContact,
    dateAgreed: event.dateAgreed,
    occurredAt: event.occurredAt,
    eventId: event.eventId,
  };
  const { created, notification } = await record(services, agreement, customer.doc);
  if (event.kind === 'PartnerAttestation') {
    try {
      await sendConfirmation(services, event.partnerId, notificationId(agreement.id), notification);
    } catch (error) {
      // Recorded and durable in the outbox: the sweep sends it. The event itself is done.
      log(`confirmation for event ${event.eventId} not sent yet: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { recorded: created };
}
