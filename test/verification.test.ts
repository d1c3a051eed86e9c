import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeQueueMessage } from '../shared/adapters/queue-publisher.js';
import { getServices, overrideServices } from '../shared/composition-root.js';
import { businessDaysBetween, resendWait } from '../shared/domain/verification.js';
import type { Role } from '../shared/domain/roles.js';
import { handleVerificationDecision } from '../shared/use-cases/verification.js';
import {
  blobService,
  call,
  drainOutbox,
  emailOutage,
  emailsTo,
  eventually,
  partnerBody,
  queueService,
  startAppHost,
  stackEnv,
  tokenFor,
  unique,
  type TestHost,
} from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId: `user-${roles.join('-')}` });

async function createPartner(overrides: Record<string, unknown> = {}) {
  const partnerId = unique('P');
  const body = partnerBody(overrides);
  const response = await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body });
  expect(response.status).toBe(201);
  return { partnerId, body, email: body.primaryContact.email };
}

function tokenFromEmail(text: string | undefined): string {
  const match = /token=([A-Za-z0-9_.%-]+)/.exec(text ?? '');
  if (!match?.[1]) throw new Error(`no token link in: ${text}`);
  return decodeURIComponent(match[1]);
}

async function verification(partnerId: string, ...roles: Role[]) {
  const response = await call(host, 'GET', `/api/partners/${partnerId}/verification`, {
    token: await as(partnerId, ...(roles.length ? roles : (['GlobalAdmin'] as Role[]))),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as {
    accountSuspended: boolean;
    tabs: {
      tab: string;
      status: string;
      checks: { type: string; status: string; reason?: string; fixNowAvailable: boolean }[];
      progress: { accepted: number; total: number };
      businessDaysElapsed: number;
      contactSupport: boolean;
    }[];
  };
}

async function decide(decision: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${host.url}/admin/functions/verificationDecisions`, {
    method: 'POST',
    body: JSON.stringify({ input: JSON.stringify(decision) }),
  });
  expect(response.status).toBe(202);
}

const pdf = (size = 2048): Buffer => {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n', 'latin1');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x20)]);
};

async function upload(
  partnerId: string,
  parts: { check?: string; documentType?: string; comment?: string; files?: { name: string; bytes: Buffer; type?: string }[] },
  roles: Role[] = ['GlobalAdmin'],
): Promise<Response> {
  const form = new FormData();
  if (parts.check !== undefined) form.append('check', parts.check);
  if (parts.documentType !== undefined) form.append('documentType', parts.documentType);
  if (parts.comment !== undefined) form.append('comment', parts.comment);
  for (const f of parts.files ?? []) form.append('file', new Blob([f.bytes], { type: f.type ?? 'application/pdf' }), f.name);
  return fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await as(partnerId, ...roles)}` },
    body: form,
  });
}

/**
 * A Business upload written by hand, so a test can pace or cut it: the fields and the file's part
 * header (`head`), then the caller's file bytes, then `tail`; content-length is set for `fileBytes`.
 */
