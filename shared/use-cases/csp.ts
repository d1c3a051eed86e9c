import type { Services } from '../composition-root.js';
import type { SupportPlanPurchase } from '../data/partner-store.js';
import { directBillRequirements } from '../domain/csp.js';
import type { Principal } from '../platform/auth.js';
import { AppError } from '../platform/errors.js';

/** CSP-1: every requirement of direct-bill enrolment with whether the partner meets it. */
export async function directBillEligibility(services: Services, partnerId: string) {
  const partner = await services.partners.required(partnerId);
  const requirements = directBillRequirements(partner.doc, services.now());
  return { eligible: requirements.every((r) => r.met), requirements };
}

/**
 * CSP-2: a support plan may be bought only once the credit check has passed (409 before). Buying
 * again answers the plan already bought, so a retried request buys nothing twice.
 */
export async function buySupportPlan(services: Services, partnerId: string, plan: SupportPlanPurchase['plan'], principal: Principal) {
  const partner = await services.partners.required(partnerId);
  const creditCheck = partner.doc.csp?.creditCheck ?? 'NotStarted';
  if (creditCheck !== 'Passed') {
    throw AppError.conflict(`A support plan can be bought once the credit check has passed (it is ${creditCheck}).`, 'CreditCheckNotPassed');
  }
  const purchase: SupportPlanPurchase = { id: 'support-plan', type: 'supportPlan', partnerId, plan, purchasedAt: services.now().toISOString(), purchasedBy: principal.userId };
  const result = await services.partners.repo.createIfAbsent(purchase);
  const stored = result.created ? purchase : (await services.partners.repo.read(partnerId, 'support-plan'))?.doc;
  if (!stored || stored.type !== 'supportPlan') throw new Error('support plan record missing after create');
  return { created: result.created, purchase: { plan: stored.plan, purchasedAt: stored.purchasedAt } };
}
