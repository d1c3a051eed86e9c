import { describe, expect, it } from 'vitest';
import { countryCodes } from '../../../shared/domain/countries.js';
import { cspMarkets } from '../../../shared/domain/csp-markets.js';

const all = Object.values(cspMarkets).flat();

describe('CSP regional markets', () => {
  it('BP-4: a US company sells in the United States and the US Minor Outlying Islands', () => {
    expect(cspMarkets.UnitedStates).toEqual(['US', 'UM']);
  });

  it('BP-4: the Africa market carries the 47 countries and regions of the source table', () => {
    expect(cspMarkets.Africa).toHaveLength(47);
    expect(cspMarkets.Africa).toEqual(expect.arrayContaining(['KE', 'NG', 'GH', 'ET', 'SN', 'CI', 'RE', 'YT']));
  });

  it('BP-4: the markets and their sizes', () => {
    expect(Object.fromEntries(Object.entries(cspMarkets).map(([market, countries]) => [market, countries.length]))).toEqual({
      Africa: 47,
      AsiaPacific: 18,
      Australia: 23,
      Brazil: 1,
      Canada: 2,
      Europe: 45,
      India: 1,
      Japan: 1,
      Korea: 1,
      LatinAmericaCaribbean: 51,
      MiddleEastCentralEasternEurope: 44,
      NewZealand: 4,
      Russia: 1,
      Taiwan: 1,
      UnitedStates: 2,
    });
    expect([cspMarkets.Brazil, cspMarkets.India, cspMarkets.Japan, cspMarkets.Korea, cspMarkets.Russia, cspMarkets.Taiwan]).toEqual([
      ['BR'],
      ['IN'],
      ['JP'],
      ['KR'],
      ['RU'],
      ['TW'],
    ]);
    expect(cspMarkets.Canada).toEqual(['CA', 'PM']);
    expect(cspMarkets.NewZealand).toEqual(['AS', 'NZ', 'WS', 'VU']);
  });

  it('BP-4: every market country is an ISO 3166-1 alpha-2 code', () => {
    for (const code of all) expect((countryCodes as readonly string[]).includes(code), code).toBe(true);
  });

  it('BP-4: a company country determines one market: no country is in two', () => {
    expect(new Set(all).size).toBe(all.length);
  });

  it('BP-4: CSP is sold everywhere but seven countries', () => {
    expect(countryCodes.filter((c) => !all.includes(c))).toEqual(['CN', 'CU', 'EH', 'IR', 'KP', 'SD', 'SY']);
  });
});
