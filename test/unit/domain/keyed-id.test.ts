import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedUuid } from '../../../shared/domain/keyed-id.js';

const uuidV5Shape = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The same derivation spelled on the hex digits: SHA-256 of `namespace:key`, version 5, RFC 4122 variant. */
function expected(namespace: string, key: string): string {
  const hex = createHash('sha256').update(`${namespace}:${key}`).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

describe('keyedUuid', () => {
  it('ATT-3, VER-10: the same key always names the same email operation, so a redelivery sends once', () => {
    expect(keyedUuid('email', 'verification-decision:d1')).toBe(keyedUuid('email', 'verification-decision:d1'));
    expect(keyedUuid('email', 'verification-decision:d1')).toBe(expected('email', 'verification-decision:d1'));
  });

  it('ATT-3, VER-10: another key or another namespace names something else', () => {
    const ids = [keyedUuid('email', 'a'), keyedUuid('email', 'b'), keyedUuid('other', 'a')];
    expect(new Set(ids).size).toBe(3);
  });

  it('ATT-3, VER-10: a keyed id is a version-5 RFC 4122 UUID derived from SHA-256 (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (namespace, key) => {
        const id = keyedUuid(namespace, key);
        expect(id).toMatch(uuidV5Shape);
        expect(id).toBe(expected(namespace, key));
      }),
    );
  });
});
