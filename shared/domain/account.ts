import * as z from 'zod';
import { addressSchema, contactSchema, cspModels, programIds, type Partner, type PartnerInput, type ProgramId } from './partner.js';
import { directBillStatus } from './csp.js';
import { bankProfileView, bankProfileViewSchema, taxProfileView, taxProfileViewSchema } from './payout-profiles.js';
import type { Role } from './roles.js';
import { tabs, tabStatus, type VerificationDoc } from './verification.js';

/** ACC-5: who may change the legal details; `Manager` and `Owner` only of a partner whose only program is `developer`. */
export const legalEditorRoles: readonly Role[] = ['GlobalAdmin', 'AccountAdmin', 'PartnerAdmin', 'Manager', 'Owner', 'PlatformOperator'];

export function mayEditLegal(roles: ReadonlySet<Role>, programs: readonly ProgramId[]): boolean {
  if ((['GlobalAdmin', 'AccountAdmin', 'PartnerAdmin', 'PlatformOperator'] as const).some((r) => roles.has(r))) return true;
  const developerOnly = programs.length > 0 && programs.every((p) => p === 'developer');
  return developerOnly && (roles.has('Manager') || roles.has('Owner'));
}

/** The roles that see bank and tax profile summaries in the account view. */
const payoutViewerRoles: readonly Role[] = ['GlobalAdmin', 'AccountAdmin', 'IncentiveAdmin'];

/**
 * Body of `PATCH /api/partners/{partnerId}/legal`, a JSON merge patch (RFC 7396) of the legal details:
 * a member present replaces, `null` removes an optional member, an absent one stays. Unknown members,
 * an empty patch and `null` for a required member are refused.
 */
export const legalPatchSchema = z
  .strictObject({
    companyName: z.string().trim().min(1).max(200).optional(),
    address: z
      .strictObject({
        line1: addressSchema.shape.line1.optional(),
        line2: addressSchema.shape.line2.nullable(),
        city: addressSchema.shape.city.optional(),
        state: addressSchema.shape.state.nullable(),
        postalCode: addressSchema.shape.postalCode.optional(),
        country: addressSchema.shape.country.optional(),
      })
      .optional(),
    primaryContact: z
      .strictObject({
        firstName: contactSchema.shape.firstName.optional(),
        lastName: contactSchema.shape.lastName.optional(),
        email: contactSchema.shape.email.optional(),
        phone: contactSchema.shape.phone.nullable(),
      })
      .optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'a patch names at least one of companyName, address, primaryContact');
export type LegalPatch = z.infer<typeof legalPatchSchema>;

function merged<T extends object>(target: T, patch: Record<string, unknown> | undefined): T {
  if (!patch) return target;
  const removed = new Set(Object.keys(patch).filter((key) => patch[key] === null));
  const kept = Object.entries(target).filter(([key]) => !removed.has(key));
  const set = Object.entries(patch).filter(([, value]) => value !== null && value !== undefined);
  return Object.fromEntries([...kept, ...set]) as T;
}

/** The partner's details with the patch applied (RFC 7396 merge of the legal members). */
export function applyLegalPatch(partner: PartnerInput, patch: LegalPatch): PartnerInput {
  return {
    ...partner,
    companyName: patch.companyName ?? partner.companyName,
    address: merged(partner.address, patch.address),
    primaryContact: merged(partner.primaryContact, patch.primaryContact),
  };
}

/**
 * ACC-1, ACC-5: the account as its partner sees it: legal details, partner ids, a verification summary,
 * and for the payout roles the bank and tax profiles with their numbers masked. The one place that
 * shapes `GET /api/partners/{partnerId}` (and the PATCH's answer): a new field is a line here and a
 * line in accountViewSchema.
 */
export function accountView(partner: Partner, verification: VerificationDoc, roles: ReadonlySet<Role>) {
  const payout = payoutViewerRoles.some((r) => roles.has(r));
  return {
    partnerId: partner.partnerId,
    companyName: partner.companyName,
    address: partner.address,
    primaryContact: partner.primaryContact,
    programs: partner.programs,
    cspModel: partner.cspModel,
    locations: partner.locations.map((l) => ({ partnerId: l.partnerId, country: l.country, active: l.active })),
    agreementActive: partner.agreementActive,
    verification: {
      accountSuspended: verification.suspended,
      tabs: [...verification.tabs].sort((a, b) => tabs.indexOf(a.tab) - tabs.indexOf(b.tab)).map((t) => ({ tab: t.tab, status: tabStatus(t) })),
    },
    ...directBillStatus(partner),
    ...(payout ? { bankProfiles: partner.bankProfiles.map(bankProfileView), taxProfiles: partner.taxProfiles.map(taxProfileView) } : {}),
    createdAt: partner.createdAt,
    updatedAt: partner.updatedAt,
  };
}

export const accountViewSchema = z.object({
  partnerId: z.string(),
  companyName: z.string(),
  address: addressSchema,
  primaryContact: contactSchema,
  programs: z.array(z.enum(programIds)),
  cspModel: z.enum(cspModels),
  locations: z.array(z.object({ partnerId: z.string(), country: z.string(), active: z.boolean() })),
  agreementActive: z.boolean(),
  verification: z.object({
    accountSuspended: z.boolean(),
    tabs: z.array(z.object({ tab: z.enum(tabs), status: z.enum(['Pending', 'Accepted', 'Rejected']) })),
  }),
  directBillAbilities: z.enum(['Active', 'Suspended']).optional().describe('DirectBill partners only (CSP-3)'),
  lastAssessedAt: z.string().nullable().optional().describe('DirectBill partners only: the last annual assessment, null when never assessed (CSP-3)'),
  bankProfiles: z.array(bankProfileViewSchema).optional().describe('GlobalAdmin, AccountAdmin and IncentiveAdmin only; account numbers masked'),
  taxProfiles: z.array(taxProfileViewSchema).optional().describe('GlobalAdmin, AccountAdmin and IncentiveAdmin only; tax ids masked'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
