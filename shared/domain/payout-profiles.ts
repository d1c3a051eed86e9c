import * as z from 'zod';
import { countryCode } from './countries.js';
import currencyList from './data/iso-4217-currencies.json' with { type: 'json' };

/**
 * INC-4: ISO 4217 currency codes a bank account can hold (data/iso-4217-currencies.json names its
 * source). `XXX` (no currency), `XTS` (testing), metals, bond-market units and funds codes are not in
 * it: a bank profile naming one is refused (400), not stored as incomplete, because it is a typo or a
 * test value rather than missing information.
 */
const currencies = new Set(currencyList.currencies);
export const isCurrency = (code: string): boolean => currencies.has(code);

/** Who wrote a profile: the upstream partner PUT (its `complete` is as stated) or the partner itself. */
type ProfileSource = 'upstream' | 'partner';

/** A stored bank profile: what the upstream PUT states, plus what the partner wrote itself. */
export interface BankProfile {
  id: string;
  locationPartnerId: string;
  default: boolean;
  complete: boolean;
  accountHolderName?: string;
  /** Stored as given; never answered whole, never logged (see maskedTail). */
  accountNumber?: string;
  bankCountry?: string;
  currency?: string;
  /** Absent: sent by the upstream PUT. */
  source?: ProfileSource;
  updatedAt?: string;
}

export interface TaxProfile {
  id: string;
  locationPartnerId: string;
  complete: boolean;
  taxCountry?: string;
  /** Stored as given; answered masked. */
  taxId?: string;
  source?: ProfileSource;
  updatedAt?: string;
}

export const profileIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, - _ or ., at most 64');
const locationIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - or _, at most 64');

/** Body of `PUT /api/partners/{partnerId}/bank-profiles/{profileId}`; `complete` is computed, never sent. */
export const bankProfileInputSchema = z.strictObject({
  locationPartnerId: locationIdSchema,
  default: z.boolean().optional(),
  accountHolderName: z.string().trim().min(1).max(200).optional(),
  accountNumber: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 -]{3,40}$/, 'an account number or IBAN: 4 to 41 letters, digits, spaces or -')
    .optional(),
  bankCountry: countryCode.optional(),
  currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code (XXX, XTS, metals and funds codes are not currencies)').optional(),
});
export type BankProfileInput = z.infer<typeof bankProfileInputSchema>;

/** Body of `PUT /api/partners/{partnerId}/tax-profiles/{profileId}`. */
export const taxProfileInputSchema = z.strictObject({
  locationPartnerId: locationIdSchema,
  taxCountry: countryCode.optional(),
  taxId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ./-]{1,49}$/, 'a tax id: 2 to 50 letters, digits, spaces or . / -')
    .optional(),
});
export type TaxProfileInput = z.infer<typeof taxProfileInputSchema>;

/** INC-4: a bank profile is complete with holder, account number, bank country and an ISO 4217 currency. */
export function bankProfileComplete(p: Pick<BankProfile, 'accountHolderName' | 'accountNumber' | 'bankCountry' | 'currency'>): boolean {
  return Boolean(p.accountHolderName && p.accountNumber && p.bankCountry && p.currency && isCurrency(p.currency));
}

/** INC-4: a tax profile is complete with country and tax id. */
export function taxProfileComplete(p: Pick<TaxProfile, 'taxCountry' | 'taxId'>): boolean {
  return Boolean(p.taxCountry && p.taxId);
}

/**
 * The last characters of a secret, the rest hidden: at most four, and never more than half of it, so
 * a short number is not shown whole either.
 */
export function maskedTail(secret: string): string {
  const compact = secret.replace(/[\s-]/g, '');
  const shown = Math.min(4, Math.floor(compact.length / 2));
  return `${'*'.repeat(Math.max(4, compact.length - shown))}${compact.slice(compact.length - shown)}`;
}

/**
 * Writes a bank profile of the partner (ACC-5, INC-4): `complete` computed; a new default clears the
 * location's other default in the same document, so one write leaves exactly one default.
 */
