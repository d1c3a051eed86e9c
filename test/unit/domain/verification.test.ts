import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PartnerInput } from '../../../shared/domain/partner.js';
import {
  applyDecision,
  businessDaysBetween,
  challengedReason,
  checkTypes,
  emptyVerification,
  verificationDocumentId,
  fileDocument,
  hashToken,
  isDone,
  issueEmailToken,
  outcomeAllowed,
  partnerOfToken,
  recentSends,
  requiredChecks,
  resendWait,
  startVerification,
  tabOfProgram,
  tabRoles,
  tabStatus,
  tokenMatches,
  verificationRoles,
  verificationView,
  type CheckState,
  type CheckStatus,
  type Decision,
  type TabState,
  type VerificationDoc,
} from '../../../shared/domain/verification.js';
import { partnerFixture, type Role } from './fixtures.js';

const monday = new Date('2025-03-03T10:00:00.000Z');
const tuesday = new Date('2025-03-04T10:00:00.000Z');
const day = 86_400_000;
const hour = 3_600_000;

function input(overrides: Partial<PartnerInput> = {}): PartnerInput {
  return partnerFixture(overrides);
}

function check(type: CheckState['type'], status: CheckStatus, extra: Partial<CheckState> = {}): CheckState {
  return { type, status, fixNowAvailable: false, updatedAt: monday.toISOString(), ...extra };
}

function tab(name: TabState['tab'], checks: CheckState[], submittedAt = monday.toISOString()): TabState {
  return { tab: name, submittedAt, checks };
}

function docWith(...tabs: TabState[]): VerificationDoc {
  return { ...emptyVerification('P1'), tabs };
}

function decision(overrides: Partial<Decision> = {}): Decision {
  return { decisionId: 'd1', partnerId: 'P1', check: 'Business', tab: 'partner', outcome: 'Accepted', decidedAt: '2025-03-04T00:00:00.000Z', ...overrides };
}

const statusOf = (doc: VerificationDoc, tabName: TabState['tab'], type: CheckState['type']) =>
  doc.tabs.find((t) => t.tab === tabName)?.checks.find((c) => c.type === type)?.status;

const allStatuses: CheckStatus[] = ['Pending', 'Accepted', 'Rejected', 'Passed', 'Challenged'];

describe('programs, tabs and roles', () => {
  it('ACC-2: ai-cloud-partner and csp show on the partner tab, developer on the developer tab', () => {
    expect(tabOfProgram).toEqual({ 'ai-cloud-partner': 'partner', csp: 'partner', developer: 'developer' });
  });

  it('VER-1: partner and seller tabs are for GlobalAdmin, PartnerAdmin and AccountAdmin; developer for Manager and Owner', () => {
    expect(tabRoles.partner).toEqual(['GlobalAdmin', 'PartnerAdmin', 'AccountAdmin']);
    expect(tabRoles.seller).toEqual(['GlobalAdmin', 'PartnerAdmin', 'AccountAdmin']);
    expect(tabRoles.developer).toEqual(['Manager', 'Owner']);
    expect(new Set(verificationRoles)).toEqual(new Set([...tabRoles.partner, ...tabRoles.seller, ...tabRoles.developer]));
  });

  it('VER-4: a partner starts with no tabs, no sends, no decisions and no suspension', () => {
    expect(verificationDocumentId).toBe('verification');
    expect(emptyVerification('P1')).toEqual({
      id: 'verification',
      type: 'verification',
      partnerId: 'P1',
      tabs: [],
      emailSends: [],
      appliedDecisions: [],
      suspended: false,
    });
  });

  it('VER-3: the five checks', () => {
    expect(checkTypes).toEqual(['EmailOwnership', 'Identity', 'Employment', 'Business', 'AdditionalDueDiligence']);
  });
});

describe('requiredChecks', () => {
  it('VER-3: the partner tab of an ai-cloud-partner needs Identity as well', () => {
    expect(requiredChecks('partner', ['ai-cloud-partner'])).toEqual(['EmailOwnership', 'Identity', 'Employment', 'Business']);
  });

  it('VER-3: Identity is only for the ai-cloud-partner program', () => {
    expect(requiredChecks('partner', ['csp'])).toEqual(['EmailOwnership', 'Employment', 'Business']);
    expect(requiredChecks('developer', ['ai-cloud-partner', 'developer'])).toEqual(['EmailOwnership', 'Employment', 'Business']);
    expect(requiredChecks('seller', ['ai-cloud-partner'])).toEqual(['EmailOwnership', 'Employment', 'Business']);
  });
});

