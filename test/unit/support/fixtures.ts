// What the use-case unit tests share: the rejection a call ends in, and a partner as upstream sends it.
import { expect } from 'vitest';
import { DomainError } from '../../../shared/domain/errors.js';
import { partnerInputSchema, type PartnerInput } from '../../../shared/domain/partner.js';

/** The DomainError a call rejects with (the test fails when it resolves or throws anything else). */
export async function errorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/**
 * The shape of test/support/harness.ts partnerBody(), parsed as the edge parses it: one active US
 * location with a complete default bank profile and a complete tax profile.
 */
export function partnerInput(overrides: Record<string, unknown> = {}): PartnerInput {
  return partnerInputSchema.parse({
    companyName: 'Contoso Ltd',
    address: { line1: '1 Main St', city: 'Seattle', postalCode: '98101', country: 'US' },
    primaryContact: { firstName: 'Ana', lastName: 'Lee', email: 'ana@contoso.example', phone: '+1 555 0100' },
    programs: ['ai-cloud-partner', 'csp'],
    cspModel: 'DirectBill',
    locations: [{ partnerId: '4011111', country: 'US', active: true }],
    agreementActive: true,
    bankProfiles: [{ id: 'bank-1', locationPartnerId: '4011111', default: true, complete: true }],
    taxProfiles: [{ id: 'tax-1', locationPartnerId: '4011111', complete: true }],
    ...overrides,
  });
}
