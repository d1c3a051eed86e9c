import type { HttpRequest } from './azure-functions.js';
import { AppError } from './errors.js';

/**
 * The caller's IP address as the platform's front end saw it. Azure's front end (and the local host)
 * append the connecting address to `X-Forwarded-For`, so the last entry is the one a client cannot
 * forge; entries before it are whatever the client sent. Ports (`1.2.3.4:5678`, `[::1]:5678`) are dropped.
 */
export function clientAddress(request: HttpRequest): string {
  const forwarded = request.headers.get('x-forwarded-for') ?? '';
  const last = forwarded.split(',').pop()?.trim() ?? '';
  if (last === '') return 'unknown';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracketed?.[1]) return bracketed[1].toLowerCase().replace(/^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/, '$1');
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(last);
  if (v4WithPort?.[1]) return v4WithPort[1];
  return last.toLowerCase();
}

/**
 * The client's `Idempotency-Key` (optional): a retried POST carrying the same key finds what the first
 * attempt made instead of making a second one. 1–200 visible ASCII characters, else 400.
 */
export function idempotencyKey(request: HttpRequest): string | undefined {
  const key = request.headers.get('idempotency-key');
  if (key === null) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw AppError.validation('The Idempotency-Key header is not valid.', [{ path: 'headers.idempotency-key', message: '1 to 200 visible ASCII characters' }]);
  }
  return key;
}
