import { describe, expect, it } from 'vitest';
import {
  attestationConfirmationEmail,
  creditCheckPassedEmail,
  incentiveInvitationEmail,
  invitationSubject,
  rolloverSummaryEmail,
  verificationDecisionEmail,
  verificationEmail,
} from '../../../shared/domain/emails.js';
import { newEnrollment, type Enrollment, type PartnerUser } from '../../../shared/domain/incentives.js';
import type { DecisionEmail } from '../../../shared/domain/verification.js';
import { partnerFixture } from './fixtures.js';

const partner = partnerFixture();
const contact = { address: 'ada@contoso.com', displayName: 'Ada Lovelace' };
const now = new Date('2026-07-01T00:00:00.000Z');

function admin(userId: string, displayName?: string): PartnerUser {
  return {
    id: `user:${userId}`,
    type: 'user',
    partnerId: 'P1',
    userId,
    email: `${userId}@contoso.com`,
    ...(displayName ? { displayName } : {}),
    roles: ['IncentiveAdmin'],
    locationPartnerIds: [],
    updatedAt: now.toISOString(),
  };
}

function enrollment(status: Enrollment['status'], over: Partial<Enrollment> = {}): Enrollment {
  return { ...newEnrollment({ partnerId: 'P1', locationPartnerId: 'L-US', programId: 'growth', fiscalYear: 2027, status, openProgram: false }, now), ...over };
}

describe('verificationEmail', () => {
  it('VER-2, VER-3, VER-6: the primary contact gets a one-time link proving the address is a monitored work address', () => {
    expect(verificationEmail(partner, 'https://portal/verify?token=t', 7)).toEqual({
      type: 'EmailVerification',
      to: [contact],
      subject: 'Verify your email address for Partner Center',
      plainText: [
        'Hello Ada,',
        '',
        'Please confirm that ada@contoso.com is a monitored work address of Contoso Ltd by opening this link:',
        'https://portal/verify?token=t',
        '',
        'The link works once and expires in 7 days. If you did not expect this email, you can ignore it.',
      ].join('\n'),
    });
  });
});

describe('verificationDecisionEmail', () => {
  const decision = (over: Partial<DecisionEmail>): DecisionEmail => ({
    decisionId: 'd1',
    tab: 'partner',
    check: 'Business',
    outcome: 'Accepted',
    fixNowAvailable: false,
    ...over,
  });

  it('VER-10, VER-12: an acceptance is told to the primary contact', () => {
    expect(verificationDecisionEmail(partner, decision({}))).toEqual({
      type: 'VerificationDecision',
      to: [contact],
      subject: 'Account verification: Business has been accepted',
      plainText: ['Hello Ada,', '', 'The Business verification of Contoso Ltd (partner tab) has been accepted.'].join('\n'),
    });
  });

  it('VER-3, VER-10: Identity outcomes Passed and Challenged', () => {
    expect(verificationDecisionEmail(partner, decision({ check: 'Identity', outcome: 'Passed' })).subject).toBe('Account verification: Identity has passed');
    const challenged = verificationDecisionEmail(partner, decision({ check: 'Identity', outcome: 'Challenged', reason: 'present a verifiable credential' }));
    expect(challenged.subject).toBe('Account verification: Identity needs a verifiable credential');
    expect(challenged.plainText).toBe(
      [
        'Hello Ada,',
        '',
        'The Identity verification of Contoso Ltd (partner tab) needs a verifiable credential.',
        '',
        'Reason: present a verifiable credential',
      ].join('\n'),
    );
  });

  it('VER-9, VER-10: a rejection with Fix now explains the appeal', () => {
    const email = verificationDecisionEmail(partner, decision({ tab: 'developer', outcome: 'Rejected', fixNowAvailable: true, reason: 'no such company' }));
    expect(email.subject).toBe('Account verification: Business was rejected');
    expect(email.plainText).toBe(
      [
        'Hello Ada,',
        '',
        'The Business verification of Contoso Ltd (developer tab) was rejected.',
        '',
        'Reason: no such company',
        '',
        'You can appeal: open Legal info in Partner Center, choose "Fix now", pick the document type, add a comment and upload the document.',
      ].join('\n'),
    );
  });

  it('VER-7, VER-10: a rejection without Fix now says no further action is possible', () => {
    expect(verificationDecisionEmail(partner, decision({ check: 'Identity', outcome: 'Rejected' })).plainText).toBe(
      ['Hello Ada,', '', 'The Identity verification of Contoso Ltd (partner tab) was rejected.', '', 'No further action is possible.'].join('\n'),
    );
  });
});

