import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cspMarketOf,
  leadInputSchema,
  leadView,
  legacyProfileInputSchema,
  locationClaimId,
  managingIdProblems,
  migrationClosesAt,
  migrationWindowDays,
  partnerIdProfilesSince,
  partnerProfileView,
  placementProblems,
  profileBinding,
  profileContentSchema,
  profileInputSchema,
  profileKinds,
  publishedProfileView,
  type BusinessProfile,
  type Lead,
} from '../../../shared/domain/business-profiles.js';
import { countryCodes } from '../../../shared/domain/countries.js';
import { cspMarkets } from '../../../shared/domain/csp-markets.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { partnerFixture } from './fixtures.js';

const issues = (result: { error?: { issues: { code: string; path: PropertyKey[]; message: string }[] } | undefined }) =>
  (result.error?.issues ?? []).map((i) => [i.path.join('.'), i.code === 'custom' ? i.message : `${i.code}: ${i.message}`]);

const validInput = {
  managingPartnerId: 'L-US',
  kind: 'CSP',
  publishLocations: ['US'],
  sellMarkets: ['UM'],
  content: { name: 'Contoso cloud', description: 'We migrate.' },
};

function profile(over: Partial<BusinessProfile> = {}): BusinessProfile {
  return {
    id: 'profile:bp1',
    type: 'businessProfile',
    partnerId: 'P1',
    profileId: 'bp1',
    managingPartnerId: 'L-US',
    kind: 'CSP',
    publishLocations: ['US'],
    sellMarkets: ['UM'],
    content: { name: 'Contoso cloud', description: 'We migrate.' },
    origin: 'PartnerId',
    createdAt: '2024-03-01T00:00:00.000Z',
    updatedAt: '2024-03-02T00:00:00.000Z',
    ...over,
  };
}

describe('constants', () => {
  it('BP-1, BP-2, BP-4: profiles since 29 February 2024, a 120-day migration window, CSP and non-CSP kinds', () => {
    expect(partnerIdProfilesSince).toBe('2024-02-29');
    expect(migrationWindowDays).toBe(120);
    expect(profileKinds).toEqual(['CSP', 'NonCSP']);
    expect(locationClaimId('US')).toBe('profile-location:US');
  });
});

