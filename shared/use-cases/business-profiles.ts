import { randomUUID } from 'node:crypto';
import type { Services } from '../composition-root.js';
import { RateLimiter } from '../data/rate-limiter.js';
import { ConcurrencyConflict, unchanged, type Repository } from '../data/repository.js';
import {
  leadView,
  locationClaimId,
  managingIdProblems,
  migrationClosesAt,
  partnerIdProfilesSince,
  partnerProfileView,
  placementProblems,
  profileBinding,
  publishedProfileView,
  type BusinessProfile,
  type Lead,
  type LeadInput,
  type LegacyProfileInput,
  type ProfileInput,
  type ProfileLocationClaim,
  type ProfilesPartitionDoc,
} from '../domain/business-profiles.js';
import { AppError } from '../platform/errors.js';
import { keyedUuid } from '../platform/keyed-id.js';

/** `lookups` document that finds a profile's owner from its public id (the leads route names no partner). */
interface ProfileLookup {
  id: 'profile';
  partnerId: string;
  type: 'profileLookup';
  ownerPartnerId: string;
}

const lookupKey = (profileId: string) => `profile:${profileId}`;
const profiles = (services: Services) => services.repository<ProfilesPartitionDoc>('profiles');
const lookups = (services: Services) => services.repository<ProfileLookup>('lookups');
const closesAt = (services: Services) => migrationClosesAt(services.config.BUSINESS_PROFILES_GA_DATE);

async function readProfile(repo: Repository<ProfilesPartitionDoc>, partnerId: string, profileId: string) {
  const stored = await repo.read(partnerId, profileId);
  return stored?.doc.type === 'businessProfile' ? { doc: stored.doc, etag: stored.etag } : undefined;
}

const samePlacement = (a: BusinessProfile, b: BusinessProfile) =>
  JSON.stringify([a.managingPartnerId, a.kind, a.publishLocations, a.sellMarkets, a.content]) ===
  JSON.stringify([b.managingPartnerId, b.kind, b.publishLocations, b.sellMarkets, b.content]);

/**
 * Writes a new profile with one claim per publish location in one batch (BP-3: a taken location fails
 * the whole batch). The public lookup is written first: if the batch then fails or the process dies,
 * the lookup points at no profile and reads as 404, so nothing half-made is ever visible.
 */
async function publish(services: Services, profile: BusinessProfile): Promise<{ created: boolean; profile: BusinessProfile }> {
  const repo = profiles(services);
  const lookup: ProfileLookup = { id: 'profile', partnerId: lookupKey(profile.profileId), type: 'profileLookup', ownerPartnerId: profile.partnerId };
  await lookups(services).upsert(lookup);
  const claims: ProfileLocationClaim[] = profile.publishLocations.map((country) => ({
    id: locationClaimId(country),
    type: 'profileLocation',
    partnerId: profile.partnerId,
    country,
    profileId: profile.profileId,
  }));
  try {
    await repo.transact(profile.partnerId, [profile, ...claims].map((doc) => ({ kind: 'create' as const, doc })));
    return { created: true, profile };
  } catch (error) {
    if (!(error instanceof AppError && error.status === 409)) throw error;
  }
  const existing = await readProfile(repo, profile.partnerId, profile.profileId);
  if (existing) {
    if (samePlacement(existing.doc, profile)) return { created: false, profile: existing.doc };
    throw AppError.conflict('This Idempotency-Key already created a different profile.', 'IdempotencyKeyReused');
  }
  await lookups(services).delete(lookup.partnerId, lookup.id);
  const taken = await Promise.all(claims.map((c) => repo.read(profile.partnerId, c.id)));
  const where = taken.flatMap((t) => (t?.doc.type === 'profileLocation' ? [`${t.doc.country} (profile ${t.doc.profileId})`] : []));
  throw AppError.conflict(`A location can have one business profile of the partner; already taken: ${where.join(', ') || 'a publish location'}.`, 'LocationAlreadyHasProfile');
}

