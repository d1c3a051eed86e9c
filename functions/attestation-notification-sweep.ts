import { timerFunction } from '../shared/platform/functions.js';
import { logEvent } from '../shared/platform/telemetry.js';
import { sweepConfirmations } from '../shared/use-cases/attestation-notifier.js';

// Every 5 minutes: whatever confirmation is still unsent goes back on the send queue (ATT-3).
timerFunction('attestationNotificationSweep', {
  schedule: '0 */5 * * * *',
  async handler(_timer, { services, context }) {
    const result = await sweepConfirmations(services);
    if (result.queued > 0) logEvent(context, 'info', 'ConfirmationSweep', { queued: result.queued, breached: result.breached });
  },
});
