import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetServices } from '../shared/composition-root.js';
import { countryCodes } from '../shared/domain/countries.js';
import { cspMarkets } from '../shared/domain/csp-markets.js';
import { call, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());
afterEach(() => {
  // Only this file's stub is undone: the stack's settings are stubs too (setup-env.ts).
  vi.stubEnv('BUSINESS_PROFILES_GA_DATE', undefined);
  resetServices();
});

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const admin = (partnerId: string) => tokenFor({ partnerId, roles: ['AccountAdmin'] });
const referralAdmin = (partnerId: string) => tokenFor({ partnerId, roles: ['ReferralAdmin'] });

interface ProfileView {
  profileId: string;
  managingPartnerId: string;
  binding: string;
  publishLocations: string[];
  sellMarkets: string[];
}
interface Problem {
  status: number;
  code?: string;
  errors?: { path: string; message: string }[];
}

/** A partner whose company is in `country`, with location ids as given (`[id, country, active]`). */
async function partner(country: string, locations: [string, string, boolean][], extra: Record<string, unknown> = {}) {
  const partnerId = unique('BP');
  const ids = locations.map(([id, c, active]) => ({ partnerId: `${partnerId}-${id}`, country: c, active }));
  const body = partnerBody({
    address: { line1: '1 Main St', city: 'Somewhere', postalCode: '00100', country },
    locations: ids,
    bankProfiles: [],
    taxProfiles: [],
    ...extra,
  });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  return { partnerId, location: (id: string) => `${partnerId}-${id}` };
}

async function createProfile(partnerId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(host, 'POST', `/api/partners/${partnerId}/business-profiles`, { token: await admin(partnerId), body, headers });
}

const content = { name: 'Contoso Cloud', description: 'Managed Microsoft 365 for small firms.' };

