import { directBillRequirements } from '../domain/csp.js';
import { DomainError } from '../domain/errors.js';
import type { Principal } from '../domain/roles.js';
import { requirePartner } from './accounts.js';
import type { SupportPlanPurchase, UseCaseDeps } from './ports.js';
import { createIfAbsent } from './write.js';

/** CSP-1: every requirement of direct-bill enrolment with whether the partner meets it. */
export async function directBillEligibility(deps: UseCaseDeps, partnerId: string) {
  const partner = await requirePartner(deps, partnerId);
  const requirements = directBillRequirements(partner.doc, deps.now());
  return { eligible: requirements.every((r) => r.met), requirements };
}

/**
 * CSP-2: a support plan may be bought only once the credit check has passed (409 before). Buying
 * again answers the plan already bought, so a retried request buys nothing twice.
 */
export async function buySupportPlan(deps: UseCaseDeps, partnerId: string, plan: SupportPlanPurchase['plan'], principal: Principal) {
  const partner = await requirePartner(deps, partnerId);
  const creditCheck = partner.doc.csp?.creditCheck ?? 'NotStarted';
  if (creditCheck !== 'Passed') {
    throw DomainError.conflict(`A support plan can be bought once the credit check has passed (it is ${creditCheck}).`, 'CreditCheckNotPassed');
  }
  const purchase: SupportPlanPurchase = {
    id: 'support-plan',
    type: 'supportPlan',
    partnerId,
    plan,
    purchasedAt: deps.now().toISOString(),
    purchasedBy: principal.userId,
  };
  const created = await createIfAbsent(deps.accounts, purchase);
  const stored = created ? purchase : (await deps.accounts.read(partnerId, 'support-plan'))?.doc;
  if (!stored || stored.type !== 'supportPlan') throw new Error('support plan record missing after create');
  return { created, purchase: { plan: stored.plan, purchasedAt: stored.purchasedAt } };
}
