import * as z from 'zod';
import type { FieldError } from './errors.js';
import { countryCode } from './countries.js';
import { cspMarkets } from './csp-markets.js';
import { emailAddress, partnerIdSchema, phoneNumber, type Partner } from './partner.js';

export const profileKinds = ['CSP', 'NonCSP'] as const;
export type ProfileKind = (typeof profileKinds)[number];

/** BP-1: the day from which every new profile is managed by a location partner id. */
export const partnerIdProfilesSince = '2024-02-29';
/** BP-2: how long existing profiles could migrate after general availability. */
export const migrationWindowDays = 120;

const countryList = z
  .array(countryCode)
  .max(250)
  .superRefine((codes, ctx) => {
    const seen = new Set<string>();
    codes.forEach((code, index) => {
      if (seen.has(code)) ctx.addIssue({ code: 'custom', path: [index], message: `${code} is listed twice` });
      seen.add(code);
    });
  });

/** Profile text is plain text: stored as given, never interpreted as markup. */
export const profileContentSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000).default(''),
});

const placement = {
  kind: z.enum(profileKinds),
  publishLocations: countryList.min(1, 'at least one publish location is required'),
  sellMarkets: countryList.default([]),
  content: profileContentSchema,
};

/** BP-3: a country chosen as a publish location cannot also be a sell market. */
function publishNotSold(input: { publishLocations: string[]; sellMarkets: string[] }, ctx: z.RefinementCtx): void {
  const published = new Set(input.publishLocations);
  input.sellMarkets.forEach((code, index) => {
    if (published.has(code)) ctx.addIssue({ code: 'custom', path: ['sellMarkets', index], message: `${code} is already a publish location` });
  });
}

export const profileInputSchema = z.object({ managingPartnerId: partnerIdSchema, ...placement }).superRefine(publishNotSold);

/**
 * BP-7: what a PATCH may change (publish locations, sell markets, content) and the content per
 * publish location: `localizedContent` is merged key by key, `null` removes a location's own content.
 */
export const profilePatchSchema = z
  .object({
    publishLocations: placement.publishLocations.optional(),
    sellMarkets: countryList.optional(),
    content: profileContentSchema.optional(),
    localizedContent: z.partialRecord(countryCode, profileContentSchema.nullable()).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: 'nothing to change: name at least one field' });
export type ProfilePatch = z.output<typeof profilePatchSchema>;
export type ProfileInput = z.output<typeof profileInputSchema>;

/** A profile created before partner ids (imported by an operator); it has no managing id. */
export const legacyProfileInputSchema = z.object({ ...placement, createdAt: z.iso.datetime() }).superRefine(publishNotSold);
export type LegacyProfileInput = z.output<typeof legacyProfileInputSchema>;

