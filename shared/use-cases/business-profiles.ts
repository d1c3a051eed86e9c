import { randomUUID } from 'node:crypto';
import {
  leadView,
  locationClaimId,
  locationOptions,
  patchedProfile,
  sameProfile,
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
  type ProfileKind,
  type ProfilePatch,
  type ProfileLocationClaim,
} from '../domain/business-profiles.js';
import { DomainError } from '../domain/errors.js';
import { keyedUuid } from '../domain/keyed-id.js';
import type { Principal } from '../domain/roles.js';
import { callerUser, requirePartner } from './accounts.js';
import { WriteConflict, type ProfileDoc, type UseCaseDeps, type Versioned, type Write } from './ports.js';
import { createIfAbsent, readDecideWrite, unchanged, updateDocument } from './write.js';

const closesAt = (deps: UseCaseDeps) => migrationClosesAt(deps.config.BUSINESS_PROFILES_GA_DATE);

async function readProfile(deps: UseCaseDeps, partnerId: string, profileId: string): Promise<Versioned<BusinessProfile> | undefined> {
  const stored = await deps.profiles.read(partnerId, profileId);
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
async function publish(deps: UseCaseDeps, profile: BusinessProfile): Promise<{ created: boolean; profile: BusinessProfile }> {
  await deps.profiles.setOwner(profile.profileId, profile.partnerId);
  const claims: ProfileLocationClaim[] = profile.publishLocations.map((country) => ({
    id: locationClaimId(country),
    type: 'profileLocation',
    partnerId: profile.partnerId,
    country,
    profileId: profile.profileId,
  }));
  try {
    await deps.profiles.commit(
      profile.partnerId,
      [profile, ...claims].map((doc) => ({ kind: 'create' as const, doc })),
    );
    return { created: true, profile };
  } catch (error) {
    if (!(error instanceof WriteConflict)) throw error;
  }
  const existing = await readProfile(deps, profile.partnerId, profile.profileId);
  if (existing) {
    if (samePlacement(existing.doc, profile)) return { created: false, profile: existing.doc };
    throw DomainError.conflict('This Idempotency-Key already created a different profile.', 'IdempotencyKeyReused');
  }
  await deps.profiles.forgetOwner(profile.profileId);
  const taken = await Promise.all(claims.map((c) => deps.profiles.read(profile.partnerId, c.id)));
  const where = taken.flatMap((t) => (t?.doc.type === 'profileLocation' ? [`${t.doc.country} (profile ${t.doc.profileId})`] : []));
  throw DomainError.conflict(
    `A location can have one business profile of the partner; already taken: ${where.join(', ') || 'a publish location'}.`,
    'LocationAlreadyHasProfile',
  );
}

/** BP-1, BP-3, BP-4: a new profile managed by one of the partner's location partner ids. */
export async function createProfile(deps: UseCaseDeps, partnerId: string, input: ProfileInput, idempotencyKey: string | undefined) {
  const partner = (await requirePartner(deps, partnerId)).doc;
  const problems = placementProblems(partner, input);
  if (problems.length > 0) throw DomainError.validation('The profile cannot be published as asked.', problems);
  const now = deps.now().toISOString();
  const profileId = idempotencyKey ? keyedUuid(`profile:${partnerId}`, idempotencyKey) : randomUUID();
  const result = await publish(deps, {
    id: profileId,
    type: 'businessProfile',
    partnerId,
    profileId,
    ...input,
    origin: 'PartnerId',
    createdAt: now,
    updatedAt: now,
  });
  return { created: result.created, profile: partnerProfileView(result.profile, deps.now(), closesAt(deps)) };
}

/**
 * BP-3, BP-4, BP-7: changes a profile's publish locations, sell markets and content (and content per
 * publish location) under the rules of creation. The profile, the claims of locations it gives up
 * (deleted) and of locations it takes (created) are one transactional batch: a location given up is
 * free the moment the batch commits, and of two requests taking one location the second batch fails
 * on the first's claim, reads it, and answers 409.
 */
export async function updateProfile(deps: UseCaseDeps, partnerId: string, profileId: string, patch: ProfilePatch) {
  const partner = (await requirePartner(deps, partnerId)).doc;
  const written = await readDecideWrite({
    read: async () => {
      const stored = await readProfile(deps, partnerId, profileId);
      const taken = stored ? (patch.publishLocations ?? []).filter((c) => !stored.doc.publishLocations.includes(c)) : [];
      const claims = await Promise.all(taken.map((country) => deps.profiles.read(partnerId, locationClaimId(country))));
      return { stored, claims: claims.flatMap((c) => (c?.doc.type === 'profileLocation' ? [c.doc] : [])) };
    },
    decide: ({ stored, claims }) => {
      if (!stored) throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
      const { profile, problems } = patchedProfile(stored.doc, patch, deps.now());
      problems.push(...placementProblems(partner, profile));
      if (problems.length > 0) throw DomainError.validation('The profile cannot be published as asked.', problems);
      const elsewhere = claims.filter((c) => c.profileId !== profileId);
      if (elsewhere.length > 0) {
        throw DomainError.conflict(
          `A location can have one business profile of the partner; already taken: ${elsewhere.map((c) => `${c.country} (profile ${c.profileId})`).join(', ')}.`,
          'LocationAlreadyHasProfile',
        );
      }
      if (sameProfile(stored.doc, profile)) return { result: stored.doc };
      const before = new Set(stored.doc.publishLocations);
      const after = new Set(profile.publishLocations);
      const claim = (country: string): ProfileLocationClaim => ({ id: locationClaimId(country), type: 'profileLocation', partnerId, country, profileId });
      const writes: Write<ProfileDoc>[] = [
        { kind: 'replace', doc: profile, etag: stored.etag },
        ...[...before].filter((c) => !after.has(c)).map((c) => ({ kind: 'delete' as const, id: locationClaimId(c) })),
        ...[...after].filter((c) => !before.has(c)).map((c) => ({ kind: 'create' as const, doc: claim(c) })),
      ];
      return { result: profile, write: writes };
    },
    write: (writes) => deps.profiles.commit(partnerId, writes),
  });
  return partnerProfileView(written, deps.now(), closesAt(deps));
}

/** BP-3, BP-4, BP-7: which countries a new profile of `kind` can publish in and sell to, and why not. */
export async function profileLocations(deps: UseCaseDeps, partnerId: string, kind: ProfileKind) {
  const [stored, profiles] = await Promise.all([requirePartner(deps, partnerId), deps.profiles.profiles(partnerId)]);
  return { kind, locations: locationOptions(stored.doc, profiles, kind) };
}

/** BP-2: an operator imports a profile made before partner ids; it stays bound to the PGA until migrated. */
export async function importLegacyProfile(deps: UseCaseDeps, partnerId: string, profileId: string, input: LegacyProfileInput) {
  const partner = (await requirePartner(deps, partnerId)).doc;
  if (input.createdAt.slice(0, 10) >= partnerIdProfilesSince) {
    throw DomainError.validation('Profiles created since 29 February 2024 use a location partner id (BP-1).', [
      { path: 'body.createdAt', message: `must be before ${partnerIdProfilesSince}` },
    ]);
  }
  const problems = placementProblems(partner, input);
  if (problems.length > 0) throw DomainError.validation('The profile cannot be published as asked.', problems);
  const { createdAt, ...placement } = input;
  const result = await publish(deps, {
    id: profileId,
    type: 'businessProfile',
    partnerId,
    profileId,
    ...placement,
    origin: 'Legacy',
    createdAt,
    updatedAt: deps.now().toISOString(),
  });
  return { created: result.created, profile: partnerProfileView(result.profile, deps.now(), closesAt(deps)) };
}

/** BP-2: a legacy profile takes a location partner id, only within 120 days of general availability. */
export async function migrateProfile(deps: UseCaseDeps, partnerId: string, profileId: string, managingPartnerId: string) {
  const partner = (await requirePartner(deps, partnerId)).doc;
  const problems = managingIdProblems(partner, managingPartnerId);
  if (problems.length > 0) throw DomainError.validation('The profile cannot be migrated to that id.', problems);
  const closes = closesAt(deps);
  const result = await updateDocument(deps.profiles, partnerId, profileId, (doc) => {
    if (doc.type !== 'businessProfile') throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
    if (doc.origin !== 'Legacy') throw DomainError.conflict('Only legacy profiles are migrated; this one already uses a partner id.', 'NotALegacyProfile');
    if (doc.managingPartnerId === managingPartnerId) return unchanged;
    if (doc.managingPartnerId) throw DomainError.conflict(`The profile was migrated to ${doc.managingPartnerId} already.`, 'AlreadyMigrated');
    if (deps.now() >= closes) {
      throw DomainError.conflict(
        `The migration window closed on ${closes.toISOString().slice(0, 10)}; the profile is bound to the partner global account.`,
        'MigrationWindowClosed',
      );
    }
    const now = deps.now().toISOString();
    return { ...doc, managingPartnerId, migratedAt: now, updatedAt: now };
  });
  if (!result || result.doc.type !== 'businessProfile') throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
  return partnerProfileView(result.doc, deps.now(), closes);
}

export async function listProfiles(deps: UseCaseDeps, partnerId: string) {
  // Both in one round trip; an unknown partner has no profiles, and answers not-found.
  const [, docs] = await Promise.all([requirePartner(deps, partnerId), deps.profiles.profiles(partnerId)]);
  const now = deps.now();
  const closes = closesAt(deps);
  return docs.map((d) => partnerProfileView(d, now, closes));
}

export async function getProfile(deps: UseCaseDeps, partnerId: string, profileId: string) {
  const stored = await readProfile(deps, partnerId, profileId);
  if (!stored) throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
  return partnerProfileView(stored.doc, deps.now(), closesAt(deps));
}

/** BP-6: the profile, its location claims and its public lookup go; the id never comes back. Leads stay. */
export async function deleteProfile(deps: UseCaseDeps, partnerId: string, profileId: string): Promise<void> {
  await readDecideWrite({
    read: () => readProfile(deps, partnerId, profileId),
    decide: (stored) => {
      if (!stored) throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
      const writes: Write<ProfileDoc>[] = [
        { kind: 'delete', id: profileId, etag: stored.etag },
        ...stored.doc.publishLocations.map((country) => ({ kind: 'delete' as const, id: locationClaimId(country) })),
      ];
      return { result: undefined, write: writes };
    },
    write: (writes) => deps.profiles.commit(partnerId, writes),
  });
  await deps.profiles.forgetOwner(profileId);
}

/** The live profile behind a public id, or a 404 (unknown, deleted, or a lookup left by a failed create). */
async function publishedProfile(deps: UseCaseDeps, profileId: string): Promise<BusinessProfile> {
  const owner = await deps.profiles.ownerOf(profileId);
  const stored = owner ? await readProfile(deps, owner, profileId) : undefined;
  if (!stored) throw DomainError.notFound(`Business profile ${profileId} does not exist.`);
  return stored.doc;
}

/** BP-5, BP-7: what customers see, in the content of their location when it has its own. */
export async function getPublishedProfile(deps: UseCaseDeps, profileId: string, location?: string) {
  return publishedProfileView(await publishedProfile(deps, profileId), location);
}

/**
 * BP-5: a customer's contact request, rate-limited per client address (counted before the profile is
 * looked up, so probing ids costs the same), stored under the partner and tied to the managing id the
 * profile resolves to (BP-2: the PGA for an unmigrated legacy profile). Text is stored as given.
 */
export async function submitLead(deps: UseCaseDeps, profileId: string, input: LeadInput, client: { address: string; idempotencyKey: string | undefined }) {
  const { config } = deps;
  const rate = await deps.rateLimits.hit('leads', client.address, config.LEAD_RATE_LIMIT, config.LEAD_RATE_WINDOW_SECONDS, deps.now());
  if (!rate.allowed)
    throw DomainError.rateLimited(`Too many requests from this address; try again in ${Math.ceil(rate.retryAfterSeconds)} seconds.`, rate.retryAfterSeconds);
  const profile = await publishedProfile(deps, profileId);
  const { managingPartnerId } = profileBinding(profile, deps.now(), closesAt(deps));
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
    receivedAt: deps.now().toISOString(),
  };
  if (await createIfAbsent(deps.profiles, lead)) return { created: true, lead: { leadId, receivedAt: lead.receivedAt } };
  const existing = await deps.profiles.read(profile.partnerId, lead.id);
  if (existing?.doc.type !== 'lead') throw new Error('lead missing after a create conflict');
  return { created: false, lead: { leadId, receivedAt: existing.doc.receivedAt } };
}

