// Test helper process: serves the production bundle (dist/functions/index.js) through the local
// host, as the Azure host would load it: @azure/functions-core supplied, then the entry point imported.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore } from '../../shared/local-host/functions-core-shim.js';
import { loadHostSettings } from '../../shared/local-host/host-settings.js';
import { projectRoot } from '../../shared/local-host/project-root.js';

const core = installFunctionsCore();
await import(pathToFileURL(join(projectRoot(), 'dist/functions/index.js')).href);
const storage = process.env.AzureWebJobsStorage ?? '';
const host = new FunctionHost({
  core,
  settings: await loadHostSettings(join(projectRoot(), 'host.json')),
  queueService: QueueServiceClient.fromConnectionString(storage),
  blobService: BlobServiceClient.fromConnectionString(storage),
  log: () => {},
});
const port = await host.listen(0);
process.send?.({ port, functions: core.registrations.map((r) => r.name) });
process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
