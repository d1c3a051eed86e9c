/** One field of a request or message that is not acceptable, and why. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * What can go wrong in domain terms. The edge maps each kind once: to an HTTP problem (shared/platform/
 * errors.ts) or, for a queue message, to its poison queue. Nothing below the edge knows a status code.
 */
export type DomainErrorKind =
  /** The input breaks a rule; `errors` says where. */
  | 'Invalid'
  /** The caller may not do this to this resource. */
  | 'Forbidden'
  | 'NotFound'
  /** The resource's state does not allow it now; `code` says which state. */
  | 'Conflict'
  | 'TooLarge'
  | 'UnsupportedContent'
  /** Too many attempts; `retryAfterSeconds` says when to try again. */
  | 'RateLimited'
  /** A dependency is down; nothing was changed, try again after `retryAfterSeconds`. */
  | 'Unavailable'
  /** A queue message that can never succeed (it names what does not exist): it is set aside, not retried. */
  | 'UnprocessableMessage';

/**
 * Every code a client may branch on, with the kind of error that carries it: the catalogue that
 * docs/api.md publishes (test/unit/platform/error-codes.test.ts holds the two together). A code
 * outside it does not compile, nor one given to a factory of another kind (`conflict` takes only
 * conflict codes).
 */
export const errorCodes = {
  ValidationFailed: 'Invalid',
  WorkEmailRequired: 'Invalid',
  InvalidVerificationToken: 'Invalid',
  InvalidContinuationToken: 'Invalid',
  AccountSuspended: 'Forbidden',
  LocationNotAssigned: 'Forbidden',
  AttestationRoleRequired: 'Forbidden',
  IndirectResellerCannotAttest: 'Forbidden',
  NotADirectBillPartner: 'Forbidden',
  AccountVerificationIncomplete: 'Conflict',
  EmailOwnershipAlreadyVerified: 'Conflict',
  NoEmailVerification: 'Conflict',
  EnrollmentNotOpen: 'Conflict',
  CreditCheckNotPassed: 'Conflict',
  DirectBillRequirementsNotMet: 'Conflict',
  DirectBillApplicationOpen: 'Conflict',
  AlreadyDirectBill: 'Conflict',
  DirectBillAbilitiesSuspended: 'Conflict',
  CustomerAgreementNotAccepted: 'Conflict',
  PartnerConfirmedAgreementAlreadyExists: 'Conflict',
  LocationAlreadyHasProfile: 'Conflict',
  MigrationWindowClosed: 'Conflict',
  NotALegacyProfile: 'Conflict',
  AlreadyMigrated: 'Conflict',
  IdempotencyKeyReused: 'Conflict',
  ConcurrentUpdate: 'Conflict',
} as const satisfies Record<string, DomainErrorKind>;

export type ErrorCode = keyof typeof errorCodes;
/** The codes an error of kind K may carry. */
export type ErrorCodeOf<K extends DomainErrorKind> = { [C in ErrorCode]: (typeof errorCodes)[C] extends K ? C : never }[ErrorCode];

export interface DomainErrorOptions {
  /** Machine-readable code clients can branch on (e.g. PartnerConfirmedAgreementAlreadyExists). */
  code?: ErrorCode | undefined;
  errors?: FieldError[] | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

/** The one error type of the domain and the use cases; its message is safe to show to the caller. */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: ErrorCode | undefined;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: DomainErrorKind, detail: string, options: DomainErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.kind = kind;
    this.code = options.code;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  static validation(detail: string, errors: FieldError[] = []): DomainError {
    return new DomainError('Invalid', detail, { code: 'ValidationFailed', errors });
  }
  static invalid(detail: string, code?: ErrorCodeOf<'Invalid'>, errors?: FieldError[]): DomainError {
    return new DomainError('Invalid', detail, { code, errors });
  }
  static forbidden(detail: string, code?: ErrorCodeOf<'Forbidden'>): DomainError {
    return new DomainError('Forbidden', detail, { code });
  }
  static notFound(detail: string): DomainError {
    return new DomainError('NotFound', detail);
  }
  static conflict(detail: string, code?: ErrorCodeOf<'Conflict'>, errors?: FieldError[]): DomainError {
    return new DomainError('Conflict', detail, { code, errors });
  }
  static tooLarge(detail: string): DomainError {
    return new DomainError('TooLarge', detail);
  }
  static unsupportedContent(detail: string): DomainError {
    return new DomainError('UnsupportedContent', detail);
  }
  static rateLimited(detail: string, retryAfterSeconds: number): DomainError {
    return new DomainError('RateLimited', detail, { retryAfterSeconds });
  }
  static unavailable(detail: string, retryAfterSeconds: number, cause?: unknown): DomainError {
    return new DomainError('Unavailable', detail, { retryAfterSeconds, cause });
  }
  static unprocessableMessage(reason: string): DomainError {
    return new DomainError('UnprocessableMessage', reason);
  }
}

export function isDomainError(error: unknown, kind?: DomainErrorKind): error is DomainError {
  return error instanceof DomainError && (kind === undefined || error.kind === kind);
}
