/**
 * CSP regional markets (BP-4): a company's country determines its market, and a CSP offer (or a CSP
 * business profile) can be sold or published in every country of that market and nowhere else.
 *
 * This is data, transcribed from Microsoft's "Cloud Solution Provider program regional markets and
 * currencies" page (partner-center/regional-authorization-overview.md, revision of 15 April 2021),
 * country names mapped to ISO 3166-1 alpha-2. Two liberties, both forced by ISO: Bonaire, Saba and
 * Sint Eustatius are one code (BQ), and Kosovo (listed under Middle East and Europe) has no ISO
 * 3166-1 code, so it is left out. The page's prose says "all 18 countries in the Africa region" but
 * its Africa table lists 47 countries and regions; the table is what is carried here. To change a
 * market, edit this table (and its test); no code depends on a particular country.
 */
export const cspMarkets: Readonly<Record<string, readonly string[]>> = {
  Africa: [
    'AO', 'BJ', 'BW', 'BF', 'BI', 'CM', 'CV', 'CF', 'TD', 'KM', 'CG', 'CD', 'CI', 'DJ', 'GQ', 'ER', 'ET', 'PF', 'GA', 'GM',
    'GH', 'GN', 'GW', 'KE', 'LR', 'MG', 'MW', 'ML', 'MU', 'YT', 'NA', 'NC', 'NE', 'NG', 'RE', 'RW', 'ST', 'SN', 'SC', 'SL',
    'SO', 'SS', 'SH', 'TZ', 'TG', 'UG', 'ZM',
  ],
  AsiaPacific: ['BD', 'BT', 'BN', 'KH', 'HK', 'ID', 'LA', 'MO', 'MY', 'MV', 'MM', 'NP', 'PH', 'SG', 'LK', 'TH', 'TL', 'VN'],
  Australia: ['AU', 'CX', 'CC', 'CK', 'FJ', 'TF', 'GU', 'HM', 'KI', 'MH', 'FM', 'NR', 'NU', 'NF', 'MP', 'PW', 'PG', 'PN', 'SB', 'TK', 'TO', 'TV', 'WF'],
  Brazil: ['BR'],
  Canada: ['CA', 'PM'],
  Europe: [
    'AX', 'AD', 'AT', 'BE', 'BV', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FO', 'FI', 'FR', 'DE', 'GI', 'GR', 'GL', 'GG', 'HU',
    'IS', 'IE', 'IM', 'IT', 'JE', 'LV', 'LI', 'LT', 'LU', 'MT', 'MC', 'NL', 'NO', 'PL', 'PT', 'RO', 'SM', 'SK', 'SI', 'ES',
    'SJ', 'SE', 'CH', 'GB', 'VA',
  ],
  India: ['IN'],
  Japan: ['JP'],
  Korea: ['KR'],
  LatinAmericaCaribbean: [
    'AI', 'AQ', 'AG', 'AR', 'AW', 'BS', 'BB', 'BZ', 'BM', 'BO', 'BQ', 'VG', 'KY', 'CL', 'CO', 'CR', 'CW', 'DM', 'DO', 'EC',
    'SV', 'FK', 'GF', 'GD', 'GP', 'GT', 'GY', 'HT', 'HN', 'JM', 'MQ', 'MX', 'MS', 'NI', 'PA', 'PY', 'PE', 'PR', 'BL', 'KN',
    'LC', 'MF', 'VC', 'SX', 'GS', 'SR', 'TT', 'TC', 'UY', 'VE', 'VI',
  ],
  MiddleEastCentralEasternEurope: [
    'AF', 'AL', 'DZ', 'AM', 'AZ', 'BH', 'BY', 'BA', 'IO', 'EG', 'GE', 'IQ', 'IL', 'JO', 'KZ', 'KW', 'KG', 'LB', 'LS', 'LY',
    'MK', 'MR', 'MD', 'MN', 'ME', 'MA', 'MZ', 'OM', 'PK', 'PS', 'QA', 'SA', 'RS', 'ZA', 'SZ', 'TJ', 'TN', 'TR', 'TM', 'UA',
    'AE', 'UZ', 'YE', 'ZW',
  ],
  NewZealand: ['AS', 'NZ', 'WS', 'VU'],
  Russia: ['RU'],
  Taiwan: ['TW'],
  UnitedStates: ['US', 'UM'],
};
