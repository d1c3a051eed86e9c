// What the partner portal tells people by email: pure functions from domain state to a message.
import type { Customer } from './agreements.js';
import type { Enrollment, PartnerUser } from './incentives.js';
import type { EmailAddress, EmailMessage } from './outbox.js';
import type { Partner } from './partner.js';
import { tabOfProgram, type CheckType, type DecisionEmail, type DocumentType, type Tab } from './verification.js';

export const invitationSubject = 'Invitation to partner incentive enrollment';

function primaryContactOf(partner: Partner): EmailAddress {
  const contact = partner.primaryContact;
  return { address: contact.email, displayName: `${contact.firstName} ${contact.lastName}` };
}

function addressesOf(users: readonly PartnerUser[]): EmailAddress[] {
  return users.map((u) => ({ address: u.email, ...(u.displayName ? { displayName: u.displayName } : {}) }));
}

/** VER-2, VER-6: the email-ownership email with its one-time link. */
export function verificationEmail(partner: Partner, link: string, validDays: number): EmailMessage {
  const contact = partner.primaryContact;
  return {
    type: 'EmailVerification',
    to: [primaryContactOf(partner)],
    subject: 'Verify your email address for Partner Center',
    plainText: [
      `Hello ${contact.firstName},`,
      '',
      `Please confirm that ${contact.email} is a monitored work address of ${partner.companyName} by opening this link:`,
      link,
      '',
      `The link works once and expires in ${validDays} days. If you did not expect this email, you can ignore it.`,
    ].join('\n'),
  };
}

const outcomeText: Record<DecisionEmail['outcome'], string> = {
  Accepted: 'has been accepted',
  Passed: 'has passed',
  Rejected: 'was rejected',
  Challenged: 'needs a verifiable credential',
};

/** VER-10: the primary contact is told of a decision. */
export function verificationDecisionEmail(partner: Partner, email: DecisionEmail): EmailMessage {
  const lines = [
    `Hello ${partner.primaryContact.firstName},`,
    '',
    `The ${email.check} verification of ${partner.companyName} (${email.tab} tab) ${outcomeText[email.outcome]}.`,
  ];
  if (email.reason) lines.push('', `Reason: ${email.reason}`);
  if (email.outcome === 'Rejected') {
    lines.push(
      '',
      email.fixNowAvailable
        ? 'You can appeal: open Legal info in Partner Center, choose "Fix now", pick the document type, add a comment and upload the document.'
        : 'No further action is possible.',
    );
  }
  return {
    type: 'VerificationDecision',
    to: [primaryContactOf(partner)],
    subject: `Account verification: ${email.check} ${outcomeText[email.outcome]}`,
    plainText: lines.join('\n'),
  };
}

const documentText: Record<DocumentType, string> = {
  DomainOwnershipProof: 'proof that the company owns its email domain',
  BusinessRegistration: 'the business registration',
  TaxRegistrationCertificate: 'the tax registration certificate',
  GovernmentReceipt: 'a receipt from the government of the country',
  MunicipalityDocument: 'a document from the municipality',
  Questionnaire: 'the completed questionnaire',
};

/** VER-8, VER-12: a check asks the primary contact for documents, naming each and where to upload it. */
export function documentsRequestedEmail(partner: Partner, request: { tab: Tab; check: CheckType; documents: readonly DocumentType[] }): EmailMessage {
  return {
    type: 'VerificationDocumentsRequested',
    to: [primaryContactOf(partner)],
    subject: `Account verification: documents needed for the ${request.check} check`,
    plainText: [
      `Hello ${partner.primaryContact.firstName},`,
      '',
      `To complete the ${request.check} verification of ${partner.companyName} (${request.tab} tab), please upload:`,
      ...request.documents.map((d) => `- ${documentText[d]} (document type ${d})`),
      '',
      `Open Legal info in Partner Center, choose the ${request.check} check, pick the document type and upload each document.`,
    ].join('\n'),
  };
}

/** VER-12: a tab became Accepted: the partner is accepted into the programs it covers. */
export function verificationCompletedEmail(partner: Partner, tab: Tab): EmailMessage {
  const programs = partner.programs.filter((p) => tabOfProgram[p] === tab);
  return {
    type: 'VerificationCompleted',
    to: [primaryContactOf(partner)],
    subject: 'Your account verification is complete',
    plainText: [
      `Hello ${partner.primaryContact.firstName},`,
      '',
      `${partner.companyName} has been verified (${tab} tab) and accepted into ${programs.length > 0 ? programs.join(', ') : `the ${tab} programs`}.`,
      'You can now buy and renew offers and publish offers to the commercial marketplace.',
    ].join('\n'),
  };
}