/** BP-1, BP-3, BP-4: a new profile managed by one of the partner's location partner ids. */
export async function createProfile(services: Services, partnerId: string, input: ProfileInput, idempotencyKey: string | undefined) {
  const partner = (await services.partners.required(partnerId)).doc;
  const problems = placementProblems(partner, input);
  if (problems.length > 0) throw AppError.validation('The profile cannot be published as asked.', problems);
  const now = services.now().toISOString();
  const profileId = idempotencyKey ? keyedUuid(`profile:${partnerId}`, idempotencyKey) : randomUUID();
  const result = await publish(services, { id: profileId, type: 'businessProfile', partnerId, profileId, ...input, origin: 'PartnerId', createdAt: now, updatedAt: now });
  return { created: result.created, profile: partnerProfileView(result.profile, services.now(), closesAt(services)) };
}

/** BP-2: an operator imports a profile made before partner ids; it stays bound to the PGA until migrated. */
export async function importLegacyProfile(services: Services, partnerId: string, profileId: string, input: LegacyProfileInput) {
  const partner = (await services.partners.required(partnerId)).doc;
  if (input.createdAt.slice(0, 10) >= partnerIdProfilesSince) {
    throw AppError.validation('Profiles created since 29 February 2024 use a location partner id (BP-1).', [
      { path: 'body.createdAt', message: `must be before ${partnerIdProfilesSince}` },
    ]);
  }
  const problems = placementProblems(partner, input);
  if (problems.length > 0) throw AppError.validation('The profile cannot be published as asked.', problems);
  const { createdAt, ...placement } = input;
  const result = await publish(services, { id: profileId, type: 'businessProfile', partnerId, profileId, ...placement, origin: 'Legacy', createdAt, updatedAt: services.now().toISOString() });
  return { created: result.created, profile: partnerProfileView(result.profile, services.now(), closesAt(services)) };
}

/** BP-2: a legacy profile takes a location partner id, only within 120 days of general availability. */
export async function migrateProfile(services: Services, partnerId: string, profileId: string, managingPartnerId: string) {
  const partner = (await services.partners.required(partnerId)).doc;
  const problems = managingIdProblems(partner, managingPartnerId);
  if (problems.length > 0) throw AppError.validation('The profile cannot be migrated to that id.', problems);
  const closes = closesAt(services);
  const result = await profiles(services).update(partnerId, profileId, (doc) => {
    if (doc.type !== 'businessProfile') throw AppError.notFound(`Business profile ${profileId} does not exist.`);
    if (doc.origin !== 'Legacy') throw AppError.conflict('Only legacy profiles are migrated; this one already uses a partner id.', 'NotALegacyProfile');
    if (doc.managingPartnerId === managingPartnerId) return unchanged;
    if (doc.managingPartnerId) throw AppError.conflict(`The profile was migrated to ${doc.managingPartnerId} already.`, 'AlreadyMigrated');
    if (services.now() >= closes) {
      throw AppError.conflict(`The migration window closed on ${closes.toISOString().slice(0, 10)}; the profile is bound to the partner global account.`, 'MigrationWindowClosed');
    }
    const now = services.now().toISOString();
    return { ...doc, managingPartnerId, migratedAt: now, updatedAt: now };
  });
  if (!result || result.stored.doc.type !== 'businessProfile') throw AppError.notFound(`Business profile ${profileId} does not exist.`);
  return partnerProfileView(result.stored.doc, services.now(), closes);
}

export async function listProfiles(services: Services, partnerId: string) {
  await services.partners.required(partnerId);
  const docs = await profiles(services).queryAll(
    {
      query: 'SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type ORDER BY c.createdAt',
      parameters: [
        { name: '@partnerId', value: partnerId },
        { name: '@type', value: 'businessProfile' },
      ],
    },
    { partnerId },
  );
  const now = services.now();
  const closes = closesAt(services);
  return docs.flatMap((d) => (d.type === 'businessProfile' ? [partnerProfileView(d, now, closes)] : []));
}

export async function getProfile(services: Services, partnerId: string, profileId: string) {
  const stored = await readProfile(profiles(services), partnerId, profileId);
  if (!stored) throw AppError.notFound(`Business profile ${profileId} does not exist.`);
  return partnerProfileView(stored.doc, services.now(), closesAt(services));
}

