import { describe, expect, it } from 'vitest';
import currencyList from '../../../shared/domain/data/iso-4217-currencies.json' with { type: 'json' };
import {
  bankProfileComplete,
  bankProfileInputSchema,
  bankProfileView,
  isCurrency,
  maskedTail,
  mergeUpstreamProfiles,
  taxProfileComplete,
  taxProfileView,
  withBankProfile,
  withTaxProfile,
  type BankProfile,
} from '../../../shared/domain/payout-profiles.js';

const now = new Date('2026-07-01T00:00:00.000Z');
const full = {
  locationPartnerId: 'L-US',
  accountHolderName: 'Contoso Ltd',
  accountNumber: 'DE89370400440532013000',
  bankCountry: 'DE' as const,
  currency: 'EUR',
};

describe('INC-4: bank and tax profiles', () => {
  it('INC-4: the currency list is ISO 4217 data with its source; XXX, XTS, metals and funds codes are not currencies', () => {
    expect(currencyList.source).toMatch(/ISO 4217/);
    for (const code of ['USD', 'EUR', 'JPY', 'XAF', 'XOF', 'CHF']) expect(isCurrency(code), code).toBe(true);
    for (const code of ['XXX', 'XTS', 'XAU', 'XDR', 'CHE', 'usd', 'US', 'ABC']) expect(isCurrency(code), code).toBe(false);
  });

  it('INC-4: a currency XXX is refused by the bank profile body (400), not stored as incomplete', () => {
    const result = bankProfileInputSchema.safeParse({ ...full, currency: 'XXX' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['currency']);
  });

  it('INC-4: complete needs holder, account number, bank country and an ISO 4217 currency', () => {
    expect(bankProfileComplete(full)).toBe(true);
    for (const missing of ['accountHolderName', 'accountNumber', 'bankCountry', 'currency'] as const) {
      expect(bankProfileComplete({ ...full, [missing]: undefined }), missing).toBe(false);
    }
    expect(bankProfileComplete({ ...full, currency: 'XXX' })).toBe(false);
    expect(taxProfileComplete({ taxCountry: 'US', taxId: '12-3456789' })).toBe(true);
    expect(taxProfileComplete({ taxCountry: 'US' })).toBe(false);
    expect(taxProfileComplete({ taxId: '12-3456789' })).toBe(false);
  });

  it('INC-4: the body is strict: complete cannot be sent, unknown fields are refused', () => {
    expect(bankProfileInputSchema.safeParse({ ...full, complete: true }).success).toBe(false);
    expect(bankProfileInputSchema.safeParse({ ...full, iban: 'x' }).success).toBe(false);
  });

  it('ACC-5: account numbers are masked to their last four characters at most, never more than half', () => {
    expect(maskedTail('DE89370400440532013000')).toBe('******************3000');
    expect(maskedTail('1234 5678')).toBe('****5678');
    expect(maskedTail('123456')).toBe('****456');
    expect(maskedTail('1234')).toBe('****34');
    const view = bankProfileView({ ...full, id: 'b1', default: true, complete: true });
    expect(JSON.stringify(view)).not.toContain('0532013000');
    expect(view.maskedAccountNumber?.endsWith('3000')).toBe(true);
    expect(JSON.stringify(taxProfileView({ id: 't1', locationPartnerId: 'L-US', complete: true, taxId: '12-3456789' }))).not.toContain('3456789');
  });

  it('INC-4: one default bank profile per location: a new default clears the old one in the same write', () => {
    const stored: BankProfile[] = [
      { id: 'old', locationPartnerId: 'L-US', default: true, complete: true },
      { id: 'other-location', locationPartnerId: 'L-DE', default: true, complete: true },
    ];
    const written = withBankProfile(stored, 'new', { ...full, default: true }, now);
    expect(written.created).toBe(true);
    expect(written.profile).toMatchObject({ id: 'new', default: true, complete: true, source: 'partner' });
    expect(written.profiles.filter((p) => p.locationPartnerId === 'L-US' && p.default).map((p) => p.id)).toEqual(['new']);
    expect(written.profiles.find((p) => p.id === 'other-location')?.default).toBe(true);
    const notDefault = withBankProfile(written.profiles, 'third', full, now);
    expect(notDefault.profiles.filter((p) => p.locationPartnerId === 'L-US' && p.default).map((p) => p.id)).toEqual(['new']);
    expect(withBankProfile(written.profiles, 'new', full, now).created).toBe(false);
    expect(withTaxProfile([], 't1', { locationPartnerId: 'L-US', taxCountry: 'US', taxId: '12-3456789' }, now).profile.complete).toBe(true);
  });

  it('INC-4: the upstream PUT keeps its stated complete and leaves the partner\u2019s own profiles it does not list', () => {
    const stored = {
      bankProfiles: [
        { id: 'up', locationPartnerId: 'L-US', default: false, complete: true },
        { id: 'mine', locationPartnerId: 'L-US', default: true, complete: true, source: 'partner' as const },
        { id: 'gone-location', locationPartnerId: 'L-XX', default: false, complete: true, source: 'partner' as const },
      ],
      taxProfiles: [{ id: 'tax-mine', locationPartnerId: 'L-US', complete: true, source: 'partner' as const }],
    };
    const input = {
      locations: [{ partnerId: 'L-US' }],
      bankProfiles: [{ id: 'up', locationPartnerId: 'L-US', default: false, complete: false }],
      taxProfiles: [],
    };
    const merged = mergeUpstreamProfiles(stored, input);
    expect(merged.bankProfiles.map((p) => [p.id, p.complete, p.default])).toEqual([
      ['up', false, false],
      ['mine', true, true],
    ]);
    expect(merged.taxProfiles.map((p) => p.id)).toEqual(['tax-mine']);
    // An upstream default for the location wins: the kept profile is no longer the default.
    const upstreamDefault = mergeUpstreamProfiles(stored, {
      ...input,
      bankProfiles: [{ id: 'up', locationPartnerId: 'L-US', default: true, complete: false }],
    });
    expect(upstreamDefault.bankProfiles.filter((p) => p.default).map((p) => p.id)).toEqual(['up']);
    // The partner's profile listed by upstream is upstream's again.
    expect(
      mergeUpstreamProfiles(stored, { ...input, bankProfiles: [{ id: 'mine', locationPartnerId: 'L-US', default: true, complete: false }] }).bankProfiles,
    ).toEqual([{ id: 'mine', locationPartnerId: 'L-US', default: true, complete: false }]);
  });
});