/** A request from another loopback address, as a distinct client would come (the host sees the socket's address). */
function postFrom(
  localAddress: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(path, host.url);
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

let nextClient = 10;
/** A fresh loopback client address per test, so the per-address lead limit of one test never touches another. */
const newClient = () => `127.0.1.${nextClient++}`;

const lead = (message = 'Please call us about Microsoft 365.') => ({
  contact: { name: 'Bo Chen', email: 'bo@fabrikam.example', company: 'Fabrikam' },
  message,
});

describe('the CSP market table (BP-4)', () => {
  it('BP-4: is ISO 3166-1 alpha-2 data, each country in one market, the US market being US + UM', () => {
    const all = Object.values(cspMarkets).flat();
    expect(all.filter((c) => !(countryCodes as readonly string[]).includes(c))).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
    expect(cspMarkets.UnitedStates).toEqual(['US', 'UM']);
    // Microsoft's regional-markets page lists these under Africa (its prose says 18; its table has 47).
    expect(cspMarkets.Africa).toHaveLength(47);
    expect(cspMarkets.Africa).toEqual(expect.arrayContaining(['KE', 'NG', 'GH', 'ET', 'SN', 'CI']));
  });
});

describe('creating business profiles (BP-1, BP-3, BP-4)', () => {
  it('BP-1, BP-5: a profile is managed by a location id; the published profile shows neither that id nor the account', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['ca', 'CA', true],
    ]);
    const response = await createProfile(partnerId, {
      managingPartnerId: location('us'),
      kind: 'NonCSP',
      publishLocations: ['US', 'CA'],
      sellMarkets: ['MX'],
      content,
    });
    expect(response.status).toBe(201);
    const profile = (await response.json()) as ProfileView;
    expect(profile).toMatchObject({ managingPartnerId: location('us'), binding: 'Location', publishLocations: ['US', 'CA'], sellMarkets: ['MX'] });
    expect(response.headers.get('location')).toBe(`/api/partners/${partnerId}/business-profiles/${profile.profileId}`);

    const listed = (await (await call(host, 'GET', `/api/partners/${partnerId}/business-profiles`, { token: await admin(partnerId) })).json()) as {
      profiles: ProfileView[];
    };
    expect(listed.profiles.map((p) => p.profileId)).toEqual([profile.profileId]);

    const published = await call(host, 'GET', `/api/business-profiles/${profile.profileId}`);
    expect(published.status).toBe(200);
    const text = await published.text();
    expect(JSON.parse(text)).toEqual({ profileId: profile.profileId, kind: 'NonCSP', publishLocations: ['US', 'CA'], sellMarkets: ['MX'], content });
    expect(text).not.toContain(partnerId);
  });

  it('BP-3, BP-4: every bad input is a 400 naming the field', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['de', 'DE', true],
      ['fr', 'FR', false],
    ]);
    const other = await partner('US', [['us', 'US', true]]);
    const base = { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], sellMarkets: [] as string[], content };
    const cases: [string, Record<string, unknown>, string][] = [
      ['a code that is not ISO 3166-1 alpha-2', { publishLocations: ['XX'] }, 'body.publishLocations.0'],
      ['a lower-case code', { sellMarkets: ['mx'] }, 'body.sellMarkets.0'],
      ['a three-letter code', { sellMarkets: ['USA'] }, 'body.sellMarkets.0'],
      ['a duplicate inside one list', { sellMarkets: ['MX', 'BR', 'MX'] }, 'body.sellMarkets.2'],
      ['empty publish locations', { publishLocations: [] }, 'body.publishLocations'],
      ['a managing id of another partner', { managingPartnerId: other.location('us') }, 'body.managingPartnerId'],
      ['an inactive managing id', { managingPartnerId: location('fr'), publishLocations: ['US'] }, 'body.managingPartnerId'],
      ['a publish location without a partner id', { publishLocations: ['US', 'JP'] }, 'body.publishLocations.1'],
      ['a publish location whose id is inactive', { publishLocations: ['FR'] }, 'body.publishLocations.0'],
      ['a sell market equal to a publish location', { publishLocations: ['US', 'DE'], sellMarkets: ['BR', 'DE'] }, 'body.sellMarkets.1'],
      ['a CSP sell market outside the region', { kind: 'CSP', sellMarkets: ['CA'] }, 'body.sellMarkets.0'],
      ['a CSP publish location outside the region', { kind: 'CSP', publishLocations: ['US', 'DE'] }, 'body.publishLocations.1'],
      ['an unknown kind', { kind: 'Reseller' }, 'body.kind'],
      ['a missing name', { content: { description: 'x' } }, 'body.content.name'],
    ];
    for (const [what, change, path] of cases) {
      const response = await createProfile(partnerId, { ...base, ...change });
      expect(response.status, what).toBe(400);
      const problem = (await response.json()) as Problem;
      expect(
        problem.errors?.map((e) => e.path),
        what,
      ).toContain(path);
    }
    expect(
      (await call(host, 'GET', `/api/partners/${partnerId}/business-profiles`, { token: await admin(partnerId) }).then((r) => r.json())) as {
        profiles: unknown[];
      },
    ).toEqual({ profiles: [] });
  });

  it('BP-4: a US company sells CSP in the US and the Minor Outlying Islands only; non-CSP profiles sell anywhere', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['de', 'DE', true],
    ]);
    expect(
      (await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'CSP', publishLocations: ['US'], sellMarkets: ['UM'], content })).status,
    ).toBe(201);
    expect(
      (
        await createProfile(partnerId, {
          managingPartnerId: location('de'),
          kind: 'NonCSP',
          publishLocations: ['DE'],
          sellMarkets: ['JP', 'KE', 'UM'],
          content,
        })
      ).status,
    ).toBe(201);
  });

  it('BP-4: a company in the Africa region sells CSP across the Africa market, not outside it', async () => {
    const { partnerId, location } = await partner('KE', [
      ['ke', 'KE', true],
      ['ng', 'NG', true],
    ]);
    const ok = await createProfile(partnerId, {
      managingPartnerId: location('ke'),
      kind: 'CSP',
      publishLocations: ['KE', 'NG'],
      sellMarkets: ['GH', 'ET', 'SN', 'CI'],
      content,
    });
    expect(ok.status).toBe(201);
    const { partnerId: p2, location: l2 } = await partner('KE', [['ke', 'KE', true]]);
    const outside = await createProfile(p2, { managingPartnerId: l2('ke'), kind: 'CSP', publishLocations: ['KE'], sellMarkets: ['GH', 'ZA'], content });
    expect(outside.status).toBe(400);
    expect(((await outside.json()) as Problem).errors).toEqual([
      { path: 'body.sellMarkets.1', message: expect.stringContaining('outside the company\u2019s CSP market (Africa)') },
    ]);
  });

  it('BP-4: a CSP profile needs the csp program', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]], { programs: ['ai-cloud-partner'], cspModel: 'None' });
    const response = await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'CSP', publishLocations: ['US'], content });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.[0]?.path).toBe('body.kind');
  });

  it('BP-3: a second profile for a location is a 409, also when two are created at once', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['ca', 'CA', true],
    ]);
    const first = await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content });
    expect(first.status).toBe(201);
    const second = await createProfile(partnerId, { managingPartnerId: location('ca'), kind: 'NonCSP', publishLocations: ['CA', 'US'], content });
    expect(second.status).toBe(409);
    const problem = (await second.json()) as Problem & { detail: string };
    expect(problem.code).toBe('LocationAlreadyHasProfile');
    expect(problem.detail).toContain('US (profile');

    const racers = await Promise.all(
      [1, 2, 3].map(() => createProfile(partnerId, { managingPartnerId: location('ca'), kind: 'NonCSP', publishLocations: ['CA'], content })),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const listed = (await (await call(host, 'GET', `/api/partners/${partnerId}/business-profiles`, { token: await admin(partnerId) })).json()) as {
      profiles: ProfileView[];
    };
    expect(listed.profiles.map((p) => p.publishLocations)).toEqual([['US'], ['CA']]);
    // The losers' public lookups were removed: only the two live profiles are reachable.
    for (const r of racers.filter((x) => x.status === 409)) expect(((await r.json()) as Problem).code).toBe('LocationAlreadyHasProfile');
  });

  it('a retried POST with the same Idempotency-Key answers the first profile; a different body with that key is a 409', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['ca', 'CA', true],
    ]);
    const body = { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content };
    const first = await createProfile(partnerId, body, { 'idempotency-key': 'create-us-1' });
    const again = await createProfile(partnerId, body, { 'idempotency-key': 'create-us-1' });
    expect([first.status, again.status]).toEqual([201, 200]);
    const [a, b] = [(await first.json()) as ProfileView, (await again.json()) as ProfileView];
    expect(b.profileId).toBe(a.profileId);
    const reused = await createProfile(partnerId, { ...body, publishLocations: ['CA'] }, { 'idempotency-key': 'create-us-1' });
    expect(reused.status).toBe(409);
    expect(((await reused.json()) as Problem).code).toBe('IdempotencyKeyReused');
    expect((await createProfile(partnerId, body, { 'idempotency-key': 'bad key with spaces' })).status).toBe(400);
  });

  it('tenant isolation: another partner\u2019s admin, a wrong role and no token are refused', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const body = { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content };
    const other = await partner('US', [['us', 'US', true]]);
    expect((await call(host, 'POST', `/api/partners/${partnerId}/business-profiles`, { token: await admin(other.partnerId), body })).status).toBe(403);
    expect((await call(host, 'POST', `/api/partners/${partnerId}/business-profiles`, { token: await referralAdmin(partnerId), body })).status).toBe(403);
    expect((await call(host, 'POST', `/api/partners/${partnerId}/business-profiles`, { body })).status).toBe(401);
    expect((await createProfile(unique('nobody'), body)).status).toBe(404);
  });
});

