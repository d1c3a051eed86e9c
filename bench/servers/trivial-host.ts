// Bench server: the local function host serving one trivial HTTP function through the full
// platform path (registration, routing, HttpRequest/HttpResponse, access rule, result mapping).
import { FunctionHost } from '../../shared/local-host/function-host.js';
import { installFunctionsCore } from '../../shared/local-host/functions-core-shim.js';
import './memory-probe.js';

// Valid settings that are never contacted: the trivial function touches no service.
const dummy =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1';
Object.assign(process.env, {
  COSMOS_ENDPOINT: 'https://127.0.0.1:1/',
  COSMOS_KEY: 'a2V5',
  AzureWebJobsStorage: dummy,
  EMAIL_CONNECTION_STRING: 'endpoint=http://127.0.0.1:1/;accesskey=a2V5',
  AUTH_ISSUER: 'bench',
  AUTH_AUDIENCE: 'bench',
  AUTH_JWKS_FILE: '/dev/null',
});

const core = installFunctionsCore();
const { httpFunction } = await import('../../shared/platform/functions.js');
httpFunction('trivial', {
  method: 'GET',
  route: 'trivial',
  summary: 'bench',
  tags: ['bench'],
  access: { anonymous: true },
  responses: { 200: { description: 'ok' } },
  handler: () => Promise.resolve({ status: 200, body: { ok: true } }),
});
const host = await FunctionHost.forConnection(core, dummy, { log: () => {} });
const port = await host.listen(0);
process.send?.({ port });
