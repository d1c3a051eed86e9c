/**
 * Every storage queue the suite reads or writes. Upstream systems write the first five (names fixed
 * by the contract); the rest are internal fan-out queues. Each has a `<name>-poison` twin, created by
 * infra and the local stack, where the host (or our validation) moves messages it gives up on.
 */
export const queueNames = {
  verificationDecisions: 'verification-decisions',
  incentiveEligibility: 'incentive-eligibility',
  enrollmentValidation: 'enrollment-validation',
  customerAgreementEvents: 'customer-agreement-events',
  incentivePrograms: 'incentive-programs',
  /** Internal: one message per owed email (an outbox intent) to deliver now. */
  emailOutbox: 'email-outbox',
  /** Internal: one message per page of enrolments a rollover run renews (INC-5). */
  rolloverPages: 'rollover-pages',
  /** Internal: one message per partner to email after a rollover run (RolloverSummary). */
  rolloverSummaries: 'rollover-summaries',
} as const;

export const allQueues: readonly string[] = Object.values(queueNames);

export function poisonQueueOf(queueName: string): string {
  return `${queueName}-poison`;
}
