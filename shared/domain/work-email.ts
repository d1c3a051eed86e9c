import consumerMailDomains from './data/consumer-mail-domains.json' with { type: 'json' };

const consumerDomains = new Set(consumerMailDomains.domains);

/**
 * VER-3: the primary contact's address must be a monitored work address: not at a consumer or
 * disposable mail provider (the list in data/consumer-mail-domains.json names its source), and not a
 * tenant sign-in name such as `jsmith@testcompany.onmicrosoft.com`, which receives no mail.
 */
export function isWorkEmail(address: string): boolean {
  const domain = address
    .slice(address.lastIndexOf('@') + 1)
    .toLowerCase()
    .replace(/\.$/, '');
  if (domain === '' || domain === 'onmicrosoft.com' || domain.endsWith('.onmicrosoft.com')) return false;
  return !consumerDomains.has(domain);
}
