import { randomUUID } from 'node:crypto';
import {
  acceptanceRequiredMessage,
  attestationId,
  confirmationKey,
  customerAgreementTemplateId,
  customerDocumentId,
  directAcceptanceInvitation,
  eventAgreementId,
  notInTheFuture,
  type AcceptedBy,
  type Agreement,
  type AgreementOption,
  type AttestationInput,
  type Customer,
  type CustomerInput,
  type OrderKind,
} from '../domain/agreements.js';
import { directBillStatus } from '../domain/csp.js';
import { attestationConfirmationEmail } from '../domain/emails.js';
import { DomainError } from '../domain/errors.js';
import { claimed, confirmationDeadlineMs, emailIntent, emailIntentId } from '../domain/outbox.js';
import type { Partner } from '../domain/partner.js';
import type { Principal } from '../domain/roles.js';
import { requirePartner } from './accounts.js';
import { committing, deliverNow, queueDelivery, type OwedEmail } from './outbox.js';
import { WriteConflict, type AgreementDoc, type UseCaseDeps, type Write } from './ports.js';
import { readDecideWrite, writeOver } from './write.js';

async function requireCustomer(deps: UseCaseDeps, partnerId: string, customerId: string): Promise<Customer> {
  const customer = await deps.agreements.customer(partnerId, customerId);
  if (!customer) throw DomainError.notFound(`Customer ${customerId} does not exist.`);
  return customer.doc;
}

/**
 * Creates or replaces a customer; with DirectAcceptance the answer carries the invitation (ATT-7).
 * With an attestation (ATT-8) the customer, its agreement and the confirmation email owed (ATT-3) are
 * one transactional batch, checked first under the rules of any attestation (ATT-1, ATT-2).
 */
export async function putCustomer(
  deps: UseCaseDeps,
  partnerId: string,
  customerId: string,
  input: CustomerInput & { attestation?: AttestationInput | undefined },
  principal?: Principal,
) {
  if (input.attestation) return putAttestedCustomer(deps, partnerId, customerId, { ...input, attestation: input.attestation }, principal);
  const [stored, first] = await Promise.all([requirePartner(deps, partnerId), deps.agreements.customer(partnerId, customerId)]);
  const partner = stored.doc;
  const { created, customer } = await readDecideWrite({
    read: async () => ({ existing: await deps.agreements.customer(partnerId, customerId), now: deps.now().toISOString() }),
    assumed: { state: { existing: first, now: deps.now().toISOString() } },
    decide: ({ existing, now }) => {
      const customer: Customer = {
        ...input,
        id: customerDocumentId(customerId),
        type: 'customer',
        partnerId,
        customerId,
        createdAt: existing?.doc.createdAt ?? now,
        updatedAt: now,
      };
      return { result: { created: !existing, customer }, write: [writeOver<AgreementDoc>(customer, existing?.etag)] };
    },
    write: (writes) => deps.agreements.commit(partnerId, writes),
  });
  const { id: _id, type: _type, ...body } = customer;
  return {
    created,
    customer: { ...body, ...(input.agreementOption === 'DirectAcceptance' ? { invitationEmail: directAcceptanceInvitation(input, partner.companyName) } : {}) },
  };
}

/**
 * ATT-8: a customer added with its acceptance attested. Nothing is recorded unless everything is: the
 * checks come first (who attests, ATT-1; a date not in the future, ATT-2), then one batch writes the
 * customer, the agreement and its confirmation intent. A retried PUT finds the agreement recorded and
 * writes the customer alone: one agreement, one email.
 */
