// Exact outcomes of the self-service rules, field by field (what a changed line would break).
import { describe, expect, it } from 'vitest';
import { accountView, accountViewSchema, applyLegalPatch, legalEditorRoles, legalPatchSchema } from '../../../shared/domain/account.js';
import { documentsRequestedEmail, verificationCompletedEmail } from '../../../shared/domain/emails.js';
import {
  bankProfileInputSchema,
  bankProfileView,
  bankProfileViewSchema,
  profileIdSchema,
  mergeUpstreamProfiles,
  taxProfileInputSchema,
  taxProfileView,
  taxProfileViewSchema,
  withBankProfile,
  withTaxProfile,
  type BankProfile,
} from '../../../shared/domain/payout-profiles.js';
import type { Role } from '../../../shared/domain/roles.js';
import { emptyVerification, gateRefusal, newlyAccepted, type CheckState, type TabState, type VerificationDoc } from '../../../shared/domain/verification.js';
import { isWorkEmail } from '../../../shared/domain/work-email.js';
import { partnerFixture } from './fixtures.js';

const now = new Date('2026-07-01T00:00:00.000Z');
const at = now.toISOString();

describe('ACC-5: exact profile writes', () => {
  it('INC-4: a bank profile is stored with every field given, as the partner\u2019s, replacing the one of its id', () => {
    const stored: BankProfile[] = [
      { id: 'keep', locationPartnerId: 'L-US', default: false, complete: true },
      { id: 'b1', locationPartnerId: 'L-US', default: true, complete: false },
    ];
    const input = { locationPartnerId: 'L-US', accountHolderName: 'Contoso', accountNumber: '000123456789', bankCountry: 'US' as const, currency: 'USD' };
    const written = withBankProfile(stored, 'b1', input, now);
    expect(written.created).toBe(false);
    const expected = { id: 'b1', default: false, complete: true, ...input, source: 'partner', updatedAt: at };
    expect(written.profile).toEqual(expected);
    expect(written.profiles).toEqual([stored[0], expected]);
    // A default of another location's write leaves this location's default alone, and a non-default write clears nothing.
    const otherLocation = withBankProfile(
      [{ id: 'd', locationPartnerId: 'L-US', default: true, complete: true }],
      'x',
      { locationPartnerId: 'L-CA', default: true },
      now,
    );
    expect(otherLocation.profiles[0]).toEqual({ id: 'd', locationPartnerId: 'L-US', default: true, complete: true });
    const cleared = withBankProfile(
      [{ id: 'd', locationPartnerId: 'L-US', default: true, complete: true }],
      'x',
      { locationPartnerId: 'L-US', default: true },
      now,
    );
    expect(cleared.profiles[0]).toEqual({ id: 'd', locationPartnerId: 'L-US', default: false, complete: true });
    expect(withBankProfile([], 'x', { locationPartnerId: 'L-US' }, now).profile).toEqual({
      id: 'x',
      locationPartnerId: 'L-US',
      default: false,
      complete: false,
      source: 'partner',
      updatedAt: at,
    });
  });

  it('INC-4: a tax profile is stored with every field given, replacing the one of its id', () => {
    const stored = [
      { id: 'keep', locationPartnerId: 'L-US', complete: true },
      { id: 't1', locationPartnerId: 'L-US', complete: false },
    ];
    const written = withTaxProfile(stored, 't1', { locationPartnerId: 'L-US', taxCountry: 'US', taxId: '12-3456789' }, now);
    const expected = { id: 't1', locationPartnerId: 'L-US', complete: true, taxCountry: 'US', taxId: '12-3456789', source: 'partner' as const, updatedAt: at };
    expect(written).toEqual({ created: false, profile: expected, profiles: [stored[0], expected] });
    expect(withTaxProfile(stored, 't2', { locationPartnerId: 'L-US' }, now).created).toBe(true);
    expect(taxProfileView(expected)).toEqual({ id: 't1', locationPartnerId: 'L-US', complete: true, taxCountry: 'US', maskedTaxId: '*****6789' });
    expect(taxProfileInputSchema.safeParse({ locationPartnerId: 'L-US', taxId: '$' }).success).toBe(false);
    expect(taxProfileInputSchema.safeParse({ locationPartnerId: 'L-US', taxId: ' 12-3456789 ' }).data?.taxId).toBe('12-3456789');
  });

  it('INC-4: an upstream PUT of a new partner takes its profiles as sent; kept partner profiles stay whole', () => {
    const input = {
      locations: [{ partnerId: 'L-US' }],
      bankProfiles: [{ id: 'u', locationPartnerId: 'L-US', default: true, complete: true }],
      taxProfiles: [],
    };
    expect(mergeUpstreamProfiles(undefined, input)).toEqual({ bankProfiles: input.bankProfiles, taxProfiles: [] });
    const mine = { id: 'm', locationPartnerId: 'L-US', default: true, complete: true, accountNumber: '1234567890', source: 'partner' as const };
    expect(mergeUpstreamProfiles({ bankProfiles: [mine], taxProfiles: [] }, input).bankProfiles[1]).toEqual({ ...mine, default: false });
  });

  it('ACC-5: the view schemas describe the views', () => {
    expect(Object.keys(bankProfileViewSchema.shape)).toEqual([
      'id',
      'locationPartnerId',
      'default',
      'complete',
      'accountHolderName',
      'maskedAccountNumber',
      'bankCountry',
      'currency',
    ]);
    expect(Object.keys(taxProfileViewSchema.shape)).toEqual(['id', 'locationPartnerId', 'complete', 'taxCountry', 'maskedTaxId']);
  });
});

