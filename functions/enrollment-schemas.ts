import * as z from 'zod';

/** What the incentive routes answer for one enrolment (INC-3): the OpenAPI description of the view. */
export const enrollmentViewSchema = z.object({
  enrollmentId: z.string(),
  programId: z.string(),
  locationPartnerId: z.string(),
  fiscalYear: z.number().int(),
  status: z.enum(['Invited', 'ActionRequired', 'ValidatingEnrollment', 'Enrolled', 'NotEligible', 'Inactive', 'Closed', 'Enrolling']),
  actionsNeeded: z.array(z.string()),
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