describe('deleting a profile (BP-6)', () => {
  it('BP-6: is irreversible: the profile, its public page and its leads endpoint are gone; the location is free again', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const body = { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content };
    const profile = (await (await createProfile(partnerId, body)).json()) as ProfileView;
    const client = newClient();
    expect((await postFrom(client, `/api/business-profiles/${profile.profileId}/leads`, lead())).status).toBe(202);

    const deleted = await call(host, 'DELETE', `/api/partners/${partnerId}/business-profiles/${profile.profileId}`, { token: await admin(partnerId) });
    expect(deleted.status).toBe(204);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/business-profiles/${profile.profileId}`, { token: await admin(partnerId) })).status).toBe(404);
    expect((await call(host, 'GET', `/api/business-profiles/${profile.profileId}`)).status).toBe(404);
    expect((await postFrom(client, `/api/business-profiles/${profile.profileId}/leads`, lead())).status).toBe(404);
    expect((await call(host, 'DELETE', `/api/partners/${partnerId}/business-profiles/${profile.profileId}`, { token: await admin(partnerId) })).status).toBe(
      404,
    );

    // The lead received before the deletion stays with the partner.
    const leads = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: unknown[];
    };
    expect(leads.leads).toHaveLength(1);
    const again = await createProfile(partnerId, body);
    expect(again.status).toBe(201);
    expect(((await again.json()) as ProfileView).profileId).not.toBe(profile.profileId);
  });
});

describe('leads (BP-5)', () => {
  it('BP-5: a lead is stored under the partner, tied to the managing id, and read by its ReferralAdmin only', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['ca', 'CA', true],
    ]);
    const us = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const ca = (await (
      await createProfile(partnerId, { managingPartnerId: location('ca'), kind: 'NonCSP', publishLocations: ['CA'], content })
    ).json()) as ProfileView;
    const client = newClient();
    const sent = await postFrom(client, `/api/business-profiles/${us.profileId}/leads`, { ...lead(), tenantCountry: 'US' });
    expect(sent.status).toBe(202);
    expect(JSON.parse(sent.text)).toEqual({ leadId: expect.any(String), receivedAt: expect.any(String) });
    expect((await postFrom(client, `/api/business-profiles/${ca.profileId}/leads`, lead('From Canada'))).status).toBe(202);

    const all = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: { profileId: string; managingPartnerId: string; message: string; tenantCountry?: string }[];
    };
    expect(all.leads.map((l) => [l.profileId, l.managingPartnerId]).sort()).toEqual(
      [
        [us.profileId, location('us')],
        [ca.profileId, location('ca')],
      ].sort(),
    );
    expect(all.leads.find((l) => l.profileId === us.profileId)?.tenantCountry).toBe('US');
    const onlyCa = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/leads?managingPartnerId=${location('ca')}`, { token: await referralAdmin(partnerId) })
    ).json()) as { leads: { message: string }[] };
    expect(onlyCa.leads.map((l) => l.message)).toEqual(['From Canada']);
    const paged = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads?pageSize=1`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: unknown[];
      continuationToken?: string;
    };
    expect(paged.leads).toHaveLength(1);
    expect(paged.continuationToken).toBeTruthy();
    const referral = await referralAdmin(partnerId);
    const leadsPage = (query: string) => call(host, 'GET', `/api/partners/${partnerId}/leads?${query}`, { token: referral });
    const next = (await (await leadsPage(`pageSize=1&continuationToken=${encodeURIComponent(paged.continuationToken ?? '')}`)).json()) as { leads: unknown[] };
    expect(next.leads).toHaveLength(1);
    expect(next.leads).not.toEqual(paged.leads);
    // Tokens the suite did not issue, or issued for another list, answer 400 before they reach the SDK.
    const forged = ['{}', '[]', 'x'.repeat(4000), 'jeton-\u00e9t\u00e9-\u4e2d\u6587', `${paged.continuationToken ?? ''}x`];
    for (const token of forged) {
      const response = await leadsPage(`pageSize=1&continuationToken=${encodeURIComponent(token)}`);
      expect(response.status, token.slice(0, 20)).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'InvalidContinuationToken' });
    }
    const otherList = await leadsPage(`pageSize=1&managingPartnerId=${location('ca')}&continuationToken=${encodeURIComponent(paged.continuationToken ?? '')}`);
    expect(otherList.status).toBe(400);

    const other = await partner('US', [['us', 'US', true]]);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(other.partnerId) })).status).toBe(403);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await admin(partnerId) })).status).toBe(403);
    expect(
      (await call(host, 'GET', `/api/partners/${other.partnerId}/leads`, { token: await referralAdmin(other.partnerId) }).then((r) => r.json())) as {
        leads: unknown[];
      },
    ).toEqual({ leads: [] });
  });

  it('BP-5: HTML and script in a lead are stored as given and come back escaped in the JSON text', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profile = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const hostile = '<script>alert("x")</script><img src=x onerror=alert(1)> & \u2028';
    const sent = await postFrom(newClient(), `/api/business-profiles/${profile.profileId}/leads`, {
      contact: { name: '<b>Eve</b>', email: 'eve@example.com' },
      message: hostile,
    });
    expect(sent.status).toBe(202);
    const response = await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) });
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(text).toContain('\\u003cscript\\u003e');
    const parsed = JSON.parse(text) as { leads: { message: string; contact: { name: string } }[] };
    expect(parsed.leads[0]?.message).toBe(hostile.trim());
    expect(parsed.leads[0]?.contact.name).toBe('<b>Eve</b>');
  });

  it('bad lead bodies: missing message, bad email, unknown fields typed wrong, too large, unknown profile', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profile = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const path = `/api/business-profiles/${profile.profileId}/leads`;
    const client = newClient();
    expect((await postFrom(client, path, { contact: lead().contact })).status).toBe(400);
    expect((await postFrom(client, path, { ...lead(), contact: { name: 'Bo', email: 'not-an-email' } })).status).toBe(400);
    expect((await postFrom(client, path, { ...lead(), tenantCountry: 'Kenya' })).status).toBe(400);
    expect((await postFrom(client, path, '{"contact":')).status).toBe(400);
    expect((await postFrom(client, path, { ...lead('x'.repeat(17_000)) })).status).toBe(413);
    expect((await postFrom(newClient(), `/api/business-profiles/${unique('missing')}/leads`, lead())).status).toBe(404);
  });

  it('leads are rate-limited per client address (429 with Retry-After); a forged X-Forwarded-For does not help; other clients go on', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profile = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const path = `/api/business-profiles/${profile.profileId}/leads`;
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postFrom(client, path, lead(`lead ${i}`))).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202]);
    const limited = await postFrom(client, path, lead('one too many'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postFrom(client, path, lead('forged'), { 'x-forwarded-for': '203.0.113.9' })).status).toBe(429);
    expect((await postFrom(newClient(), path, lead('someone else'))).status).toBe(202);
    const stored = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: unknown[];
    };
    expect(stored.leads).toHaveLength(6);
  });

  it('a retried lead with the same Idempotency-Key is stored once', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profile = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const client = newClient();
    const a = await postFrom(client, `/api/business-profiles/${profile.profileId}/leads`, lead(), { 'idempotency-key': 'form-42' });
    const b = await postFrom(client, `/api/business-profiles/${profile.profileId}/leads`, lead(), { 'idempotency-key': 'form-42' });
    expect(JSON.parse(b.text)).toEqual(JSON.parse(a.text));
    const stored = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: unknown[];
    };
    expect(stored.leads).toHaveLength(1);
  });
});

describe('legacy profiles (BP-2)', () => {
  async function importLegacy(partnerId: string, profileId: string, body: Record<string, unknown> = {}) {
    return call(host, 'PUT', `/api/partners/${partnerId}/legacy-business-profiles/${profileId}`, {
      token: await operator(),
      body: { kind: 'NonCSP', publishLocations: ['US'], sellMarkets: [], content, createdAt: '2023-05-01T10:00:00Z', ...body },
    });
  }

  it('BP-2: past the 120-day window an unmigrated profile is bound to the PGA, its leads go there, and it can no longer migrate', async () => {
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profileId = unique('legacy');
    const imported = await importLegacy(partnerId, profileId);
    expect(imported.status).toBe(201);
    expect(await imported.json()).toMatchObject({ profileId, binding: 'PGA', managingPartnerId: partnerId, origin: 'Legacy' });
    expect((await importLegacy(partnerId, profileId)).status).toBe(200);

    expect((await postFrom(newClient(), `/api/business-profiles/${profileId}/leads`, lead())).status).toBe(202);
    const leads = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: { managingPartnerId: string }[];
    };
    expect(leads.leads.map((l) => l.managingPartnerId)).toEqual([partnerId]);

    const migrate = await call(host, 'POST', `/api/partners/${partnerId}/business-profiles/${profileId}/migrate`, {
      token: await admin(partnerId),
      body: { managingPartnerId: location('us') },
    });
    expect(migrate.status).toBe(409);
    expect(((await migrate.json()) as Problem).code).toBe('MigrationWindowClosed');
    // A profile of the same location through the new flow is still refused (BP-3).
    expect((await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })).status).toBe(409);
  });

  it('BP-2: within the window a legacy profile migrates to a location id, and its leads follow', async () => {
    vi.stubEnv('BUSINESS_PROFILES_GA_DATE', new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10));
    resetServices();
    const { partnerId, location } = await partner('US', [['us', 'US', true]]);
    const profileId = unique('legacy');
    expect(await (await importLegacy(partnerId, profileId)).json()).toMatchObject({ binding: 'LegacyMigratable', managingPartnerId: partnerId });
    const url = `/api/partners/${partnerId}/business-profiles/${profileId}/migrate`;
    const migrated = await call(host, 'POST', url, { token: await admin(partnerId), body: { managingPartnerId: location('us') } });
    expect(migrated.status).toBe(200);
    expect(await migrated.json()).toMatchObject({ binding: 'Location', managingPartnerId: location('us'), migratedAt: expect.any(String) });
    expect((await call(host, 'POST', url, { token: await admin(partnerId), body: { managingPartnerId: location('us') } })).status).toBe(200);
    expect((await postFrom(newClient(), `/api/business-profiles/${profileId}/leads`, lead())).status).toBe(202);
    const leads = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await referralAdmin(partnerId) })).json()) as {
      leads: { managingPartnerId: string }[];
    };
    expect(leads.leads.map((l) => l.managingPartnerId)).toEqual([location('us')]);
  });

  it('BP-1: a "legacy" profile created on or after 29 February 2024 is refused; new profiles cannot migrate', async () => {
    const { partnerId, location } = await partner('US', [
      ['us', 'US', true],
      ['ca', 'CA', true],
    ]);
    const late = await importLegacy(partnerId, unique('legacy'), { createdAt: '2024-02-29T00:00:00Z' });
    expect(late.status).toBe(400);
    const modern = (await (
      await createProfile(partnerId, { managingPartnerId: location('us'), kind: 'NonCSP', publishLocations: ['US'], content })
    ).json()) as ProfileView;
    const migrate = await call(host, 'POST', `/api/partners/${partnerId}/business-profiles/${modern.profileId}/migrate`, {
      token: await admin(partnerId),
      body: { managingPartnerId: location('ca') },
    });
    expect(migrate.status).toBe(409);
    expect(((await migrate.json()) as Problem).code).toBe('NotALegacyProfile');
  });
});