describe('profile input', () => {
  it('BP-1, BP-3: a profile names its managing partner id, publish locations and sell markets', () => {
    expect(profileInputSchema.parse(validInput)).toEqual(validInput);
    expect(profileInputSchema.parse({ ...validInput, sellMarkets: undefined, content: { name: '  Contoso  ' } })).toEqual({
      ...validInput,
      sellMarkets: [],
      content: { name: 'Contoso', description: '' },
    });
  });

  it('BP-3: at least one publish location is required', () => {
    expect(issues(profileInputSchema.safeParse({ ...validInput, publishLocations: [] }))).toEqual([
      ['publishLocations', 'too_small: at least one publish location is required'],
    ]);
  });

  it('BP-3: a country is listed once per list', () => {
    expect(issues(profileInputSchema.safeParse({ ...validInput, publishLocations: ['US', 'CA', 'US'], sellMarkets: ['MX', 'MX'] }))).toEqual([
      ['publishLocations.2', 'US is listed twice'],
      ['sellMarkets.1', 'MX is listed twice'],
    ]);
  });

  it('BP-3: a country chosen as a publish location cannot also be a sell market', () => {
    expect(issues(profileInputSchema.safeParse({ ...validInput, publishLocations: ['US', 'CA'], sellMarkets: ['MX', 'CA', 'US'] }))).toEqual([
      ['sellMarkets.1', 'CA is already a publish location'],
      ['sellMarkets.2', 'US is already a publish location'],
    ]);
    expect(issues(legacyProfileInputSchema.safeParse({ ...validInput, createdAt: '2023-01-01T00:00:00Z', sellMarkets: ['US'] }))).toEqual([
      ['sellMarkets.0', 'US is already a publish location'],
    ]);
  });

  it('BP-3: publish locations and sell markets are countries, at most 250 of each', () => {
    expect(profileInputSchema.safeParse({ ...validInput, publishLocations: ['XX'] }).success).toBe(false);
    expect(profileInputSchema.safeParse({ ...validInput, sellMarkets: ['us'] }).success).toBe(false);
    const codes = [...countryCodes];
    expect(profileInputSchema.safeParse({ ...validInput, publishLocations: codes, sellMarkets: [] }).success).toBe(true);
    const codesOf = (list: unknown[]) =>
      (profileInputSchema.safeParse({ ...validInput, publishLocations: list, sellMarkets: [] }).error?.issues ?? []).map((i) => i.code);
    expect(codesOf([...codes, 'US'])).toEqual(['custom']);
    expect(codesOf([...codes, 'US', 'CA'])).toEqual(['too_big']);
  });

  it('BP-7: content is plain text, trimmed: a name of 1 to 200 characters and a description of up to 5000', () => {
    const ok = (content: unknown) => profileContentSchema.safeParse(content).success;
    expect(ok({ name: 'x'.repeat(200), description: 'y'.repeat(5000) })).toBe(true);
    expect(ok({ name: 'x'.repeat(201) })).toBe(false);
    expect(ok({ name: 'x', description: 'y'.repeat(5001) })).toBe(false);
    expect(ok({ name: '   ' })).toBe(false);
    expect(profileContentSchema.parse({ name: '<b>x</b>', description: '  <script>  ' })).toEqual({ name: '<b>x</b>', description: '<script>' });
  });

  it('BP-1: the managing partner id is a partner id; the kind is CSP or NonCSP', () => {
    expect(profileInputSchema.safeParse({ ...validInput, managingPartnerId: '-x' }).success).toBe(false);
    expect(profileInputSchema.safeParse({ ...validInput, kind: 'Other' }).success).toBe(false);
  });

  it('BP-2: a legacy profile has no managing id but its creation time', () => {
    const { managingPartnerId: _m, ...legacy } = validInput;
    expect(legacyProfileInputSchema.parse({ ...legacy, createdAt: '2023-05-01T10:00:00Z' })).toEqual({ ...legacy, createdAt: '2023-05-01T10:00:00Z' });
    expect(legacyProfileInputSchema.safeParse(legacy).success).toBe(false);
    expect(legacyProfileInputSchema.safeParse({ ...legacy, createdAt: '2023-05-01' }).success).toBe(false);
  });
});

describe('lead input', () => {
  const lead = { contact: { name: 'Bob', email: 'bob@fabrikam.com' }, message: 'Call me' };

  it('BP-4, BP-5: a lead has a contact, a message and optionally the country of the customer’s tenant', () => {
    expect(
      leadInputSchema.parse({
        ...lead,
        contact: { ...lead.contact, name: ' Bob ', phone: '123', company: ' Fabrikam ' },
        message: ' Call me ',
        tenantCountry: 'DE',
      }),
    ).toEqual({
      contact: { name: 'Bob', email: 'bob@fabrikam.com', phone: '123', company: 'Fabrikam' },
      message: 'Call me',
      tenantCountry: 'DE',
    });
    expect(leadInputSchema.safeParse({ ...lead, tenantCountry: 'Germany' }).success).toBe(false);
  });

  it('BP-5: lead fields are bounded', () => {
    const ok = (over: Record<string, unknown>, contact: Record<string, unknown> = {}) =>
      leadInputSchema.safeParse({ ...lead, ...over, contact: { ...lead.contact, ...contact } }).success;
    expect(ok({ message: 'm'.repeat(4000) }, { name: 'n'.repeat(200), company: 'c'.repeat(200) })).toBe(true);
    expect(ok({ message: 'm'.repeat(4001) })).toBe(false);
    expect(ok({ message: '  ' })).toBe(false);
    expect(ok({}, { name: 'n'.repeat(201) })).toBe(false);
    expect(ok({}, { name: ' ' })).toBe(false);
    expect(ok({}, { company: 'c'.repeat(201) })).toBe(false);
    expect(ok({}, { email: 'bob' })).toBe(false);
    expect(ok({}, { phone: 'call me' })).toBe(false);
  });
});

