import { createHash } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import { unchanged, type Repository } from './repository.js';

interface WindowCount {
  id: string;
  partnerId: string;
  type: 'rateWindow';
  count: number;
  /** Seconds until Cosmos deletes the window (it outlives the window, never shortens it). */
  ttl: number;
}

/**
 * A fixed-window limit shared by every instance: one counter document per key and window in the
 * `lookups` container, incremented under ETag, so a client spread over many instances is still held to
 * the limit. Keys are hashed, so no client address is stored.
 */
export class RateLimiter {
  constructor(
    private readonly repo: Repository<WindowCount>,
    private readonly settings: { name: string; limit: number; windowSeconds: number },
  ) {}

  /** Counts one attempt for `key`; throws a 429 with Retry-After once the window's limit is used up. */
  async hit(key: string, now: Date): Promise<void> {
    const { name, limit, windowSeconds } = this.settings;
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const partnerId = `rate:${name}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
    const id = String(start);
    const retryAfter = (start + windowMs - now.getTime()) / 1000;
    const first: WindowCount = { id, partnerId, type: 'rateWindow', count: 1, ttl: windowSeconds * 2 };
    // Count against the window if it exists (the usual case: one read, one replace); else start it.
    // A create that loses a race to another request's create counts against that window instead.
    let allowed = false;
    for (;;) {
      const counted = await this.repo.update(partnerId, id, (current) => {
        allowed = current.count < limit;
        return allowed ? { ...current, count: current.count + 1 } : unchanged;
      });
      if (counted) break;
      if ((await this.repo.createIfAbsent(first)).created) return;
    }
    if (!allowed) throw AppError.rateLimited(`Too many requests from this address; try again in ${Math.ceil(retryAfter)} seconds.`, retryAfter);
  }
}