async function putAttestedCustomer(
  deps: UseCaseDeps,
  partnerId: string,
  customerId: string,
  input: CustomerInput & { attestation: AttestationInput },
  principal: Principal | undefined,
) {
  const { attestation, ...customerInput } = input;
  if (!principal || !(principal.roles.has('AdminAgent') || principal.roles.has('SalesAgent'))) {
    throw DomainError.forbidden('Only an AdminAgent or SalesAgent attests customer acceptance (ATT-1).', 'AttestationRoleRequired');
  }
  const partner = (await requirePartner(deps, partnerId)).doc;
  assertMayAttest(partner);
  assertNotInTheFuture(attestation.dateAgreed, deps.now(), 'body.attestation.dateAgreed');
  const agreementId = attestationId(customerId, attestation.primaryContact);
  const commit = committing(deps.agreements, 'agreements', partnerId);
  const outcome = await readDecideWrite({
    read: async () => {
      const [existing, agreement] = await Promise.all([deps.agreements.customer(partnerId, customerId), deps.agreements.read(partnerId, agreementId)]);
      return { existing, agreement: agreement?.doc.type === 'agreement' ? agreement.doc : undefined, now: deps.now() };
    },
    decide: ({ existing, agreement, now }) => {
      const at = now.toISOString();
      const customer: Customer = {
        ...customerInput,
        id: customerDocumentId(customerId),
        type: 'customer',
        partnerId,
        customerId,
        createdAt: existing?.doc.createdAt ?? at,
        updatedAt: at,
      };
      const recorded: Agreement = agreement ?? {
        id: agreementId,
        type: 'agreement',
        partnerId,
        customerId,
        agreementType: 'MicrosoftCustomerAgreement',
        templateId: customerAgreementTemplateId,
        kind: 'PartnerAttestation',
        primaryContact: attestation.primaryContact,
        dateAgreed: attestation.dateAgreed,
        occurredAt: at,
        userId: principal.userId,
      };
      const intent = agreement
        ? undefined
        : emailIntent(partnerId, confirmationKey(agreementId), attestationConfirmationEmail(customer), at, confirmationDeadlineMs);
      const writes: Write<AgreementDoc>[] = [
        writeOver<AgreementDoc>(customer, existing?.etag),
        ...(intent
          ? [
              { kind: 'create' as const, doc: recorded },
              { kind: 'create' as const, doc: intent },
            ]
          : []),
      ];
      return { result: { created: !existing, customer, agreement: recorded }, write: writes };
    },
    write: commit.write,
  });
  // Sent by the outbox's queue workers, so the request answers at once; a lost message is the sweep's.
  const [owed] = commit.owed();
  if (owed) await queueDelivery(deps, owed).catch(() => {});
  const { id: _id, type: _type, ...body } = outcome.customer;
  return { created: outcome.created, customer: { ...body, agreement: publicAgreement(outcome.agreement) } };
}

/** ATT-2: the acceptance date cannot be after today (UTC). */
function assertNotInTheFuture(dateAgreed: string, now: Date, path: string): void {
  if (!notInTheFuture(dateAgreed, now)) {
    throw DomainError.validation('The acceptance date cannot be in the future.', [{ path, message: 'must not be after today (UTC)' }]);
  }
}

