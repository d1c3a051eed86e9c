import * as z from 'zod';
import { countryCode } from './countries.js';
import type { BankProfile, TaxProfile } from './payout-profiles.js';

/** ACC-2: the programs a partner can be enrolled in. */
export const programIds = ['ai-cloud-partner', 'csp', 'developer'] as const;
export type ProgramId = (typeof programIds)[number];

/** ACC-4: the CSP model of a partner. */
export const cspModels = ['DirectBill', 'IndirectProvider', 'IndirectReseller', 'None'] as const;

/** Partner and location ids: what Partner Center issues (digits), kept permissive but bounded. */
/**
 * Any id a client or an upstream system names that becomes a database id or partition key: not blank,
 * at most 255 characters, none of the characters Cosmos DB refuses in ids (/ \ # ?) and no control
 * characters. Every route parameter and message field that names a stored resource uses it (or a
 * stricter schema), so no client text reaches the database unchecked.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const resourceIdPattern = /^(?!\s*$)[^/\\#?\u0000-\u001f\u007f]{1,255}$/;
export const resourceIdSchema = z.string().regex(resourceIdPattern, 'an id: 1 to 255 characters, none of / \\ # ? or control characters, not blank');

export const partnerIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'letters, digits, - or _, at most 64');

export const personName = z.string().trim().min(1).max(100);
export const emailAddress = z.email({ error: 'must be an email address' }).max(254);
/** Digits, spaces and + ( ) - . only: no letters. */
export const phoneNumber = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{2,24}$/, 'must be a phone number: digits, spaces, + ( ) - .');
/** A calendar date `YYYY-MM-DD` that exists (no 31 February). */
export const isoDate = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

export const contactSchema = z.object({
  firstName: personName,
  lastName: personName,
  email: emailAddress,
  phone: phoneNumber.optional(),
});

export const addressSchema = z.object({
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  state: z.string().trim().max(100).optional(),
  postalCode: z.string().trim().min(1).max(20),
  country: countryCode,
});

const uniqueBy =
  <T>(key: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} ${k}` });
      seen.add(k);
    });
  };

export const partnerInputSchema = z
  .object({
    companyName: z.string().trim().min(1).max(200),
    address: addressSchema,
    primaryContact: contactSchema,
    programs: z.array(z.enum(programIds)).superRefine(uniqueBy((p) => p, 'program')),
    cspModel: z.enum(cspModels).default('None'),
    locations: z
      .array(z.object({ partnerId: partnerIdSchema, country: countryCode, active: z.boolean() }))
      .max(300)
      .superRefine(uniqueBy((l) => l.partnerId, 'location partner id')),
    agreementActive: z.boolean().default(false),
    bankProfiles: z
      .array(z.object({ id: z.string().min(1).max(64), locationPartnerId: partnerIdSchema, default: z.boolean(), complete: z.boolean() }))
      .max(100)
      .default([])
      .superRefine(uniqueBy((b) => b.id, 'bank profile')),
    taxProfiles: z
      .array(z.object({ id: z.string().min(1).max(64), locationPartnerId: partnerIdSchema, complete: z.boolean() }))
      .max(100)
      .default([])
      .superRefine(uniqueBy((t) => t.id, 'tax profile')),
    csp: z
      .object({
        indirectResellerSince: isoDate.optional(),
        trailing12MonthRevenueUsd: z.number().min(0),
        supportPlan: z.enum(['None', 'Advanced', 'Premier']),
        managedServices: z.number().int().min(0),
        authorityToSign: z.boolean(),
        firstLineSupport: z.boolean(),
        infrastructure: z.boolean(),
        capabilityAssessmentPassed: z.boolean(),
        creditCheck: z.enum(['NotStarted', 'Pending', 'Passed', 'Failed']),
      })
      .optional(),
  })
  .superRefine((partner, ctx) => {
    const locations = new Set(partner.locations.map((l) => l.partnerId));
    partner.bankProfiles.forEach((b, i) => {
      if (!locations.has(b.locationPartnerId))
        ctx.addIssue({ code: 'custom', path: ['bankProfiles', i, 'locationPartnerId'], message: 'not one of the partner\u2019s locations' });
    });
    partner.taxProfiles.forEach((t, i) => {
      if (!locations.has(t.locationPartnerId))
        ctx.addIssue({ code: 'custom', path: ['taxProfiles', i, 'locationPartnerId'], message: 'not one of the partner\u2019s locations' });
    });
  });
export type PartnerInput = z.infer<typeof partnerInputSchema>;

/**
 * CSP-2, CSP-3: what the suite itself records about a partner's direct billing (never sent by
 * upstream, so an upstream PUT keeps it): the support plan bought, since when it bills directly, its
 * last annual assessment and whether its direct-bill abilities are suspended.
 */
interface DirectBillAccount {
  supportPlan?: { plan: 'Advanced' | 'Premier'; purchasedAt: string; purchasedBy: string };
  /** When it became DirectBill by an upstream PUT after its creation (the assessment clock's start). */
  since?: string;
  approvedAt?: string;
  lastAssessedAt?: string;
  abilities?: 'Active' | 'Suspended';
  suspendedAt?: string;
  /** The unmet requirements or the overdue assessment that suspended it. */
  suspendedFor?: string[];
}

/** The stored partner account (partition `partnerId`, id `partner`). */
export interface Partner extends PartnerInput {
  /** The upstream PUT's profiles and the partner's own (ACC-5, INC-4). */
  bankProfiles: BankProfile[];
  taxProfiles: TaxProfile[];
  id: 'partner';
  type: 'partner';
  partnerId: string;
  createdAt: string;
  updatedAt: string;
  directBill?: DirectBillAccount;
}

export const partnerDocumentId = 'partner';

/** VER-2: what changed in the legal details (company name, address, primary contact). */
export function legalChanges(before: PartnerInput | undefined, after: PartnerInput): { company: boolean; contact: boolean; contactEmail: boolean } {
  if (!before) return { company: true, contact: true, contactEmail: true };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    company: before.companyName !== after.companyName || !same(before.address, after.address),
    contact: !same(before.primaryContact, after.primaryContact),
    contactEmail: before.primaryContact.email.toLowerCase() !== after.primaryContact.email.toLowerCase(),
  };
}
