import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptanceRequiredMessage,
  acceptedBySchema,
  adminCenterAgreementUrl,
  agreementOptions,
  attestationId,
  confirmationKey,
  contactKey,
  customerAgreementTemplateId,
  customerDocumentId,
  customerInputSchema,
  directAcceptanceInvitation,
  eventAgreementId,
  notInTheFuture,
  type AcceptedBy,
} from '../../../shared/domain/agreements.js';

const ada: AcceptedBy = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.com' };
const sha = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 32);

describe('constants', () => {
  it('ATT-6: a purchase without acceptance answers the documented message', () => {
    expect(acceptanceRequiredMessage).toBe('Contact your partner to confirm acceptance of the Microsoft Customer Agreement');
  });

  it('ATT-7: direct acceptance happens in the admin center', () => {
    expect(adminCenterAgreementUrl).toBe('https://admin.microsoft.com/AdminPortal/Home?ref=/BillingAccounts/agreement');
  });

  it('ATT-1, ATT-8: a customer is added with a partner attestation or for direct acceptance', () => {
    expect(agreementOptions).toEqual(['PartnerAttestation', 'DirectAcceptance']);
    expect(customerAgreementTemplateId).toBe('microsoft-customer-agreement-2024');
    expect(customerDocumentId('c1')).toBe('customer:c1');
  });
});

describe('notInTheFuture', () => {
  const now = new Date('2025-03-03T00:30:00.000Z');

  it('ATT-2: the date of acceptance may be today or earlier (UTC), never later', () => {
    expect(notInTheFuture('2025-03-03', now)).toBe(true);
    expect(notInTheFuture('2025-03-02', now)).toBe(true);
    expect(notInTheFuture('2024-12-31', now)).toBe(true);
    expect(notInTheFuture('2025-03-04', now)).toBe(false);
    expect(notInTheFuture('2025-03-03', new Date('2025-03-02T23:59:59.999Z'))).toBe(false);
    expect(notInTheFuture('2025-03-03', new Date('2025-03-03T23:59:59.999Z'))).toBe(true);
  });

  it('ATT-2: a date is acceptable exactly when it is not after the UTC day of now (property)', () => {
    const range = { min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true };
    fc.assert(
      fc.property(fc.date(range), fc.date(range), (accepted, at) => {
        const date = accepted.toISOString().slice(0, 10);
        const dayOf = (d: Date) => Math.floor(d.getTime() / 86_400_000);
        expect(notInTheFuture(date, at)).toBe(dayOf(accepted) <= dayOf(at));
      }),
    );
  });
});

describe('schemas', () => {
  it('ATT-2: who accepted: first name, last name, email and an optional phone', () => {
    expect(acceptedBySchema.parse({ ...ada, firstName: ' Ada ' })).toEqual(ada);
    expect(acceptedBySchema.parse({ ...ada, phoneNumber: '+1 425 555 0100' })).toEqual({ ...ada, phoneNumber: '+1 425 555 0100' });
    expect(acceptedBySchema.safeParse({ ...ada, lastName: '' }).success).toBe(false);
    expect(acceptedBySchema.safeParse({ ...ada, email: 'ada' }).success).toBe(false);
    expect(acceptedBySchema.safeParse({ ...ada, phoneNumber: 'none' }).success).toBe(false);
  });

  it('ATT-8: a new customer has a company name, a primary contact and an agreement option', () => {
    const customer = {
      companyName: ' Fabrikam ',
      primaryContact: { firstName: 'Bob', lastName: 'Smith', email: 'bob@fabrikam.com' },
      agreementOption: 'PartnerAttestation',
    };
    expect(customerInputSchema.parse(customer)).toEqual({ ...customer, companyName: 'Fabrikam' });
    expect(customerInputSchema.safeParse({ ...customer, companyName: 'x'.repeat(200) }).success).toBe(true);
    expect(customerInputSchema.safeParse({ ...customer, companyName: 'x'.repeat(201) }).success).toBe(false);
    expect(customerInputSchema.safeParse({ ...customer, companyName: '  ' }).success).toBe(false);
    expect(customerInputSchema.safeParse({ ...customer, agreementOption: 'Implicit' }).success).toBe(false);
    expect(customerInputSchema.safeParse({ ...customer, primaryContact: { ...customer.primaryContact, phone: '12' } }).success).toBe(false);
  });
});

describe('attestation keys', () => {
  it('ATT-2: the contact key is stable: names and email lower-cased and trimmed, phone digits only', () => {
    expect(contactKey(ada)).toBe(sha('ada\u0000lovelace\u0000ada@contoso.com\u0000'));
    expect(contactKey({ ...ada, phoneNumber: '+1 (425) 555-0100' })).toBe(sha('ada\u0000lovelace\u0000ada@contoso.com\u000014255550100'));
    expect(contactKey(ada)).toHaveLength(32);
  });

  it('ATT-2: the same person in another case, with spaces, or another phone format, is the same attestation', () => {
    expect(contactKey({ firstName: ' ADA', lastName: 'lovelace ', email: ' Ada@Contoso.COM ' })).toBe(contactKey(ada));
    expect(contactKey({ ...ada, phoneNumber: '+1 (425) 555-0100' })).toBe(contactKey({ ...ada, phoneNumber: '14255550100' }));
  });

  it('ATT-2: another first name, last name, email or phone is another attestation', () => {
    const keys = [
      ada,
      { ...ada, firstName: 'Augusta' },
      { ...ada, lastName: 'Byron' },
      { ...ada, email: 'ada@fabrikam.com' },
      { ...ada, phoneNumber: '123' },
      { ...ada, firstName: 'Adal', lastName: 'ovelace' },
    ].map(contactKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('ATT-2: a second attestation for the same customer and contact is the same document', () => {
    expect(attestationId('c1', ada)).toBe(`agreement:c1:${contactKey(ada)}`);
    expect(attestationId('c1', { ...ada, email: 'ADA@contoso.com' })).toBe(attestationId('c1', ada));
    expect(attestationId('c2', ada)).not.toBe(attestationId('c1', ada));
  });

  it('ATT-4: an upstream acceptance event is keyed by its event id', () => {
    expect(eventAgreementId('c1', 'e1')).toBe(`agreement:c1:event:${sha('e1')}`);
    expect(eventAgreementId('c1', 'e2')).not.toBe(eventAgreementId('c1', 'e1'));
  });

  it('ATT-3: one confirmation email per attestation', () => {
    expect(confirmationKey('agreement:c1:k')).toBe('attestation-confirmation:agreement:c1:k');
  });
});

describe('directAcceptanceInvitation', () => {
  it('ATT-7: the invitation names the partner and the customer and links the admin center', () => {
    const customer = {
      companyName: 'Fabrikam',
      primaryContact: { firstName: 'Bob', lastName: 'Smith', email: 'bob@fabrikam.com' },
      agreementOption: 'DirectAcceptance' as const,
    };
    expect(directAcceptanceInvitation(customer, 'Contoso')).toEqual({
      subject: 'Contoso invites you to accept the Microsoft Customer Agreement',
      body: [
        'Hello Bob,',
        '',
        'Contoso asks Fabrikam to accept the Microsoft Customer Agreement.',
        `Sign in to the Microsoft 365 admin center and accept it here: ${adminCenterAgreementUrl}`,
        '',
        'Until the agreement is accepted, new purchases cannot be made for your organisation.',
      ].join('\n'),
    });
  });
});
