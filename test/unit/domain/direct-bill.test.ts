import { describe, expect, it } from 'vitest';
import { assessDirectBill, carriedDirectBill, directBillRequirements, directBillStatus } from '../../../shared/domain/csp.js';
import {
  applicationView,
  applyDirectBillEvent,
  assessmentPageId,
  assessmentPartition,
  assessmentRunId,
  buyPlan,
  emptyDirectBillRecord,
  submitApplication,
  suspendDirectBill,
  type DirectBillEvent,
  type DirectBillRecord,
} from '../../../shared/domain/direct-bill.js';
import { DomainError } from '../../../shared/domain/errors.js';
import type { Partner } from '../../../shared/domain/partner.js';
import { cspFixture, partnerFixture } from './fixtures.js';

const now = new Date('2025-03-01T10:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();

function submitted(overrides: Partial<Partner> = {}) {
  const partner = partnerFixture({ csp: cspFixture({ supportPlan: 'None' }), ...overrides });
  return submitApplication(partner, emptyDirectBillRecord(partner.partnerId), { applicationId: 'A1', submittedBy: 'u1', now });
}

const event = (e: Partial<DirectBillEvent> & Pick<DirectBillEvent, 'event'>): DirectBillEvent => ({
  eventId: `${e.event}-${e.occurredAt ?? at(1)}`,
  partnerId: 'P1',
  applicationId: 'A1',
  occurredAt: at(1),
  ...e,
});

function applyAll(partner: Partner, record: DirectBillRecord, events: DirectBillEvent[]) {
  const outcomes = [];
  for (const e of events) {
    const result = applyDirectBillEvent(partner, record, e);
    outcomes.push(result);
    partner = result.partner ?? partner;
    record = result.record ?? record;
  }
  return { partner, record, outcomes };
}

function conflictCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
}

describe('the direct-bill application (CSP-4)', () => {
  it('CSP-4: every requirement but the support plan met: submitted, and the credit check starts (CSP-2)', () => {
    const { partner, record, application } = submitted();
    expect(application).toMatchObject({ applicationId: 'A1', status: 'Submitted', submittedAt: now.toISOString() });
    expect(partner.csp?.creditCheck).toBe('Pending');
    expect(record.applications).toHaveLength(1);
  });

  it('CSP-4: an unmet requirement refuses the application with every unmet id and its detail', () => {
    const partner = partnerFixture({ csp: cspFixture({ trailing12MonthRevenueUsd: 299_999, capabilityAssessmentPassed: false }) });
    try {
      submitApplication(partner, emptyDirectBillRecord('P1'), { applicationId: 'A1', submittedBy: 'u1', now });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe('DirectBillRequirementsNotMet');
      expect(e.message).toBe('Requirements not met: TrailingRevenue, CapabilityAssessment.');
      expect(e.errors).toEqual([
        { path: 'TrailingRevenue', message: 'trailing 12-month revenue USD 299,999 is below USD 300,000' },
        { path: 'CapabilityAssessment', message: 'third-party capability assessment not passed' },
      ]);
    }
  });

  it('CSP-4: a second application while one is open is a conflict; after a decision a new one may start', () => {
    const first = submitted();
    expect(conflictCode(() => submitApplication(first.partner, first.record, { applicationId: 'A2', submittedBy: 'u1', now }))).toBe(
      'DirectBillApplicationOpen',
    );
    const failed = applyDirectBillEvent(first.partner, first.record, event({ event: 'CreditCheckFailed', reason: 'credit limit' }));
    const again = submitApplication(failed.partner ?? first.partner, failed.record ?? first.record, { applicationId: 'A2', submittedBy: 'u1', now });
    expect(again.record.applications.map((a) => a.applicationId)).toEqual(['A1', 'A2']);
  });

  it('CSP-4: the refusals say why: the open application and its status, or the partner already direct bill', () => {
    const first = submitted();
    expect(() => submitApplication(first.partner, first.record, { applicationId: 'A2', submittedBy: 'u1', now })).toThrow(
      'Application A1 is still being decided (Submitted).',
    );
    const partner = partnerFixture({ cspModel: 'DirectBill', csp: cspFixture({ supportPlan: 'None' }) });
    expect(() => submitApplication(partner, emptyDirectBillRecord('P1'), { applicationId: 'A1', submittedBy: 'u1', now })).toThrow(
      'The partner is a direct-bill partner already.',
    );
    expect(emptyDirectBillRecord('P1')).toEqual({ id: 'direct-bill', type: 'directBill', partnerId: 'P1', applications: [], events: [] });
    expect(applicationView(first.application)).toEqual({
      applicationId: 'A1',
      status: 'Submitted',
      submittedAt: now.toISOString(),
      history: [{ status: 'Submitted', at: now.toISOString() }],
    });
  });

  it('CSP-4: a DirectBill partner does not apply again', () => {
    const partner = partnerFixture({ cspModel: 'DirectBill', csp: cspFixture({ supportPlan: 'None' }) });
    expect(conflictCode(() => submitApplication(partner, emptyDirectBillRecord('P1'), { applicationId: 'A1', submittedBy: 'u1', now }))).toBe(
      'AlreadyDirectBill',
    );
  });
});

