import { describe, expect, it } from 'vitest';
import { accountView, accountViewSchema, applyLegalPatch, legalPatchSchema, mayEditLegal } from '../../../shared/domain/account.js';
import type { Role } from '../../../shared/domain/roles.js';
import { emptyVerification, gateRefusal, newlyAccepted, type CheckState, type VerificationDoc } from '../../../shared/domain/verification.js';
import { partnerFixture } from './fixtures.js';

const roles = (...r: Role[]) => new Set<Role>(r);
const at = '2026-07-01T00:00:00.000Z';
const check = (type: CheckState['type'], status: CheckState['status'], fixNowAvailable = false): CheckState => ({
  type,
  status,
  fixNowAvailable,
  updatedAt: at,
});

function verification(partnerChecks: CheckState[], suspended = false): VerificationDoc {
  return { ...emptyVerification('P1'), suspended, tabs: [{ tab: 'partner', submittedAt: at, checks: partnerChecks }] };
}

describe('ACC-5: the legal details patch', () => {
  it('ACC-5: bad patches are refused: unknown fields, empty, non-object, a 300-character company name, an invalid country, null for a required member', () => {
    const bad: unknown[] = [
      { companyName: 'X', iban: '1' },
      { address: { line1: 'x', planet: 'Mars' } },
      {},
      [],
      'Contoso',
      null,
      { companyName: 'x'.repeat(300) },
      { address: { country: 'ZZ' } },
      { address: { country: 'usa' } },
      { companyName: null },
      { address: { city: null } },
      { primaryContact: { email: 'not-an-address' } },
    ];
    for (const body of bad) expect(legalPatchSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });

  it('ACC-5: a merge patch replaces what it names, removes what it sets to null, keeps the rest (RFC 7396)', () => {
    const partner = partnerFixture({ address: { line1: '1 Main Street', line2: 'Floor 2', city: 'Redmond', postalCode: '98052', country: 'US' } });
    const patch = legalPatchSchema.parse({ address: { city: 'Seattle', line2: null }, primaryContact: { phone: '+1 555 0100' } });
    const next = applyLegalPatch(partner, patch);
    expect(next.address).toEqual({ line1: '1 Main Street', city: 'Seattle', postalCode: '98052', country: 'US' });
    expect(next.primaryContact).toEqual({ ...partner.primaryContact, phone: '+1 555 0100' });
    expect(next.companyName).toBe(partner.companyName);
    expect(applyLegalPatch(partner, legalPatchSchema.parse({ companyName: 'Fabrikam' })).companyName).toBe('Fabrikam');
  });

  it('ACC-5: admins edit legal details; Manager and Owner only for a developer-only partner', () => {
    for (const role of ['GlobalAdmin', 'AccountAdmin', 'PartnerAdmin', 'PlatformOperator'] as const) {
      expect(mayEditLegal(roles(role), ['ai-cloud-partner']), role).toBe(true);
    }
    for (const role of ['Manager', 'Owner'] as const) {
      expect(mayEditLegal(roles(role), ['developer']), role).toBe(true);
      expect(mayEditLegal(roles(role), ['developer', 'csp']), role).toBe(false);
      expect(mayEditLegal(roles(role), []), role).toBe(false);
    }
    expect(mayEditLegal(roles('IncentiveAdmin', 'SalesAgent'), ['developer'])).toBe(false);
  });
});

describe('ACC-1, ACC-5: the account view', () => {
  const partner = partnerFixture({
    bankProfiles: [{ id: 'b1', locationPartnerId: 'L-US', default: true, complete: true, accountNumber: 'DE89370400440532013000', source: 'partner' }],
  });

  it('ACC-5: payout summaries (masked) only for GlobalAdmin, AccountAdmin and IncentiveAdmin', () => {
    for (const role of ['GlobalAdmin', 'AccountAdmin', 'IncentiveAdmin'] as const) {
      const view = accountView(partner, emptyVerification('P1'), roles(role));
      expect(view.bankProfiles?.[0]?.maskedAccountNumber, role).toMatch(/3000$/);
      expect(JSON.stringify(view)).not.toContain('0532013000');
      expect(view.taxProfiles, role).toHaveLength(1);
    }
    for (const role of ['PartnerAdmin', 'Manager', 'SalesAgent', 'PlatformOperator'] as const) {
      const view = accountView(partner, emptyVerification('P1'), roles(role));
      expect(view.bankProfiles, role).toBeUndefined();
      expect(view.taxProfiles, role).toBeUndefined();
    }
  });

  it('ACC-1: partner ids, verification summary; the view matches its schema', () => {
    const doc = verification([check('EmailOwnership', 'Accepted'), check('Business', 'Pending')]);
    doc.tabs.push({ tab: 'developer', submittedAt: at, checks: [check('EmailOwnership', 'Accepted')] });
    const view = accountView(partner, doc, roles('GlobalAdmin'));
    expect(view.locations).toEqual([{ partnerId: 'L-US', country: 'US', active: true }]);
    expect(view.verification).toEqual({
      accountSuspended: false,
      tabs: [
        { tab: 'partner', status: 'Pending' },
        { tab: 'developer', status: 'Accepted' },
      ],
    });
    expect(accountViewSchema.safeParse(view).success).toBe(true);
  });
});

describe('VER-7, VER-11: verification gates', () => {
  it('VER-7: a suspended account is refused with 403 AccountSuspended by every gate but none', () => {
    const doc = verification([check('Identity', 'Rejected')], true);
    expect(gateRefusal(doc, 'none')).toBeUndefined();
    for (const gate of ['notSuspended', 'partnerAccepted'] as const)
      expect(gateRefusal(doc, gate)).toMatchObject({ kind: 'Forbidden', code: 'AccountSuspended' });
    expect(gateRefusal(verification([check('Identity', 'Rejected', true)]), 'notSuspended')).toBeUndefined();
  });

  it('VER-11: buying waits for the partner tab: 409 AccountVerificationIncomplete naming the Pending and Rejected checks', () => {
    const doc = verification([
      check('EmailOwnership', 'Accepted'),
      check('Identity', 'Passed'),
      check('Employment', 'Rejected', true),
      check('Business', 'Pending'),
    ]);
    const refusal = gateRefusal(doc, 'partnerAccepted');
    expect(refusal).toMatchObject({ kind: 'Conflict', code: 'AccountVerificationIncomplete' });
    expect(refusal?.message).toContain('Employment (Rejected)');
    expect(refusal?.message).toContain('Business (Pending)');
    expect(refusal?.message).not.toContain('EmailOwnership');
    expect(refusal?.errors?.map((e) => e.path)).toEqual(['verification.partner.Employment', 'verification.partner.Business']);
    expect(gateRefusal(emptyVerification('P1'), 'partnerAccepted')).toMatchObject({ code: 'AccountVerificationIncomplete' });
    expect(gateRefusal(doc, 'notSuspended')).toBeUndefined();
    const accepted = verification([
      check('EmailOwnership', 'Accepted'),
      check('Identity', 'Passed'),
      check('Employment', 'Accepted'),
      check('Business', 'Accepted'),
    ]);
    expect(gateRefusal(accepted, 'partnerAccepted')).toBeUndefined();
  });

  it('VER-12: a tab that becomes Accepted is told once: marked, and not again on later changes', () => {
    const before = verification([check('EmailOwnership', 'Accepted'), check('Business', 'Pending')]);
    const after = verification([check('EmailOwnership', 'Accepted'), check('Business', 'Accepted')]);
    const first = newlyAccepted(before, after, new Date(at));
    expect(first.tabs).toEqual(['partner']);
    expect(first.doc.tabs[0]?.completionEmailedAt).toBe(at);
    expect(after.tabs[0]?.completionEmailedAt).toBeUndefined(); // the input is not changed
    expect(newlyAccepted(first.doc, first.doc, new Date(at)).tabs).toEqual([]);
    // Pending again (a legal change), then Accepted again: already told.
    const again = {
      ...first.doc,
      tabs: first.doc.tabs.map((t) => ({ ...t, checks: t.checks.map((c) => (c.type === 'Business' ? { ...c, status: 'Pending' as const } : c)) })),
    };
    const reaccepted = structuredClone(first.doc);
    expect(newlyAccepted(again, reaccepted, new Date(at)).tabs).toEqual([]);
  });
});
