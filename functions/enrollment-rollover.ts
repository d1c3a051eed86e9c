import { timerFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { planRollover } from '../shared/use-cases/rollover.js';

// Daily at 02:00 UTC: once a fiscal year has ended, start its rollover (once) and fan it out (INC-5).
timerFunction('enrollmentRollover', {
  schedule: '0 0 2 * * *',
  async handler(_timer, { services, context }) {
    const result = await planRollover(services);
    if (result.started) logEvent(context, 'info', 'RolloverStarted', { runId: result.runId });
  },
});