describe('the decisions state machine (CSP-2, CSP-4)', () => {
  it('CSP-2: CreditCheckPassed moves the application and the credit check, and owes one CreditCheckPassed email', () => {
    const { partner, record } = submitted();
    const result = applyDirectBillEvent(partner, record, event({ event: 'CreditCheckPassed' }));
    expect(result.outcome).toBe('Applied');
    expect(result.partner?.csp?.creditCheck).toBe('Passed');
    expect(result.record?.applications[0]?.status).toBe('CreditCheckPassed');
    expect(result.emails.map((e) => e.message.type)).toEqual(['CreditCheckPassed']);
  });

  it('CSP-2: a pass already recorded by upstream is not emailed twice', () => {
    const { partner, record } = submitted();
    const passed = { ...partner, csp: { ...cspFixture(), creditCheck: 'Passed' as const } };
    expect(applyDirectBillEvent(passed, record, event({ event: 'CreditCheckPassed' })).emails).toEqual([]);
  });

  it('CSP-2: CreditCheckFailed closes the application and emails the decision with its reason', () => {
    const { partner, record } = submitted();
    const result = applyDirectBillEvent(partner, record, event({ event: 'CreditCheckFailed', reason: 'insufficient credit history' }));
    expect(result.partner?.csp?.creditCheck).toBe('Failed');
    expect(result.record?.applications[0]?.history.at(-1)).toEqual({ status: 'CreditCheckFailed', at: at(1), reason: 'insufficient credit history' });
    expect(result.emails[0]?.message.type).toBe('DirectBillDecision');
    expect(result.emails[0]?.message.plainText).toContain('Reason: insufficient credit history');
  });

  it('CSP-4: Approved after the credit check and a plan bought makes the partner DirectBill and emails the decision', () => {
    const { partner, record } = submitted();
    const passed = applyAll(partner, record, [event({ event: 'CreditCheckPassed' })]);
    const withPlan = buyPlan(passed.partner, 'Premier', 'u1', new Date(at(2))).partner;
    const result = applyDirectBillEvent(withPlan, passed.record, event({ event: 'Approved', occurredAt: at(3) }));
    expect(result.outcome).toBe('Applied');
    expect(result.partner?.cspModel).toBe('DirectBill');
    expect(result.partner?.directBill).toMatchObject({ abilities: 'Active', approvedAt: at(3) });
    expect(result.emails.map((e) => e.message.type)).toEqual(['DirectBillDecision']);
    expect(result.record?.applications[0]?.history.map((h) => h.status)).toEqual(['Submitted', 'CreditCheckPassed', 'Approved']);
    expect(directBillStatus(result.partner ?? withPlan)).toEqual({ directBillAbilities: 'Active', lastAssessedAt: null });
  });

  it('CSP-4: Approved before CreditCheckPassed is recorded as ignored and changes nothing else', () => {
    const { partner, record } = submitted();
    const result = applyDirectBillEvent(partner, record, event({ event: 'Approved' }));
    expect(result.outcome).toBe('Ignored');
    expect(result.partner).toBe(partner);
    expect(result.record?.applications).toEqual(record.applications);
    expect(result.record?.events.at(-1)).toMatchObject({ outcome: 'Ignored', note: 'Approved is not allowed after Submitted' });
    expect(result.emails).toEqual([]);
  });

  it('CSP-2: Approved after the credit check but before a plan was bought is ignored', () => {
    const { partner, record } = submitted();
    const passed = applyAll(partner, record, [event({ event: 'CreditCheckPassed' })]);
    const result = applyDirectBillEvent(passed.partner, passed.record, event({ event: 'Approved', occurredAt: at(2) }));
    expect(result.outcome).toBe('Ignored');
    expect(result.partner?.cspModel).toBe('IndirectReseller');
  });

  it('CSP-4: Rejected after the credit check emails the decision with its reason and closes the application', () => {
    const { partner, record } = submitted();
    const done = applyAll(partner, record, [event({ event: 'CreditCheckPassed' }), event({ event: 'Rejected', occurredAt: at(2), reason: 'incomplete' })]);
    expect(done.outcomes.map((o) => o.outcome)).toEqual(['Applied', 'Applied']);
    expect(done.record.applications[0]?.status).toBe('Rejected');
    expect(done.outcomes[1]?.emails[0]?.message.plainText).toContain('Reason: incomplete');
    expect(done.partner.cspModel).toBe('IndirectReseller');
  });

  it('CSP-4: an older event after a newer one is ignored (in order by occurredAt)', () => {
    const { partner, record } = submitted();
    const done = applyAll(partner, record, [
      event({ event: 'CreditCheckPassed', occurredAt: at(5) }),
      // Allowed after CreditCheckPassed, but it occurred before it.
      event({ event: 'Rejected', occurredAt: at(4) }),
    ]);
    expect(done.outcomes.map((o) => o.outcome)).toEqual(['Applied', 'Ignored']);
    expect(done.outcomes[1]?.note).toBe(`older than the application's last event (${at(5)})`);
    expect(done.record.applications[0]?.status).toBe('CreditCheckPassed');
    expect(done.outcomes[1]?.emails).toEqual([]);
    // An event from before the submission is older too.
    expect(applyDirectBillEvent(partner, record, event({ event: 'CreditCheckPassed', occurredAt: at(-1) })).outcome).toBe('Ignored');
  });

  it('CSP-4: a repeated event id changes nothing at all and owes nothing', () => {
    const { partner, record } = submitted();
    const e = event({ event: 'CreditCheckPassed' });
    const done = applyAll(partner, record, [e, e]);
    expect(done.outcomes.map((o) => o.outcome)).toEqual(['Applied', 'Repeated']);
    expect(done.outcomes[1]?.partner).toBeUndefined();
    expect(done.outcomes[1]?.emails).toEqual([]);
  });

  it('CSP-4: an event for an application the partner never made is an unprocessable message', () => {
    const { partner, record } = submitted();
    try {
      applyDirectBillEvent(partner, record, event({ event: 'CreditCheckPassed', applicationId: 'nope' }));
      expect.unreachable();
    } catch (error) {
      expect((error as DomainError).kind).toBe('UnprocessableMessage');
    }
  });

  it('CSP-4: the event log keeps the last 50 events', () => {
    const { partner, record } = submitted();
    const events = Array.from({ length: 60 }, (_, i) => event({ event: 'Approved', eventId: `e${i}`, occurredAt: at(i + 1) }));
    expect(applyAll(partner, record, events).record.events).toHaveLength(50);
  });
});

