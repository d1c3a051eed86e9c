// Business profiles after creation, over the real stack: PATCH under the rules of creation, content
// per publish location, what the portal greys out, and leads scoped to a referral admin's partner ids.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../shared/domain/roles.js';
import { call, partnerBody, startAppHost, tokenFor, unique, type TestHost } from './support/harness.js';

let host: TestHost;
beforeAll(async () => {
  host = await startAppHost();
});
afterAll(async () => host?.stop());

const operator = () => tokenFor({ roles: ['PlatformOperator'] });
const as = (partnerId: string, userId: string, ...roles: Role[]) => tokenFor({ partnerId, roles, userId });
const content = { name: 'Contoso Cloud', description: 'Managed Microsoft 365.' };

interface Problem {
  status: number;
  code?: string;
  errors?: { path: string; message: string }[];
}

/** A US company in the csp program with active partner ids in US, FR and DE, and an inactive one in IT. */
async function setup() {
  const partnerId = unique('BE');
  const body = partnerBody({
    locations: [
      { partnerId: `${partnerId}-US`, country: 'US', active: true },
      { partnerId: `${partnerId}-FR`, country: 'FR', active: true },
      { partnerId: `${partnerId}-DE`, country: 'DE', active: true },
      { partnerId: `${partnerId}-IT`, country: 'IT', active: false },
    ],
    bankProfiles: [],
    taxProfiles: [],
  });
  expect((await call(host, 'PUT', `/api/partners/${partnerId}`, { token: await operator(), body })).status).toBe(201);
  const token = await as(partnerId, 'admin', 'AccountAdmin');
  const create = async (publishLocations: string[], kind = 'NonCSP', managing = 'US') => {
    const response = await call(host, 'POST', `/api/partners/${partnerId}/business-profiles`, {
      token,
      body: { managingPartnerId: `${partnerId}-${managing}`, kind, publishLocations, content },
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { profileId: string }).profileId;
  };
  const patch = (profileId: string, body: unknown) => call(host, 'PATCH', `/api/partners/${partnerId}/business-profiles/${profileId}`, { token, body });
  return { partnerId, token, create, patch };
}

describe('PATCH business profiles (BP-3, BP-4, BP-7)', () => {
  it('BP-7: publish locations change at any time; a location given up is free at once for another profile', async () => {
    const { create, patch } = await setup();
    const a = await create(['US', 'FR']);
    const b = await create(['DE']);
    const changed = await patch(a, { publishLocations: ['US'], sellMarkets: ['FR'] });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ profileId: a, publishLocations: ['US'], sellMarkets: ['FR'] });
    expect((await patch(b, { publishLocations: ['DE', 'FR'] })).status).toBe(200);
  });

  it('BP-3: two concurrent PATCHes taking one location: exactly one wins, the other answers 409', async () => {
    const { create, patch } = await setup();
    const a = await create(['US']);
    const b = await create(['DE']);
    const answers = await Promise.all([patch(a, { publishLocations: ['US', 'FR'] }), patch(b, { publishLocations: ['DE', 'FR'] })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const lost = answers.find((r) => r.status === 409);
    expect(((await lost?.json()) as Problem).code).toBe('LocationAlreadyHasProfile');
  });

  it('BP-3: a PATCH onto another profile\u2019s location answers 409', async () => {
    const { create, patch } = await setup();
    const a = await create(['US']);
    await create(['FR']);
    const response = await patch(a, { publishLocations: ['US', 'FR'] });
    expect(response.status).toBe(409);
    expect(((await response.json()) as Problem).code).toBe('LocationAlreadyHasProfile');
  });

  it('BP-3: a PATCH that moves a publish location onto a sell market answers 400', async () => {
    const { create, patch } = await setup();
    const a = await create(['US']);
    expect((await patch(a, { sellMarkets: ['FR'] })).status).toBe(200);
    const response = await patch(a, { publishLocations: ['US', 'FR'] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors).toEqual([
      { path: 'body.publishLocations.1', message: 'FR is both a publish location and a sell market' },
    ]);
  });

  it('BP-4: a PATCH that moves a CSP profile outside the CSP region answers 400', async () => {
    const { create, patch } = await setup();
    const a = await create(['US'], 'CSP');
    const response = await patch(a, { publishLocations: ['US', 'FR'] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.map((e) => e.path)).toEqual(['body.publishLocations.1']);
    expect((await patch(a, { sellMarkets: ['DE'] })).status).toBe(400);
  });

  it('BP-3: a PATCH that empties the publish locations answers 400', async () => {
    const { create, patch } = await setup();
    const a = await create(['US']);
    const response = await patch(a, { publishLocations: [] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.map((e) => e.path)).toEqual(['body.publishLocations']);
  });

  it('BP-7: localizedContent for a country that is not a publish location answers 400', async () => {
    const { create, patch } = await setup();
    const a = await create(['US', 'FR']);
    const response = await patch(a, { localizedContent: { DE: { name: 'Contoso DE' } } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors).toEqual([{ path: 'body.localizedContent.DE', message: 'DE is not a publish location of the profile' }]);
  });

  it('BP-7, BP-5: the published profile shows the location\u2019s own content, else the profile\u2019s, never the managing partner id', async () => {
    const { partnerId, create, patch } = await setup();
    const a = await create(['US', 'FR']);
    const french = { name: 'Contoso France', description: 'Microsoft 365 géré.' };
    expect((await patch(a, { localizedContent: { FR: french } })).status).toBe(200);
    const seen = async (query: string) => {
      const response = await call(host, 'GET', `/api/business-profiles/${a}${query}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(partnerId);
      return JSON.parse(text) as { content: unknown };
    };
    expect((await seen('?location=FR')).content).toEqual(french);
    expect((await seen('?location=US')).content).toEqual(content);
    expect((await seen('')).content).toEqual(content);
    expect((await call(host, 'GET', `/api/business-profiles/${a}?location=France`)).status).toBe(400);
  });
});

describe('GET business-profiles/locations (BP-3, BP-4, BP-7)', () => {
  it('BP-7: what the portal greys out, with the four reasons', async () => {
    const { partnerId, token, create } = await setup();
    await create(['FR']);
    const read = async (kind: string) => {
      const response = await call(host, 'GET', `/api/partners/${partnerId}/business-profiles/locations?kind=${kind}`, { token });
      expect(response.status).toBe(200);
      return ((await response.json()) as { locations: { country: string; canPublish: boolean; canSell: boolean; reason?: string }[] }).locations;
    };
    const nonCsp = await read('NonCSP');
    expect(nonCsp.map((l) => [l.country, l.canPublish, l.reason ?? null])).toEqual([
      ['DE', true, null],
      ['FR', false, 'HasProfile'],
      ['IT', false, 'InactivePartnerId'],
      ['US', true, null],
    ]);
    const csp = await read('CSP');
    expect(csp.map((l) => [l.country, l.canPublish, l.canSell, l.reason ?? null])).toEqual([
      ['DE', false, false, 'OutsideCspRegion'],
      ['FR', false, false, 'OutsideCspRegion'],
      ['IT', false, false, 'OutsideCspRegion'],
      ['UM', false, true, 'NoPartnerId'],
      ['US', true, true, null],
    ]);
    expect((await call(host, 'GET', `/api/partners/${partnerId}/business-profiles/locations?kind=Other`, { token })).status).toBe(400);
  });
});

/** A contact request from a loopback address of its own (the lead limit counts per address). */
function postLead(localAddress: string, profileId: string): Promise<number> {
  const url = new URL(`/api/business-profiles/${profileId}/leads`, host.url);
  const payload = JSON.stringify({ contact: { name: 'Bo Chen', email: 'bo@fabrikam.example' }, message: 'Please call us.' });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('leads of a referral admin\u2019s partner ids (BP-5, BP-7)', () => {
  it('BP-5: a referral admin assigned to the US partner id reads its leads only, and 403 asking for FR\u2019s', async () => {
    const { partnerId, create } = await setup();
    const us = await create(['US'], 'NonCSP', 'US');
    const fr = await create(['FR'], 'NonCSP', 'FR');
    expect(await postLead('127.0.3.1', us)).toBe(202);
    expect(await postLead('127.0.3.1', fr)).toBe(202);
    const assigned = await call(host, 'PUT', `/api/partners/${partnerId}/users/ra-us`, {
      token: await as(partnerId, 'ga', 'GlobalAdmin'),
      body: { email: 'ra@contoso.example', roles: ['ReferralAdmin'], locationPartnerIds: [`${partnerId}-US`] },
    });
    expect(assigned.status).toBe(201);
    const token = await as(partnerId, 'ra-us', 'ReferralAdmin');
    const leads = (await (await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token })).json()) as { leads: { managingPartnerId: string }[] };
    expect(leads.leads.map((l) => l.managingPartnerId)).toEqual([`${partnerId}-US`]);
    const refused = await call(host, 'GET', `/api/partners/${partnerId}/leads?managingPartnerId=${partnerId}-FR`, { token });
    expect(refused.status).toBe(403);
    const everyone = (await (
      await call(host, 'GET', `/api/partners/${partnerId}/leads`, { token: await as(partnerId, 'ra-other', 'ReferralAdmin') })
    ).json()) as {
      leads: unknown[];
    };
    expect(everyone.leads).toHaveLength(2);
  });
});
