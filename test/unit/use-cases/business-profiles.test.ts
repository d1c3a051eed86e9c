import { describe, expect, it } from 'vitest';
import { type DomainError } from '../../../shared/domain/errors.js';
import type { ProfileInput, ProfileLocationClaim } from '../../../shared/domain/business-profiles.js';
import type { Principal, Role } from '../../../shared/domain/roles.js';
import { createProfile, getPublishedProfile, listLeads, profileLocations, submitLead, updateProfile } from '../../../shared/use-cases/business-profiles.js';
import { putUser } from '../../../shared/use-cases/incentives.js';
import { partnerFixture } from '../domain/fixtures.js';
import { memoryDeps } from '../support/memory-ports.js';
import { errorOf } from '../support/fixtures.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');

async function setup() {
  const memory = memoryDeps({ now: () => NOW });
  await memory.accounts.commit('P1', [
    {
      kind: 'create',
      doc: partnerFixture({
        locations: [
          { partnerId: 'L-US', country: 'US', active: true },
          { partnerId: 'L-FR', country: 'FR', active: true },
          { partnerId: 'L-DE', country: 'DE', active: true },
        ],
      }),
    },
  ]);
  const create = async (publishLocations: ProfileInput['publishLocations'], kind: 'CSP' | 'NonCSP' = 'NonCSP', managingPartnerId = 'L-US') =>
    (
      await createProfile(
        memory.deps,
        'P1',
        { managingPartnerId, kind, publishLocations, sellMarkets: [], content: { name: 'Contoso', description: '' } },
        undefined,
      )
    ).profile.profileId;
  return { ...memory, create };
}

const claimsOf = (docs: { type: string }[]) =>
  docs
    .filter((d): d is ProfileLocationClaim => d.type === 'profileLocation')
    .map((c) => `${c.country}:${c.profileId}`)
    .sort();

