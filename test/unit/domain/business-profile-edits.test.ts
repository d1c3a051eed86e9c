import { describe, expect, it } from 'vitest';
import {
  locationOptions,
  patchedProfile,
  profilePatchSchema,
  publishedProfileView,
  sameProfile,
  type BusinessProfile,
} from '../../../shared/domain/business-profiles.js';
import { partnerFixture } from './fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

function profile(over: Partial<BusinessProfile> = {}): BusinessProfile {
  return {
    id: 'bp-1',
    type: 'businessProfile',
    partnerId: 'P1',
    profileId: 'bp-1',
    managingPartnerId: 'L-US',
    kind: 'NonCSP',
    publishLocations: ['US', 'FR'],
    sellMarkets: ['UM'],
    content: { name: 'Contoso', description: 'Global' },
    origin: 'PartnerId',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...over,
  };
}

const partner = partnerFixture({
  locations: [
    { partnerId: 'L-US', country: 'US', active: true },
    { partnerId: 'L-FR', country: 'FR', active: true },
    { partnerId: 'L-DE', country: 'DE', active: false },
  ],
});

describe('profilePatchSchema (BP-7)', () => {
  it('BP-3: a PATCH that empties the publish locations is refused', () => {
    const result = profilePatchSchema.safeParse({ publishLocations: [] });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['publishLocations']);
  });

  it('BP-7: a PATCH that names nothing to change is refused', () => {
    expect(profilePatchSchema.safeParse({}).success).toBe(false);
  });

  it('BP-7: localizedContent is keyed by country code, a content or null', () => {
    expect(profilePatchSchema.safeParse({ localizedContent: { FR: { name: 'Contoso France' }, US: null } }).success).toBe(true);
    expect(profilePatchSchema.safeParse({ localizedContent: { France: { name: 'x' } } }).success).toBe(false);
  });
});

describe('patchedProfile (BP-3, BP-7)', () => {
  it('BP-3: a publish location moved onto a sell market is a problem', () => {
    const { problems } = patchedProfile(profile(), { publishLocations: ['US', 'UM'] }, NOW);
    expect(problems).toEqual([{ path: 'body.publishLocations.1', message: 'UM is both a publish location and a sell market' }]);
    expect(patchedProfile(profile(), { sellMarkets: ['FR'] }, NOW).problems).toEqual([
      { path: 'body.sellMarkets.0', message: 'FR is both a publish location and a sell market' },
    ]);
  });

  it('BP-7: localizedContent for a country that is not a publish location is a problem', () => {
    const { problems } = patchedProfile(profile(), { localizedContent: { DE: { name: 'Contoso DE', description: '' } } }, NOW);
    expect(problems).toEqual([{ path: 'body.localizedContent.DE', message: 'DE is not a publish location of the profile' }]);
  });

  it('BP-7: localizedContent merges by location, null removes one, and a location given up loses its content', () => {
    const fr = { name: 'Contoso France', description: 'Bonjour' };
    const us = { name: 'Contoso US', description: 'Hi' };
    const first = patchedProfile(profile(), { localizedContent: { FR: fr, US: us } }, NOW).profile;
    expect(first.localizedContent).toEqual({ FR: fr, US: us });
    expect(patchedProfile(first, { localizedContent: { US: null } }, NOW).profile.localizedContent).toEqual({ FR: fr });
    const dropped = patchedProfile(first, { publishLocations: ['US'] }, NOW).profile;
    expect(dropped.localizedContent).toEqual({ US: us });
    expect(patchedProfile(dropped, { localizedContent: { US: null } }, NOW).profile).not.toHaveProperty('localizedContent');
  });

  it('BP-7: content, sell markets and publish locations change; the rest stays', () => {
    const { profile: next, problems } = patchedProfile(
      profile(),
      { publishLocations: ['FR'], sellMarkets: ['US'], content: { name: 'New', description: '' } },
      NOW,
    );
    expect(problems).toEqual([]);
    expect(next).toMatchObject({
      publishLocations: ['FR'],
      sellMarkets: ['US'],
      content: { name: 'New' },
      managingPartnerId: 'L-US',
      updatedAt: NOW.toISOString(),
    });
    expect(sameProfile(profile(), next)).toBe(false);
    expect(sameProfile(profile(), patchedProfile(profile(), { sellMarkets: ['UM'] }, NOW).profile)).toBe(true);
  });
});

describe('publishedProfileView (BP-5, BP-7)', () => {
  it('BP-7: shows the location\u2019s own content, else the profile\u2019s; BP-5: never the managing partner id', () => {
    const fr = { name: 'Contoso France', description: 'Bonjour' };
    const p = profile({ localizedContent: { FR: fr } });
    expect(publishedProfileView(p, 'FR').content).toEqual(fr);
    expect(publishedProfileView(p, 'US').content).toEqual(p.content);
    expect(publishedProfileView(p).content).toEqual(p.content);
    for (const view of [publishedProfileView(p, 'FR'), publishedProfileView(p)]) {
      expect(JSON.stringify(view)).not.toContain('L-US');
      expect(view).not.toHaveProperty('managingPartnerId');
      expect(view).not.toHaveProperty('localizedContent');
    }
  });
});

describe('locationOptions (BP-3, BP-4, BP-7)', () => {
  it('BP-7: NonCSP lists the countries with a partner id: HasProfile, InactivePartnerId, or free', () => {
    const options = locationOptions(partner, [profile({ publishLocations: ['US'] })], 'NonCSP');
    expect(options).toEqual([
      { country: 'DE', locationPartnerId: 'L-DE', canPublish: false, canSell: true, reason: 'InactivePartnerId' },
      { country: 'FR', locationPartnerId: 'L-FR', canPublish: true, canSell: true },
      { country: 'US', locationPartnerId: 'L-US', canPublish: false, canSell: true, reason: 'HasProfile' },
    ]);
  });

  it('BP-4: CSP adds the company\u2019s CSP market (NoPartnerId) and greys out what lies outside it (OutsideCspRegion)', () => {
    const options = locationOptions(partner, [], 'CSP');
    expect(options).toEqual([
      { country: 'DE', locationPartnerId: 'L-DE', canPublish: false, canSell: false, reason: 'OutsideCspRegion' },
      { country: 'FR', locationPartnerId: 'L-FR', canPublish: false, canSell: false, reason: 'OutsideCspRegion' },
      { country: 'UM', canPublish: false, canSell: true, reason: 'NoPartnerId' },
      { country: 'US', locationPartnerId: 'L-US', canPublish: true, canSell: true },
    ]);
  });

  it('BP-4: a partner outside the csp program has no CSP market: every country is OutsideCspRegion', () => {
    const options = locationOptions({ ...partner, programs: ['ai-cloud-partner'] }, [], 'CSP');
    expect(options.map((o) => o.reason)).toEqual(['OutsideCspRegion', 'OutsideCspRegion', 'OutsideCspRegion']);
  });
});