describe('tabStatus', () => {
  it('VER-4: Accepted and Passed count as done; Pending, Rejected and Challenged do not', () => {
    expect(allStatuses.filter(isDone)).toEqual(['Accepted', 'Passed']);
  });

  it('VER-4: a tab is Rejected when any check is Rejected', () => {
    expect(tabStatus(tab('partner', [check('EmailOwnership', 'Accepted'), check('Business', 'Rejected')]))).toBe('Rejected');
    expect(tabStatus(tab('partner', [check('Business', 'Rejected'), check('Employment', 'Pending')]))).toBe('Rejected');
  });

  it('VER-4: a tab is Accepted when all its checks are Accepted or Passed', () => {
    expect(tabStatus(tab('partner', [check('EmailOwnership', 'Accepted'), check('Identity', 'Passed')]))).toBe('Accepted');
  });

  it('VER-4: a tab is Pending while a check is Pending or Challenged, and when it has no checks', () => {
    expect(tabStatus(tab('partner', [check('EmailOwnership', 'Accepted'), check('Identity', 'Challenged')]))).toBe('Pending');
    expect(tabStatus(tab('partner', [check('EmailOwnership', 'Accepted'), check('Business', 'Pending')]))).toBe('Pending');
    expect(tabStatus(tab('partner', []))).toBe('Pending');
  });

  it('VER-4: for any checks, Rejected if any Rejected, else Accepted if all done, else Pending (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...allStatuses), { maxLength: 6 }), (statuses) => {
        const expected = statuses.includes('Rejected')
          ? 'Rejected'
          : statuses.length > 0 && statuses.every((s) => s === 'Accepted' || s === 'Passed')
            ? 'Accepted'
            : 'Pending';
        expect(
          tabStatus(
            tab(
              'partner',
              statuses.map((s) => check('Business', s)),
            ),
          ),
        ).toBe(expected);
      }),
    );
  });
});