async function streamedUpload(partnerId: string, filename: string, fileBytes: number) {
  const boundary = 'x-boundary-123';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="check"\r\n\r\nBusiness\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="documentType"\r\n\r\nBusinessRegistration\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = httpRequest(`${host.url}/api/partners/${partnerId}/verification/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await as(partnerId, 'GlobalAdmin')}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': String(head.length + fileBytes + tail.length),
    },
  });
  return { req, head, tail };
}

async function blobNames(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of blobService()
    .getContainerClient(stackEnv().DOCUMENTS_CONTAINER ?? 'verification-documents')
    .listBlobsFlat({ prefix }))
    names.push(blob.name);
  return names;
}

async function documentRecords(partnerId: string): Promise<unknown[]> {
  return (await getServices()).accounts.documents(partnerId);
}

describe('starting verification (VER-2, VER-3)', () => {
  it('VER-2: a new partner in ai-cloud-partner and csp gets the partner tab with every check Pending and one email-ownership email', async () => {
    const { partnerId, email } = await createPartner();
    const view = await verification(partnerId);
    expect(view.tabs.map((t) => t.tab)).toEqual(['partner']);
    expect(view.tabs[0]?.checks.map((c) => [c.type, c.status])).toEqual([
      ['EmailOwnership', 'Pending'],
      ['Identity', 'Pending'], // VER-3: only for ai-cloud-partner
      ['Employment', 'Pending'],
      ['Business', 'Pending'],
    ]);
    expect(view.tabs[0]?.progress).toEqual({ accepted: 0, total: 4 });
    const emails = await emailsTo(email);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.message.headers?.['x-notification-type']).toBe('EmailVerification');
  });

  it('VER-3: a developer-only partner has no Identity check; a repeated identical PUT changes and sends nothing', async () => {
    const partnerId = unique('P');
    const body = partnerBody({ programs: ['developer'] });
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(200);
    const view = await verification(partnerId, 'Manager');
    expect(view.tabs.map((t) => t.tab)).toEqual(['developer']);
    expect(view.tabs[0]?.checks.map((c) => c.type)).toEqual(['EmailOwnership', 'Employment', 'Business']);
    expect(await emailsTo(body.primaryContact.email)).toHaveLength(1);
  });

  it('VER-2: a first email that cannot be sent is owed, not lost: the PUT answers 201, the sweep delivers exactly one working link, a second PUT sends nothing', async () => {
    const partnerId = unique('P');
    const body = partnerBody();
    const outage = await emailOutage();
    const restore = await overrideServices({ email: outage.sender });
    try {
      expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
    } finally {
      restore();
      await outage.endpoint.stop();
    }
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'EmailOwnership')?.status).toBe('Pending');
    expect(await emailsTo(body.primaryContact.email)).toHaveLength(0);

    await drainOutbox();
    const emails = await eventually(async () => {
      const sent = await emailsTo(body.primaryContact.email);
      return sent.length > 0 ? sent : undefined;
    });
    expect(emails).toHaveLength(1);
    expect(emails[0]?.message.headers?.['x-notification-type']).toBe('EmailVerification');
    expect(
      (await call(host, 'POST', '/api/verification/email/confirm', { body: { token: tokenFromEmail(emails[0]?.message.content.plainText) } })).status,
    ).toBe(200);

    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(200);
    await drainOutbox();
    expect(await emailsTo(body.primaryContact.email)).toHaveLength(1);
  });

  it('VER-2: changing the company name re-checks Business; a new contact email re-checks EmailOwnership and sends a new link', async () => {
    const { partnerId, body, email } = await createPartner();
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'partner', outcome: 'Accepted', decidedAt: new Date().toISOString() });
    await eventually(async () =>
      (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status === 'Accepted' ? true : undefined,
    );
    await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body: { ...body, companyName: 'Contoso Holdings' } });
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status).toBe('Pending');

    const newEmail = `new.${email}`;
    await call(host, 'PUT', `/api/partners/${partnerId}`, {
      token: await operator(),
      body: { ...body, companyName: 'Contoso Holdings', primaryContact: { ...body.primaryContact, email: newEmail } },
    });
    expect(await emailsTo(newEmail)).toHaveLength(1);
  });

  it('rejects a partner body with bad fields with every problem listed', async () => {
    const response = await call(host, 'PUT', `/api/partners/${unique('P')}`, {
      token: await operator(),
      body: partnerBody({
        address: { line1: 'x', city: 'y', postalCode: '1', country: 'USA' },
        primaryContact: { firstName: 'A', lastName: 'B', email: 'not-an-email', phone: 'call me' },
      }),
    });
    expect(response.status).toBe(400);
    const paths = ((await response.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.address.country', 'body.primaryContact.email', 'body.primaryContact.phone']));
  });

  it('ACC-3: only PlatformOperator may create partners', async () => {
    const partnerId = unique('P');
    expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await as(partnerId, 'GlobalAdmin'), body: partnerBody() })).status).toBe(403);
  });
});

describe('the verification view (VER-1, VER-4, VER-5)', () => {
  it('VER-1: answers 401 without a token, 403 for another partner, 403 for a role that is not a verification role', async () => {
    const { partnerId } = await createPartner();
    expect((await call(host, 'GET', `/api/partners/${partnerId}/verification`)).status).toBe(401);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/verification`, { token: await as('someone-else', 'GlobalAdmin') })).status).toBe(403);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/verification`, { token: await as(partnerId, 'SalesAgent') })).status).toBe(403);
  });

  it('VER-1: a Manager sees the developer tab only, a GlobalAdmin the partner tab only', async () => {
    const { partnerId } = await createPartner({ programs: ['ai-cloud-partner', 'developer'] });
    expect((await verification(partnerId, 'Manager')).tabs.map((t) => t.tab)).toEqual(['developer']);
    expect((await verification(partnerId, 'GlobalAdmin')).tabs.map((t) => t.tab)).toEqual(['partner']);
  });

  it('VER-4: a tab is Accepted when every check is, Rejected when any is, with progress', async () => {
    const { partnerId } = await createPartner({ programs: ['developer'] });
    const at = Date.now();
    for (const [i, check] of ['EmailOwnership', 'Employment'].entries()) {
      await decide({ decisionId: unique('d'), partnerId, check, tab: 'developer', outcome: 'Accepted', decidedAt: new Date(at + i).toISOString() });
    }
    const pending = await eventually(async () => {
      const tab = (await verification(partnerId, 'Owner')).tabs[0];
      return tab?.progress.accepted === 2 ? tab : undefined;
    });
    expect(pending.status).toBe('Pending');
    expect(pending.progress).toEqual({ accepted: 2, total: 3 });
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'developer', outcome: 'Accepted', decidedAt: new Date(at + 5).toISOString() });
    await eventually(async () => ((await verification(partnerId, 'Owner')).tabs[0]?.status === 'Accepted' ? true : undefined));
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'developer', outcome: 'Rejected', decidedAt: new Date(at + 10).toISOString() });
    await eventually(async () => ((await verification(partnerId, 'Owner')).tabs[0]?.status === 'Rejected' ? true : undefined));
  });

  it('VER-5: after more than 5 business days still Pending, the tab says to contact support', async () => {
    const { partnerId } = await createPartner();
    const submitted = (await getServices()).now();
    const restore = await overrideServices({ now: () => new Date(submitted.getTime() + 9 * 86_400_000) });
    try {
      const tab = (await verification(partnerId)).tabs[0];
      expect(tab?.businessDaysElapsed).toBe(businessDaysBetween(submitted, new Date(submitted.getTime() + 9 * 86_400_000)));
      expect(tab?.businessDaysElapsed).toBeGreaterThan(5);
      expect(tab?.contactSupport).toBe(true);
    } finally {
      restore();
    }
    expect((await verification(partnerId)).tabs[0]?.contactSupport).toBe(false);
  });

  it('VER-5: counts business days, skipping weekends and configured holidays', () => {
    const monday = new Date('2026-11-02T10:00:00Z');
    expect(businessDaysBetween(monday, new Date('2026-11-09T09:00:00Z'))).toBe(5);
    expect(businessDaysBetween(monday, new Date('2026-11-10T09:00:00Z'))).toBe(6);
    expect(businessDaysBetween(monday, new Date('2026-11-10T09:00:00Z'), new Set(['2026-11-03']))).toBe(5);
    expect(businessDaysBetween(new Date('2026-11-06T10:00:00Z'), new Date('2026-11-08T10:00:00Z'))).toBe(0); // Friday to Sunday
  });
});

describe('email ownership (VER-6)', () => {
  it('VER-6: the link from the email is accepted once; reuse answers 400', async () => {
    const { partnerId, email } = await createPartner();
    const [sent] = await emailsTo(email);
    const token = tokenFromEmail(sent?.message.content.plainText);
    const first = await call(host, 'POST', '/api/verification/email/confirm', { body: { token } });
    expect(first.status).toBe(200);
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'EmailOwnership')?.status).toBe('Accepted');
    const again = await call(host, 'POST', '/api/verification/email/confirm', { body: { token } });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { code: string }).code).toBe('InvalidVerificationToken');
  });

  it('VER-6: resend sends a new link and the earlier one stops working; 409 once ownership is proven', async () => {
    const { partnerId, email } = await createPartner();
    const oldToken = tokenFromEmail((await emailsTo(email))[0]?.message.content.plainText);
    const restore = await overrideServices({ now: () => new Date(Date.now() + 16 * 60_000) }); // past the cooldown
    let response: Response;
    try {
      response = await call(host, 'POST', `/api/partners/${partnerId}/verification/email/resend`, { token: await as(partnerId, 'AccountAdmin') });
    } finally {
      restore();
    }
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ sentTo: email, resendCount: 2 });
    const emails = await emailsTo(email);
    expect(emails).toHaveLength(2);
    const newToken = tokenFromEmail(
      emails.find((e) => !e.message.content.plainText?.includes(encodeURIComponent(oldToken)) && !e.message.content.plainText?.includes(oldToken))?.message
        .content.plainText,
    );
    expect((await call(host, 'POST', '/api/verification/email/confirm', { body: { token: oldToken } })).status).toBe(400);
    expect((await call(host, 'POST', '/api/verification/email/confirm', { body: { token: newToken } })).status).toBe(200);
    const proven = await call(host, 'POST', `/api/partners/${partnerId}/verification/email/resend`, { token: await as(partnerId, 'GlobalAdmin') });
    expect(proven.status).toBe(409);
  });

  it('VER-6: a resend while the email service is down answers 202 and is owed: the sweep delivers it, once', async () => {
    const { partnerId, email } = await createPartner();
    const later = await overrideServices({ now: () => new Date(Date.now() + 16 * 60_000) }); // past the first send's cooldown
    const outage = await emailOutage();
    try {
      const restoreEmail = await overrideServices({ email: outage.sender });
      try {
        const owed = await call(host, 'POST', `/api/partners/${partnerId}/verification/email/resend`, { token: await as(partnerId, 'GlobalAdmin') });
        expect(owed.status).toBe(202);
        expect(await owed.json()).toMatchObject({ sentTo: email, resendCount: 2 });
      } finally {
        restoreEmail();
      }
      expect(await emailsTo(email)).toHaveLength(1);
      await drainOutbox();
      await eventually(async () => ((await emailsTo(email)).length === 2 ? true : undefined));
      await drainOutbox();
    } finally {
      later();
      await outage.endpoint.stop();
    }
    expect(await emailsTo(email)).toHaveLength(2);
  });

  it('VER-6: within the cooldown resend answers 429 with Retry-After; concurrent resends send exactly one email', async () => {
    const { partnerId, email } = await createPartner();
    const later = new Date(Date.now() + 16 * 60_000);
    const restore = await overrideServices({ now: () => later });
    let statuses: number[];
    try {
      const token = await as(partnerId, 'GlobalAdmin');
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => call(host, 'POST', `/api/partners/${partnerId}/verification/email/resend`, { token })),
      );
      statuses = responses.map((r) => r.status).sort();
      const limited = responses.find((r) => r.status === 429);
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(limited?.headers.get('content-type')).toBe('application/problem+json');
    } finally {
      restore();
    }
    expect(statuses).toEqual([202, 429, 429, 429, 429, 429, 429, 429]);
    expect(await emailsTo(email)).toHaveLength(2); // the first from the PUT, one resend
  });

  it('VER-6: at most 5 a day, then 429 until the oldest falls out of the day', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const sends = [0, 1, 2, 3, 4].map((h) => new Date(now.getTime() - (10 - h) * 3_600_000).toISOString());
    expect(resendWait(sends, now, 900, 5)).toBe(14 * 3600); // the first of the five was 10 hours ago
    expect(resendWait(sends.slice(1), now, 900, 5)).toBe(0);
  });

  it('VER-6: an expired link answers 400 and changes nothing', async () => {
    const { partnerId, email } = await createPartner();
    const token = tokenFromEmail((await emailsTo(email))[0]?.message.content.plainText);
    const restore = await overrideServices({ now: () => new Date(Date.now() + 8 * 86_400_000) });
    try {
      expect((await call(host, 'POST', '/api/verification/email/confirm', { body: { token } })).status).toBe(400);
    } finally {
      restore();
    }
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'EmailOwnership')?.status).toBe('Pending');
  });

  it('answers 400 for tokens that are not ours at all', async () => {
    for (const token of ['', 'abc', 'x'.repeat(600), 'UDE.short']) {
      expect((await call(host, 'POST', '/api/verification/email/confirm', { body: { token } })).status).toBe(400);
    }
  });
});

describe('documents (VER-8, VER-9)', () => {
  it('VER-8: stores a PDF in blob storage under a server-made name, with its hash, size and sniffed type', async () => {
    const { partnerId } = await createPartner();
    const bytes = pdf(300_000);
    const response = await upload(partnerId, {
      check: 'Business',
      documentType: 'BusinessRegistration',
      comment: 'registry extract',
      files: [{ name: '../../evil name.pdf', bytes, type: 'text/plain' }],
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { documentId: string; sha256: string; size: number; contentType: string; check: string; checkStatus: string };
    expect(body).toMatchObject({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      contentType: 'application/pdf',
      check: 'Business',
      checkStatus: 'Pending',
    });
    expect(await blobNames(`${partnerId}/`)).toEqual([`${partnerId}/${body.documentId}`]);

    const list = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/verification/documents`, { token: await as(partnerId, 'PartnerAdmin') })
    ).json()) as { documents: { documentId: string; originalName: string }[] };
    expect(list.documents.map((d) => d.documentId)).toEqual([body.documentId]);
    expect(list.documents[0]?.originalName).toBe('evil name.pdf'); // the client's path is dropped; the name is metadata only

    const one = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/verification/documents/${body.documentId}`, { token: await as(partnerId, 'GlobalAdmin') })
    ).json()) as { downloadUrl: string; downloadUrlExpiresAt: string };
    const expires = new Date(new URL(one.downloadUrl).searchParams.get('se') ?? '').getTime();
    expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(new URL(one.downloadUrl).searchParams.get('sp')).toBe('r');
    const downloaded = Buffer.from(await (await fetch(one.downloadUrl)).arrayBuffer());
    expect(downloaded.equals(bytes)).toBe(true);
  });

  it('VER-9: an upload against a check rejected with Fix now is an appeal: the check is Pending again', async () => {
    const { partnerId } = await createPartner();
    await decide({
      decisionId: unique('d'),
      partnerId,
      check: 'Employment',
      tab: 'partner',
      outcome: 'Rejected',
      fixNowAvailable: true,
      reason: 'domain not owned',
      decidedAt: new Date().toISOString(),
    });
    await eventually(async () => ((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Employment')?.fixNowAvailable ? true : undefined));
    const response = await upload(partnerId, { check: 'Employment', documentType: 'DomainOwnershipProof', files: [{ name: 'dns.pdf', bytes: pdf() }] });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { checkStatus: string }).checkStatus).toBe('Pending');
    const check = (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Employment');
    expect(check).toMatchObject({ status: 'Pending', fixNowAvailable: false });
  });

  it('answers 409 for an accepted check and leaves no blob or record', async () => {
    const { partnerId } = await createPartner();
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'partner', outcome: 'Accepted', decidedAt: new Date().toISOString() });
    await eventually(async () =>
      (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status === 'Accepted' ? true : undefined,
    );
    const response = await upload(partnerId, { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf() }] });
    expect(response.status).toBe(409);
    expect(await blobNames(`${partnerId}/`)).toEqual([]);
    expect(await documentRecords(partnerId)).toEqual([]);
  });

  it('rejects bad uploads with 4xx problems and leaves no blob or record behind', async () => {
    const { partnerId } = await createPartner();
    const cases: [string, Parameters<typeof upload>[1], number][] = [
      ['unknown check', { check: 'Vibes', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf() }] }, 400],
      ['unknown documentType', { check: 'Business', documentType: 'Selfie', files: [{ name: 'a.pdf', bytes: pdf() }] }, 400],
      [
        'comment over 2,000 characters',
        { check: 'Business', documentType: 'BusinessRegistration', comment: 'x'.repeat(2001), files: [{ name: 'a.pdf', bytes: pdf() }] },
        400,
      ],
      ['missing file', { check: 'Business', documentType: 'BusinessRegistration' }, 400],
      [
        'two files',
        {
          check: 'Business',
          documentType: 'BusinessRegistration',
          files: [
            { name: 'a.pdf', bytes: pdf() },
            { name: 'b.pdf', bytes: pdf() },
          ],
        },
        400,
      ],
      [
        'a .pdf holding text',
        {
          check: 'Business',
          documentType: 'BusinessRegistration',
          files: [{ name: 'a.pdf', bytes: Buffer.from('just some text, not a PDF at all\n'.repeat(10)) }],
        },
        415,
      ],
      ['an empty file', { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: Buffer.alloc(0) }] }, 400],
      ['10 MiB + 1 byte', { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'big.pdf', bytes: pdf(10 * 1024 * 1024 + 1) }] }, 413],
    ];
    for (const [what, parts, status] of cases) {
      const response = await upload(partnerId, parts);
      expect(response.status, what).toBe(status);
      expect(response.headers.get('content-type'), what).toBe('application/problem+json');
      expect(await blobNames(`${partnerId}/`), what).toEqual([]);
    }
    // fields after the file: validated once the file is stored, and the blob is deleted again
    const form = new FormData();
    form.append('file', new Blob([pdf()]), 'late.pdf');
    form.append('check', 'Vibes');
    form.append('documentType', 'BusinessRegistration');
    const late = await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await as(partnerId, 'GlobalAdmin')}` },
      body: form,
    });
    expect(late.status).toBe(400);
    const json = await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await as(partnerId, 'GlobalAdmin')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);

    expect(await blobNames(`${partnerId}/`)).toEqual([]);
    expect(await documentRecords(partnerId)).toEqual([]);
  });

  it('answers a rejected large body with its problem, not a reset, and drains the rest', async () => {
    const { partnerId } = await createPartner();
    // The type is judged from the first bytes: the other 2 MiB are never read by the handler.
    const text = await upload(partnerId, {
      check: 'Business',
      documentType: 'BusinessRegistration',
      files: [{ name: 'a.pdf', bytes: Buffer.alloc(2 * 1024 * 1024, 0x61) }],
    });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ status: 415 });
    // Fields that fail before the file is read: the parser is destroyed with the file part open.
    const early = await upload(partnerId, { check: 'Vibes', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf(2 * 1024 * 1024) }] });
    expect(early.status).toBe(400);
    // The connection and the host are still good for the next request.
    expect((await upload(partnerId, { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf() }] })).status).toBe(201);
    expect(await blobNames(`${partnerId}/`)).toHaveLength(1);
  });

  it('answers 404 for an unknown partner whatever the body holds, and stores nothing', async () => {
    const ghost = unique('P');
    const good = await upload(ghost, { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf(256 * 1024) }] });
    expect(good.status).toBe(404);
    const noFile = await upload(ghost, { check: 'Business', documentType: 'BusinessRegistration' });
    expect(noFile.status).toBe(404);
    expect(await blobNames(`${ghost}/`)).toEqual([]);
  });

  it('ACC-3: uploads need a verification role of the same partner', async () => {
    const { partnerId } = await createPartner();
    expect(
      (await upload(partnerId, { check: 'Business', documentType: 'BusinessRegistration', files: [{ name: 'a.pdf', bytes: pdf() }] }, ['SalesAgent'])).status,
    ).toBe(403);
    const other = await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await as('other', 'GlobalAdmin')}` },
      body: new FormData(),
    });
    expect(other.status).toBe(403);
    expect((await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, { method: 'POST', body: new FormData() })).status).toBe(401);
  });

  it('VER-8: a check accepted while its document is still arriving answers 409 and keeps nothing (the state read at the start is checked again at commit)', async () => {
    const { partnerId } = await createPartner();
    const file = pdf(256 * 1024);
    const { req, head, tail } = await streamedUpload(partnerId, 'late.pdf', file.length);
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    // The fields and the first bytes: the host has read the partner and its verification state and
    // started the blob. Then the check is accepted, and only then does the rest of the file arrive.
    req.write(head);
    req.write(file.subarray(0, 64 * 1024));
    await new Promise((r) => setTimeout(r, 300));
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'partner', outcome: 'Accepted', decidedAt: new Date().toISOString() });
    await eventually(async () =>
      (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status === 'Accepted' ? true : undefined,
    );
    req.end(Buffer.concat([file.subarray(64 * 1024), tail]));
    const { status, body } = await answered;
    expect(status).toBe(409);
    expect(body).toMatch(/accepted/i);
    expect(await blobNames(`${partnerId}/`)).toEqual([]);
    expect(await documentRecords(partnerId)).toEqual([]);
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status).toBe('Accepted');
  });

  it('leaves no blob and no record when the client disconnects mid-upload', async () => {
    const { partnerId } = await createPartner();
    const { req, head } = await streamedUpload(partnerId, 'big.pdf', 9 * 1024 * 1024);
    await new Promise<void>((resolve) => {
      req.on('error', () => resolve());
      req.write(head);
      req.write(pdf(6 * 1024 * 1024));
      // Give the server time to start the blob upload, then vanish.
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 500);
    });
    await new Promise((r) => setTimeout(r, 1500));
    await eventually(async () => ((await blobNames(`${partnerId}/`)).length === 0 ? true : undefined), 10_000);
    expect(await documentRecords(partnerId)).toEqual([]);
  });
});

describe('uploads cut short (a complete request whose multipart body ends early)', () => {
  it('answer 400 at once, wherever the body ends inside the file part, and leave no blob and no record', async () => {
    const { partnerId } = await createPartner();
    const boundary = 'cut-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="check"\r\n\r\nBusiness\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="documentType"\r\n\r\nBusinessRegistration\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
    );
    for (const fileBytes of [0, 100, 5000, 200_000]) {
      const started = Date.now();
      const response = await fetch(`${host.url}/api/partners/${partnerId}/verification/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await as(partnerId, 'GlobalAdmin')}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: Buffer.concat([head, pdf(Math.max(fileBytes, 1)).subarray(0, fileBytes)]),
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status, `cut after ${fileBytes} file bytes`).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    await eventually(async () => ((await blobNames(`${partnerId}/`)).length === 0 ? true : undefined), 10_000);
    expect(await documentRecords(partnerId)).toEqual([]);
  });
});

