import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

export interface StoredEmail {
  /** The operation id it was sent under (a repeated id is a second email, as on the service). */
  id: string;
  receivedAt: string;
  message: unknown;
  /** The repeatability headers it carried, if any (recorded, not acted on: see the class comment). */
  repeatabilityRequestId?: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxClockSkewMs = 15 * 60_000;
const maxBodyBytes = 10 * 1024 * 1024;

const address = z.object({ address: z.email(), displayName: z.string().optional() });
const sendRequestSchema = z.object({
  senderAddress: z.email(),
  recipients: z
    .object({ to: z.array(address).optional(), cc: z.array(address).optional(), bcc: z.array(address).optional() })
    .refine((r) => (r.to?.length ?? 0) + (r.cc?.length ?? 0) + (r.bcc?.length ?? 0) > 0, 'at least one recipient'),
  content: z.object({ subject: z.string().min(1), plainText: z.string().optional(), html: z.string().optional() }),
  headers: z.record(z.string(), z.string()).optional(),
});

export interface EmailEndpointOptions {
  port: number;
  host?: string;
  /** Base64 access key; requests must be signed with it (HMAC-SHA256), as Communication Services requires. */
  accessKey: string;
  /**
   * The function host's `POST /api/verification/email/confirm`. With it, `GET /verify-email?token=`
   * is a local stand-in for the portal's confirm page (`VERIFICATION_LINK_BASE` under `npm start`),
   * and the page at `/` confirms a verification email's link with one click.
   */
  confirmUrl?: string;
}

/** Makes the endpoint fail sends on purpose, to test what the suite does when email is down. */
export interface EmailFault {
  status: number;
  until: number;
}

/**
 * The Communication Services email REST API, locally: `POST /emails:send` (signature checked),
 * `GET /emails/operations/{id}` (the send result of an operation id; 404 when it has none), plus
 * `GET /emails[?to=address]`, `DELETE /emails` and `GET /` to see what the suite sent. Like the service as
 * documented, it does not drop a send that repeats an operation id: every accepted send is stored, so
 * a double send shows as two emails. The repeatability headers are recorded but not acted on, so
 * tests see every send the suite makes (the service drops repeats they name within five minutes).
 */
export class EmailEndpoint {
  private emails: StoredEmail[] = [];
  private readonly operations = new Set<string>();
  private answersToLose = 0;
  private server: Server | undefined;
  private fault: EmailFault | undefined;
  port = 0;

  constructor(private readonly options: EmailEndpointOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get connectionString(): string {
    return `endpoint=${this.url}/;accesskey=${this.options.accessKey}`;
  }

  /** Every send fails with `status` until `untilMs` (epoch ms); operation polls keep working. */
  failSendsUntil(status: number, untilMs: number): void {
    this.fault = { status, until: untilMs };
  }

  /** The next `count` sends are stored and then answered 503, as if the answer were lost on the way back. */
  loseNextAnswers(count: number): void {
    this.answersToLose = count;
  }

  list(): StoredEmail[] {
    return [...this.emails];
  }

  /** How many messages were accepted, without copying them (a benchmark waits on it). */
  count(): number {
    return this.emails.length;
  }

  async start(): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host ?? '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const body = await readBody(req);
    if (body === undefined) {
      json(res, 413, error('RequestTooLarge', 'The request exceeds 10 MB.'));
      return;
    }

    if (req.method === 'GET' && url.pathname === '/') {
      html(res, this.list(), this.options.confirmUrl !== undefined);
      return;
    }
    if (url.pathname === '/verify-email' && this.options.confirmUrl) {
      if (req.method === 'GET') {
        page(res, 200, 'Confirm your email address', confirmForm(url.searchParams.get('token') ?? ''));
        return;
      }
      if (req.method === 'POST') return this.confirm(res, new URLSearchParams(body.toString('utf8')).get('token') ?? '', this.options.confirmUrl);
    }
    if (url.pathname === '/emails' && req.method === 'GET') {
      // `?to=address` keeps the emails sent to that address (case-insensitive).
      const to = url.searchParams.get('to')?.toLowerCase();
      json(res, 200, to === undefined ? this.list() : this.list().filter((e) => recipientsOf(e).includes(to)));
      return;
    }
    if (url.pathname === '/emails' && req.method === 'DELETE') {
      this.emails = [];
      this.operations.clear();
      res.writeHead(204).end();
      return;
    }

    const isSend = req.method === 'POST' && url.pathname === '/emails:send';
    const operation = /^\/emails\/operations\/([^/]+)$/.exec(url.pathname);
    if (!isSend && !(req.method === 'GET' && operation)) {
      json(res, 404, error('NotFound', 'No such resource.'));
      return;
    }
    if (!this.verifySignature(req, url, body)) {
      json(res, 401, error('Denied', 'Denied by the resource provider.'));
      return;
    }

    if (operation) {
      const id = decodeURIComponent(operation[1] ?? '');
      if (!this.operations.has(id)) {
        json(res, 404, error('NotFound', `Operation ${id} not found.`));
        return;
      }
      json(res, 200, { id, status: 'Succeeded' });
      return;
    }

    if (this.fault && Date.now() < this.fault.until) {
      json(res, this.fault.status, error('ServiceUnavailable', 'The email service is unavailable (simulated).'));
      return;
    }
    const operationId = headerValue(req, 'operation-id') ?? randomUUID();
    if (!uuid.test(operationId)) {
      json(res, 400, error('InvalidOperationId', 'Operation-Id must be a UUID.'));
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      json(res, 400, error('InvalidRequest', 'The body is not JSON.'));
      return;
    }
    const valid = sendRequestSchema.safeParse(parsed);
    if (!valid.success) {
      json(res, 400, error('InvalidRequest', valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      return;
    }

    const repeatabilityRequestId = headerValue(req, 'repeatability-request-id');
    this.emails.push({ id: operationId, receivedAt: new Date().toISOString(), message: parsed, ...(repeatabilityRequestId ? { repeatabilityRequestId } : {}) });
    this.operations.add(operationId);
    if (this.answersToLose > 0) {
      this.answersToLose--;
      json(res, 503, error('ServiceUnavailable', 'The answer was lost (simulated).'));
      return;
    }
    const apiVersion = url.searchParams.get('api-version') ?? '';
    res.writeHead(202, {
      'content-type': 'application/json',
      'operation-location': `${this.url}/emails/operations/${operationId}?api-version=${encodeURIComponent(apiVersion)}`,
      'retry-after': '0',
    });
    res.end(JSON.stringify({ id: operationId, status: 'Running' }));
  }

  /** Posts the link's token to the function host, as the portal's page would, and shows the answer. */
  private async confirm(res: ServerResponse, token: string, confirmUrl: string): Promise<void> {
    const answer = await fetch(confirmUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) }).then(
      async (r) => ({ status: r.status, text: await r.text() }),
      (e: unknown) => ({ status: 502, text: `the function host did not answer: ${String(e)}` }),
    );
    const title = answer.status === 200 ? 'Email address confirmed' : 'The link was not accepted';
    page(
      res,
      answer.status === 200 ? 200 : 400,
      title,
      `<p>POST ${escape(confirmUrl)} answered ${answer.status}:</p><pre>${escape(answer.text)}</pre><p><a href="/">Back to the emails</a></p>`,
    );
  }