describe('cspMarketOf', () => {
  it('BP-4: the company country determines its market', () => {
    expect(cspMarketOf('US')).toEqual({ market: 'UnitedStates', countries: ['US', 'UM'] });
    expect(cspMarketOf('UM')).toEqual({ market: 'UnitedStates', countries: ['US', 'UM'] });
    expect(cspMarketOf('KE')?.market).toBe('Africa');
    expect(cspMarketOf('VU')?.market).toBe('NewZealand');
    expect(cspMarketOf('CN')).toBeUndefined();
    expect(cspMarketOf('XX')).toBeUndefined();
  });

  it('BP-4: every market country maps back to its own market (property)', () => {
    const entries = Object.entries(cspMarkets).flatMap(([market, countries]) => countries.map((c) => [market, c] as const));
    fc.assert(
      fc.property(fc.constantFrom(...entries), ([market, country]) => {
        expect(cspMarketOf(country)).toEqual({ market, countries: cspMarkets[market] });
      }),
    );
  });
});

describe('placementProblems', () => {
  const partner = (over: Partial<Partner> = {}) =>
    partnerFixture({
      locations: [
        { partnerId: 'L-US', country: 'US', active: true },
        { partnerId: 'L-CA', country: 'CA', active: true },
        { partnerId: 'L-DE', country: 'DE', active: false },
      ],
      ...over,
    });

  it('BP-3, BP-4: a CSP profile of a US company published in the US and sold in the US Minor Outlying Islands is fine', () => {
    expect(placementProblems(partner(), { kind: 'CSP', publishLocations: ['US'], sellMarkets: ['UM'], managingPartnerId: 'L-US' })).toEqual([]);
  });

  it('BP-1: the managing id must be one of the partner’s active location ids', () => {
    expect(managingIdProblems(partner(), 'L-US')).toEqual([]);
    expect(managingIdProblems(partner(), 'L-DE')).toEqual([
      { path: 'body.managingPartnerId', message: 'L-DE is not one of the partner\u2019s active location partner ids' },
    ]);
    expect(managingIdProblems(partner(), 'L-XX')).toEqual([
      { path: 'body.managingPartnerId', message: 'L-XX is not one of the partner\u2019s active location partner ids' },
    ]);
    expect(placementProblems(partner(), { kind: 'NonCSP', publishLocations: ['US'], sellMarkets: [], managingPartnerId: 'L-DE' })).toEqual([
      { path: 'body.managingPartnerId', message: 'L-DE is not one of the partner\u2019s active location partner ids' },
    ]);
  });

  it('BP-3: publish locations are countries where the partner has an active partner id', () => {
    expect(
      placementProblems(partner(), { kind: 'NonCSP', publishLocations: ['US', 'DE', 'CA', 'FR'], sellMarkets: ['JP'], managingPartnerId: 'L-CA' }),
    ).toEqual([
      { path: 'body.publishLocations.1', message: 'the partner has no active partner id in DE' },
      { path: 'body.publishLocations.3', message: 'the partner has no active partner id in FR' },
    ]);
  });

  it('BP-4: non-CSP profiles may be published and sold globally', () => {
    expect(
      placementProblems(partner({ programs: ['developer'] }), {
        kind: 'NonCSP',
        publishLocations: ['CA'],
        sellMarkets: ['JP', 'BR', 'CN'],
        managingPartnerId: 'L-CA',
      }),
    ).toEqual([]);
  });

  it('BP-4: a CSP profile stays inside the company’s CSP market', () => {
    expect(placementProblems(partner(), { kind: 'CSP', publishLocations: ['US', 'CA'], sellMarkets: ['UM', 'MX'], managingPartnerId: 'L-US' })).toEqual([
      { path: 'body.publishLocations.1', message: 'CA is outside the company\u2019s CSP market (UnitedStates)' },
      { path: 'body.sellMarkets.1', message: 'MX is outside the company\u2019s CSP market (UnitedStates)' },
    ]);
  });

  it('BP-4: a CSP profile needs a csp partner whose country has a CSP market', () => {
    expect(
      placementProblems(partner({ programs: ['ai-cloud-partner'] }), { kind: 'CSP', publishLocations: ['US'], sellMarkets: ['MX'], managingPartnerId: 'L-US' }),
    ).toEqual([{ path: 'body.kind', message: 'a CSP profile needs a partner enrolled in the csp program' }]);
    const chinese = partner({ address: { line1: '1 Road', city: 'Beijing', postalCode: '100000', country: 'CN' } });
    expect(placementProblems(chinese, { kind: 'CSP', publishLocations: ['US'], sellMarkets: [], managingPartnerId: 'L-US' })).toEqual([
      { path: 'body.kind', message: 'CSP offers are not sold from CN' },
    ]);
  });

  it('BP-2, BP-4: a legacy profile (no managing id) has only its market checked', () => {
    expect(placementProblems(partner(), { kind: 'CSP', publishLocations: ['UM'], sellMarkets: ['FR'] })).toEqual([
      { path: 'body.sellMarkets.0', message: 'FR is outside the company\u2019s CSP market (UnitedStates)' },
    ]);
    expect(placementProblems(partner(), { kind: 'NonCSP', publishLocations: ['FR'], sellMarkets: [] })).toEqual([]);
  });
});