describe('upstream decisions (VER-7, VER-10)', () => {
  it('VER-10: applies a decision and emails the primary contact once, even when delivered twice', async () => {
    const { partnerId, email } = await createPartner();
    const decision = {
      decisionId: unique('d'),
      partnerId,
      check: 'Business',
      tab: 'partner',
      outcome: 'Accepted',
      decidedAt: new Date().toISOString(),
    } as const;
    await decide(decision);
    await decide(decision);
    // The use case itself, delivered twice more: the repeat applies nothing and owes nothing.
    const services = await getServices();
    await eventually(async () =>
      (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status === 'Accepted' ? true : undefined,
    );
    const before = (await services.accounts.verification(partnerId)).etag;
    expect(await handleVerificationDecision(services, decision)).toEqual({ applied: false, emailsSent: 0 });
    expect(await handleVerificationDecision(services, decision)).toEqual({ applied: false, emailsSent: 0 });
    expect((await services.accounts.verification(partnerId)).etag).toBe(before);
    const decisionEmails = async () => (await emailsTo(email)).filter((e) => e.message.headers?.['x-notification-type'] === 'VerificationDecision');
    await eventually(async () => ((await decisionEmails()).length === 1 ? true : undefined));
    await host.host.idle();
    expect(await decisionEmails()).toHaveLength(1);
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status).toBe('Accepted');
  });

  it('ignores a decision older than the one already applied', async () => {
    const { partnerId } = await createPartner();
    const now = Date.now();
    await decide({ decisionId: unique('d'), partnerId, check: 'Business', tab: 'partner', outcome: 'Rejected', decidedAt: new Date(now).toISOString() });
    await eventually(async () =>
      (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status === 'Rejected' ? true : undefined,
    );
    await decide({
      decisionId: unique('d'),
      partnerId,
      check: 'Business',
      tab: 'partner',
      outcome: 'Accepted',
      decidedAt: new Date(now - 60_000).toISOString(),
    });
    await host.host.idle();
    expect((await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Business')?.status).toBe('Rejected');
  });

  it('VER-7: Identity Rejected with no Fix now suspends the account and allows no upload; Challenged asks for a verifiable credential', async () => {
    const { partnerId } = await createPartner();
    await decide({
      decisionId: unique('d'),
      partnerId,
      check: 'Identity',
      tab: 'partner',
      outcome: 'Challenged',
      decidedAt: new Date(Date.now() - 1000).toISOString(),
    });
    const challenged = await eventually(async () => {
      const check = (await verification(partnerId)).tabs[0]?.checks.find((c) => c.type === 'Identity');
      return check?.status === 'Challenged' ? check : undefined;
    });
    expect(challenged.reason).toMatch(/verifiable credential/);
    expect((await verification(partnerId)).tabs[0]?.status).toBe('Pending');

    await decide({
      decisionId: unique('d'),
      partnerId,
      check: 'Identity',
      tab: 'partner',
      outcome: 'Rejected',
      fixNowAvailable: false,
      decidedAt: new Date().toISOString(),
    });
    const view = await eventually(async () => {
      const v = await verification(partnerId);
      return v.accountSuspended ? v : undefined;
    });
    expect(view.tabs[0]?.status).toBe('Rejected');
    // The suspended account changes nothing: the route's verification gate answers before the upload is read.
    const refused = await upload(partnerId, { check: 'Identity', documentType: 'Questionnaire', files: [{ name: 'id.pdf', bytes: pdf() }] });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('AccountSuspended');
  });

  it('moves a decision for an unknown partner to verification-decisions-poison and changes nothing', async () => {
    const partnerId = unique('ghost');
    const decisionId = unique('d');
    await queueService()
      .getQueueClient('verification-decisions')
      .sendMessage(encodeQueueMessage({ decisionId, partnerId, check: 'Business', tab: 'partner', outcome: 'Accepted', decidedAt: new Date().toISOString() }));
    await eventually(async () => {
      const peeked = await queueService().getQueueClient('verification-decisions-poison').peekMessages({ numberOfMessages: 32 });
      return peeked.peekedMessageItems.some((m) => Buffer.from(m.messageText, 'base64').toString().includes(decisionId)) ? true : undefined;
    });
    const services = await getServices();
    expect(await services.accounts.partner(partnerId)).toBeUndefined();
    expect((await services.accounts.verification(partnerId)).etag).toBeUndefined();
  });
});
