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

export interface DomainErrorOptions {
  /** Machine-readable code clients can branch on (e.g. PartnerConfirmedAgreementAlreadyExists). */
  code?: string | undefined;
  errors?: FieldError[] | undefined;
  retryAfterSeconds?: number | undefined;
  cause?: unknown;
}

/** The one error type of the domain and the use cases; its message is safe to show to the caller. */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: string | undefined;
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
  static invalid(detail: string, code?: string): DomainError {
    return new DomainError('Invalid', detail, { code });
  }
  static forbidden(detail: string, code?: string): DomainError {
    return new DomainError('Forbidden', detail, { code });
  }
  static notFound(detail: string): DomainError {
    return new DomainError('NotFound', detail);
  }
  static conflict(detail: string, code?: string): DomainError {
    return new DomainError('Conflict', detail, { code });
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
