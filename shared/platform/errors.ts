import type * as z from 'zod';
import { DomainError, type DomainErrorKind, type ErrorCode, type ErrorCodeOf, type FieldError } from '../domain/errors.js';

export type { FieldError };

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  408: 'Request Timeout',
  412: 'Precondition Failed',
  422: 'Unprocessable Content',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

const slugs: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  408: 'request-timeout',
  412: 'precondition-failed',
  422: 'unprocessable',
  413: 'too-large',
  415: 'unsupported-media-type',
  429: 'rate-limited',
  500: 'internal',
  503: 'unavailable',
};

export const problemTypeBase = 'https://partner-portal.example/problems/';

export interface AppErrorOptions {
  /** Machine-readable code clients can branch on (e.g. PartnerConfirmedAgreementAlreadyExists). */
  code?: ErrorCode | undefined;
  errors?: FieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error of the HTTP edge itself (no token, body not JSON, too large): platform code throws it with a
 * status. Use cases throw DomainError, which toProblem maps once; anything else that escapes is a
 * defect and is answered with a generic 500.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: ErrorCode | undefined;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = options.code;
    this.errors = options.errors;
    this.headers = options.headers;
  }

  static validation(detail: string, errors: FieldError[] = []): AppError {
    return new AppError(400, detail, { code: 'ValidationFailed', errors });
  }
  static badRequest(detail: string, code?: ErrorCodeOf<'Invalid'>): AppError {
    return new AppError(400, detail, { code });
  }
  static unauthorized(detail = 'A valid bearer token is required.'): AppError {
    return new AppError(401, detail, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  static forbidden(detail: string, code?: ErrorCodeOf<'Forbidden'>): AppError {
    return new AppError(403, detail, { code });
  }
  static notFound(detail: string): AppError {
    return new AppError(404, detail);
  }
  static conflict(detail: string, code?: ErrorCodeOf<'Conflict'>): AppError {
    return new AppError(409, detail, { code });
  }
  static tooLarge(detail: string): AppError {
    return new AppError(413, detail);
  }
  static unsupportedMediaType(detail: string): AppError {
    return new AppError(415, detail);
  }
  static rateLimited(detail: string, retryAfterSeconds: number): AppError {
    return new AppError(429, detail, { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  errors?: FieldError[];
}

/** The one mapping of domain error kinds to HTTP statuses. */
const statusOfKind: Record<DomainErrorKind, number> = {
  Invalid: 400,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  TooLarge: 413,
  UnsupportedContent: 415,
  RateLimited: 429,
  Unavailable: 503,
  UnprocessableMessage: 422,
};

/** A domain error as the edge's error: its status, code, field errors and Retry-After. */
function fromDomainError(error: DomainError): AppError {
  const retryAfter = error.retryAfterSeconds;
  return new AppError(statusOfKind[error.kind], error.message, {
    code: error.code,
    errors: error.errors,
    ...(retryAfter === undefined ? {} : { headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfter))) } }),
    cause: error,
  });
}

/** Maps any thrown value to the RFC 9457 body and headers; 5xx never carries the original message. */
export function toProblem(thrown: unknown): { problem: Problem; headers: Record<string, string> } {
  const error = thrown instanceof DomainError ? fromDomainError(thrown) : thrown;
  if (error instanceof AppError && error.status < 500) {
    const problem: Problem = {
      type: problemTypeBase + (slugs[error.status] ?? 'error'),
      title: titles[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
    };
    if (error.code) problem.code = error.code;
    if (error.errors) problem.errors = error.errors;
    return { problem, headers: error.headers ?? {} };
  }
  const status = error instanceof AppError ? error.status : 500;
  return {
    problem: {
      type: problemTypeBase + (slugs[status] ?? 'internal'),
      title: titles[status] ?? 'Internal Server Error',
      status,
      detail: 'The request could not be completed. It has been logged; try again later.',
    },
    headers: error instanceof AppError ? (error.headers ?? {}) : {},
  };
}

/** Flattens zod issues into the `errors: [{ path, message }]` member of a validation problem. */
export function fieldErrors(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.') || (prefix ?? ''),
    message: issue.message,
  }));
}