/**
 * BP-5, BP-7: the partner's leads for its ReferralAdmin, newest first, optionally for one managing
 * id. A referral admin assigned to some locations (users route) reads only the leads of those managing
 * partner ids (403 for another one); assigned to none, or without a user record, all of them.
 */
export async function listLeads(
  deps: UseCaseDeps,
  partnerId: string,
  query: { managingPartnerId?: string | undefined; pageSize: number; continuationToken?: string | undefined },
  principal: Principal,
) {
  const [, user] = await Promise.all([requirePartner(deps, partnerId), callerUser(deps, partnerId, principal)]);
  const assigned = user?.roles.includes('ReferralAdmin') ? user.locationPartnerIds : [];
  if (query.managingPartnerId !== undefined && assigned.length > 0 && !assigned.includes(query.managingPartnerId)) {
    throw DomainError.forbidden(`The user is not a referral admin of partner id ${query.managingPartnerId}.`, 'LocationNotAssigned');
  }
  const managingPartnerIds = query.managingPartnerId !== undefined ? [query.managingPartnerId] : assigned.length > 0 ? assigned : undefined;
  const page = await deps.profiles.leads(partnerId, { managingPartnerIds, pageSize: query.pageSize, continuationToken: query.continuationToken });
  return {
    leads: page.items.map(leadView),
    ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
  };
}