describe('startVerification', () => {
  it('VER-2: enrolling starts every required check Pending, per tab, and asks for the email-ownership email', () => {
    const { doc, started, sendEmail } = startVerification(emptyVerification('P1'), undefined, input(), monday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(true);
    expect(doc.tabs.map((t) => t.tab)).toEqual(['partner', 'developer']);
    expect(doc.tabs[0]?.checks.map((c) => [c.type, c.status])).toEqual([
      ['EmailOwnership', 'Pending'],
      ['Identity', 'Pending'],
      ['Employment', 'Pending'],
      ['Business', 'Pending'],
    ]);
    expect(doc.tabs[1]?.checks.map((c) => c.type)).toEqual(['EmailOwnership', 'Employment', 'Business']);
    for (const t of doc.tabs) {
      expect(t.submittedAt).toBe(monday.toISOString());
      for (const c of t.checks) expect(c).toEqual({ type: c.type, status: 'Pending', fixNowAvailable: false, updatedAt: monday.toISOString() });
    }
  });

  it('VER-2: the given document is not changed', () => {
    const original = emptyVerification('P1');
    startVerification(original, undefined, input(), monday);
    expect(original).toEqual(emptyVerification('P1'));
  });

  it('VER-2: saving the same details again starts nothing', () => {
    const first = startVerification(emptyVerification('P1'), undefined, input(), monday).doc;
    const again = startVerification(first, input(), input(), tuesday);
    expect(again.started).toBe(false);
    expect(again.sendEmail).toBe(false);
    expect(again.doc).toEqual(first);
  });

  it('VER-2: a new company name re-checks Business only', () => {
    const first = startVerification(emptyVerification('P1'), undefined, input(), monday).doc;
    const accepted = acceptAll(first);
    const { doc, started, sendEmail } = startVerification(accepted, input(), input({ companyName: 'Contoso Group' }), tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(false);
    expect(statusOf(doc, 'partner', 'Business')).toBe('Pending');
    expect(statusOf(doc, 'developer', 'Business')).toBe('Pending');
    expect(statusOf(doc, 'partner', 'Employment')).toBe('Accepted');
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Accepted');
    expect(statusOf(doc, 'partner', 'Identity')).toBe('Passed');
    expect(doc.tabs.find((t) => t.tab === 'partner')?.checks.find((c) => c.type === 'Business')?.updatedAt).toBe(tuesday.toISOString());
    expect(doc.tabs.every((t) => t.submittedAt === tuesday.toISOString())).toBe(true);
  });

  it('VER-2: a new address re-checks Business', () => {
    const accepted = acceptAll(startVerification(emptyVerification('P1'), undefined, input(), monday).doc);
    const moved = input({ address: { line1: '2 Main Street', city: 'Redmond', postalCode: '98052', country: 'US' } });
    const { doc, started } = startVerification(accepted, input(), moved, tuesday);
    expect(started).toBe(true);
    expect(statusOf(doc, 'partner', 'Business')).toBe('Pending');
    expect(statusOf(doc, 'partner', 'Employment')).toBe('Accepted');
  });

  it('VER-2: a changed primary contact (same email) re-checks Employment only', () => {
    const accepted = acceptAll(startVerification(emptyVerification('P1'), undefined, input(), monday).doc);
    const contact = input({ primaryContact: { firstName: 'Ada', lastName: 'Byron', email: 'ADA@contoso.com' } });
    const { doc, started, sendEmail } = startVerification(accepted, input(), contact, tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(false);
    expect(statusOf(doc, 'partner', 'Employment')).toBe('Pending');
    expect(statusOf(doc, 'partner', 'Business')).toBe('Accepted');
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Accepted');
  });

  it('VER-2: a new contact email restarts EmailOwnership on every tab, drops the old link and sends a new one', () => {
    const accepted = acceptAll(startVerification(emptyVerification('P1'), undefined, input(), monday).doc);
    accepted.emailToken = { hash: 'h', issuedAt: monday.toISOString(), expiresAt: tuesday.toISOString() };
    const contact = input({ primaryContact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@fabrikam.com' } });
    const { doc, started, sendEmail } = startVerification(accepted, input(), contact, tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(true);
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Pending');
    expect(statusOf(doc, 'developer', 'EmailOwnership')).toBe('Pending');
    expect(statusOf(doc, 'partner', 'Employment')).toBe('Pending');
    expect(statusOf(doc, 'partner', 'Business')).toBe('Accepted');
    expect(doc.tabs[0]?.checks[0]).toEqual({ type: 'EmailOwnership', status: 'Pending', fixNowAvailable: false, updatedAt: tuesday.toISOString() });
    expect(doc.emailToken).toBeUndefined();
  });

  it('VER-2: a new contact email restarts verification even when the partner left every program', () => {
    const accepted = acceptAll(startVerification(emptyVerification('P1'), undefined, input(), monday).doc);
    const before = input({ programs: [] });
    const after = input({ programs: [], primaryContact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@fabrikam.com' } });
    const { doc, started, sendEmail } = startVerification(accepted, before, after, tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(true);
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Pending');
  });

  it('VER-2: with no program and no tab, a new contact email starts nothing', () => {
    const before = input({ programs: [] });
    const after = input({ programs: [], primaryContact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@fabrikam.com' } });
    const { doc, started, sendEmail } = startVerification(emptyVerification('P1'), before, after, tuesday);
    expect(started).toBe(false);
    expect(sendEmail).toBe(false);
    expect(doc.tabs).toEqual([]);
  });

  it('VER-2: a new program on a tab whose checks exist restarts that tab only', () => {
    const first = acceptAll(startVerification(emptyVerification('P1'), undefined, input({ programs: ['ai-cloud-partner', 'developer'] }), monday).doc);
    const { doc, started, sendEmail } = startVerification(
      first,
      input({ programs: ['ai-cloud-partner', 'developer'] }),
      input({ programs: ['ai-cloud-partner', 'developer', 'csp'] }),
      tuesday,
    );
    expect(started).toBe(true);
    expect(sendEmail).toBe(false);
    expect(doc.tabs.find((t) => t.tab === 'partner')?.submittedAt).toBe(tuesday.toISOString());
    expect(doc.tabs.find((t) => t.tab === 'developer')?.submittedAt).toBe(monday.toISOString());
    expect(doc.tabs.flatMap((t) => t.checks).every((c) => isDone(c.status))).toBe(true);
  });

  it('VER-2: a tab missing required checks gets them Pending, and verification starts', () => {
    const partial = docWith(tab('partner', [check('Business', 'Accepted')]));
    const { doc, started, sendEmail } = startVerification(partial, input({ programs: ['csp'] }), input({ programs: ['csp'] }), tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(true);
    expect(doc.tabs[0]?.submittedAt).toBe(tuesday.toISOString());
    expect(doc.tabs[0]?.checks.map((c) => [c.type, c.status])).toEqual([
      ['Business', 'Accepted'],
      ['EmailOwnership', 'Pending'],
      ['Employment', 'Pending'],
    ]);
  });

  it('VER-2, VER-3: joining ai-cloud-partner adds a Pending Identity check to the partner tab', () => {
    const first = acceptAll(startVerification(emptyVerification('P1'), undefined, input({ programs: ['csp'] }), monday).doc);
    const { doc, started } = startVerification(first, input({ programs: ['csp'] }), input({ programs: ['csp', 'ai-cloud-partner'] }), tuesday);
    expect(started).toBe(true);
    expect(doc.tabs[0]?.checks.map((c) => [c.type, c.status])).toEqual([
      ['EmailOwnership', 'Accepted'],
      ['Employment', 'Accepted'],
      ['Business', 'Accepted'],
      ['Identity', 'Pending'],
    ]);
  });

  it('VER-2, VER-3: a proven email carries to a new tab, so no email is sent', () => {
    const first = acceptAll(startVerification(emptyVerification('P1'), undefined, input({ programs: ['csp'] }), monday).doc);
    const { doc, started, sendEmail } = startVerification(first, input({ programs: ['csp'] }), input({ programs: ['csp', 'developer'] }), tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(false);
    expect(doc.tabs[1]?.checks.map((c) => [c.type, c.status])).toEqual([
      ['EmailOwnership', 'Accepted'],
      ['Employment', 'Pending'],
      ['Business', 'Pending'],
    ]);
    expect(doc.tabs[1]?.submittedAt).toBe(tuesday.toISOString());
  });

  it('VER-2: an email-ownership check that is only Pending elsewhere does not carry to a new tab', () => {
    const first = startVerification(emptyVerification('P1'), undefined, input({ programs: ['csp'] }), monday).doc;
    const { doc, sendEmail } = startVerification(first, input({ programs: ['csp'] }), input({ programs: ['csp', 'developer'] }), tuesday);
    expect(statusOf(doc, 'developer', 'EmailOwnership')).toBe('Pending');
    expect(sendEmail).toBe(true);
  });

  it('VER-2: details supplied without a previous version re-check nothing already decided', () => {
    const decided = acceptAll(startVerification(emptyVerification('P1'), undefined, input({ programs: ['csp'] }), monday).doc);
    const { doc, started, sendEmail } = startVerification(decided, undefined, input({ programs: ['csp'], companyName: 'Other' }), tuesday);
    expect(started).toBe(true);
    expect(sendEmail).toBe(false);
    expect(doc.tabs[0]?.checks.every((c) => c.status === 'Accepted')).toBe(true);
  });
});

function acceptAll(doc: VerificationDoc): VerificationDoc {
  const next = structuredClone(doc);
  for (const t of next.tabs) for (const c of t.checks) c.status = c.type === 'Identity' ? 'Passed' : 'Accepted';
  return next;
}

describe('applyDecision', () => {
  const started = () => startVerification(emptyVerification('P1'), undefined, input(), monday).doc;

  it('VER-4, VER-10: a decision sets the check, records its id and owes the primary contact an email', () => {
    const result = applyDecision(started(), decision({ outcome: 'Rejected', reason: 'address not found' }), tuesday);
    expect(result.applied).toBe(true);
    expect(result.doc.tabs[0]?.checks.find((c) => c.type === 'Business')).toEqual({
      type: 'Business',
      status: 'Rejected',
      reason: 'address not found',
      fixNowAvailable: false,
      decidedAt: '2025-03-04T00:00:00.000Z',
      updatedAt: tuesday.toISOString(),
    });
    expect(result.doc.appliedDecisions).toEqual(['d1']);
    expect(result.applied && result.email).toEqual({
      decisionId: 'd1',
      tab: 'partner',
      check: 'Business',
      outcome: 'Rejected',
      fixNowAvailable: false,
      reason: 'address not found',
    });
    expect(result.doc.suspended).toBe(false);
  });

  it('VER-10: a decision email without a reason has no reason field', () => {
    const result = applyDecision(started(), decision(), tuesday);
    expect(result.applied && result.email).toEqual({ decisionId: 'd1', tab: 'partner', check: 'Business', outcome: 'Accepted', fixNowAvailable: false });
    expect(result.applied && result.email).not.toHaveProperty('reason');
  });

  it('VER-4: a redelivered decision changes nothing', () => {
    const once = applyDecision(started(), decision(), tuesday).doc;
    const twice = applyDecision(once, decision({ outcome: 'Rejected', decidedAt: '2025-03-05T00:00:00.000Z' }), tuesday);
    expect(twice.applied).toBe(false);
    expect(twice.doc).toBe(once);
  });

  it('VER-4: a decision older than, or as old as, the last applied one is ignored; a newer one applies', () => {
    const once = applyDecision(started(), decision({ decisionId: 'a', outcome: 'Rejected' }), tuesday).doc;
    const same = applyDecision(once, decision({ decisionId: 'b', outcome: 'Accepted' }), tuesday);
    expect(same.applied).toBe(false);
    expect(same.doc).toBe(once);
    const older = applyDecision(once, decision({ decisionId: 'c', outcome: 'Accepted', decidedAt: '2025-03-03T23:59:59.999Z' }), tuesday);
    expect(older.applied).toBe(false);
    const newer = applyDecision(once, decision({ decisionId: 'd', outcome: 'Accepted', decidedAt: '2025-03-04T00:00:00.001Z' }), tuesday);
    expect(newer.applied).toBe(true);
    expect(statusOf(newer.doc, 'partner', 'Business')).toBe('Accepted');
    expect(newer.doc.appliedDecisions).toEqual(['a', 'd']);
  });

  it('VER-3: AdditionalDueDiligence appears with its first decision; a new tab with its first check', () => {
    const { doc } = applyDecision(started(), decision({ check: 'AdditionalDueDiligence', outcome: 'Rejected' }), tuesday);
    expect(statusOf(doc, 'partner', 'AdditionalDueDiligence')).toBe('Rejected');
    const seller = applyDecision(started(), decision({ tab: 'seller', check: 'Business' }), tuesday).doc;
    expect(seller.tabs.map((t) => t.tab)).toEqual(['partner', 'developer', 'seller']);
    expect(seller.tabs[2]).toEqual({
      tab: 'seller',
      submittedAt: '2025-03-04T00:00:00.000Z',
      checks: [{ type: 'Business', status: 'Accepted', fixNowAvailable: false, decidedAt: '2025-03-04T00:00:00.000Z', updatedAt: tuesday.toISOString() }],
    });
  });

  it('VER-9: Fix now is offered only with a Rejected outcome', () => {
    const rejected = applyDecision(started(), decision({ outcome: 'Rejected', fixNowAvailable: true }), tuesday);
    expect(rejected.doc.tabs[0]?.checks.find((c) => c.type === 'Business')?.fixNowAvailable).toBe(true);
    expect(rejected.applied && rejected.email.fixNowAvailable).toBe(true);
    const accepted = applyDecision(started(), decision({ outcome: 'Accepted', fixNowAvailable: true }), tuesday).doc;
    expect(accepted.tabs[0]?.checks.find((c) => c.type === 'Business')?.fixNowAvailable).toBe(false);
  });

  it('VER-7: Identity Rejected with no Fix now suspends the account', () => {
    const { doc } = applyDecision(started(), decision({ check: 'Identity', outcome: 'Rejected' }), tuesday);
    expect(doc.suspended).toBe(true);
  });

  it('VER-7: Identity Rejected with Fix now does not suspend; other checks rejected never do', () => {
    expect(applyDecision(started(), decision({ check: 'Identity', outcome: 'Rejected', fixNowAvailable: true }), tuesday).doc.suspended).toBe(false);
    expect(applyDecision(started(), decision({ check: 'Business', outcome: 'Rejected' }), tuesday).doc.suspended).toBe(false);
  });

  it('VER-7: Identity Passed lifts a suspension; Challenged leaves it as it was', () => {
    const suspended = applyDecision(started(), decision({ decisionId: 'a', check: 'Identity', outcome: 'Rejected' }), tuesday).doc;
    const challenged = applyDecision(
      suspended,
      decision({ decisionId: 'b', check: 'Identity', outcome: 'Challenged', decidedAt: '2025-03-05T00:00:00.000Z' }),
      tuesday,
    ).doc;
    expect(challenged.suspended).toBe(true);
    const passed = applyDecision(
      suspended,
      decision({ decisionId: 'c', check: 'Identity', outcome: 'Passed', decidedAt: '2025-03-05T00:00:00.000Z' }),
      tuesday,
    ).doc;
    expect(passed.suspended).toBe(false);
    const fresh = applyDecision(started(), decision({ decisionId: 'e', check: 'Identity', outcome: 'Challenged' }), tuesday).doc;
    expect(fresh.suspended).toBe(false);
    const businessAccepted = applyDecision(
      suspended,
      decision({ decisionId: 'd', check: 'Business', outcome: 'Accepted', decidedAt: '2025-03-05T00:00:00.000Z' }),
      tuesday,
    ).doc;
    expect(businessAccepted.suspended).toBe(true);
  });

  it('VER-7: Challenged asks for a verifiable credential, unless upstream gave its own reason', () => {
    const result = applyDecision(started(), decision({ check: 'Identity', outcome: 'Challenged' }), tuesday);
    expect(result.doc.tabs[0]?.checks.find((c) => c.type === 'Identity')?.reason).toBe(challengedReason);
    expect(challengedReason).toMatch(/verifiable credential/);
    expect(challengedReason).toMatch(/government-issued ID/);
    expect(result.applied && result.email.reason).toBe(challengedReason);
    const own = applyDecision(started(), decision({ check: 'Identity', outcome: 'Challenged', reason: 'names differ' }), tuesday).doc;
    expect(own.tabs[0]?.checks.find((c) => c.type === 'Identity')?.reason).toBe('names differ');
  });

  it('VER-9: a later decision without a reason clears the previous reason', () => {
    const rejected = applyDecision(started(), decision({ decisionId: 'a', outcome: 'Rejected', reason: 'no such company' }), tuesday).doc;
    const accepted = applyDecision(rejected, decision({ decisionId: 'b', outcome: 'Accepted', decidedAt: '2025-03-05T00:00:00.000Z' }), tuesday).doc;
    expect(accepted.tabs[0]?.checks.find((c) => c.type === 'Business')).not.toHaveProperty('reason');
  });

  it('VER-3: email ownership proven once is proven on every tab, and the link is retired', () => {
    const doc0 = started();
    doc0.emailToken = { hash: 'h', issuedAt: monday.toISOString(), expiresAt: tuesday.toISOString() };
    const { doc } = applyDecision(doc0, decision({ check: 'EmailOwnership', outcome: 'Accepted' }), tuesday);
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Accepted');
    expect(statusOf(doc, 'developer', 'EmailOwnership')).toBe('Accepted');
    expect(doc.tabs[1]?.checks[0]?.updatedAt).toBe(tuesday.toISOString());
    expect(statusOf(doc, 'developer', 'Business')).toBe('Pending');
    expect(doc.emailToken).toBeUndefined();
  });

  it('VER-3: a rejected email ownership stays on its tab and keeps the link', () => {
    const doc0 = started();
    doc0.emailToken = { hash: 'h', issuedAt: monday.toISOString(), expiresAt: tuesday.toISOString() };
    const { doc } = applyDecision(doc0, decision({ check: 'EmailOwnership', outcome: 'Rejected' }), tuesday);
    expect(statusOf(doc, 'partner', 'EmailOwnership')).toBe('Rejected');
    expect(statusOf(doc, 'developer', 'EmailOwnership')).toBe('Pending');
    expect(doc.emailToken).toEqual(doc0.emailToken);
    const other = applyDecision(doc0, decision({ check: 'Business', outcome: 'Accepted' }), tuesday).doc;
    expect(statusOf(other, 'developer', 'EmailOwnership')).toBe('Pending');
    expect(other.emailToken).toEqual(doc0.emailToken);
  });

  it('VER-4: the last 200 decision ids are remembered', () => {
    const doc0 = { ...started(), appliedDecisions: Array.from({ length: 200 }, (_, i) => `old-${i}`) };
    const { doc } = applyDecision(doc0, decision({ decisionId: 'new' }), tuesday);
    expect(doc.appliedDecisions).toHaveLength(200);
    expect(doc.appliedDecisions[0]).toBe('old-1');
    expect(doc.appliedDecisions[199]).toBe('new');
  });

  it('VER-4: the given document is not changed', () => {
    const doc0 = started();
    const copy = structuredClone(doc0);
    applyDecision(doc0, decision({ check: 'EmailOwnership' }), tuesday);
    expect(doc0).toEqual(copy);
  });
});

describe('outcomeAllowed', () => {
  it('VER-3: Identity has Passed, Rejected or Challenged; every other check Accepted or Rejected', () => {
    expect((['Accepted', 'Rejected', 'Passed', 'Challenged'] as const).filter((o) => outcomeAllowed('Identity', o))).toEqual([
      'Rejected',
      'Passed',
      'Challenged',
    ]);
    for (const type of checkTypes.filter((c) => c !== 'Identity')) {
      expect((['Accepted', 'Rejected', 'Passed', 'Challenged'] as const).filter((o) => outcomeAllowed(type, o))).toEqual(['Accepted', 'Rejected']);
    }
  });
});

describe('email ownership links', () => {
  it('VER-3: an issued token names its partner and only its hash is kept (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), (partnerId) => {
        const { token, hash } = issueEmailToken(partnerId);
        expect(hash).toBe(hashToken(token));
        expect(hash).not.toContain(token.split('.')[1]);
        expect(partnerOfToken(token)).toBe(partnerId);
      }),
      { numRuns: 50 },
    );
  });

  it('VER-3: two tokens for the same partner differ', () => {
    expect(issueEmailToken('P1').token).not.toBe(issueEmailToken('P1').token);
  });

  it('VER-3: the hash is SHA-256 in base64url', () => {
    expect(hashToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('VER-3: a token not shaped like ours names no partner', () => {
    const random = 'A'.repeat(43);
    const p1 = Buffer.from('P1').toString('base64url');
    expect(partnerOfToken(`${p1}.${random}`)).toBe('P1');
    expect(partnerOfToken(`${p1}.${random}A`)).toBeUndefined();
    expect(partnerOfToken(`${p1}.${'A'.repeat(42)}`)).toBeUndefined();
    expect(partnerOfToken(`x${p1}.${random}`.slice(1))).toBe('P1');
    expect(partnerOfToken(` ${p1}.${random}`)).toBeUndefined();
    expect(partnerOfToken(`${p1}.${random} `)).toBeUndefined();
    expect(partnerOfToken(`.${random}`)).toBeUndefined();
    expect(partnerOfToken(`${p1}${random}`)).toBeUndefined();
    expect(partnerOfToken(`${'Q'.repeat(100)}.${random}`)).toBe(Buffer.from('Q'.repeat(100), 'base64url').toString('utf8'));
    expect(partnerOfToken(`${'Q'.repeat(101)}.${random}`)).toBeUndefined();
    // One base64 character is less than a byte: it decodes to an empty partner id.
    expect(partnerOfToken(`A.${random}`)).toBeUndefined();
    expect(partnerOfToken(`a-_Z.${'-_'.repeat(21)}9`)).toBe(Buffer.from('a-_Z', 'base64url').toString('utf8'));
  });

  it('VER-6: a token matches its state until it expires', () => {
    const { token, hash } = issueEmailToken('P1');
    const state = { hash, issuedAt: monday.toISOString(), expiresAt: tuesday.toISOString() };
    expect(tokenMatches(state, token, monday)).toBe(true);
    expect(tokenMatches(state, token, new Date(tuesday.getTime() - 1))).toBe(true);
    expect(tokenMatches(state, token, tuesday)).toBe(false);
    expect(tokenMatches(undefined, token, monday)).toBe(false);
    expect(tokenMatches(state, issueEmailToken('P1').token, monday)).toBe(false);
    expect(tokenMatches({ ...state, hash: 'short' }, token, monday)).toBe(false);
  });
});

describe('resendWait', () => {
  const at = (ms: number) => new Date(monday.getTime() + ms).toISOString();

  it('VER-6: with no recent send, a send is allowed now', () => {
    expect(resendWait([], monday, 60, 5)).toBe(0);
    expect(resendWait([at(-day)], monday, 60, 1)).toBe(0);
  });

  it('VER-6: the cooldown counts from the last send, in whole seconds rounded up', () => {
    expect(resendWait([at(-10_000)], monday, 60, 5)).toBe(50);
    expect(resendWait([at(-60_000)], monday, 60, 5)).toBe(0);
    expect(resendWait([at(-59_999)], monday, 60, 5)).toBe(1);
    expect(resendWait([at(-500)], monday, 1, 5)).toBe(1);
    expect(resendWait([at(-30_000), at(-10_000), at(-50_000)], monday, 60, 5)).toBe(50);
  });

  it('VER-6: at the daily cap, the wait lasts until the oldest of the last cap sends is 24 hours old', () => {
    const sends = [at(-2 * hour), at(-23 * hour), at(-hour)];
    expect(resendWait(sends, monday, 60, 3)).toBe(3600);
    expect(resendWait(sends, monday, 60, 4)).toBe(0);
    expect(resendWait(sends, monday, 60, 2)).toBe(22 * 3600);
    expect(resendWait([at(-day + 1)], monday, 0, 1)).toBe(1);
    expect(resendWait([at(-day)], monday, 0, 1)).toBe(0);
  });

  it('VER-6: sends older than 24 hours are forgotten, even under a cooldown longer than a day', () => {
    expect(resendWait([at(-day)], monday, 2 * 86_400, 5)).toBe(0);
    expect(resendWait([at(-day + 1000)], monday, 2 * 86_400, 5)).toBe(86_401);
  });

  it('VER-6: after waiting the answered time a send is allowed, and not a second earlier (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -2 * day, max: 0 }), { maxLength: 8 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1, max: 6 }),
        (offsets, cooldown, cap) => {
          const sends = offsets.map(at);
          const wait = resendWait(sends, monday, cooldown, cap);
          expect(wait).toBeGreaterThanOrEqual(0);
          expect(resendWait(sends, new Date(monday.getTime() + wait * 1000), cooldown, cap)).toBe(0);
          if (wait > 0) expect(resendWait(sends, new Date(monday.getTime() + (wait - 1) * 1000), cooldown, cap)).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('VER-6: only the sends of the last 24 hours are kept', () => {
    expect(recentSends([at(-day), at(-day + 1), at(-hour), at(0)], monday)).toEqual([at(-day + 1), at(-hour), at(0)]);
  });
});

describe('businessDaysBetween', () => {
  const d = (iso: string) => new Date(`${iso}T12:00:00.000Z`);

  it('VER-5: submitted Monday, 5 business days have elapsed on the next Monday and 6 on the Tuesday', () => {
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-10'))).toBe(5);
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-11'))).toBe(6);
  });

  it('VER-5: the day of submission does not count, weekends never do', () => {
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-03'))).toBe(0);
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-04'))).toBe(1);
    expect(businessDaysBetween(d('2025-03-07'), d('2025-03-08'))).toBe(0);
    expect(businessDaysBetween(d('2025-03-07'), d('2025-03-09'))).toBe(0);
    expect(businessDaysBetween(d('2025-03-07'), d('2025-03-10'))).toBe(1);
    expect(businessDaysBetween(d('2025-03-10'), d('2025-03-03'))).toBe(0);
  });

  it('VER-5: days are UTC calendar days, whatever the time', () => {
    expect(businessDaysBetween(new Date('2025-03-03T23:59:59.999Z'), new Date('2025-03-04T00:00:00.000Z'))).toBe(1);
    expect(businessDaysBetween(new Date('2025-03-04T00:00:00.000Z'), new Date('2025-03-04T23:59:59.999Z'))).toBe(0);
  });

  it('VER-5: holidays do not count; a holiday on a weekend changes nothing', () => {
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-10'), new Set(['2025-03-05']))).toBe(4);
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-10'), new Set(['2025-03-08']))).toBe(5);
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-10'), new Set(['2025-03-03']))).toBe(5);
    expect(businessDaysBetween(d('2025-03-03'), d('2025-03-10'), new Set(['2025-03-10']))).toBe(4);
  });

  const dates = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

  it('VER-5: any seven consecutive days hold five business days (property)', () => {
    fc.assert(
      fc.property(dates, (from) => {
        expect(businessDaysBetween(from, new Date(from.getTime() + 7 * day))).toBe(5);
      }),
      { numRuns: 200 },
    );
  });

  it('VER-5: elapsed business days add up over consecutive periods (property)', () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (a, x, y) => {
        const b = new Date(a.getTime() + x * day);
        const c = new Date(b.getTime() + y * day);
        expect(businessDaysBetween(a, c)).toBe(businessDaysBetween(a, b) + businessDaysBetween(b, c));
      }),
      { numRuns: 200 },
    );
  });
});

describe('verificationView', () => {
  const all = new Set<Role>(['GlobalAdmin', 'Manager']);
  const holidays = new Set<string>();
  const three = () =>
    docWith(
      tab('developer', [check('EmailOwnership', 'Accepted'), check('Business', 'Pending')]),
      tab('seller', [check('Business', 'Rejected', { reason: 'unknown company', fixNowAvailable: true })]),
      tab('partner', [check('EmailOwnership', 'Accepted'), check('Identity', 'Passed'), check('Business', 'Accepted')]),
    );

  it('VER-1: each viewer sees the tabs of its roles, in the order partner, developer, seller', () => {
    expect(verificationView(three(), all, tuesday, holidays).tabs.map((t) => t.tab)).toEqual(['partner', 'developer', 'seller']);
    expect(verificationView(three(), new Set<Role>(['AccountAdmin']), tuesday, holidays).tabs.map((t) => t.tab)).toEqual(['partner', 'seller']);
    expect(verificationView(three(), new Set<Role>(['Owner']), tuesday, holidays).tabs.map((t) => t.tab)).toEqual(['developer']);
    expect(verificationView(three(), new Set<Role>(['IncentiveAdmin']), tuesday, holidays).tabs).toEqual([]);
  });

  it('VER-4: each tab shows its status, its checks and its progress', () => {
    const view = verificationView(three(), all, tuesday, holidays);
    expect(view.accountSuspended).toBe(false);
    expect(view.tabs[0]).toEqual({
      tab: 'partner',
      status: 'Accepted',
      checks: [
        { type: 'EmailOwnership', status: 'Accepted', fixNowAvailable: false },
        { type: 'Identity', status: 'Passed', fixNowAvailable: false },
        { type: 'Business', status: 'Accepted', fixNowAvailable: false },
      ],
      progress: { accepted: 3, total: 3 },
      submittedAt: monday.toISOString(),
      businessDaysElapsed: 1,
      contactSupport: false,
    });
    expect(view.tabs[1]?.status).toBe('Pending');
    expect(view.tabs[1]?.progress).toEqual({ accepted: 1, total: 2 });
    expect(view.tabs[2]?.status).toBe('Rejected');
    expect(view.tabs[2]?.checks).toEqual([{ type: 'Business', status: 'Rejected', reason: 'unknown company', fixNowAvailable: true }]);
  });

  it('VER-7: a suspended account says so', () => {
    expect(verificationView({ ...three(), suspended: true }, all, tuesday, holidays).accountSuspended).toBe(true);
  });

  it('VER-5: after more than 5 business days a Pending tab invites the partner to contact support', () => {
    const doc = three();
    const fiveDays = verificationView(doc, all, new Date('2025-03-10T09:00:00Z'), holidays).tabs;
    expect(fiveDays.map((t) => [t.tab, t.businessDaysElapsed, t.contactSupport])).toEqual([
      ['partner', 5, false],
      ['developer', 5, false],
      ['seller', 5, false],
    ]);
    const sixDays = verificationView(doc, all, new Date('2025-03-11T09:00:00Z'), holidays).tabs;
    expect(sixDays.map((t) => [t.tab, t.businessDaysElapsed, t.contactSupport])).toEqual([
      ['partner', 6, false],
      ['developer', 6, true],
      ['seller', 6, false],
    ]);
  });

  it('VER-5: holidays push the contact-support point back', () => {
    const tabs = verificationView(three(), all, new Date('2025-03-11T09:00:00Z'), new Set(['2025-03-05'])).tabs;
    expect(tabs.find((t) => t.tab === 'developer')).toMatchObject({ businessDaysElapsed: 5, contactSupport: false });
  });
});

describe('fileDocument', () => {
  const gaRoles = new Set<Role>(['GlobalAdmin']);

  it('VER-9: an upload for a Rejected check with Fix now is an appeal: the check is Pending again', () => {
    const doc = docWith(tab('partner', [check('Business', 'Rejected', { reason: 'unknown', fixNowAvailable: true })]));
    const result = fileDocument(doc, 'Business', gaRoles, tuesday);
    expect(result).toEqual({
      ok: true,
      tabs: ['partner'],
      checkStatus: 'Pending',
      doc: docWith(tab('partner', [{ type: 'Business', status: 'Pending', fixNowAvailable: false, updatedAt: tuesday.toISOString() }])),
    });
    expect(doc.tabs[0]?.checks[0]?.status).toBe('Rejected');
  });

  it('VER-8: documents for a check still Pending (or Challenged) are filed without changing it', () => {
    const doc = docWith(tab('partner', [check('Employment', 'Pending'), check('Identity', 'Challenged')]));
    const pending = fileDocument(doc, 'Employment', gaRoles, tuesday);
    expect(pending).toEqual({ ok: true, tabs: ['partner'], checkStatus: 'Pending', doc });
    const challenged = fileDocument(doc, 'Identity', gaRoles, tuesday);
    expect(challenged).toEqual({ ok: true, tabs: ['partner'], checkStatus: 'Challenged', doc });
  });

  it('VER-9: the check asked for is the one looked at, not the other checks of its tab', () => {
    const doc = docWith(
      tab('partner', [check('EmailOwnership', 'Accepted'), check('Employment', 'Pending'), check('Business', 'Rejected', { fixNowAvailable: true })]),
    );
    const result = fileDocument(doc, 'Business', gaRoles, tuesday);
    expect(result.ok && result.doc.tabs[0]?.checks.map((c) => c.status)).toEqual(['Accepted', 'Pending', 'Pending']);
    const stuck = docWith(tab('partner', [check('Employment', 'Pending'), check('Business', 'Rejected')]));
    expect(fileDocument(stuck, 'Business', gaRoles, tuesday)).toMatchObject({ ok: false });
  });

  it('VER-9: there is nothing to file for a check the viewer has no tab with', () => {
    const doc = docWith(tab('developer', [check('Business', 'Pending')]), tab('partner', [check('Employment', 'Pending')]));
    expect(fileDocument(doc, 'Business', gaRoles, tuesday)).toEqual({ ok: false, reason: 'There is no Business check to provide documents for.' });
  });

  it('VER-9: an accepted check needs no documents', () => {
    const doc = docWith(tab('partner', [check('Business', 'Accepted')]), tab('seller', [check('Business', 'Accepted')]));
    expect(fileDocument(doc, 'Business', gaRoles, tuesday)).toEqual({ ok: false, reason: 'The Business check is already accepted.' });
  });

  it('VER-7: a check Rejected with no Fix now allows no further action', () => {
    const doc = docWith(tab('partner', [check('Identity', 'Rejected')]));
    expect(fileDocument(doc, 'Identity', gaRoles, tuesday)).toEqual({
      ok: false,
      reason: 'The Identity check was rejected with no Fix now available: no further action is possible.',
    });
  });

  it('VER-9: a document is filed under every visible tab where the check is open and actionable', () => {
    const doc = docWith(
      tab('partner', [check('Business', 'Accepted')]),
      tab('developer', [check('Business', 'Rejected', { fixNowAvailable: true })]),
      tab('seller', [check('Business', 'Rejected')]),
    );
    const result = fileDocument(doc, 'Business', new Set<Role>(['GlobalAdmin', 'Owner']), tuesday);
    expect(result.ok && result.tabs).toEqual(['developer']);
    expect(result.ok && result.doc.tabs.map((t) => t.checks[0]?.status)).toEqual(['Accepted', 'Pending', 'Rejected']);
    const pendingAndRejected = docWith(
      tab('partner', [check('Business', 'Pending')]),
      tab('seller', [check('Business', 'Rejected', { fixNowAvailable: true })]),
    );
    const both = fileDocument(pendingAndRejected, 'Business', gaRoles, tuesday);
    expect(both.ok && both.tabs).toEqual(['partner', 'seller']);
    expect(both.ok && both.checkStatus).toBe('Pending');
  });
});