/** CSP-2: the partner is told when the credit check passes. */
export function creditCheckPassedEmail(partner: Partner): EmailMessage {
  return {
    type: 'CreditCheckPassed',
    to: [primaryContactOf(partner)],
    subject: 'Your CSP direct-bill credit check has passed',
    plainText: [
      `Hello ${partner.primaryContact.firstName},`,
      '',
      `The credit check for ${partner.companyName}'s direct-bill application has passed.`,
      'You can now buy an Advanced or Premier support plan for partners, the next step of your enrolment.',
    ].join('\n'),
  };
}

/** INC-2: the invitation of an eligible location to its incentive admins. */
export function incentiveInvitationEmail(companyName: string, enrollment: Enrollment, admins: readonly PartnerUser[]): EmailMessage {
  return {
    type: 'IncentiveInvitation',
    to: addressesOf(admins),
    subject: invitationSubject,
    plainText: [
      'Hello,',
      '',
      `Location ${enrollment.locationPartnerId} of ${companyName} is eligible for the incentive program ${enrollment.programId} in fiscal year ${enrollment.fiscalYear}.`,
      'Sign in to Partner Center as an incentive admin to enroll: choose the bank profile and the tax profile, and submit.',
    ].join('\n'),
  };
}

/** ATT-3: the customer's primary contact is told that its acceptance was recorded. */
export function attestationConfirmationEmail(customer: Pick<Customer, 'companyName' | 'primaryContact'>): EmailMessage {
  const contact = customer.primaryContact;
  const displayName = `${contact.firstName} ${contact.lastName}`;
  return {
    type: 'AttestationConfirmation',
    to: [{ address: contact.email, displayName }],
    subject: 'Your Microsoft Customer Agreement acceptance was recorded',
    plainText: [
      `Hello ${displayName},`,
      '',
      `Your partner confirmed that ${customer.companyName} accepted the Microsoft Customer Agreement.`,
      'If you did not accept it, contact your partner.',
    ].join('\n'),
  };
}

/** INC-5: what a rollover renewed for a partner, and what needs action. */
export function rolloverSummaryEmail(companyName: string, fiscalYear: number, renewals: readonly Enrollment[], admins: readonly PartnerUser[]): EmailMessage {
  const line = (e: Enrollment) =>
    `- ${e.programId}, location ${e.locationPartnerId}${e.actionsNeeded.length ? `: ${e.actionsNeeded.join(', ')}` : ''}${e.unmetRequirements?.length ? `: ${e.unmetRequirements.join('; ')}` : ''}`;
  const renewed = renewals.filter((e) => e.status === 'Enrolled');
  const action = renewals.filter((e) => e.status === 'ActionRequired');
  const notEligible = renewals.filter((e) => e.status === 'NotEligible');
  return {
    type: 'RolloverSummary',
    to: addressesOf(admins),
    subject: `Incentive enrollments for fiscal year ${fiscalYear}`,
    plainText: [
      `Your ${companyName} incentive enrollments were carried into fiscal year ${fiscalYear}.`,
      '',
      `Renewed (${renewed.length}):`,
      ...renewed.map(line),
      '',
      `Needs action (${action.length}):`,
      ...action.map(line),
      '',
      `Not eligible (${notEligible.length}):`,
      ...notEligible.map(line),
    ].join('\n'),
  };
}

const decisionText = {
  Approved: 'has been approved: you can now bill your customers directly',
  Rejected: 'was rejected',
  CreditCheckFailed: 'was declined: the credit check did not pass',
} as const;

/** CSP-2, CSP-4: the applicant is told Microsoft's decision on its direct-bill application, with the reason. */
export function directBillDecisionEmail(partner: Partner, outcome: keyof typeof decisionText, reason: string | undefined): EmailMessage {
  return {
    type: 'DirectBillDecision',
    to: [primaryContactOf(partner)],
    subject: `Your CSP direct-bill application ${outcome === 'Approved' ? 'has been approved' : 'was not approved'}`,
    plainText: [
      `Hello ${partner.primaryContact.firstName},`,
      '',
      `The direct-bill application of ${partner.companyName} ${decisionText[outcome]}.`,
      ...(reason ? ['', `Reason: ${reason}`] : []),
    ].join('\n'),
  };
}

/** CSP-3: a direct-bill partner is told once that it lost its direct-bill abilities, and why. */
export function directBillSuspendedEmail(partner: Partner, reasons: readonly string[]): EmailMessage {
  return {
    type: 'DirectBillAbilitiesSuspended',
    to: [primaryContactOf(partner)],
    subject: 'Your CSP direct-bill abilities are suspended',
    plainText: [
      `Hello ${partner.primaryContact.firstName},`,
      '',
      `${partner.companyName} no longer meets the requirements of CSP direct billing, so new purchases for customers are suspended:`,
      ...reasons.map((r) => `- ${r}`),
      '',
      'Your abilities are restored once an assessment confirms that the requirements are met again.',
    ].join('\n'),
  };
}
