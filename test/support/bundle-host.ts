// Test helper process: serves the production bundle (dist/functions/index.js) through the local
// host, as the Azure host would load it: @azure/functions-core supplied, then the entry point imported.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore } from '../../shared/local-host/functions-core-shim.js';
import { projectRoot } from '../../shared/local-host/project-root.js';

const core = installFunctionsCore();
await import(pathToFileURL(join(projectRoot(), 'dist/functions/index.js')).href);
const host = await FunctionHost.forConnection(core, process.env.AzureWebJobsStorage ?? '', { log: () => {} });
const port = await host.listen(0);
process.send?.({ port, functions: core.registrations.map((r) => ({ name: r.name, trigger: core.triggerOf(r) })) });
process.on('SIGTERM', () => void host.stop().then(() => process.exit(0)));