export function withBankProfile(
  profiles: readonly BankProfile[],
  profileId: string,
  input: BankProfileInput,
  now: Date,
): { profiles: BankProfile[]; profile: BankProfile; created: boolean } {
  const profile: BankProfile = {
    id: profileId,
    locationPartnerId: input.locationPartnerId,
    default: input.default ?? false,
    complete: bankProfileComplete(input),
    ...(input.accountHolderName ? { accountHolderName: input.accountHolderName } : {}),
    ...(input.accountNumber ? { accountNumber: input.accountNumber } : {}),
    ...(input.bankCountry ? { bankCountry: input.bankCountry } : {}),
    ...(input.currency ? { currency: input.currency } : {}),
    source: 'partner',
    updatedAt: now.toISOString(),
  };
  const created = !profiles.some((p) => p.id === profileId);
  const others = profiles
    .filter((p) => p.id !== profileId)
    .map((p) => (profile.default && p.default && p.locationPartnerId === profile.locationPartnerId ? { ...p, default: false } : p));
  return { profiles: [...others, profile], profile, created };
}

export function withTaxProfile(
  profiles: readonly TaxProfile[],
  profileId: string,
  input: TaxProfileInput,
  now: Date,
): { profiles: TaxProfile[]; profile: TaxProfile; created: boolean } {
  const profile: TaxProfile = {
    id: profileId,
    locationPartnerId: input.locationPartnerId,
    complete: taxProfileComplete(input),
    ...(input.taxCountry ? { taxCountry: input.taxCountry } : {}),
    ...(input.taxId ? { taxId: input.taxId } : {}),
    source: 'partner',
    updatedAt: now.toISOString(),
  };
  const created = !profiles.some((p) => p.id === profileId);
  return { profiles: [...profiles.filter((p) => p.id !== profileId), profile], profile, created };
}

/**
 * What the upstream PUT makes of the profiles: its own as stated (their `complete` as given), and the
 * partner's own profiles it does not list, kept for the locations that remain. Where the upstream list
 * names a default for a location, a kept profile of that location is no longer the default.
 */
export function mergeUpstreamProfiles(
  stored: { bankProfiles: readonly BankProfile[]; taxProfiles: readonly TaxProfile[] } | undefined,
  input: {
    locations: readonly { partnerId: string }[];
    bankProfiles: readonly Omit<BankProfile, 'source'>[];
    taxProfiles: readonly Omit<TaxProfile, 'source'>[];
  },
): { bankProfiles: BankProfile[]; taxProfiles: TaxProfile[] } {
  const locations = new Set(input.locations.map((l) => l.partnerId));
  const keptOf = <P extends { id: string; locationPartnerId: string; source?: ProfileSource }>(mine: readonly P[], listed: readonly { id: string }[]) => {
    const ids = new Set(listed.map((p) => p.id));
    return mine.filter((p) => p.source === 'partner' && !ids.has(p.id) && locations.has(p.locationPartnerId));
  };
  const upstreamDefaults = new Set(input.bankProfiles.filter((b) => b.default).map((b) => b.locationPartnerId));
  const keptBanks = keptOf(stored?.bankProfiles ?? [], input.bankProfiles).map((p) =>
    p.default && upstreamDefaults.has(p.locationPartnerId) ? { ...p, default: false } : p,
  );
  return {
    bankProfiles: [...input.bankProfiles, ...keptBanks],
    taxProfiles: [...input.taxProfiles, ...keptOf(stored?.taxProfiles ?? [], input.taxProfiles)],
  };
}

/** A bank profile as answered: the account number masked. */
export function bankProfileView(p: BankProfile) {
  return {
    id: p.id,
    locationPartnerId: p.locationPartnerId,
    default: p.default,
    complete: p.complete,
    ...(p.accountHolderName ? { accountHolderName: p.accountHolderName } : {}),
    ...(p.accountNumber ? { maskedAccountNumber: maskedTail(p.accountNumber) } : {}),
    ...(p.bankCountry ? { bankCountry: p.bankCountry } : {}),
    ...(p.currency ? { currency: p.currency } : {}),
  };
}

/** A tax profile as answered: the tax id masked. */
export function taxProfileView(p: TaxProfile) {
  return {
    id: p.id,
    locationPartnerId: p.locationPartnerId,
    complete: p.complete,
    ...(p.taxCountry ? { taxCountry: p.taxCountry } : {}),
    ...(p.taxId ? { maskedTaxId: maskedTail(p.taxId) } : {}),
  };
}

export const bankProfileViewSchema = z.object({
  id: z.string(),
  locationPartnerId: z.string(),
  default: z.boolean(),
  complete: z.boolean(),
  accountHolderName: z.string().optional(),
  maskedAccountNumber: z.string().optional(),
  bankCountry: z.string().optional(),
  currency: z.string().optional(),
});

export const taxProfileViewSchema = z.object({
  id: z.string(),
  locationPartnerId: z.string(),
  complete: z.boolean(),
  taxCountry: z.string().optional(),
  maskedTaxId: z.string().optional(),
});
