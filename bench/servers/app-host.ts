// Bench server: the local host serving the real function table, pointed at the bench's emulators
// through the environment the parent passes.
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore } from '../../shared/local-host/functions-core-shim.js';
import './memory-probe.js';

const core = installFunctionsCore();
await import('../../functions/index.js');
const host = await FunctionHost.forConnection(core, process.env.AzureWebJobsStorage ?? '', {
  // BENCH_HOST_LOG=1 shows every host line (with the time), for diagnosis; else only failures.
  log: (line) => {
    if (process.env.BENCH_HOST_LOG) console.error(`${new Date().toISOString()} ${line}`);
    else if (/error|failed/i.test(line)) console.error(line);
  },
});
// Queue and timer triggers start when the parent says so (after it has queued its burst), and stop
// when it says so (a host kept warm between bursts, silent while the parent measures something else).
process.on('message', (m) => {
  const message = m as { startTriggers?: boolean; stopTriggers?: boolean };
  if (message.startTriggers) void host.start().then(() => process.send?.({ triggersStarted: true }));
  if (message.stopTriggers) void host.stopTriggers().then(() => process.send?.({ triggersStopped: true }));
});
process.send?.({ port: await host.listen(0) });
