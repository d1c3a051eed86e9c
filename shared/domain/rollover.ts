import { chooseProfiles, newEnrollment, type ActionNeeded, type Enrollment } from './incentives.js';
import type { FailedPage } from './page-runs.js';
import type { Partner } from './partner.js';

/** The operations partition of one rollover run: its run document and one record per page done. */
export const runPartition = (runId: string): string => `rollover:${runId}`;

export interface RolloverRun {
  id: 'run';
  type: 'rolloverRun';
  partnerId: string;
  runId: string;
  fromFiscalYear: number;
  dryRun: boolean;
  trigger: 'timer' | 'operator';
  startedAt: string;
  /** Set when the page without a continuation has been planned: the run has lastPage + 1 pages. */
  lastPage?: number;
  /** Set (once, under ETag) by the worker that saw the run complete and queued the summaries. */
  summaryPlannedAt?: string;
  /** Pages whose message went to the poison queue (retries exhausted), to be resumed by an operator. */
  failedPages?: FailedPage[];
}

/**
 * What a page changed: `renewed`, `actionRequired` and `notEligible` count the renewals this run
 * created, by status; `alreadyRenewed` those that existed already (an earlier run carried them over).
 */
export interface PageCounts {
  scanned: number;
  renewed: number;
  actionRequired: number;
  notEligible: number;
  alreadyRenewed: number;
  failed: number;
}

export interface RolloverPage extends PageCounts {
  id: string;
  type: 'rolloverPage';
  partnerId: string;
  runId: string;
  page: number;
  /** The partners whose enrolments this page renewed (for their summary emails). */
  partnerIds: string[];
  /** Request units the page cost (query page, partner reads, bulk writes), as the SDK reported them. */
  requestCharge: number;
  completedAt: string;
}

export const pageRecordId = (page: number): string => `page:${page}`;

/** What a renewal is decided from: the fields the rollover's page query projects. */
export type RenewalSource = Pick<
  Enrollment,
  'id' | 'partnerId' | 'enrollmentId' | 'programId' | 'locationPartnerId' | 'fiscalYear' | 'status' | 'openProgram' | 'bankProfileId' | 'taxProfileId'
>;

/**
 * INC-5: the next fiscal year's enrolment for one of this year's. Carried as Enrolled, with the same
 * profiles, when the partner stays eligible (location active), has an active agreement and complete
 * payout and tax profiles; ActionRequired when a profile is missing or incomplete (or the enrolment
 * never completed); NotEligible when eligibility or the agreement was lost.
 */
export function renewalOf(source: RenewalSource, partner: Partner | undefined, now: Date): Enrollment {
  const base: Enrollment = {
    ...newEnrollment({ ...source, fiscalYear: source.fiscalYear + 1, status: 'NotEligible' }, now),
    renewedFrom: source.enrollmentId,
  };
  const location = partner?.locations.find((l) => l.partnerId === source.locationPartnerId);
  const unmet: string[] = [];
  if (!partner) unmet.push('partner no longer exists');
  else if (!location?.active) unmet.push('location partner id is not active');
  if (partner && !partner.agreementActive) unmet.push('no active agreement');
  if (['NotEligible', 'Inactive', 'Closed'].includes(source.status)) unmet.push(`not eligible in fiscal year ${source.fiscalYear}`);
  if (!partner || unmet.length > 0) return { ...base, unmetRequirements: unmet };

  const chosen = chooseProfiles(partner, source.locationPartnerId, {
    bankProfileId: partner.bankProfiles.some((b) => b.id === source.bankProfileId && b.locationPartnerId === source.locationPartnerId)
      ? source.bankProfileId
      : undefined,
    taxProfileId: partner.taxProfiles.some((t) => t.id === source.taxProfileId && t.locationPartnerId === source.locationPartnerId)
      ? source.taxProfileId
      : undefined,
  });
  const actionsNeeded: ActionNeeded[] = chosen.ok ? chosen.actionsNeeded : ['AddBankProfile'];
  const profiles = chosen.ok
    ? { ...(chosen.bankProfileId ? { bankProfileId: chosen.bankProfileId } : {}), ...(chosen.taxProfileId ? { taxProfileId: chosen.taxProfileId } : {}) }
    : {};
  if (source.status === 'Enrolled' && actionsNeeded.length === 0) return { ...base, ...profiles, status: 'Enrolled' };
  return { ...base, ...profiles, status: 'ActionRequired', actionsNeeded };
}

/** The counts of a page whose renewals are `renewals`; `existing` holds the ids of those that were there already. */
export function countOf(renewals: readonly Enrollment[], existing: ReadonlySet<string>, failed: number): PageCounts {
  const counts: PageCounts = { scanned: renewals.length, renewed: 0, actionRequired: 0, notEligible: 0, alreadyRenewed: 0, failed };
  for (const r of renewals) {
    if (existing.has(r.id)) counts.alreadyRenewed++;
    else if (r.status === 'Enrolled') counts.renewed++;
    else if (r.status === 'ActionRequired') counts.actionRequired++;
    else if (r.status === 'NotEligible') counts.notEligible++;
  }
  return counts;
}