describe('ACC-5: exact legal details and account view', () => {
  it('ACC-5: the legal editors are the admins, Manager and Owner, and operators', () => {
    expect(legalEditorRoles).toEqual(['GlobalAdmin', 'AccountAdmin', 'PartnerAdmin', 'Manager', 'Owner', 'PlatformOperator']);
  });

  it('ACC-5: the patch trims text, and only null removes: a member left undefined stays', () => {
    expect(legalPatchSchema.parse({ companyName: '  Fabrikam  ' }).companyName).toBe('Fabrikam');
    expect(legalPatchSchema.safeParse({ companyName: '   ' }).success).toBe(false);
    expect(legalPatchSchema.safeParse({}).error?.issues[0]?.message).toBe('a patch names at least one of companyName, address, primaryContact');
    const partner = partnerFixture({ address: { line1: '1 Main Street', line2: 'Floor 2', city: 'Redmond', postalCode: '98052', country: 'US' } });
    const next = applyLegalPatch(partner, { address: { line2: undefined, state: null, city: 'Seattle' } });
    expect(next.address).toEqual({ line1: '1 Main Street', line2: 'Floor 2', city: 'Seattle', postalCode: '98052', country: 'US' });
    expect(applyLegalPatch(partner, { primaryContact: { phone: null } }).primaryContact).toEqual(partner.primaryContact);
    expect(applyLegalPatch(partner, { companyName: 'X' }).address).toBe(partner.address);
  });

  it('ACC-1: the view lists the tabs in tab order, with their status, and every field of the account', () => {
    const tab = (name: TabState['tab'], status: 'Accepted' | 'Pending'): TabState => ({
      tab: name,
      submittedAt: at,
      checks: [{ type: 'EmailOwnership', status, fixNowAvailable: false, updatedAt: at }],
    });
    const verification = {
      ...emptyVerification('P1'),
      suspended: true,
      tabs: [tab('seller', 'Pending'), tab('developer', 'Accepted'), tab('partner', 'Pending')],
    };
    const partner = partnerFixture({ locations: [{ partnerId: 'L-US', country: 'US', active: false }] });
    const view = accountView(partner, verification, new Set<Role>(['SalesAgent']));
    expect(view).toEqual({
      partnerId: 'P1',
      companyName: 'Contoso Ltd',
      address: partner.address,
      primaryContact: partner.primaryContact,
      programs: partner.programs,
      cspModel: 'IndirectReseller',
      locations: [{ partnerId: 'L-US', country: 'US', active: false }],
      agreementActive: true,
      verification: {
        accountSuspended: true,
        tabs: [
          { tab: 'partner', status: 'Pending' },
          { tab: 'developer', status: 'Accepted' },
          { tab: 'seller', status: 'Pending' },
        ],
      },
      createdAt: partner.createdAt,
      updatedAt: partner.updatedAt,
    });
    expect(accountViewSchema.safeParse({ ...view, locations: [{}] }).success).toBe(false);
    expect(accountViewSchema.safeParse({ ...view, verification: { tabs: [] } }).success).toBe(false);
    expect(accountViewSchema.safeParse({ ...view, verification: { accountSuspended: false, tabs: [{ tab: 'partner', status: 'Rejected' }] } }).success).toBe(
      true,
    );
    expect(accountViewSchema.safeParse({ ...view, verification: { accountSuspended: false, tabs: [{}] } }).success).toBe(false);
    expect(accountViewSchema.shape.bankProfiles.description).toBe('GlobalAdmin, AccountAdmin and IncentiveAdmin only; account numbers masked');
    expect(accountViewSchema.shape.taxProfiles.description).toBe('GlobalAdmin, AccountAdmin and IncentiveAdmin only; tax ids masked');
  });
});

