import { describe, expect, it } from 'vitest';
import { verificationGateOf } from '../../../shared/platform/auth.js';

describe('VER-7, VER-11: the verification gate a route declares', () => {
  it('VER-7: every method but GET on a route with a partner parameter is notSuspended unless it declares otherwise', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(verificationGateOf(method, { roles: ['GlobalAdmin'], partnerParam: 'partnerId' }), method).toBe('notSuspended');
    }
    expect(verificationGateOf('GET', { roles: ['GlobalAdmin'], partnerParam: 'partnerId' })).toBe('none');
    expect(verificationGateOf('POST', { roles: ['GlobalAdmin'], partnerParam: 'partnerId', verification: 'none' })).toBe('none');
    expect(verificationGateOf('POST', { roles: ['SalesAgent'], partnerParam: 'partnerId', verification: 'partnerAccepted' })).toBe('partnerAccepted');
  });

  it('VER-7: routes that name no partner are not gated (there is no account to judge)', () => {
    expect(verificationGateOf('PUT', { roles: ['PlatformOperator'] })).toBe('none');
    expect(verificationGateOf('POST', { anonymous: true })).toBe('none');
  });
});
