import { createHash } from 'node:crypto';
import * as z from 'zod';
import { emailAddress, isoDate, personName, phoneNumber } from './partner.js';

/** ATT-7: where a customer accepts directly. */
export const adminCenterAgreementUrl = 'https://admin.microsoft.com/AdminPortal/Home?ref=/BillingAccounts/agreement';
/** ATT-6: what a purchase without acceptance answers. */
export const acceptanceRequiredMessage = 'Contact your partner to confirm acceptance of the Microsoft Customer Agreement';
export const customerAgreementTemplateId = 'microsoft-customer-agreement-2024';

/** ATT-2: who accepted. */
export const acceptedBySchema = z.object({
  firstName: personName,
  lastName: personName,
  email: emailAddress,
  phoneNumber: phoneNumber.optional(),
});
export type AcceptedBy = z.infer<typeof acceptedBySchema>;

/** ATT-2: a date without time that is not after today (UTC). */
export function notInTheFuture(date: string, now: Date): boolean {
  return date <= now.toISOString().slice(0, 10);
}

export const agreementOptions = ['PartnerAttestation', 'DirectAcceptance'] as const;
export type AgreementOption = (typeof agreementOptions)[number];

export const customerInputSchema = z.object({
  companyName: z.string().trim().min(1).max(200),
  primaryContact: z.object({ firstName: personName, lastName: personName, email: emailAddress, phone: phoneNumber.optional() }),
  agreementOption: z.enum(agreementOptions),
});
export type CustomerInput = z.infer<typeof customerInputSchema>;

/** ATT-8: a new customer's acceptance, attested while the customer is added (ATT-2: who accepted, and when). */
const attestationInputSchema = z.object({ primaryContact: acceptedBySchema, dateAgreed: isoDate });
export type AttestationInput = z.infer<typeof attestationInputSchema>;

/** The customer PUT: the customer, and with PartnerAttestation optionally its attestation (ATT-8). */
export const customerPutSchema = customerInputSchema.extend({ attestation: attestationInputSchema.optional() }).superRefine((input, ctx) => {
  if (input.attestation && input.agreementOption !== 'PartnerAttestation') {
    ctx.addIssue({ code: 'custom', path: ['attestation'], message: 'an attestation goes with agreementOption PartnerAttestation' });
  }
});

/** ATT-6, ATT-8: a purchase for a new subscription, or the automatic renewal of one (not blocked by ATT-6). */
export const orderKinds = ['New', 'Renewal'] as const;
export type OrderKind = (typeof orderKinds)[number];

export interface Customer extends CustomerInput {
  id: string;
  type: 'customer';
  partnerId: string;
  customerId: string;
  createdAt: string;
  updatedAt: string;
}

export interface Agreement {
  id: string;
  type: 'agreement';
  partnerId: string;
  customerId: string;
  agreementType: 'MicrosoftCustomerAgreement';
  templateId: string;
  kind: AgreementOption;
  primaryContact: AcceptedBy;
  dateAgreed: string;
  /** When the acceptance was recorded (the 30-minute clock of ATT-3 starts here). */
  occurredAt: string;
  userId?: string;
  eventId?: string;
}

export const customerDocumentId = (customerId: string): string => `customer:${customerId}`;

/** The contact as it identifies an attestation: names and email case-insensitive, phone digits only. */
export function contactKey(contact: AcceptedBy): string {
  const normalized = [
    contact.firstName.trim().toLowerCase(),
    contact.lastName.trim().toLowerCase(),
    contact.email.trim().toLowerCase(),
    (contact.phoneNumber ?? '').replace(/\D/g, ''),
  ].join('\u0000');
  return createHash('sha256').update(normalized).digest('base64url').slice(0, 32);
}

/**
 * Attested agreements are keyed by their contact: a second attestation with the same contact is the
 * same document, so it conflicts (409) even when two requests race. Upstream events are keyed by eventId.
 */
export const attestationId = (customerId: string, contact: AcceptedBy): string => `agreement:${customerId}:${contactKey(contact)}`;
export const eventAgreementId = (customerId: string, eventId: string): string =>
  `agreement:${customerId}:event:${createHash('sha256').update(eventId).digest('base64url').slice(0, 32)}`;
/** ATT-3: the key of an agreement's confirmation email (one per attestation). */
export const confirmationKey = (agreementId: string): string => `attestation-confirmation:${agreementId}`;

/** ATT-7: the invitation a partner sends for direct acceptance. */
export function directAcceptanceInvitation(customer: CustomerInput, partnerCompany: string): { subject: string; body: string } {
  return {
    subject: `${partnerCompany} invites you to accept the Microsoft Customer Agreement`,
    body: [
      `Hello ${customer.primaryContact.firstName},`,
      '',
      `${partnerCompany} asks ${customer.companyName} to accept the Microsoft Customer Agreement.`,
      `Sign in to the Microsoft 365 admin center and accept it here: ${adminCenterAgreementUrl}`,
      '',
      'Until the agreement is accepted, new purchases cannot be made for your organisation.',
    ].join('\n'),
  };
}