describe('the support plan (CSP-2)', () => {
  it('CSP-2: not before the credit check passed; once bought it counts for CSP-1 and is kept on the next purchase', () => {
    const partner = partnerFixture({ csp: cspFixture({ supportPlan: 'None', creditCheck: 'Pending' }) });
    expect(conflictCode(() => buyPlan(partner, 'Advanced', 'u1', now))).toBe('CreditCheckNotPassed');
    const passed = { ...partner, csp: cspFixture({ supportPlan: 'None', creditCheck: 'Passed' }) };
    const first = buyPlan(passed, 'Advanced', 'u1', now);
    expect(first.bought).toBe(true);
    expect(directBillRequirements(first.partner, now).find((r) => r.id === 'SupportPlan')).toEqual({
      id: 'SupportPlan',
      met: true,
      detail: 'Advanced support plan',
    });
    // Upstream reporting no plan does not undo the purchase.
    const upstream = { ...first.partner, csp: cspFixture({ supportPlan: 'None', creditCheck: 'Passed' }) };
    expect(directBillRequirements(upstream, now).find((r) => r.id === 'SupportPlan')?.met).toBe(true);
    const second = buyPlan(first.partner, 'Premier', 'u2', now);
    expect(second.bought).toBe(false);
    expect(second.partner.directBill?.supportPlan?.plan).toBe('Advanced');
  });
});

