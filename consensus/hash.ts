// SHA-256 is the one consensus hash; HMAC-SHA256 the keyed hash.
// The hot path goes through node:crypto; noble's implementation is its twin, compared in tests.
import { createHash, createHmac, hash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';

export type Hash32 = Uint8Array;

export function sha256(...parts: Uint8Array[]): Hash32 {
  // one part (the PRF streams' blocks, Merkle nodes): the one-shot digest, ~2x cheaper than a Hash object
  if (parts.length === 1) return new Uint8Array(hash('sha256', parts[0]!, 'buffer'));
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Hash32 {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Pure-JS twins, used by tests to prove the node:crypto path gives the same bytes. */
export const noble = {
  sha256(...parts: Uint8Array[]): Hash32 {
    const h = nobleSha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  },
  hmacSha256(key: Uint8Array, ...parts: Uint8Array[]): Hash32 {
    const h = nobleHmac.create(nobleSha256, key);
    for (const p of parts) h.update(p);
    return h.digest();
  },
};

export const ZERO_HASH: Hash32 = new Uint8Array(32);
