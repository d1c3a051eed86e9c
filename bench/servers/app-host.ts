// Bench server: the local host serving the real function table, pointed at the bench's emulators
// through the environment the parent passes.
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore } from '../../shared/local-host/functions-core-shim.js';
import { loadHostSettings } from '../../shared/local-host/host-settings.js';
import { projectRoot } from '../../shared/local-host/project-root.js';
import './memory-probe.js';

const core = installFunctionsCore();
await import('../../functions/index.js');
const storage = process.env.AzureWebJobsStorage ?? '';
const host = new FunctionHost({
  core,
  settings: await loadHostSettings(join(projectRoot(), 'host.json')),
  queueService: QueueServiceClient.fromConnectionString(storage),
  blobService: BlobServiceClient.fromConnectionString(storage),
  log: (line) => {
    if (/error|failed/i.test(line)) console.error(line);
  },
});
// Queue and timer triggers start when the parent says so (after it has queued its burst).
process.on('message', (m) => {
  if ((m as { startTriggers?: boolean }).startTriggers) void host.start().then(() => process.send?.({ triggersStarted: true }));
});
process.send?.({ port: await host.listen(0) });