/** ATT-1: who may attest for a partner's customers. */
function assertMayAttest(partner: Partner): void {
  if (partner.cspModel === 'IndirectReseller') {
    throw DomainError.forbidden('Indirect resellers cannot attest customer acceptance; work with your indirect provider.', 'IndirectResellerCannotAttest');
  }
  if (partner.cspModel === 'None') {
    throw DomainError.forbidden('Only CSP partners billing their customers directly can attest customer acceptance.', 'NotADirectBillPartner');
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
 * Records an agreement and, for a partner attestation, its confirmation email (ATT-3) in the same
 * batch; ATT-4: none for a direct acceptance. Agreement ids are deterministic, so a second record of
 * the same agreement creates nothing: `created` false and no intent.
 */
async function record(
  deps: UseCaseDeps,
  agreement: Agreement,
  customer: Customer,
  delivery: 'inline' | 'queued',
): Promise<{ created: boolean; owed: OwedEmail | undefined }> {
  const owes =
    agreement.kind === 'PartnerAttestation'
      ? emailIntent(agreement.partnerId, confirmationKey(agreement.id), attestationConfirmationEmail(customer), agreement.occurredAt, confirmationDeadlineMs)
      : undefined;
  // Delivered by this worker at once: it holds the intent from the start. Queued: the queue's worker claims it.
  const intent = owes && delivery === 'inline' ? claimed(owes, deps.now()) : owes;
  const writes: Write<AgreementDoc>[] = [{ kind: 'create', doc: agreement }, ...(intent ? [{ kind: 'create' as const, doc: intent }] : [])];
  const commit = committing(deps.agreements, 'agreements', agreement.partnerId);
  try {
    await commit.write(writes);
    return { created: true, owed: commit.owed()[0] };
  } catch (error) {
    if (error instanceof WriteConflict && error.reason === 'exists') return { created: false, owed: undefined };
    throw error;
  }
}

/** ATT-1, ATT-2, ATT-3: a partner attests that its customer accepted the agreement. */
export async function attestAgreement(
  deps: UseCaseDeps,
  input: { partnerId: string; customerId: string; primaryContact: AcceptedBy; dateAgreed: string; principal: Principal },
) {
  // The partner and the customer in one round trip; the checks keep their order (404, 403, 400, 404).
  const [partner, stored] = await Promise.all([requirePartner(deps, input.partnerId), deps.agreements.customer(input.partnerId, input.customerId)]);
  assertMayAttest(partner.doc);
  const now = deps.now();
  assertNotInTheFuture(input.dateAgreed, now, 'body.dateAgreed');
  if (!stored) throw DomainError.notFound(`Customer ${input.customerId} does not exist.`);
  const customer = stored.doc;
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
  const { created, owed } = await record(deps, agreement, customer, 'queued');
  if (!created || !owed) {
    throw DomainError.conflict('An attestation with the same contact already exists for this customer.', 'PartnerConfirmedAgreementAlreadyExists');
  }
  // Sent by the outbox's queue workers, so the request answers at once; a lost message is the sweep's.
  await queueDelivery(deps, owed).catch(() => {});
  return publicAgreement(agreement);
}

/** ATT-5: whether the customer's acceptance is on record, and the agreements behind it. */
export async function customerAgreements(deps: UseCaseDeps, partnerId: string, customerId: string) {
  const [, agreements] = await Promise.all([requireCustomer(deps, partnerId, customerId), deps.agreements.agreements(partnerId, customerId)]);
  return { acceptance: agreements.length > 0 ? ('Provided' as const) : ('NotProvided' as const), agreements: agreements.map(publicAgreement) };
}

/**
 * CSP-3: no new purchase while a direct-bill partner's abilities are suspended; ATT-6: none for a
 * customer whose acceptance is not on record, though an automatic renewal passes (ATT-8).
 */
export async function placeOrder(deps: UseCaseDeps, partnerId: string, customerId: string, kind: OrderKind = 'New') {
  const [partner, { acceptance }] = await Promise.all([requirePartner(deps, partnerId), customerAgreements(deps, partnerId, customerId)]);
  if (directBillStatus(partner.doc)?.directBillAbilities === 'Suspended') {
    throw DomainError.conflict('Direct-bill abilities are suspended until an assessment confirms the CSP requirements again.', 'DirectBillAbilitiesSuspended');
  }
  if (acceptance === 'NotProvided' && kind === 'New') throw DomainError.conflict(acceptanceRequiredMessage, 'CustomerAgreementNotAccepted');
  return { orderId: randomUUID(), customerId, status: 'Created' as const, createdAt: deps.now().toISOString() };
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
 * Upstream acceptance events: recorded once per eventId; only partner attestations owe a confirmation
 * (ATT-4). The event's worker delivers it itself; a redelivery delivers what is still unsent.
 */
export async function recordAgreementEvent(
  deps: UseCaseDeps,
  event: AgreementEvent,
  log: (message: string) => void = () => {},
): Promise<{ recorded: boolean }> {
  // A customer exists only under an existing partner: one read tells both.
  const customer = await deps.agreements.customer(event.partnerId, event.customerId);
  if (!customer) throw DomainError.unprocessableMessage(`unknown customer ${event.customerId} of partner ${event.partnerId}`);
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
  const { created, owed } = await record(deps, agreement, customer.doc, 'inline');
  if (agreement.kind === 'PartnerAttestation') {
    // A redelivered event created nothing: what it owes may still be unsent, so it is read and delivered.
    const ref = owed ?? { box: 'agreements' as const, partnerId: event.partnerId, intentId: emailIntentId(confirmationKey(agreement.id)) };
    await deliverNow(deps, [ref], log);
  }
  return { recorded: created };
}
