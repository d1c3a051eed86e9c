import { DomainError } from '../domain/errors.js';
import { claimed, emailIntent, type EmailIntent } from '../domain/outbox.js';
import { userDocumentId, type PartnerUser } from '../domain/incentives.js';
import type { Partner } from '../domain/partner.js';
import type { Principal } from '../domain/roles.js';
import { verificationEmail } from '../domain/emails.js';
import { issueEmailToken } from '../domain/verification.js';
import type { UseCaseDeps, Versioned } from './ports.js';

/** The partner, or a not-found for the caller: every partner-scoped use case starts here. */
export async function requirePartner(deps: Pick<UseCaseDeps, 'accounts'>, partnerId: string): Promise<Versioned<Partner>> {
  const partner = await deps.accounts.partner(partnerId);
  if (!partner) throw DomainError.notFound(`Partner ${partnerId} does not exist.`);
  return partner;
}

/** The user record behind the caller, when it has one: the roles and locations assigned in the portal (INC-1, BP-5). */
export async function callerUser(deps: Pick<UseCaseDeps, 'accounts'>, partnerId: string, principal: Principal): Promise<PartnerUser | undefined> {
  const stored = await deps.accounts.read(partnerId, userDocumentId(principal.userId));
  return stored?.doc.type === 'user' ? stored.doc : undefined;
}

/** VER-2, VER-6: a new one-time link (its hash is what is stored) and the email that carries it. */
export function newEmailLink(
  deps: Pick<UseCaseDeps, 'config'>,
  partner: Partner,
  now: Date,
): { tokenHash: string; emailToken: { hash: string; issuedAt: string; expiresAt: string }; intent: EmailIntent } {
  const { token, hash } = issueEmailToken(partner.partnerId);
  const link = new URL(deps.config.VERIFICATION_LINK_BASE);
  link.searchParams.set('token', token);
  const ttlHours = deps.config.VERIFICATION_TOKEN_TTL_HOURS;
  const message = verificationEmail(partner, link.toString(), Math.round(ttlHours / 24));
  return {
    tokenHash: hash,
    emailToken: { hash, issuedAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlHours * 3_600_000).toISOString() },
    // Claimed by the request that owes it, which delivers it at once (the sweep leaves it alone meanwhile).
    intent: claimed(emailIntent(partner.partnerId, `email-verification:${hash}`, message, now.toISOString()), now),
  };
}
