import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countryCode, countryCodes } from '../../../shared/domain/countries.js';

describe('countries', () => {
  it('ACC-1: the 249 officially assigned ISO 3166-1 alpha-2 codes, each once, in order', () => {
    expect(countryCodes).toHaveLength(249);
    expect(new Set(countryCodes).size).toBe(249);
    expect([...countryCodes].sort()).toEqual([...countryCodes]);
    for (const code of countryCodes) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it('ACC-1: every listed code is a country', () => {
    for (const code of countryCodes) expect(countryCode.safeParse(code).success).toBe(true);
  });

  it('ACC-1: lower case, alpha-3, reserved and user-assigned codes are not countries', () => {
    for (const code of ['us', 'Us', 'USA', 'UK', 'XK', 'EU', 'ZZ', 'AA', '', ' US']) {
      const result = countryCode.safeParse(code);
      expect(result.success, code).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('must be an ISO 3166-1 alpha-2 country code, e.g. US');
    }
  });

  it('ACC-1: a string is a country exactly when it is one of the listed codes (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), (s) => {
        expect(countryCode.safeParse(s).success).toBe((countryCodes as readonly string[]).includes(s));
      }),
    );
  });
});
