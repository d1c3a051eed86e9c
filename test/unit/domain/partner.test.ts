import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressSchema,
  contactSchema,
  cspModels,
  emailAddress,
  isoDate,
  legalChanges,
  partnerDocumentId,
  partnerIdSchema,
  partnerInputSchema,
  personName,
  phoneNumber,
  programIds,
  type PartnerInput,
} from '../../../shared/domain/partner.js';
import { cspFixture, partnerFixture } from './fixtures.js';

function input(overrides: Partial<PartnerInput> = {}): Record<string, unknown> {
  const { id: _id, type: _type, partnerId: _partnerId, createdAt: _createdAt, updatedAt: _updatedAt, ...rest } = partnerFixture(overrides);
  return rest;
}

const issues = (result: { success: boolean; error?: { issues: { code: string; path: PropertyKey[]; message: string }[] } }) =>
  (result.error?.issues ?? []).map((i) => [i.path.join('.'), i.code === 'custom' ? i.message : `${i.code}: ${i.message}`]);

const email253 = `${'a'.repeat(60)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(9)}`;

describe('programs and CSP models', () => {
  it('ACC-2: the three programs', () => {
    expect(programIds).toEqual(['ai-cloud-partner', 'csp', 'developer']);
  });

  it('ACC-4: the CSP models', () => {
    expect(cspModels).toEqual(['DirectBill', 'IndirectProvider', 'IndirectReseller', 'None']);
  });

  it('ACC-1: the partner document id', () => {
    expect(partnerDocumentId).toBe('partner');
  });
});

describe('field schemas', () => {
  it('ACC-1: a partner id is 1 to 64 letters, digits, - or _, starting with a letter or digit', () => {
    for (const id of ['1', 'a', 'Z', '4000123', 'a-b_c', `A${'b'.repeat(63)}`, '9-']) expect(partnerIdSchema.safeParse(id).success, id).toBe(true);
    for (const id of ['', '-1', '_1', 'a.b', 'a b', 'ä', `A${'b'.repeat(64)}`, '1\n', ' 1']) expect(partnerIdSchema.safeParse(id).success, id).toBe(false);
    expect(partnerIdSchema.safeParse('a.b').error?.issues[0]?.message).toBe('letters, digits, - or _, at most 64');
  });

  it('ACC-1: partner ids accept exactly the documented alphabet (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (s) => {
        expect(partnerIdSchema.safeParse(s).success).toBe(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(s));
      }),
    );
  });

  it('VER-2: a person name is trimmed, 1 to 100 characters', () => {
    expect(personName.parse('  Ada  ')).toBe('Ada');
    expect(personName.parse('A')).toBe('A');
    expect(personName.safeParse('   ').success).toBe(false);
    expect(personName.safeParse('x'.repeat(100)).success).toBe(true);
    expect(personName.safeParse('x'.repeat(101)).success).toBe(false);
  });

  it('VER-3: the primary contact address is an email address of at most 254 characters', () => {
    expect(emailAddress.safeParse('ada@contoso.com').success).toBe(true);
    expect(emailAddress.safeParse(`${email253}x`).success).toBe(true);
    expect(emailAddress.safeParse(`${email253}xy`).success).toBe(false);
    expect(emailAddress.safeParse('ada').error?.issues[0]?.message).toBe('must be an email address');
  });

  it('ATT-2: a phone number is digits, spaces and + ( ) - . only, 3 to 26 characters', () => {
    for (const phone of ['+1 (425) 555-0100', '123', '+123', '1.2-3', `1${'2'.repeat(24)}`, `+1${'2'.repeat(24)}`])
      expect(phoneNumber.safeParse(phone).success, phone).toBe(true);
    for (const phone of ['12', '+12', 'abc', '555-CALL', 'x123', '123x', '(425) 555', '++123', `1${'2'.repeat(25)}`, '1 2/3'])
      expect(phoneNumber.safeParse(phone).success, phone).toBe(false);
    expect(phoneNumber.parse('  123  ')).toBe('123');
    expect(phoneNumber.safeParse('abc').error?.issues[0]?.message).toBe('must be a phone number: digits, spaces, + ( ) - .');
  });

  it('ATT-2, CSP-1: a date is a calendar date that exists', () => {
    expect(isoDate.safeParse('2024-02-29').success).toBe(true);
    expect(isoDate.safeParse('2023-02-29').success).toBe(false);
    expect(isoDate.safeParse('2024-02-29T00:00:00Z').error?.issues[0]?.message).toBe('must be a date YYYY-MM-DD');
  });

  it('VER-2: a contact has first and last name, email and an optional phone', () => {
    expect(contactSchema.parse({ firstName: ' Ada ', lastName: 'Lovelace', email: 'ada@contoso.com' })).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@contoso.com',
    });
    expect(contactSchema.safeParse({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.com', phone: '123' }).success).toBe(true);
    expect(contactSchema.safeParse({ firstName: 'Ada', lastName: '', email: 'ada@contoso.com' }).success).toBe(false);
  });

  it('VER-2: an address has a line, a city, a postal code and a country; its lengths are bounded', () => {
    const address = { line1: ' 1 Main Street ', city: ' Redmond ', postalCode: ' 98052 ', country: 'US', line2: ' Suite 2 ', state: ' WA ' };
    expect(addressSchema.parse(address)).toEqual({
      line1: '1 Main Street',
      city: 'Redmond',
      postalCode: '98052',
      country: 'US',
      line2: 'Suite 2',
      state: 'WA',
    });
    const ok = (over: Record<string, unknown>) => addressSchema.safeParse({ ...address, ...over }).success;
    expect(ok({ line1: 'x'.repeat(200), line2: 'x'.repeat(200), city: 'x'.repeat(100), state: 'x'.repeat(100), postalCode: 'x'.repeat(20) })).toBe(true);
    expect(ok({ line1: 'x'.repeat(201) })).toBe(false);
    expect(ok({ line2: 'x'.repeat(201) })).toBe(false);
    expect(ok({ city: 'x'.repeat(101) })).toBe(false);
    expect(ok({ state: 'x'.repeat(101) })).toBe(false);
    expect(ok({ postalCode: 'x'.repeat(21) })).toBe(false);
    expect(ok({ line1: ' ' })).toBe(false);
    expect(ok({ city: ' ' })).toBe(false);
    expect(ok({ postalCode: ' ' })).toBe(false);
    expect(ok({ line2: '', state: '' })).toBe(true);
    expect(ok({ country: 'us' })).toBe(false);
    expect(addressSchema.safeParse({ line1: 'a', city: 'b', postalCode: 'c', country: 'US' }).success).toBe(true);
  });
});

