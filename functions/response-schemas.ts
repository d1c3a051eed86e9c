// What the HTTP functions answer, as zod schemas: each 2xx response of a declaration names one, so the
// OpenAPI document describes what comes back (objects are closed: `additionalProperties: false`), and
// the test harness validates every response against the document.
import * as z from 'zod';
import { acceptedBySchema, agreementOptions, customerInputSchema } from '../shared/domain/agreements.js';
import { leadInputSchema, profileContentSchema, profileKinds } from '../shared/domain/business-profiles.js';
import { countryCode } from '../shared/domain/countries.js';
import { partnerInputSchema } from '../shared/domain/partner.js';
import { bankProfileViewSchema, taxProfileViewSchema } from '../shared/domain/payout-profiles.js';
import { roleSchema } from '../shared/domain/roles.js';
import { checkTypes, documentTypes, tabs } from '../shared/domain/verification.js';

const timestamp = z.iso.datetime({ offset: true });

/** PUT /partners/{partnerId}: the stored account as the client sees it. */
export const partnerSchema = z.object({
  ...partnerInputSchema.shape,
  bankProfiles: z.array(bankProfileViewSchema),
  taxProfiles: z.array(taxProfileViewSchema),
  partnerId: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const customerSchema = z.object({
  ...customerInputSchema.shape,
  partnerId: z.string(),
  customerId: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
  /** ATT-7: present for DirectAcceptance, the email the customer receives. */
  invitationEmail: z.object({ subject: z.string(), body: z.string() }).optional(),
  /** ATT-8: present when the PUT carried an attestation, the agreement recorded with the customer. */
  agreement: z.lazy(() => agreementSchema).optional(),
});

export const agreementSchema = z.object({
  agreementId: z.string(),
  customerId: z.string(),
  type: z.literal('MicrosoftCustomerAgreement'),
  templateId: z.string(),
  kind: z.enum(agreementOptions),
  primaryContact: acceptedBySchema,
  dateAgreed: z.iso.date(),
  occurredAt: timestamp,
  userId: z.string().optional(),
});

export const orderSchema = z.object({
  orderId: z.uuid(),
  customerId: z.string(),
  status: z.literal('Created'),
  createdAt: timestamp,
  offerId: z.string(),
  quantity: z.number().int(),
  kind: z.enum(['New', 'Renewal']),
});

/** What the partner's admins see of a business profile (BP-1, BP-2). */
export const businessProfileSchema = z.object({
  profileId: z.string(),
  managingPartnerId: z.string(),
  binding: z.enum(['Location', 'LegacyMigratable', 'PGA']),
  kind: z.enum(profileKinds),
  publishLocations: z.array(countryCode),
  sellMarkets: z.array(countryCode),
  content: profileContentSchema,
  origin: z.enum(['PartnerId', 'Legacy']),
  migratedAt: timestamp.optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

/** BP-5: the published profile, without the managing partner id or the account. */
export const publishedProfileSchema = z.object({
  profileId: z.string(),
  kind: z.enum(profileKinds),
  publishLocations: z.array(countryCode),
  sellMarkets: z.array(countryCode),
  content: profileContentSchema,
  /** BP-7: the location asked for (`?location=`), whose own content is shown when it has some. */
  location: countryCode.optional(),
});

export const leadReceiptSchema = z.object({ leadId: z.uuid(), receivedAt: timestamp });

export const leadSchema = z.object({
  leadId: z.string(),
  profileId: z.string(),
  managingPartnerId: z.string(),
  contact: leadInputSchema.shape.contact,
  message: z.string(),
  tenantCountry: countryCode.optional(),
  receivedAt: timestamp,
});

export const supportPlanPurchaseSchema = z.object({ plan: z.enum(['Advanced', 'Premier']), purchasedAt: timestamp });

export const userSchema = z.object({
  partnerId: z.string(),
  userId: z.string(),
  email: z.string(),
  displayName: z.string().optional(),
  roles: z.array(roleSchema),
  locationPartnerIds: z.array(z.string()),
  updatedAt: timestamp,
});

/** INC-3: an enrolment as the viewer may see it. */
export const enrollmentSchema = z.object({
  enrollmentId: z.string(),
  programId: z.string(),
  locationPartnerId: z.string(),
  fiscalYear: z.number().int(),
  status: z.enum(['Invited', 'ActionRequired', 'ValidatingEnrollment', 'Enrolled', 'NotEligible', 'Inactive', 'Closed', 'Enrolling']),
  actionsNeeded: z.array(z.enum(['AddBankProfile', 'CompleteBankProfile', 'AddTaxProfile', 'CompleteTaxProfile', 'ResolveValidationIssue'])),
  unmetRequirements: z.array(z.string()).optional(),
  bankProfileId: z.string().optional(),
  taxProfileId: z.string().optional(),
  renewedFrom: z.string().optional(),
  validationOverdue: z.boolean().describe('ValidatingEnrollment for more than 48 hours (INC-3)'),
});

/** INC-4: a profile on offer, only what enrolling needs to know. */
export const enrollOptionsSchema = z.object({
  bankProfiles: z.array(z.object({ id: z.string(), locationPartnerId: z.string(), default: z.boolean(), complete: z.boolean() })),
  taxProfiles: z.array(z.object({ id: z.string(), locationPartnerId: z.string(), complete: z.boolean() })),
  preselectedBankProfileId: z.string().optional(),
});

/** The pages of a run that failed every delivery and wait for a resume (shared/domain/page-runs.ts). */
const failedPagesSchema = z.array(z.object({ page: z.number().int(), failedAt: timestamp })).optional();

/** POST /operations/.../{runId}/resume: the failed pages queued again. */
export const resumedRunSchema = z.object({ runId: z.string(), requeued: z.array(z.number().int()) });

export const rolloverStatusSchema = z.object({
  runId: z.string(),
  fromFiscalYear: z.number().int(),
  status: z.enum(['Running', 'Completed', 'Failed']),
  dryRun: z.boolean(),
  scanned: z.number().int(),
  renewed: z.number().int(),
  actionRequired: z.number().int(),
  notEligible: z.number().int(),
  alreadyRenewed: z.number().int(),
  failed: z.number().int(),
  pages: z.number().int(),
  requestUnits: z.number(),
  requestUnitsPerRenewal: z.number(),
  failedPages: failedPagesSchema,
  startedAt: timestamp,
});

export const assessmentStatusSchema = z.object({
  runId: z.string(),
  status: z.enum(['Running', 'Completed', 'Failed']),
  pages: z.number().int(),
  scanned: z.number().int(),
  suspended: z.number().int(),
  requestUnits: z.number(),
  failedPages: failedPagesSchema,
  startedAt: timestamp,
});

/** A verification document's metadata (VER-6), without where the blob lives. */
export const documentSchema = z.object({
  documentId: z.string(),
  check: z.enum(checkTypes),
  documentType: z.enum(documentTypes),
  tabs: z.array(z.enum(tabs)),
  comment: z.string().optional(),
  sha256: z.string(),
  size: z.number().int(),
  contentType: z.string(),
  originalName: z.string(),
  uploadedAt: timestamp,
  uploadedBy: z.string(),
});
