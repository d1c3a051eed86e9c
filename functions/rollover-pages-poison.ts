import { queueFunction } from '../shared/platform/functions.js';
import { poisonQueueOf, queueNames } from '../shared/use-cases/queues.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { recordFailedPage } from '../shared/use-cases/rollover.js';
import { pageMessageSchema } from './rollover-pages.js';

queueFunction('rolloverPagesPoison', {
  queueName: poisonQueueOf(queueNames.rolloverPages),
  message: pageMessageSchema,
  async handler(message, { services, context }) {
    const { recorded } = await recordFailedPage(services, message);
    if (recorded) logEvent(context, 'error', 'RolloverPageFailed', { runId: message.runId, page: message.page });
  },
});
