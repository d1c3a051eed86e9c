/**
 * Every storage queue the suite reads or writes. Upstream systems write the first six (names fixed
 * by the contract); the rest are internal fan-out queues. Each has a `<name>-poison` twin, created by
 * infra and the local stack, where the host (or our validation) moves messages it gives up on.
 */
export const queueNames = {
  verificationDecisions: 'verification-decisions',
  incentiveEligibility: 'incentive-eligibility',
  enrollmentValidation: 'enrollment-validation',
  customerAgreementEvents: 'customer-agreement-events',
  /** Upstream: credit check, decision and assessment events of direct-bill applications (CSP-2..CSP-4). */
  directBillDecisions: 'direct-bill-decisions',
  /** Upstream: a program no longer offered (INC-3). */
  incentivePrograms: 'incentive-programs',
  /** Internal: one message per owed email (an outbox intent) to deliver now. */
  emailOutbox: 'email-outbox',
  /** Internal: one message per page of enrolments a rollover run renews (INC-5). */
  rolloverPages: 'rollover-pages',
  /** Internal: one message per partner to email after a rollover run (RolloverSummary). */
  rolloverSummaries: 'rollover-summaries',
  /** Internal: one message per page of DirectBill partners a daily assessment looks at (CSP-3). */
  directBillAssessmentPages: 'direct-bill-assessment-pages',
} as const;

/** The queues other teams' systems write to: their message schemas are published (GET /api/asyncapi.json). */
export const upstreamQueues: readonly string[] = [
  queueNames.verificationDecisions,
  queueNames.incentiveEligibility,
  queueNames.enrollmentValidation,
  queueNames.customerAgreementEvents,
  queueNames.directBillDecisions,
  queueNames.incentivePrograms,
];

export const allQueues: readonly string[] = Object.values(queueNames);

export function poisonQueueOf(queueName: string): string {
  return `${queueName}-poison`;
}