describe('migration and binding', () => {
  const ga = '2024-02-29';
  const closes = migrationClosesAt(ga);

  it('BP-2: migration closes 120 days after general availability', () => {
    expect(closes.toISOString()).toBe('2024-06-28T00:00:00.000Z');
  });

  it('BP-1, BP-5: a profile with a managing partner id is bound to that location', () => {
    expect(profileBinding(profile(), new Date('2030-01-01'), closes)).toEqual({ binding: 'Location', managingPartnerId: 'L-US' });
  });

  it('BP-2: an unmigrated profile is migratable until the window closes, then bound to the PGA', () => {
    const legacy = profile({ managingPartnerId: undefined, origin: 'Legacy' });
    expect(profileBinding(legacy, new Date(closes.getTime() - 1), closes)).toEqual({ binding: 'LegacyMigratable', managingPartnerId: 'P1' });
    expect(profileBinding(legacy, closes, closes)).toEqual({ binding: 'PGA', managingPartnerId: 'P1' });
  });

  it('ACC-5, BP-2: the partner’s view shows the binding and the managing partner id', () => {
    expect(partnerProfileView(profile(), new Date('2024-03-05'), closes)).toEqual({
      profileId: 'bp1',
      managingPartnerId: 'L-US',
      binding: 'Location',
      kind: 'CSP',
      publishLocations: ['US'],
      sellMarkets: ['UM'],
      content: { name: 'Contoso cloud', description: 'We migrate.' },
      origin: 'PartnerId',
      createdAt: '2024-03-01T00:00:00.000Z',
      updatedAt: '2024-03-02T00:00:00.000Z',
    });
    expect(partnerProfileView(profile(), new Date('2024-03-05'), closes)).not.toHaveProperty('migratedAt');
    const migrated = partnerProfileView(profile({ origin: 'Legacy', migratedAt: '2024-04-01T00:00:00.000Z' }), new Date('2024-03-05'), closes);
    expect(migrated.migratedAt).toBe('2024-04-01T00:00:00.000Z');
    expect(partnerProfileView(profile({ managingPartnerId: undefined }), new Date('2025-01-01'), closes)).toMatchObject({
      binding: 'PGA',
      managingPartnerId: 'P1',
    });
  });

  it('BP-5: the published profile shows neither the managing partner id nor the account', () => {
    expect(publishedProfileView(profile({ migratedAt: '2024-04-01T00:00:00.000Z' }))).toEqual({
      profileId: 'bp1',
      kind: 'CSP',
      publishLocations: ['US'],
      sellMarkets: ['UM'],
      content: { name: 'Contoso cloud', description: 'We migrate.' },
    });
  });

  it('BP-5: a lead is tied to the managing partner id', () => {
    const lead: Lead = {
      id: 'lead:1',
      type: 'lead',
      partnerId: 'P1',
      leadId: '1',
      profileId: 'bp1',
      managingPartnerId: 'L-US',
      contact: { name: 'Bob', email: 'bob@fabrikam.com' },
      message: 'Call me',
      receivedAt: '2024-05-01T00:00:00.000Z',
    };
    const view = {
      leadId: '1',
      profileId: 'bp1',
      managingPartnerId: 'L-US',
      contact: { name: 'Bob', email: 'bob@fabrikam.com' },
      message: 'Call me',
      receivedAt: '2024-05-01T00:00:00.000Z',
    };
    expect(leadView(lead)).toEqual(view);
    expect(leadView({ ...lead, tenantCountry: 'DE' })).toEqual({ ...view, tenantCountry: 'DE' });
  });
});
