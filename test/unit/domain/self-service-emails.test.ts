import { describe, expect, it } from 'vitest';
import { documentsRequestedEmail, verificationCompletedEmail } from '../../../shared/domain/emails.js';
import { newEnrollment, outstandingActions, type Enrollment } from '../../../shared/domain/incentives.js';
import { partnerFixture } from './fixtures.js';

describe('VER-8, VER-12: verification emails', () => {
  const partner = partnerFixture();

  it('VER-8: the documents request names each document, its type and where to upload, to the primary contact', () => {
    const message = documentsRequestedEmail(partner, { tab: 'partner', check: 'Business', documents: ['BusinessRegistration', 'Questionnaire'] });
    expect(message.type).toBe('VerificationDocumentsRequested');
    expect(message.to).toEqual([{ address: 'ada@contoso.com', displayName: 'Ada Lovelace' }]);
    expect(message.subject).toBe('Account verification: documents needed for the Business check');
    expect(message.plainText).toContain('Hello Ada,');
    expect(message.plainText).toContain('Business verification of Contoso Ltd (partner tab)');
    expect(message.plainText).toContain('- the business registration (document type BusinessRegistration)');
    expect(message.plainText).toContain('- the completed questionnaire (document type Questionnaire)');
    expect(message.plainText).toContain('Open Legal info in Partner Center');
    for (const d of ['DomainOwnershipProof', 'TaxRegistrationCertificate', 'GovernmentReceipt', 'MunicipalityDocument'] as const) {
      expect(documentsRequestedEmail(partner, { tab: 'partner', check: 'Employment', documents: [d] }).plainText).toContain(`(document type ${d})`);
    }
  });

  it('VER-12: the completion email names the programs of the accepted tab', () => {
    const message = verificationCompletedEmail(partner, 'partner');
    expect(message.type).toBe('VerificationCompleted');
    expect(message.to[0]?.address).toBe('ada@contoso.com');
    expect(message.subject).toBe('Your account verification is complete');
    expect(message.plainText).toContain('Hello Ada,');
    expect(message.plainText).toContain('Contoso Ltd has been verified (partner tab) and accepted into ai-cloud-partner, csp.');
    expect(verificationCompletedEmail(partner, 'developer').plainText).toContain('accepted into developer.');
    expect(verificationCompletedEmail(partner, 'seller').plainText).toContain('accepted into the seller programs.');
  });
});

describe('INC-3, INC-4: what an ActionRequired enrolment still needs', () => {
  const at = new Date('2026-07-01T00:00:00.000Z');
  const enrolment = (overrides: Partial<Enrollment>): Enrollment => ({
    ...newEnrollment({ partnerId: 'P1', locationPartnerId: 'L-US', programId: 'p', fiscalYear: 2027, status: 'ActionRequired', openProgram: false }, at),
    ...overrides,
  });

  it('INC-4: supplied information is no longer listed; what is still missing is', () => {
    const incomplete = partnerFixture({ bankProfiles: [{ id: 'b1', locationPartnerId: 'L-US', default: true, complete: false }] });
    const e = enrolment({ actionsNeeded: ['CompleteBankProfile'], bankProfileId: 'b1', taxProfileId: 'tax-1' });
    expect(outstandingActions(e, incomplete)).toEqual(['CompleteBankProfile']);
    expect(outstandingActions(e, partnerFixture())).toEqual([]);
    expect(outstandingActions(e, partnerFixture({ taxProfiles: [] }))).toEqual(['AddTaxProfile']);
  });

  it('INC-4: the chosen profile is judged while it exists; else the location\u2019s preselection', () => {
    const partner = partnerFixture({
      bankProfiles: [
        { id: 'chosen', locationPartnerId: 'L-US', default: false, complete: false },
        { id: 'default', locationPartnerId: 'L-US', default: true, complete: true },
        { id: 'elsewhere', locationPartnerId: 'L-CA', default: true, complete: false },
      ],
    });
    expect(outstandingActions(enrolment({ actionsNeeded: ['CompleteBankProfile'], bankProfileId: 'chosen' }), partner)).toEqual(['CompleteBankProfile']);
    expect(outstandingActions(enrolment({ actionsNeeded: ['CompleteBankProfile'], bankProfileId: 'gone' }), partner)).toEqual([]);
    expect(outstandingActions(enrolment({ actionsNeeded: ['CompleteBankProfile'], bankProfileId: 'elsewhere' }), partner)).toEqual([]);
    const chosenTax = partnerFixture({
      taxProfiles: [
        { id: 'tax-open', locationPartnerId: 'L-US', complete: false },
        { id: 'tax-done', locationPartnerId: 'L-US', complete: true },
      ],
    });
    expect(outstandingActions(enrolment({ actionsNeeded: ['CompleteTaxProfile'], taxProfileId: 'tax-open' }), chosenTax)).toEqual(['CompleteTaxProfile']);
    const taxes = partnerFixture({ taxProfiles: [{ id: 'tax-ca', locationPartnerId: 'L-CA', complete: true }] });
    expect(outstandingActions(enrolment({ actionsNeeded: [], taxProfileId: 'tax-ca' }), taxes)).toEqual(['AddTaxProfile']);
  });

  it('INC-3: an upstream validation issue stays; other statuses keep what they hold', () => {
    expect(outstandingActions(enrolment({ actionsNeeded: ['ResolveValidationIssue'] }), partnerFixture())).toEqual(['ResolveValidationIssue']);
    expect(outstandingActions(enrolment({ status: 'Invited', actionsNeeded: ['AddBankProfile'] }), partnerFixture())).toEqual(['AddBankProfile']);
  });
});