/** The stored profile (container `profiles`, partition = the partner's global account id). */
export interface BusinessProfile {
  id: string;
  type: 'businessProfile';
  partnerId: string;
  profileId: string;
  /** The location partner id managing the profile; absent on an unmigrated legacy profile. */
  managingPartnerId?: string;
  kind: ProfileKind;
  publishLocations: string[];
  sellMarkets: string[];
  content: z.output<typeof profileContentSchema>;
  /** BP-7: content of its own for some publish locations; the others show `content`. */
  localizedContent?: Record<string, z.output<typeof profileContentSchema>>;
  origin: 'PartnerId' | 'Legacy';
  migratedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** BP-3: one per publish location and partner, written in the profile's batch, so two profiles can never share a location. */
export interface ProfileLocationClaim {
  id: string;
  type: 'profileLocation';
  partnerId: string;
  country: string;
  profileId: string;
}

export const locationClaimId = (country: string) => `profile-location:${country}`;

export const leadInputSchema = z.object({
  contact: z.object({
    name: z.string().trim().min(1).max(200),
    email: emailAddress,
    phone: phoneNumber.optional(),
    company: z.string().trim().max(200).optional(),
  }),
  message: z.string().trim().min(1).max(4000),
  /** The customer's market is the country of its tenant, not of its office (BP-4). */
  tenantCountry: countryCode.optional(),
});
export type LeadInput = z.output<typeof leadInputSchema>;

/** BP-5: a customer's contact request, kept under the partner and tied to the managing partner id. */
export interface Lead {
  id: string;
  type: 'lead';
  partnerId: string;
  leadId: string;
  profileId: string;
  managingPartnerId: string;
  contact: LeadInput['contact'];
  message: string;
  tenantCountry?: string;
  receivedAt: string;
}

/** The market (BP-4) of a company country, or undefined where CSP is not sold. */
export function cspMarketOf(country: string): { market: string; countries: readonly string[] } | undefined {
  for (const [market, countries] of Object.entries(cspMarkets)) {
    if (countries.includes(country)) return { market, countries };
  }
  return undefined;
}

/**
 * BP-3 and BP-4 checks that need the partner's data: the managing id is an active location, every
 * publish location is a country with one of the partner's active location ids, and a CSP profile stays
 * inside the company's CSP market. Answered as field errors, so a client sees every problem at once.
 */
export function placementProblems(
  partner: Partner,
  input: { kind: ProfileKind; publishLocations: string[]; sellMarkets: string[]; managingPartnerId?: string | undefined },
): FieldError[] {
  const problems: FieldError[] = [];
  const active = partner.locations.filter((l) => l.active);
  // A legacy profile (no managing id) predates location ids: only its market is checked.
  if (input.managingPartnerId !== undefined) {
    problems.push(...managingIdProblems(partner, input.managingPartnerId));
    const countriesWithIds = new Set<string>(active.map((l) => l.country));
    input.publishLocations.forEach((code, index) => {
      if (!countriesWithIds.has(code)) problems.push({ path: `body.publishLocations.${index}`, message: `the partner has no active partner id in ${code}` });
    });
  }
  if (input.kind === 'CSP') {
    const market = cspMarketOf(partner.address.country);
    if (!partner.programs.includes('csp')) {
      problems.push({ path: 'body.kind', message: 'a CSP profile needs a partner enrolled in the csp program' });
    } else if (!market) {
      problems.push({ path: 'body.kind', message: `CSP offers are not sold from ${partner.address.country}` });
    } else {
      const outside = (list: 'publishLocations' | 'sellMarkets') =>
        input[list].forEach((code, index) => {
          if (!market.countries.includes(code)) {
            problems.push({ path: `body.${list}.${index}`, message: `${code} is outside the company\u2019s CSP market (${market.market})` });
          }
        });
      outside('publishLocations');
      outside('sellMarkets');
    }
  }
  return problems;
}

/** BP-1: a managing id must be one of the partner's active location partner ids. */
export function managingIdProblems(partner: Partner, managingPartnerId: string): FieldError[] {
  return partner.locations.some((l) => l.active && l.partnerId === managingPartnerId)
    ? []
    : [{ path: 'body.managingPartnerId', message: `${managingPartnerId} is not one of the partner\u2019s active location partner ids` }];
}

/** BP-2: the last day legacy profiles could migrate, from the general availability date. */
export function migrationClosesAt(generalAvailability: string): Date {
  return new Date(Date.parse(`${generalAvailability}T00:00:00Z`) + migrationWindowDays * 86_400_000);
}

/**
 * BP-2: who a profile's leads go to. A profile made with (or migrated to) a location partner id is
 * managed by it; an unmigrated legacy profile is bound to the partner global account (PGA) — still
 * migratable until the window closes, bound for good afterwards.
 */
export function profileBinding(
  profile: BusinessProfile,
  now: Date,
  closesAt: Date,
): { binding: 'Location' | 'LegacyMigratable' | 'PGA'; managingPartnerId: string } {
  if (profile.managingPartnerId) return { binding: 'Location', managingPartnerId: profile.managingPartnerId };
  return { binding: now < closesAt ? 'LegacyMigratable' : 'PGA', managingPartnerId: profile.partnerId };
}

/**
 * BP-3, BP-7: the profile a PATCH asks for, and what is wrong with it beyond the partner's data
 * (placementProblems): a sell market that is also a publish location, and content for a country that
 * is not a publish location. Localized content of a location given up goes with it.
 */
export function patchedProfile(profile: BusinessProfile, patch: ProfilePatch, now: Date): { profile: BusinessProfile; problems: FieldError[] } {
  const publishLocations = patch.publishLocations ?? profile.publishLocations;
  const sellMarkets = patch.sellMarkets ?? profile.sellMarkets;
  const published = new Set(publishLocations);
  const problems: FieldError[] = [];
  sellMarkets.forEach((code, index) => {
    if (published.has(code)) {
      const path = patch.sellMarkets ? `body.sellMarkets.${index}` : `body.publishLocations.${publishLocations.indexOf(code)}`;
      problems.push({ path, message: `${code} is both a publish location and a sell market` });
    }
  });
  const localized = new Map(Object.entries(profile.localizedContent ?? {}).filter(([code]) => published.has(code)));
  for (const [code, content] of Object.entries(patch.localizedContent ?? {})) {
    if (content === null) localized.delete(code);
    else if (!published.has(code)) problems.push({ path: `body.localizedContent.${code}`, message: `${code} is not a publish location of the profile` });
    else localized.set(code, content);
  }
  const next: BusinessProfile = { ...profile, publishLocations, sellMarkets, content: patch.content ?? profile.content, updatedAt: now.toISOString() };
  delete next.localizedContent;
  if (localized.size > 0) next.localizedContent = Object.fromEntries([...localized].sort(([a], [b]) => a.localeCompare(b)));
  return { profile: next, problems };
}

/** Whether a PATCH changes what the profile shows or where (its timestamps aside). */
export function sameProfile(a: BusinessProfile, b: BusinessProfile): boolean {
  const shown = (p: BusinessProfile) => JSON.stringify([p.publishLocations, p.sellMarkets, p.content, p.localizedContent ?? {}]);
  return shown(a) === shown(b);
}

export const locationReasons = ['NoPartnerId', 'HasProfile', 'OutsideCspRegion', 'InactivePartnerId'] as const;

export interface LocationOption {
  country: string;
  locationPartnerId?: string;
  canPublish: boolean;
  canSell: boolean;
  reason?: (typeof locationReasons)[number];
}

/**
 * BP-3, BP-4, BP-7: what the portal greys out for a new profile of `kind`: one entry per country the
 * partner has a partner id in and, for CSP, per country of the company's CSP market. A country can be
 * a publish location only with an active partner id there and no profile of the partner yet; a CSP
 * profile neither publishes nor sells outside the company's CSP market. One reason per entry, the first
 * that applies of OutsideCspRegion, NoPartnerId, InactivePartnerId, HasProfile.
 */
export function locationOptions(partner: Partner, profiles: readonly Pick<BusinessProfile, 'publishLocations'>[], kind: ProfileKind): LocationOption[] {
  const cspCountries = kind === 'CSP' && partner.programs.includes('csp') ? (cspMarketOf(partner.address.country)?.countries ?? []) : [];
  const inMarket = new Set(cspCountries);
  const claimed = new Set(profiles.flatMap((p) => p.publishLocations));
  const countries = [...new Set([...partner.locations.map((l) => l.country), ...cspCountries])].sort();
  return countries.map((country) => {
    const here = partner.locations.filter((l) => l.country === country);
    const location = here.find((l) => l.active) ?? here[0];
    const base = { country, ...(location ? { locationPartnerId: location.partnerId } : {}) };
    if (kind === 'CSP' && !inMarket.has(country)) return { ...base, canPublish: false, canSell: false, reason: 'OutsideCspRegion' };
    if (!location) return { ...base, canPublish: false, canSell: true, reason: 'NoPartnerId' };
    if (!location.active) return { ...base, canPublish: false, canSell: true, reason: 'InactivePartnerId' };
    if (claimed.has(country)) return { ...base, canPublish: false, canSell: true, reason: 'HasProfile' };
    return { ...base, canPublish: true, canSell: true };
  });
}

/** What the partner's admins see of a profile. */
export function partnerProfileView(profile: BusinessProfile, now: Date, closesAt: Date) {
  const { binding, managingPartnerId } = profileBinding(profile, now, closesAt);
  return {
    profileId: profile.profileId,
    managingPartnerId,
    binding,
    kind: profile.kind,
    publishLocations: profile.publishLocations,
    sellMarkets: profile.sellMarkets,
    content: profile.content,
    ...(profile.localizedContent ? { localizedContent: profile.localizedContent } : {}),
    origin: profile.origin,
    ...(profile.migratedAt ? { migratedAt: profile.migratedAt } : {}),
    createdAt: profile.createdAt,
    updatedAt: profile.updatedAt,
  };
}

/**
 * BP-5, BP-7: the published profile shows neither the managing partner id nor the account. Seen from
 * a location, it shows that location's own content, else the profile's content.
 */
export function publishedProfileView(profile: BusinessProfile, location?: string) {
  return {
    profileId: profile.profileId,
    kind: profile.kind,
    publishLocations: profile.publishLocations,
    sellMarkets: profile.sellMarkets,
    content: (location !== undefined ? profile.localizedContent?.[location] : undefined) ?? profile.content,
    ...(location !== undefined ? { location } : {}),
  };
}

export function leadView(lead: Lead) {
  return {
    leadId: lead.leadId,
    profileId: lead.profileId,
    managingPartnerId: lead.managingPartnerId,
    contact: lead.contact,
    message: lead.message,
    ...(lead.tenantCountry ? { tenantCountry: lead.tenantCountry } : {}),
    receivedAt: lead.receivedAt,
  };
}
