import { queueFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { recordFailedAssessmentPage } from '../shared/use-cases/direct-bill.js';
import { poisonQueueOf, queueNames } from '../shared/use-cases/queues.js';
import { assessmentPageMessageSchema } from './direct-bill-assessment-pages.js';

queueFunction('directBillAssessmentPagesPoison', {
  queueName: poisonQueueOf(queueNames.directBillAssessmentPages),
  message: assessmentPageMessageSchema,
  async handler(message, { services, context }) {
    const { recorded } = await recordFailedAssessmentPage(services, message);
    if (recorded) logEvent(context, 'error', 'DirectBillAssessmentPageFailed', { runId: message.runId, page: message.page });
  },
});
