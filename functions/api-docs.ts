import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { httpFunction } from '../shared/platform/functions.js';

// The interactive API reference: Swagger UI from the swagger-ui-dist package (no CDN) over
// /api/openapi.json, with the bearer scheme's Authorize dialog, so a developer can paste a token and try
// a call. The production build copies the two files it needs beside the bundle (dist/functions/docs-assets);
// elsewhere (npm start, tests) they are read from node_modules.

/** Scripts only from this origin and no inline code; styles from the stylesheet; calls only to this origin. */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partner portal API reference</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

// The page's own script, served as a file so the policy needs no 'unsafe-inline'.
const init = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  tryItOutEnabled: true,
  persistAuthorization: false,
  displayOperationId: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

const packageFiles: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

let directory: Promise<string> | undefined;

/** Where swagger-ui-dist's files are: copied beside the production bundle, or the installed package. */
function assetDirectory(): Promise<string> {
  directory ??= (async () => {
    const beside = join(dirname(fileURLToPath(import.meta.url)), 'docs-assets');
    if (await stat(join(beside, 'swagger-ui-bundle.js')).catch(() => undefined)) return beside;
    return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  })();
  return directory;
}

const loaded = new Map<string, Promise<string>>();

httpFunction('apiDocs', {
  method: 'GET',
  route: 'docs',
  summary: 'The interactive API reference (Swagger UI) over /api/openapi.json: Authorize with a bearer token, then try any operation.',
  tags: ['platform'],
  access: { anonymous: true },
  responses: { 200: { description: 'The reference page', contentType: ['text/html'] } },
  handler() {
    return Promise.resolve({
      status: 200,
      body: page,
      headers: { ...securityHeaders, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
    });
  },
});

httpFunction('apiDocsAsset', {
  method: 'GET',
  route: 'docs/{asset}',
  summary: "The reference page's script and stylesheet.",
  tags: ['platform'],
  access: { anonymous: true },
  params: z.object({ asset: z.enum(['swagger-ui-bundle.js', 'swagger-ui.css', 'init.js']) }),
  responses: { 200: { description: 'The file', contentType: ['text/javascript', 'text/css'] } },
  async handler({ params }) {
    if (params.asset === 'init.js') return { status: 200, body: init, headers: { ...securityHeaders, 'content-type': 'text/javascript; charset=utf-8' } };
    const contentType = packageFiles[params.asset] ?? 'application/octet-stream';
    let body = loaded.get(params.asset);
    if (!body) {
      body = assetDirectory().then((dir) => readFile(join(dir, params.asset), 'utf8'));
      loaded.set(params.asset, body);
    }
    return { status: 200, body: await body, headers: { ...securityHeaders, 'content-type': contentType, 'cache-control': 'public, max-age=3600' } };
  },
});