describe('VER-3, VER-8, VER-12: exact texts', () => {
  it('VER-3: an address with no domain, or a trailing dot on a provider, is not a work address', () => {
    expect(isWorkEmail('ana@')).toBe(false);
    expect(isWorkEmail('ana@gmail.com.')).toBe(false);
    expect(isWorkEmail('ana@contoso.com.')).toBe(true);
  });

  it('VER-8, VER-12: the whole text of both emails', () => {
    const partner = partnerFixture();
    expect(
      documentsRequestedEmail(partner, {
        tab: 'partner',
        check: 'Employment',
        documents: ['DomainOwnershipProof', 'TaxRegistrationCertificate', 'GovernmentReceipt', 'MunicipalityDocument'],
      }).plainText,
    ).toBe(
      [
        'Hello Ada,',
        '',
        'To complete the Employment verification of Contoso Ltd (partner tab), please upload:',
        '- proof that the company owns its email domain (document type DomainOwnershipProof)',
        '- the tax registration certificate (document type TaxRegistrationCertificate)',
        '- a receipt from the government of the country (document type GovernmentReceipt)',
        '- a document from the municipality (document type MunicipalityDocument)',
        '',
        'Open Legal info in Partner Center, choose the Employment check, pick the document type and upload each document.',
      ].join('\n'),
    );
    expect(verificationCompletedEmail(partner, 'partner').plainText).toBe(
      [
        'Hello Ada,',
        '',
        'Contoso Ltd has been verified (partner tab) and accepted into ai-cloud-partner, csp.',
        'You can now buy and renew offers and publish offers to the commercial marketplace.',
      ].join('\n'),
    );
  });
});

describe('INC-4: exact profile input rules', () => {
  it('INC-4: ids, account numbers and tax ids are anchored at both ends; refusals say why', () => {
    const ok = { locationPartnerId: 'L-US' };
    expect(profileIdSchema.safeParse('bank-1.a_b').success).toBe(true);
    for (const bad of ['-bank', 'bank/1', 'b'.repeat(65), '', 'bank 1']) expect(profileIdSchema.safeParse(bad).success, bad).toBe(false);
    expect(profileIdSchema.safeParse('x').success).toBe(true);
    expect(profileIdSchema.safeParse('#x').error?.issues[0]?.message).toBe('letters, digits, - _ or ., at most 64');
    for (const bad of ['-L', 'L/1', 'L'.repeat(65)]) expect(bankProfileInputSchema.safeParse({ locationPartnerId: bad }).success, bad).toBe(false);
    expect(bankProfileInputSchema.safeParse({ locationPartnerId: 'L#' }).error?.issues[0]?.message).toBe('letters, digits, - or _, at most 64');
    expect(bankProfileInputSchema.parse({ ...ok, accountHolderName: '  Contoso  ' }).accountHolderName).toBe('Contoso');
    expect(bankProfileInputSchema.parse({ ...ok, accountNumber: '  1234 5678  ' }).accountNumber).toBe('1234 5678');
    for (const bad of ['-1234', '1234$', '123', '1'.repeat(42)])
      expect(bankProfileInputSchema.safeParse({ ...ok, accountNumber: bad }).success, bad).toBe(false);
    expect(bankProfileInputSchema.safeParse({ ...ok, accountNumber: '1$34' }).error?.issues[0]?.message).toBe(
      'an account number or IBAN: 4 to 41 letters, digits, spaces or -',
    );
    expect(bankProfileInputSchema.safeParse({ ...ok, currency: 'XXX' }).error?.issues[0]?.message).toBe(
      'must be an ISO 4217 currency code (XXX, XTS, metals and funds codes are not currencies)',
    );
    for (const bad of ['/12', '12$', '1']) expect(taxProfileInputSchema.safeParse({ ...ok, taxId: bad }).success, bad).toBe(false);
    expect(taxProfileInputSchema.safeParse({ ...ok, taxId: '$$' }).error?.issues[0]?.message).toBe('a tax id: 2 to 50 letters, digits, spaces or . / -');
  });

  it('ACC-5: the bank view shows holder, country and currency; absent fields stay absent', () => {
    const full = {
      id: 'b',
      locationPartnerId: 'L',
      default: true,
      complete: true,
      accountHolderName: 'C',
      accountNumber: '12345678',
      bankCountry: 'US',
      currency: 'USD',
    };
    expect(bankProfileView(full)).toEqual({
      id: 'b',
      locationPartnerId: 'L',
      default: true,
      complete: true,
      accountHolderName: 'C',
      maskedAccountNumber: '****5678',
      bankCountry: 'US',
      currency: 'USD',
    });
    expect(bankProfileView({ id: 'b', locationPartnerId: 'L', default: false, complete: false })).toEqual({
      id: 'b',
      locationPartnerId: 'L',
      default: false,
      complete: false,
    });
  });

  it('INC-4: an upstream PUT over stored profiles keeps exactly the partner\u2019s own it does not list', () => {
    const input = { locations: [{ partnerId: 'L-US' }], bankProfiles: [], taxProfiles: [] };
    expect(mergeUpstreamProfiles({ bankProfiles: [], taxProfiles: [] }, input)).toEqual({ bankProfiles: [], taxProfiles: [] });
  });
});

