import { createHash } from 'node:crypto';
import type { RateLimits } from '../use-cases/ports.js';
import { createIfAbsent, unchanged, updateDocument } from '../use-cases/write.js';
import type { Repository } from './repository.js';

export interface WindowCount {
  id: string;
  partnerId: string;
  type: 'rateWindow';
  count: number;
  /** Seconds until Cosmos deletes the window (it outlives the window, never shortens it). */
  ttl: number;
}

/**
 * A fixed-window limit shared by every instance: one counter document per key and window in the
 * `lookups` container, incremented under its version, so a client spread over many instances is still
 * held to the limit. Keys are hashed, so no client address is stored.
 */
export class CosmosRateLimits implements RateLimits {
  constructor(private readonly repo: Repository<WindowCount>) {}

  async hit(
    name: string,
    key: string,
    limit: number,
    windowSeconds: number,
    now: Date,
  ): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now.getTime() / windowMs) * windowMs;
    const partnerId = `rate:${name}:${createHash('sha256').update(key).digest('base64url').slice(0, 32)}`;
    const id = String(start);
    const retryAfterSeconds = (start + windowMs - now.getTime()) / 1000;
    const first: WindowCount = { id, partnerId, type: 'rateWindow', count: 1, ttl: windowSeconds * 2 };
    // Count against the window if it exists (the usual case: one read, one replace); else start it.
    // A create that loses a race to another request's create counts against that window instead.
    for (;;) {
      const counted = await updateDocument(this.repo, partnerId, id, (current) =>
        current.count < limit ? { ...current, count: current.count + 1 } : unchanged,
      );
      if (counted) return counted.changed ? { allowed: true } : { allowed: false, retryAfterSeconds };
      if (await createIfAbsent(this.repo, first)) return { allowed: true };
    }
  }
}
