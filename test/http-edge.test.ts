import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });

/** Sends `body` over a raw connection and resolves with the status, or the socket error if none came. */
function rawSend(
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  expectContinue = false,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${host.url}${path}`, {
      method: path.includes('documents') ? 'POST' : 'PUT',
      headers: { ...headers, 'content-length': String(body.length), ...(expectContinue ? { expect: '100-continue' } : {}) },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', (error) => resolve({ error: error.message }));
    if (expectContinue) req.on('continue', () => req.end(body));
    else req.end(body);
  });
}

describe('oversized bodies', () => {
  it('curl, which sends a large body after Expect: 100-continue, reads the 413 of a 1 MB JSON body', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'edge-')), 'big.json');
    await writeFile(file, JSON.stringify({ ...partnerBody(), companyName: 'x'.repeat(1024 * 1024) }));
    const token = await operator();
    const out = await new Promise<string>((resolve) => {
      execFile(
        'curl',
        [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          '-X',
          'PUT',
          '-H',
          `authorization: Bearer ${token}`,
          '-H',
          'content-type: application/json',
          '--data-binary',
          `@${file}`,
          `${host.url}/api/partners/${unique('P')}`,
        ],
        (error, stdout) => resolve(error ? `error ${error.message} ${stdout}` : stdout),
      );
    });
    expect(out).toBe('413');
  });

  it('a 1 MB JSON body answers 413 problem+json that the client reads (no reset while it is still writing)', async () => {
    const partnerId = unique('P');
    const huge = Buffer.from(JSON.stringify({ ...partnerBody(), companyName: 'x'.repeat(1024 * 1024) }));
    for (const path of [`/api/partners/${partnerId}`, `/api/partners/${partnerId}/customers/c-1`]) {
      const answer = await rawSend(path, { authorization: `Bearer ${await operator()}`, 'content-type': 'application/json' }, huge);
      expect(answer, path).toMatchObject({ status: 413 });
      expect('body' in answer && (JSON.parse(answer.body) as { status: number }).status).toBe(413);
    }
  });

  it('an 11 MiB upload answers 413 that the client reads', async () => {
    const partnerId = unique('P');
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: partnerBody() })).status).toBe(201);
    const boundary = 'big';
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="check"\r\n\r\nBusiness\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n`,
      ),
      Buffer.alloc(11 * 1024 * 1024, 0x20),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const token = await tokenFor({ partnerId, roles: ['GlobalAdmin'] });
    const answer = await rawSend(
      `/api/partners/${partnerId}/verification/documents`,
      { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
    );
    expect(answer).toMatchObject({ status: 413 });
  });

  it('Expect: 100-continue with a declared length over the cap answers 413 instead of 100, and no body is sent', async () => {
    const partnerId = unique('P');
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: partnerBody() })).status).toBe(201);
    const uploader = await tokenFor({ partnerId, roles: ['GlobalAdmin'] });
    const cases = [
      { path: `/api/partners/${partnerId}`, headers: { authorization: `Bearer ${await operator()}`, 'content-type': 'application/json' } },
      {
        path: `/api/partners/${partnerId}/verification/documents`,
        headers: { authorization: `Bearer ${uploader}`, 'content-type': 'multipart/form-data; boundary=b' },
      },
    ];
    for (const c of cases) {
      let continued = false;
      const answer = await new Promise<{ status: number }>((resolve, reject) => {
        const req = httpRequest(`${host.url}${c.path}`, {
          method: c.path.endsWith('documents') ? 'POST' : 'PUT',
          headers: { ...c.headers, 'content-length': String(12 * 1024 * 1024), expect: '100-continue' },
        });
        req.on('continue', () => {
          continued = true;
          req.destroy();
        });
        req.on('response', (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        });
        req.on('error', reject);
        req.flushHeaders();
      });
      expect(answer.status, c.path).toBe(413);
      expect(continued, c.path).toBe(false);
    }
    // A body within the cap is asked for: the handler reads it after the 100.
    const small = Buffer.from(JSON.stringify(partnerBody()));
    expect(
      await rawSend(`/api/partners/${unique('P')}`, { authorization: `Bearer ${await operator()}`, 'content-type': 'application/json' }, small, true),
    ).toMatchObject({
      status: 201,
    });
  });
});

describe('stalled bodies', () => {
  it('a client that stops sending mid-body gets 408 after the idle time, on a JSON route and on an upload', async () => {
    const stalling = await startAppHost((s) => ({ ...s, bodyIdleTimeoutMs: 400 }));
    try {
      const partnerId = unique('P');
      expect((await call(stalling, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: partnerBody() })).status).toBe(201);
      const cases = [
        { path: `/api/partners/${partnerId}`, method: 'PUT', type: 'application/json', token: await operator() },
        {
          path: `/api/partners/${partnerId}/verification/documents`,
          method: 'POST',
          type: 'multipart/form-data; boundary=b',
          token: await tokenFor({ partnerId, roles: ['GlobalAdmin'] }),
        },
      ];
      for (const c of cases) {
        const started = Date.now();
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = httpRequest(`${stalling.url}${c.path}`, {
            method: c.method,
            headers: { authorization: `Bearer ${c.token}`, 'content-type': c.type, 'content-length': '100000' },
          });
          req.on('response', (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          });
          req.on('error', reject);
          req.write(
            c.type.startsWith('multipart') ? '--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.7\n' : '{"companyName": "',
          );
          // ...and nothing more: the request is never ended.
        });
        expect(answer.status, c.path).toBe(408);
        expect((JSON.parse(answer.body) as { status: number }).status).toBe(408);
        expect(Date.now() - started).toBeLessThan(5_000);
      }
    } finally {
      await stalling.stop();
    }
  });
});
