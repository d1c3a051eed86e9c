import { timerFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { planDirectBillAssessment } from '../shared/use-cases/direct-bill.js';

// Daily at 03:00 UTC: the day's assessment of every DirectBill partner (CSP-3), started once; its pages go through a queue.
timerFunction('directBillAssessment', {
  schedule: '0 0 3 * * *',
  async handler(_timer, { services, context }) {
    const result = await planDirectBillAssessment(services);
    if (result.started) logEvent(context, 'info', 'DirectBillAssessmentStarted', { runId: result.runId });
  },
});
