import { describe, expect, it } from 'vitest';
import { DomainError, errorCodes, isDomainError } from '../../../shared/domain/errors.js';

describe('DomainError', () => {
  it('BP-3: a validation error lists every field problem', () => {
    const errors = [{ path: 'body.sellMarkets.0', message: 'US is already a publish location' }];
    const error = DomainError.validation('The profile is not valid.', errors);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'DomainError',
      kind: 'Invalid',
      code: 'ValidationFailed',
      errors,
      message: 'The profile is not valid.',
      retryAfterSeconds: undefined,
    });
    expect(DomainError.validation('x').errors).toEqual([]);
  });

  it('ATT-1, ATT-2, ATT-6: each kind carries its detail and optional code', () => {
    expect(DomainError.invalid('a used verification link', 'InvalidVerificationToken')).toMatchObject({
      kind: 'Invalid',
      code: 'InvalidVerificationToken',
      message: 'a used verification link',
      errors: undefined,
    });
    expect(DomainError.invalid('x').code).toBeUndefined();
    expect(DomainError.forbidden('indirect resellers cannot attest', 'IndirectResellerCannotAttest')).toMatchObject({
      kind: 'Forbidden',
      code: 'IndirectResellerCannotAttest',
    });
    expect(DomainError.notFound('no such customer')).toMatchObject({ kind: 'NotFound', code: undefined, message: 'no such customer' });
    expect(DomainError.conflict('already attested', 'PartnerConfirmedAgreementAlreadyExists')).toMatchObject({
      kind: 'Conflict',
      code: 'PartnerConfirmedAgreementAlreadyExists',
    });
    expect(DomainError.tooLarge('file too large')).toMatchObject({ kind: 'TooLarge', message: 'file too large' });
    expect(DomainError.unsupportedContent('not a PDF')).toMatchObject({ kind: 'UnsupportedContent', message: 'not a PDF' });
    expect(DomainError.unprocessableMessage('unknown partner')).toMatchObject({ kind: 'UnprocessableMessage', message: 'unknown partner' });
  });

  it('VER-6: a rate-limited resend says when to try again', () => {
    expect(DomainError.rateLimited('wait', 42)).toMatchObject({ kind: 'RateLimited', retryAfterSeconds: 42, message: 'wait' });
  });

  it('ATT-3: an unavailable dependency keeps its cause and says when to retry', () => {
    const cause = new Error('socket hang up');
    const error = DomainError.unavailable('email service down', 30, cause);
    expect(error).toMatchObject({ kind: 'Unavailable', retryAfterSeconds: 30 });
    expect(error.cause).toBe(cause);
    expect(DomainError.unavailable('down', 5)).not.toHaveProperty('cause');
    expect(new DomainError('Conflict', 'x', { cause: 0 }).cause).toBe(0);
  });

  it('ATT-1: isDomainError tells domain errors, optionally of one kind, from anything else', () => {
    const forbidden = DomainError.forbidden('no');
    expect(isDomainError(forbidden)).toBe(true);
    expect(isDomainError(forbidden, 'Forbidden')).toBe(true);
    expect(isDomainError(forbidden, 'Conflict')).toBe(false);
    expect(isDomainError(new Error('no'))).toBe(false);
    expect(isDomainError({ kind: 'Forbidden' }, 'Forbidden')).toBe(false);
    expect(isDomainError(undefined)).toBe(false);
  });
  it('the code catalogue: codes only for refused input, refusals and conflicts, each with one kind (VER-3, VER-7, ATT-1, CSP-3, BP-3)', () => {
    const byKind: Record<string, string[]> = {};
    for (const [code, kind] of Object.entries(errorCodes)) (byKind[kind] ??= []).push(code);
    expect(Object.keys(byKind).sort()).toEqual(['Conflict', 'Forbidden', 'Invalid']);
    expect(byKind.Invalid).toEqual(['ValidationFailed', 'WorkEmailRequired', 'InvalidVerificationToken', 'InvalidContinuationToken']);
    expect(byKind.Forbidden).toEqual([
      'AccountSuspended',
      'LocationNotAssigned',
      'AttestationRoleRequired',
      'IndirectResellerCannotAttest',
      'NotADirectBillPartner',
    ]);
    expect(byKind.Conflict).toHaveLength(17);
    expect(byKind.Conflict).toEqual(
      expect.arrayContaining(['AccountVerificationIncomplete', 'DirectBillAbilitiesSuspended', 'LocationAlreadyHasProfile', 'ConcurrentUpdate']),
    );
  });
});