describe('creditCheckPassedEmail', () => {
  it('CSP-2: the partner is told the credit check passed and that the support plan comes next', () => {
    expect(creditCheckPassedEmail(partner)).toEqual({
      type: 'CreditCheckPassed',
      to: [contact],
      subject: 'Your CSP direct-bill credit check has passed',
      plainText: [
        'Hello Ada,',
        '',
        "The credit check for Contoso Ltd's direct-bill application has passed.",
        'You can now buy an Advanced or Premier support plan for partners, the next step of your enrolment.',
      ].join('\n'),
    });
  });
});

describe('incentiveInvitationEmail', () => {
  it('INC-2: the invitation goes to the incentive admins of the eligible location, with the documented subject', () => {
    expect(invitationSubject).toBe('Invitation to partner incentive enrollment');
    expect(incentiveInvitationEmail('Contoso Ltd', enrollment('Invited'), [admin('ia1', 'Ian Admin'), admin('ia2')])).toEqual({
      type: 'IncentiveInvitation',
      to: [{ address: 'ia1@contoso.com', displayName: 'Ian Admin' }, { address: 'ia2@contoso.com' }],
      subject: 'Invitation to partner incentive enrollment',
      plainText: [
        'Hello,',
        '',
        'Location L-US of Contoso Ltd is eligible for the incentive program growth in fiscal year 2027.',
        'Sign in to Partner Center as an incentive admin to enroll: choose the bank profile and the tax profile, and submit.',
      ].join('\n'),
    });
  });
});

describe('attestationConfirmationEmail', () => {
  it('ATT-3: the customer’s primary contact is told its acceptance was recorded', () => {
    const customer = { companyName: 'Fabrikam', primaryContact: { firstName: 'Bob', lastName: 'Smith', email: 'bob@fabrikam.com' } };
    expect(attestationConfirmationEmail(customer)).toEqual({
      type: 'AttestationConfirmation',
      to: [{ address: 'bob@fabrikam.com', displayName: 'Bob Smith' }],
      subject: 'Your Microsoft Customer Agreement acceptance was recorded',
      plainText: [
        'Hello Bob Smith,',
        '',
        'Your partner confirmed that Fabrikam accepted the Microsoft Customer Agreement.',
        'If you did not accept it, contact your partner.',
      ].join('\n'),
    });
  });
});

describe('rolloverSummaryEmail', () => {
  it('INC-5: the summary lists what was renewed, what needs action and what is no longer eligible', () => {
    const renewals = [
      enrollment('Enrolled'),
      enrollment('ActionRequired', { locationPartnerId: 'L-CA', actionsNeeded: ['AddBankProfile', 'CompleteTaxProfile'] }),
      enrollment('ActionRequired', { programId: 'co-sell' }),
      enrollment('NotEligible', { locationPartnerId: 'L-DE', unmetRequirements: ['no active agreement', 'location partner id is not active'] }),
      enrollment('NotEligible', { locationPartnerId: 'L-FR', unmetRequirements: [] }),
      enrollment('Invited'),
    ];
    expect(rolloverSummaryEmail('Contoso Ltd', 2027, renewals, [admin('ia1')])).toEqual({
      type: 'RolloverSummary',
      to: [{ address: 'ia1@contoso.com' }],
      subject: 'Incentive enrollments for fiscal year 2027',
      plainText: [
        'Your Contoso Ltd incentive enrollments were carried into fiscal year 2027.',
        '',
        'Renewed (1):',
        '- growth, location L-US',
        '',
        'Needs action (2):',
        '- growth, location L-CA: AddBankProfile, CompleteTaxProfile',
        '- co-sell, location L-US',
        '',
        'Not eligible (2):',
        '- growth, location L-DE: no active agreement; location partner id is not active',
        '- growth, location L-FR',
      ].join('\n'),
    });
  });

  it('INC-5: an empty summary still names every section', () => {
    expect(rolloverSummaryEmail('Contoso Ltd', 2027, [], []).plainText).toBe(
      ['Your Contoso Ltd incentive enrollments were carried into fiscal year 2027.', '', 'Renewed (0):', '', 'Needs action (0):', '', 'Not eligible (0):'].join(
        '\n',
      ),
    );
  });
});
