import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../domain/errors.js';

/**
 * Continuation tokens are opaque to clients: the suite hands out its own, `payload.signature`, where
 * the payload (base64url JSON) holds the database's token and names the query it continues, and the
 * signature is an HMAC-SHA256 of the payload under the app's secret. Anything else, a token of another
 * query (another partner's list) or one altered in any byte, answers 400 InvalidContinuationToken
 * before it reaches the database SDK.
 */
export class ContinuationTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(secret, 'utf8');
  }

  seal(query: string, token: string | undefined): string | undefined {
    if (token === undefined) return undefined;
    const payload = Buffer.from(JSON.stringify({ q: query, t: token }), 'utf8').toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  open(query: string, sealed: string | undefined): string | undefined {
    if (sealed === undefined) return undefined;
    const invalid = () => DomainError.invalid('The continuation token was not issued for this list; start again without one.', 'InvalidContinuationToken');
    const [payload, signature, ...rest] = sealed.split('.');
    if (!payload || !signature || rest.length > 0) throw invalid();
    const expected = Buffer.from(this.sign(payload), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { q?: unknown; t?: unknown };
    if (parsed.q !== query || typeof parsed.t !== 'string') throw invalid();
    return parsed.t;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