describe('partnerInputSchema', () => {
  it('ACC-1, ACC-4: a partner with defaults: no CSP model, no agreement, no profiles', () => {
    const { cspModel: _m, agreementActive: _a, bankProfiles: _b, taxProfiles: _t, csp: _c, ...bare } = input();
    const parsed = partnerInputSchema.parse(bare);
    expect(parsed.cspModel).toBe('None');
    expect(parsed.agreementActive).toBe(false);
    expect(parsed.bankProfiles).toEqual([]);
    expect(parsed.taxProfiles).toEqual([]);
    expect(parsed.csp).toBeUndefined();
  });

  it('ACC-1: the fixture partner is valid and its company name is trimmed and bounded', () => {
    expect(partnerInputSchema.parse(input({ companyName: '  Contoso  ' })).companyName).toBe('Contoso');
    expect(partnerInputSchema.safeParse(input({ companyName: 'x'.repeat(200) })).success).toBe(true);
    expect(partnerInputSchema.safeParse(input({ companyName: 'x'.repeat(201) })).success).toBe(false);
    expect(partnerInputSchema.safeParse(input({ companyName: ' ' })).success).toBe(false);
  });

  it('ACC-2: a program is listed once', () => {
    const result = partnerInputSchema.safeParse(input({ programs: ['csp', 'developer', 'csp'] }));
    expect(issues(result)).toEqual([['programs.2', 'duplicate program csp']]);
  });

  it('ACC-1: one location per partner id; at most 300 locations', () => {
    const dup = partnerInputSchema.safeParse(
      input({
        locations: [
          { partnerId: 'L-US', country: 'US', active: true },
          { partnerId: 'L-US', country: 'CA', active: false },
        ],
      }),
    );
    expect(issues(dup)).toEqual([['locations.1', 'duplicate location partner id L-US']]);
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ partnerId: i === 0 ? 'L-US' : `L${i}`, country: 'US' as const, active: true }));
    expect(partnerInputSchema.safeParse(input({ locations: many(300) })).success).toBe(true);
    expect(partnerInputSchema.safeParse(input({ locations: many(301) })).success).toBe(false);
  });

  it('INC-4: bank and tax profiles belong to one of the partner’s locations, each id once, at most 100', () => {
    const result = partnerInputSchema.safeParse(
      input({
        bankProfiles: [
          { id: 'b1', locationPartnerId: 'L-US', default: true, complete: true },
          { id: 'b1', locationPartnerId: 'L-XX', default: false, complete: true },
        ],
        taxProfiles: [
          { id: 't1', locationPartnerId: 'L-XX', complete: true },
          { id: 't1', locationPartnerId: 'L-US', complete: true },
        ],
      }),
    );
    expect(issues(result)).toEqual([
      ['bankProfiles.1', 'duplicate bank profile b1'],
      ['taxProfiles.1', 'duplicate tax profile t1'],
      ['bankProfiles.1.locationPartnerId', 'not one of the partner\u2019s locations'],
      ['taxProfiles.0.locationPartnerId', 'not one of the partner\u2019s locations'],
    ]);
    const banks = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `b${i}`, locationPartnerId: 'L-US', default: i === 0, complete: true }));
    const taxes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i}`, locationPartnerId: 'L-US', complete: true }));
    expect(partnerInputSchema.safeParse(input({ bankProfiles: banks(100), taxProfiles: taxes(100) })).success).toBe(true);
    expect(partnerInputSchema.safeParse(input({ bankProfiles: banks(101) })).success).toBe(false);
    expect(partnerInputSchema.safeParse(input({ taxProfiles: taxes(101) })).success).toBe(false);
    const longId = 'x'.repeat(64);
    expect(
      partnerInputSchema.safeParse(
        input({
          bankProfiles: [{ id: longId, locationPartnerId: 'L-US', default: true, complete: true }],
          taxProfiles: [{ id: longId, locationPartnerId: 'L-US', complete: true }],
        }),
      ).success,
    ).toBe(true);
    expect(
      partnerInputSchema.safeParse(input({ bankProfiles: [{ id: `${longId}x`, locationPartnerId: 'L-US', default: true, complete: true }] })).success,
    ).toBe(false);
    expect(partnerInputSchema.safeParse(input({ taxProfiles: [{ id: `${longId}x`, locationPartnerId: 'L-US', complete: true }] })).success).toBe(false);
    expect(partnerInputSchema.safeParse(input({ bankProfiles: [{ id: '', locationPartnerId: 'L-US', default: true, complete: true }] })).success).toBe(false);
    expect(partnerInputSchema.safeParse(input({ taxProfiles: [{ id: '', locationPartnerId: 'L-US', complete: true }] })).success).toBe(false);
  });

  it('CSP-1, CSP-2: the support plans and credit-check states', () => {
    const ok = (over: Record<string, unknown>) => partnerInputSchema.safeParse({ ...input(), csp: { ...cspFixture(), ...over } }).success;
    for (const supportPlan of ['None', 'Advanced', 'Premier']) expect(ok({ supportPlan }), supportPlan).toBe(true);
    for (const creditCheck of ['NotStarted', 'Pending', 'Passed', 'Failed']) expect(ok({ creditCheck }), creditCheck).toBe(true);
    expect(ok({ supportPlan: 'Basic' })).toBe(false);
    expect(ok({ supportPlan: '' })).toBe(false);
    expect(ok({ creditCheck: 'Done' })).toBe(false);
    expect(ok({ creditCheck: '' })).toBe(false);
  });

  it('CSP-1: revenue is at least 0 and managed services a whole number at least 0', () => {
    const ok = (over: Parameters<typeof cspFixture>[0]) => partnerInputSchema.safeParse(input({ csp: cspFixture(over) })).success;
    expect(ok({ trailing12MonthRevenueUsd: 0, managedServices: 0 })).toBe(true);
    expect(ok({ trailing12MonthRevenueUsd: -0.01 })).toBe(false);
    expect(ok({ managedServices: -1 })).toBe(false);
    expect(ok({ managedServices: 1.5 })).toBe(false);
    expect(ok({ indirectResellerSince: undefined })).toBe(true);
    expect(ok({ indirectResellerSince: '2023-02-29' })).toBe(false);
  });
});

describe('legalChanges', () => {
  const base = partnerFixture();

  it('VER-2: a first save changes everything', () => {
    expect(legalChanges(undefined, base)).toEqual({ company: true, contact: true, contactEmail: true });
  });

  it('VER-2: the same details change nothing', () => {
    expect(legalChanges(base, partnerFixture())).toEqual({ company: false, contact: false, contactEmail: false });
  });

  it('VER-2: programs, locations and profiles are not legal details', () => {
    expect(legalChanges(base, partnerFixture({ programs: [], locations: [], agreementActive: false }))).toEqual({
      company: false,
      contact: false,
      contactEmail: false,
    });
  });

  it('VER-2: the company name and the address are the company', () => {
    expect(legalChanges(base, partnerFixture({ companyName: 'Fabrikam' }))).toEqual({ company: true, contact: false, contactEmail: false });
    expect(legalChanges(base, partnerFixture({ address: { ...base.address, postalCode: '98053' } }))).toEqual({
      company: true,
      contact: false,
      contactEmail: false,
    });
  });

  it('VER-2: a contact change is a contact change; the email counts only when it differs other than in case', () => {
    expect(legalChanges(base, partnerFixture({ primaryContact: { ...base.primaryContact, phone: '123' } }))).toEqual({
      company: false,
      contact: true,
      contactEmail: false,
    });
    expect(legalChanges(base, partnerFixture({ primaryContact: { ...base.primaryContact, email: 'ADA@Contoso.com' } }))).toEqual({
      company: false,
      contact: true,
      contactEmail: false,
    });
    expect(legalChanges(base, partnerFixture({ primaryContact: { ...base.primaryContact, email: 'ada@fabrikam.com' } }))).toEqual({
      company: false,
      contact: true,
      contactEmail: true,
    });
  });
});