  /** HMAC-SHA256 over `VERB\npath?query\ndate;host;content-hash`, exactly as the SDK signs it. */
  private verifySignature(req: IncomingMessage, url: URL, body: Buffer): boolean {
    const date = headerValue(req, 'x-ms-date');
    const contentHash = headerValue(req, 'x-ms-content-sha256');
    const authorization = headerValue(req, 'authorization');
    if (!date || !contentHash || !authorization) return false;
    if (!(Math.abs(Date.now() - Date.parse(date)) <= maxClockSkewMs)) return false;
    if (createHash('sha256').update(body).digest('base64') !== contentHash) return false;
    const match = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(authorization);
    if (!match?.[1]) return false;
    const query = url.searchParams.toString();
    const stringToSign = `${req.method}\n${url.pathname}${query ? `?${query}` : ''}\n${date};${req.headers.host ?? ''};${contentHash}`;
    const expected = createHmac('sha256', Buffer.from(this.options.accessKey, 'base64')).update(stringToSign).digest();
    const given = Buffer.from(match[1], 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function recipientsOf(email: StoredEmail): string[] {
  const { recipients } = email.message as { recipients?: Record<string, { address?: string }[] | undefined> };
  return Object.values(recipients ?? {}).flatMap((list) => (list ?? []).map((r) => (r.address ?? '').toLowerCase()));
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function error(code: string, message: string): unknown {
  return { error: { code, message } };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...(status >= 400 ? { 'x-ms-error-code': 'Error' } : {}) });
  res.end(JSON.stringify(body));
}

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const linkPattern = /https?:\/\/[^\s"<>]+/g;

function confirmForm(token: string): string {
  return `<form method="post" action="/verify-email"><input type="hidden" name="token" value="${escape(token)}"><button type="submit">Confirm</button></form>`;
}

/** The token of a link to this endpoint's own confirm page, if the text carries one. */
function localToken(text: string): string | undefined {
  for (const link of text.match(linkPattern) ?? []) {
    const url = URL.parse(link);
    if (url?.pathname === '/verify-email' && url.searchParams.get('token')) return url.searchParams.get('token') ?? undefined;
  }
  return undefined;
}

function page(res: ServerResponse, status: number, title: string, content: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}pre{white-space:pre-wrap}</style></head><body><h1>${escape(title)}</h1>${content}</body></html>`);
}

function html(res: ServerResponse, emails: StoredEmail[], canConfirm: boolean): void {
  const rows = emails
    .slice()
    .reverse()
    .map((e) => {
      const m = e.message as {
        recipients?: { to?: { address?: string }[] };
        content?: { subject?: string; plainText?: string };
        headers?: Record<string, string>;
      };
      const to = (m.recipients?.to ?? []).map((r) => r.address ?? '').join(', ');
      const text = m.content?.plainText ?? '';
      const token = canConfirm ? localToken(text) : undefined;
      const linked = escape(text).replace(/https?:\/\/[^\s"<>]+/g, (link) => `<a href="${link}">${link}</a>`);
      return `<tr><td>${escape(e.receivedAt)}</td><td>${escape(m.headers?.['x-notification-type'] ?? '')}</td><td>${escape(to)}</td><td><details><summary>${escape(m.content?.subject ?? '')}</summary><pre>${linked}</pre></details>${token ? confirmForm(token) : ''}</td></tr>`;
    })
    .join('\n');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local email (${emails.length})</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}pre{white-space:pre-wrap}</style></head>
<body><h1>Local email endpoint</h1><p>${emails.length} message(s) accepted. <code>GET /emails</code> lists them as JSON; <code>DELETE /emails</code> empties the list.</p>
<table><thead><tr><th>Received</th><th>Type</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows || '<tr><td colspan="4">No messages yet.</td></tr>'}</tbody></table></body></html>`);
}