/** BP-6: the profile, its location claims and its public lookup go; the id never comes back. Leads stay. */
export async function deleteProfile(services: Services, partnerId: string, profileId: string): Promise<void> {
  const repo = profiles(services);
  for (let attempt = 1; ; attempt++) {
    const stored = await readProfile(repo, partnerId, profileId);
    if (!stored) throw AppError.notFound(`Business profile ${profileId} does not exist.`);
    try {
      await repo.transact(partnerId, [
        { kind: 'delete', id: profileId, etag: stored.etag },
        ...stored.doc.publishLocations.map((country) => ({ kind: 'delete' as const, id: locationClaimId(country) })),
      ]);
      break;
    } catch (error) {
      if (!(error instanceof ConcurrencyConflict) || attempt >= 5) throw error;
    }
  }
  await lookups(services).delete(lookupKey(profileId), 'profile');
}

/** The live profile behind a public id, or a 404 (unknown, deleted, or a lookup left by a failed create). */
async function publishedProfile(services: Services, profileId: string): Promise<BusinessProfile> {
  const lookup = await lookups(services).read(lookupKey(profileId), 'profile');
  const stored = lookup ? await readProfile(profiles(services), lookup.doc.ownerPartnerId, profileId) : undefined;
  if (!stored) throw AppError.notFound(`Business profile ${profileId} does not exist.`);
  return stored.doc;
}

/** BP-5: what customers see. */
export async function getPublishedProfile(services: Services, profileId: string) {
  return publishedProfileView(await publishedProfile(services, profileId));
}

/**
 * BP-5: a customer's contact request, rate-limited per client address (counted before the profile is
 * looked up, so probing ids costs the same), stored under the partner and tied to the managing id the
 * profile resolves to (BP-2: the PGA for an unmigrated legacy profile). Text is stored as given.
 */
export async function submitLead(services: Services, profileId: string, input: LeadInput, client: { address: string; idempotencyKey: string | undefined }) {
  const { config } = services;
  await new RateLimiter(services.repository('lookups'), { name: 'leads', limit: config.LEAD_RATE_LIMIT, windowSeconds: config.LEAD_RATE_WINDOW_SECONDS }).hit(
    client.address,
    services.now(),
  );
  const profile = await publishedProfile(services, profileId);
  const { managingPartnerId } = profileBinding(profile, services.now(), closesAt(services));
  const leadId = client.idempotencyKey ? keyedUuid(`lead:${profileId}`, client.idempotencyKey) : randomUUID();
  const lead: Lead = {
    id: `lead:${leadId}`,
    type: 'lead',
    partnerId: profile.partnerId,
    leadId,
    profileId,
    managingPartnerId,
    contact: input.contact,
    message: input.message,
    ...(input.tenantCountry ? { tenantCountry: input.tenantCountry } : {}),
    receivedAt: services.now().toISOString(),
  };
  const result = await profiles(services).createIfAbsent(lead);
  if (result.created) return { created: true, lead: { leadId, receivedAt: lead.receivedAt } };
  const existing = await profiles(services).read(profile.partnerId, lead.id);
  if (existing?.doc.type !== 'lead') throw new Error('lead missing after a create conflict');
  return { created: false, lead: { leadId, receivedAt: existing.doc.receivedAt } };
}

/** BP-5: the partner's leads for its ReferralAdmin, newest first, optionally for one managing id. */
export async function listLeads(services: Services, partnerId: string, query: { managingPartnerId?: string | undefined; pageSize: number; continuationToken?: string | undefined }) {
  await services.partners.required(partnerId);
  const filter = query.managingPartnerId ? ' AND c.managingPartnerId = @managing' : '';
  const page = await profiles(services).queryPage(
    {
      query: `SELECT * FROM c WHERE c.partnerId = @partnerId AND c.type = @type${filter} ORDER BY c.receivedAt DESC`,
      parameters: [
        { name: '@partnerId', value: partnerId },
        { name: '@type', value: 'lead' },
        ...(query.managingPartnerId ? [{ name: '@managing', value: query.managingPartnerId }] : []),
      ],
    },
    { partnerId, pageSize: query.pageSize, continuationToken: query.continuationToken },
  );
  return {
    leads: page.items.flatMap((d) => (d.type === 'lead' ? [leadView(d)] : [])),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}