describe('updateProfile (BP-7)', () => {
  it('BP-7: publish locations change; a location given up is released in the same batch and another profile can take it at once', async () => {
    const { deps, profiles, create } = await setup();
    const a = await create(['US', 'FR']);
    const b = await create(['DE']);
    const commitsBefore = profiles.commits;
    const changed = await updateProfile(deps, 'P1', a, { publishLocations: ['US'], sellMarkets: ['FR'] });
    expect(profiles.commits - commitsBefore).toBe(1);
    expect(changed).toMatchObject({ publishLocations: ['US'], sellMarkets: ['FR'] });
    expect(claimsOf(profiles.all())).toEqual([`DE:${b}`, `US:${a}`]);
    await updateProfile(deps, 'P1', b, { publishLocations: ['DE', 'FR'] });
    expect(claimsOf(profiles.all())).toEqual([`DE:${b}`, `FR:${b}`, `US:${a}`]);
  });

  it('BP-3: a PATCH onto another profile\u2019s location answers 409 LocationAlreadyHasProfile and changes nothing', async () => {
    const { deps, profiles, create } = await setup();
    const a = await create(['US']);
    await create(['FR']);
    const before = structuredClone(profiles.all());
    const error = await errorOf(updateProfile(deps, 'P1', a, { publishLocations: ['US', 'FR'] }));
    expect([error.kind, error.code]).toEqual(['Conflict', 'LocationAlreadyHasProfile']);
    expect(profiles.all()).toEqual(before);
  });

  it('BP-3: two concurrent PATCHes taking one location: exactly one wins, the other answers 409', async () => {
    const { deps, profiles, create } = await setup();
    const a = await create(['US']);
    const b = await create(['DE']);
    const outcomes = await Promise.allSettled([
      updateProfile(deps, 'P1', a, { publishLocations: ['US', 'FR'] }),
      updateProfile(deps, 'P1', b, { publishLocations: ['DE', 'FR'] }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect((rejected[0]?.reason as DomainError).code).toBe('LocationAlreadyHasProfile');
    expect(claimsOf(profiles.all()).filter((c) => c.startsWith('FR:'))).toHaveLength(1);
  });

  it('BP-3: a PATCH that moves a publish location onto a sell market answers 400', async () => {
    const { deps, create } = await setup();
    const a = await create(['US']);
    await updateProfile(deps, 'P1', a, { sellMarkets: ['FR'] });
    const error = await errorOf(updateProfile(deps, 'P1', a, { publishLocations: ['US', 'FR'] }));
    expect(error.kind).toBe('Invalid');
    expect(error.errors).toEqual([{ path: 'body.publishLocations.1', message: 'FR is both a publish location and a sell market' }]);
  });

  it('BP-4: a PATCH that moves a CSP profile\u2019s publish location outside the CSP region answers 400', async () => {
    const { deps, create } = await setup();
    const a = await create(['US'], 'CSP');
    const error = await errorOf(updateProfile(deps, 'P1', a, { publishLocations: ['US', 'FR'] }));
    expect(error.kind).toBe('Invalid');
    expect(error.errors).toContainEqual({ path: 'body.publishLocations.1', message: 'FR is outside the company\u2019s CSP market (UnitedStates)' });
  });

  it('BP-3: a PATCH onto a country without a partner id answers 400', async () => {
    const { deps, create } = await setup();
    const a = await create(['US']);
    const error = await errorOf(updateProfile(deps, 'P1', a, { publishLocations: ['US', 'JP'] }));
    expect(error.errors).toEqual([{ path: 'body.publishLocations.1', message: 'the partner has no active partner id in JP' }]);
  });

  it('BP-7: localizedContent for a country that is not a publish location answers 400; for one that is, the published profile shows it', async () => {
    const { deps, create } = await setup();
    const a = await create(['US', 'FR']);
    const error = await errorOf(updateProfile(deps, 'P1', a, { localizedContent: { DE: { name: 'Contoso DE', description: '' } } }));
    expect(error.errors).toEqual([{ path: 'body.localizedContent.DE', message: 'DE is not a publish location of the profile' }]);
    await updateProfile(deps, 'P1', a, { localizedContent: { FR: { name: 'Contoso France', description: 'Bonjour' } } });
    expect((await getPublishedProfile(deps, a, 'FR')).content).toEqual({ name: 'Contoso France', description: 'Bonjour' });
    expect((await getPublishedProfile(deps, a, 'US')).content).toEqual({ name: 'Contoso', description: '' });
  });

  it('BP-7: an unknown profile is not found', async () => {
    const { deps } = await setup();
    expect((await errorOf(updateProfile(deps, 'P1', 'nope', { sellMarkets: [] }))).kind).toBe('NotFound');
  });
});

describe('profileLocations (BP-7)', () => {
  it('BP-7: a location with a profile is greyed out as HasProfile', async () => {
    const { deps, create } = await setup();
    await create(['US']);
    const { locations } = await profileLocations(deps, 'P1', 'NonCSP');
    expect(locations.find((l) => l.country === 'US')).toEqual({
      country: 'US',
      locationPartnerId: 'L-US',
      canPublish: false,
      canSell: true,
      reason: 'HasProfile',
    });
    expect(locations.find((l) => l.country === 'FR')).toEqual({ country: 'FR', locationPartnerId: 'L-FR', canPublish: true, canSell: true });
  });
});

describe('listLeads scoped to a referral admin\u2019s partner ids (BP-5, BP-7)', () => {
  const referralAdmin = (userId: string): Principal => ({ userId, partnerId: 'P1', roles: new Set<Role>(['ReferralAdmin']), email: undefined });

  async function withLeads() {
    const memory = await setup();
    const us = await memory.create(['US'], 'NonCSP', 'L-US');
    const fr = await memory.create(['FR'], 'NonCSP', 'L-FR');
    for (const profileId of [us, fr]) {
      await submitLead(
        memory.deps,
        profileId,
        { contact: { name: 'Cleo', email: 'cleo@fabrikam.example' }, message: 'Call me' },
        {
          address: '203.0.113.1',
          idempotencyKey: undefined,
        },
      );
    }
    await putUser(memory.deps, 'P1', 'ra-us', { email: 'ra@contoso.com', roles: ['ReferralAdmin'], locationPartnerIds: ['L-US'] });
    await putUser(memory.deps, 'P1', 'ra-all', { email: 'ra2@contoso.com', roles: ['ReferralAdmin'], locationPartnerIds: [] });
    return memory;
  }

  it('BP-5: a referral admin assigned to L-US reads only L-US leads', async () => {
    const { deps } = await withLeads();
    const { leads } = await listLeads(deps, 'P1', { pageSize: 50 }, referralAdmin('ra-us'));
    expect(leads.map((l) => l.managingPartnerId)).toEqual(['L-US']);
  });

  it('BP-5: a referral admin of another partner id asking for L-FR leads answers 403', async () => {
    const { deps } = await withLeads();
    const error = await errorOf(listLeads(deps, 'P1', { managingPartnerId: 'L-FR', pageSize: 50 }, referralAdmin('ra-us')));
    expect([error.kind, error.code]).toEqual(['Forbidden', 'LocationNotAssigned']);
  });

  it('BP-5: a referral admin assigned to no location (or with no user record) reads every lead', async () => {
    const { deps } = await withLeads();
    for (const userId of ['ra-all', 'unknown-user']) {
      const { leads } = await listLeads(deps, 'P1', { pageSize: 50 }, referralAdmin(userId));
      expect(leads.map((l) => l.managingPartnerId).sort()).toEqual(['L-FR', 'L-US']);
    }
  });
});
