import { createHash } from 'node:crypto';

/**
 * A UUID derived from a namespace and a key (name-based, SHA-256, version and variant bits set): the
 * same key always names the same thing, which is what makes retries and redeliveries idempotent
 * (email operation ids, resources created under a client's Idempotency-Key).
 */
export function keyedUuid(namespace: string, key: string): string {
  const hash = createHash('sha256').update(`${namespace}:${key}`).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