describe('VER-7, VER-11, VER-12: exact gates and completion', () => {
  const check = (type: CheckState['type'], status: CheckState['status']): CheckState => ({ type, status, fixNowAvailable: false, updatedAt: at });
  const doc = (tabs: TabState[], suspended = false): VerificationDoc => ({ ...emptyVerification('P1'), suspended, tabs });
  const tab = (name: TabState['tab'], ...checks: CheckState[]): TabState => ({ tab: name, submittedAt: at, checks });

  it('VER-12: only the tabs that became Accepted are told and marked; a tab Accepted before is not, marked or not', () => {
    const before = doc([
      tab('partner', check('Business', 'Pending')),
      tab('developer', check('Business', 'Accepted')),
      tab('seller', check('Business', 'Pending')),
    ]);
    const after = doc([
      tab('partner', check('Business', 'Accepted')),
      tab('developer', check('Business', 'Accepted')),
      tab('seller', check('Business', 'Pending')),
    ]);
    const result = newlyAccepted(before, after, now);
    expect(result.tabs).toEqual(['partner']);
    expect(result.doc.tabs.map((t) => t.completionEmailedAt)).toEqual([at, undefined, undefined]);
    expect(newlyAccepted(after, after, now)).toEqual({ doc: after, tabs: [] });
    const newTab = newlyAccepted(doc([]), doc([tab('developer', check('Business', 'Accepted'))]), now);
    expect(newTab.tabs).toEqual(['developer']);
  });

  it('VER-7, VER-11: the refusals say why, and the gate judges the partner tab only', () => {
    expect(gateRefusal(doc([], true), 'notSuspended')?.message).toBe(
      'The account is suspended: its Identity check was rejected with no Fix now available, so no further action is possible (VER-7).',
    );
    expect(gateRefusal(doc([]), 'partnerAccepted')?.message).toBe(
      'Account verification has not started for the partner tab. Offers can be bought once it is Accepted (VER-11).',
    );
    expect(gateRefusal(doc([]), 'partnerAccepted')?.errors).toEqual([]);
    const developerFirst = doc([tab('developer', check('Business', 'Accepted')), tab('partner', check('Business', 'Pending'), check('Identity', 'Rejected'))]);
    expect(gateRefusal(developerFirst, 'partnerAccepted')?.message).toBe(
      'Account verification is not complete: Business (Pending), Identity (Rejected). Offers can be bought once the partner tab is Accepted (VER-11).',
    );
    expect(
      gateRefusal(doc([tab('developer', check('Business', 'Pending')), tab('partner', check('Business', 'Accepted'))]), 'partnerAccepted'),
    ).toBeUndefined();
  });
});
