import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { overrideServices } from '../shared/composition-root.js';
import { InvocationContext } from '../shared/platform/azure-functions.js';
import { createMetrics, logEvent, noMetrics, type MetricAttributes, type MetricName, type Metrics } from '../shared/platform/telemetry.js';
import { call, eventually, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
const recorded: { name: MetricName; value: number; attributes?: MetricAttributes | undefined }[] = [];
const recorder: Metrics = { record: (name, value, attributes) => void recorded.push({ name, value, attributes }) };
let restore: () => void = () => {};

beforeAll(async () => {
  host = await startAppHost();
  restore = await overrideServices({ metrics: recorder });
});
afterAll(async () => {
  restore();
  await host?.stop();
});

describe('telemetry wiring', () => {
  it('is off locally (no Application Insights connection string)', () => {
    expect(createMetrics(undefined, () => undefined)).toBe(noMetrics);
  });

  it('exports custom metrics to Application Insights ingestion when a connection string is set', async () => {
    const bodies: string[] = [];
    // The exporter speaks HTTPS only: a local ingestion endpoint with the emulator's self-signed certificate.
    const certDir = dirname(createRequire(import.meta.url).resolve('@vercel/cosmosdb-server/package.json'));
    vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
    const ingestion = createServer({ cert: readFileSync(join(certDir, 'cert.pem')), key: readFileSync(join(certDir, 'key.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        bodies.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ itemsReceived: 1, itemsAccepted: 1, errors: [] }));
      });
    });
    await new Promise<void>((r) => ingestion.listen(0, '127.0.0.1', r));
    try {
      const { port } = ingestion.address() as AddressInfo;
      const metrics = createMetrics(`InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:${port}/`, () => undefined);
      expect(metrics).not.toBe(noMetrics);
      metrics.record('verification.upload.bytes', 4321, { contentType: 'application/pdf' });
      metrics.record('rollover.enrollments', 7, { outcome: 'Enrolled' });
      await metrics.flush?.();
      const sent = bodies.join('\n');
      expect(sent).toContain('verification.upload.bytes');
      expect(sent).toContain('rollover.enrollments');
      expect(sent).toContain('4321');
    } finally {
      vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', undefined);
      ingestion.close();
    }
  });

  it('logs structured events through the invocation context, carrying the invocation id', () => {
    const lines: { level: string; text: string }[] = [];
    const context = new InvocationContext({
      invocationId: 'inv-42',
      functionName: 'rolloverPages',
      logHandler: (level, ...args) => lines.push({ level, text: String(args[0]) }),
    });
    logEvent(context, 'warn', 'MessagePoisoned', { queue: 'rollover-pages' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('warning');
    expect(JSON.parse(lines[0]?.text ?? '')).toEqual({
      event: 'MessagePoisoned',
      invocationId: 'inv-42',
      functionName: 'rolloverPages',
      queue: 'rollover-pages',
    });
  });
});

describe('custom metrics', () => {
  it('records the bytes of an accepted upload', async () => {
    const partnerId = unique('T');
    expect(
      (await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await tokenFor({ roles: ['PlatformOperator'] }), body: partnerBody() })).status,
    ).toBe(201);
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'), Buffer.alloc(12_345, 0x20)]);
    const form = new FormData();
    form.append('check', 'Business');
    form.append('documentType', 'BusinessRegistration');
    form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'a.pdf');
    const upload = await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor({ partnerId, roles: ['GlobalAdmin'] })}` },
      body: form,
    });
    expect(upload.status).toBe(201);
    expect(recorded.filter((m) => m.name === 'verification.upload.bytes').map((m) => m.value)).toContain(bytes.length);
  });

  it('ATT-3: records attestation-to-send seconds when the confirmation goes out', async () => {
    const partnerId = unique('T');
    const operator = await tokenFor({ roles: ['PlatformOperator'] });
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: operator, body: partnerBody() })).status).toBe(201);
    const agent = await tokenFor({ partnerId, roles: ['AdminAgent'] });
    const customerId = unique('C');
    const contact = { firstName: 'Kai', lastName: 'Ito', email: `${customerId.toLowerCase()}@fabrikam.example` };
    expect(
      (
        await call(host, 'PUT', `/api/partners/${partnerId}/customers/${customerId}`, {
          token: agent,
          body: { companyName: 'Fabrikam', primaryContact: contact, agreementOption: 'PartnerAttestation' },
        })
      ).status,
    ).toBe(201);
    const before = recorded.length;
    const attested = await call(host, 'POST', `/api/partners/${partnerId}/customers/${customerId}/agreements`, {
      token: agent,
      body: { type: 'MicrosoftCustomerAgreement', primaryContact: contact, dateAgreed: new Date().toISOString().slice(0, 10) },
    });
    expect(attested.status).toBe(201);
    const delay = await eventually(() => recorded.slice(before).find((m) => m.name === 'attestation.confirmation.delay'));
    expect(delay.value).toBeGreaterThanOrEqual(0);
    expect(delay.value).toBeLessThan(60);
  });
});
