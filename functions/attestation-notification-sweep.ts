import { timerFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { sweepOutbox } from '../shared/use-cases/outbox.js';

// Every 5 minutes: every email still owed goes back on the outbox queue (ATT-3's 30 minutes among them).
timerFunction('attestationNotificationSweep', {
  schedule: '0 */5 * * * *',
  async handler(_timer, { services, context }) {
    const result = await sweepOutbox(services);
    if (result.queued > 0) logEvent(context, 'info', 'OutboxSweep', { queued: result.queued, breached: result.breached });
  },
});