describe('the annual assessment (CSP-3)', () => {
  const directBill = (overrides: Partial<Partner> = {}) =>
    partnerFixture({
      cspModel: 'DirectBill',
      createdAt: '2024-06-01T00:00:00Z',
      directBill: { abilities: 'Active', approvedAt: '2024-06-01T00:00:00Z' },
      ...overrides,
    });

  it('CSP-3: a partner meeting CSP-1 and confirmed within 12 months keeps its abilities', () => {
    expect(assessDirectBill(directBill(), now)).toEqual({ suspend: false });
  });

  it('CSP-3: revenue below USD 300,000 suspends, naming the requirement', () => {
    const result = assessDirectBill(directBill({ csp: cspFixture({ trailing12MonthRevenueUsd: 299_000 }) }), now);
    expect(result).toEqual({ suspend: true, reasons: ['TrailingRevenue: trailing 12-month revenue USD 299,000 is below USD 300,000'] });
  });

  it('CSP-3: more than 12 months since the last assessment (or approval, or creation as DirectBill) suspends; exactly 12 does not', () => {
    const assessed = (lastAssessedAt: string) => directBill({ directBill: { abilities: 'Active', approvedAt: '2023-01-01T00:00:00Z', lastAssessedAt } });
    expect(assessDirectBill(assessed('2024-03-01T08:00:00Z'), now).suspend).toBe(false);
    expect(assessDirectBill(assessed('2024-02-29T08:00:00Z'), now).suspend).toBe(true);
    expect(assessDirectBill(directBill({ directBill: { approvedAt: '2024-02-28T00:00:00Z' } }), now).suspend).toBe(true);
    expect(assessDirectBill(directBill({ directBill: undefined, createdAt: '2024-02-01T00:00:00Z' }), now).suspend).toBe(true);
    expect(assessDirectBill(directBill({ directBill: undefined, createdAt: '2024-04-01T00:00:00Z' }), now).suspend).toBe(false);
  });

  it('CSP-3: partners that are not DirectBill, or suspended already, are left alone', () => {
    expect(assessDirectBill(directBill({ cspModel: 'IndirectReseller', csp: undefined }), now).suspend).toBe(false);
    expect(assessDirectBill(directBill({ csp: undefined, directBill: { abilities: 'Suspended' } }), now).suspend).toBe(false);
  });

  it('CSP-3: a suspension owes one email keyed by partner and moment; AssessmentPassed restores and records the assessment', () => {
    const suspended = suspendDirectBill(directBill(), ['TrailingRevenue: low'], now);
    expect(suspended.partner.directBill).toMatchObject({ abilities: 'Suspended', suspendedAt: now.toISOString(), suspendedFor: ['TrailingRevenue: low'] });
    expect(suspended.email).toMatchObject({ key: `direct-bill-suspended:P1:${now.toISOString()}`, message: { type: 'DirectBillAbilitiesSuspended' } });
    expect(directBillStatus(suspended.partner)).toEqual({ directBillAbilities: 'Suspended', lastAssessedAt: null });

    const record = emptyDirectBillRecord('P1');
    const older = applyDirectBillEvent(suspended.partner, record, { eventId: 'a0', partnerId: 'P1', event: 'AssessmentPassed', occurredAt: at(-1) });
    expect(older.outcome).toBe('Ignored');
    const restored = applyDirectBillEvent(suspended.partner, record, { eventId: 'a1', partnerId: 'P1', event: 'AssessmentPassed', occurredAt: at(1) });
    expect(restored.outcome).toBe('Applied');
    expect(restored.partner?.directBill).toEqual({ abilities: 'Active', approvedAt: '2024-06-01T00:00:00Z', lastAssessedAt: at(1) });
    expect(directBillStatus(restored.partner ?? suspended.partner)).toEqual({ directBillAbilities: 'Active', lastAssessedAt: at(1) });
    expect(restored.emails).toEqual([]);
  });

  it('CSP-3: AssessmentPassed applies only after the latest of the last assessment, the approval and the suspension', () => {
    const passed = (occurredAt: string, id = occurredAt): DirectBillEvent => ({ eventId: id, partnerId: 'P1', event: 'AssessmentPassed', occurredAt });
    // The latest moment is the approval, in the middle of the three as they are listed.
    const partner = directBill({
      directBill: { abilities: 'Suspended', lastAssessedAt: '2024-09-01T00:00:00Z', approvedAt: '2025-02-01T00:00:00Z', suspendedAt: '2024-12-01T00:00:00Z' },
    });
    const record = emptyDirectBillRecord('P1');
    const between = applyDirectBillEvent(partner, record, passed('2025-01-01T00:00:00Z'));
    expect(between).toMatchObject({ outcome: 'Ignored', note: 'older than the direct-bill state of 2025-02-01T00:00:00Z' });
    expect(between.partner).toBe(partner);
    expect(applyDirectBillEvent(partner, record, passed('2025-02-01T00:00:00Z')).outcome).toBe('Ignored'); // the same moment is not newer
    const restored = applyDirectBillEvent(partner, record, passed('2025-02-01T00:00:01Z'));
    expect(restored).toMatchObject({ outcome: 'Applied', note: 'abilities restored' });
    expect(restored.partner?.directBill).toEqual({ abilities: 'Active', lastAssessedAt: '2025-02-01T00:00:01Z', approvedAt: '2025-02-01T00:00:00Z' });
    // Active already: the assessment is recorded, nothing is restored.
    const active = applyDirectBillEvent(directBill(), record, passed(at(1)));
    expect(active).toMatchObject({ outcome: 'Applied', note: 'assessment recorded' });
    // Never approved, assessed or suspended (DirectBill from creation): any AssessmentPassed applies.
    expect(applyDirectBillEvent(directBill({ directBill: undefined }), record, passed(at(1))).outcome).toBe('Applied');
    // Handled before: nothing at all, whatever the state.
    const again = applyDirectBillEvent(restored.partner ?? partner, restored.record ?? record, passed('2025-02-01T00:00:01Z'));
    expect(again).toEqual({ outcome: 'Repeated', note: 'event handled before', emails: [] });
  });

  it('CSP-3: a run is one partition per day, one record per page', () => {
    expect(assessmentRunId(new Date('2025-03-01T23:59:59Z'))).toBe('2025-03-01');
    expect(assessmentPartition('2025-03-01')).toBe('direct-bill-assessment:2025-03-01');
    expect(assessmentPageId(7)).toBe('page:7');
  });

  it('CSP-3: AssessmentPassed for a partner that is not DirectBill is ignored; the status is only for DirectBill partners', () => {
    const partner = partnerFixture();
    const result = applyDirectBillEvent(partner, emptyDirectBillRecord('P1'), { eventId: 'a1', partnerId: 'P1', event: 'AssessmentPassed', occurredAt: at(1) });
    expect(result).toMatchObject({ outcome: 'Ignored', note: 'the partner is not a direct-bill partner' });
    expect(directBillStatus(partner)).toBeUndefined();
  });

  it('CSP-3: an upstream PUT keeps the direct-bill record; turning DirectBill later starts the clock afresh', () => {
    const before = directBill({ directBill: { abilities: 'Suspended', suspendedAt: at(0), suspendedFor: ['x'], lastAssessedAt: '2024-01-01T00:00:00Z' } });
    expect(carriedDirectBill(before, { cspModel: 'DirectBill' }, now)).toBe(before.directBill);
    expect(carriedDirectBill(undefined, { cspModel: 'DirectBill' }, now)).toBeUndefined();
    const indirect = { ...before, cspModel: 'IndirectReseller' as const };
    expect(carriedDirectBill(indirect, { cspModel: 'DirectBill' }, now)).toEqual({
      abilities: 'Active',
      since: now.toISOString(),
      lastAssessedAt: '2024-01-01T00:00:00Z',
    });
  });
});
