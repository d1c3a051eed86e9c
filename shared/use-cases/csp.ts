import { directBillRequirements } from '../domain/csp.js';
import { buyPlan } from '../domain/direct-bill.js';
import type { Principal } from '../domain/roles.js';
import { requirePartner } from './accounts.js';
import type { UseCaseDeps } from './ports.js';
import { readDecideWrite } from './write.js';

/** CSP-1: every requirement of direct-bill enrolment with whether the partner meets it. */
export async function directBillEligibility(deps: UseCaseDeps, partnerId: string) {
  const partner = await requirePartner(deps, partnerId);
  const requirements = directBillRequirements(partner.doc, deps.now());
  return { eligible: requirements.every((r) => r.met), requirements };
}

/**
 * CSP-2: a support plan may be bought only once the credit check has passed (409 before). The plan
 * bought is the partner's from then on (recorded on the account, so CSP-1 counts it and an upstream
 * PUT keeps it). Buying again answers the plan already bought, so a retried request buys nothing twice.
 */
export async function buySupportPlan(deps: UseCaseDeps, partnerId: string, plan: 'Advanced' | 'Premier', principal: Principal) {
  const first = await requirePartner(deps, partnerId);
  return readDecideWrite({
    read: () => requirePartner(deps, partnerId),
    assumed: { state: first },
    decide: (stored) => {
      const { partner, bought } = buyPlan(stored.doc, plan, principal.userId, deps.now());
      const purchase = partner.directBill?.supportPlan;
      if (!purchase) throw new Error('support plan missing after purchase');
      const result = { created: bought, purchase: { plan: purchase.plan, purchasedAt: purchase.purchasedAt } };
      return bought ? { result, write: [{ kind: 'replace' as const, doc: partner, etag: stored.etag }] } : { result };
    },
    write: (writes) => deps.accounts.commit(partnerId, writes),
  });
}
