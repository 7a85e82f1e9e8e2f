// SHA-256 is the one consensus hash; HMAC-SHA256 the keyed hash.
// The hot path goes through node:crypto; noble's implementation is its twin, compared in tests.
import { createHash, createHmac, hash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac as nobleHmac } from '@noble/hashes/hmac.js';

export type Hash32 = Uint8Array;

export function sha256(...parts: Uint8Array[]): Hash32 {
  const out = new Uint8Array(32);
  // one part: the one-shot digest, ~3x cheaper than a Hash object
  if (parts.length === 1) sha256Into(parts[0]!, out, 0);
  else {
    const h = createHash('sha256');
    for (const p of parts) h.update(p);
    out.set(h.digest());
  }
  return out;
}

/**
 * SHA-256(data) into out[at, at + 32), for the hot paths that hash many short messages (Merkle leaves
 * and nodes, the PRF's blocks). The digest comes back from node:crypto as a 'binary' (latin1) string,
 * one char per byte, lossless: here a Buffer result costs ~1.3 us more per call than the string
 * (~0.4 us for a 65-byte message), which is most of the call for messages of a few blocks.
 */
export function sha256Into(data: Uint8Array, out: Uint8Array, at: number): void {
  const s = hash('sha256', data, 'binary');
  for (let i = 0; i < 32; i++) out[at + i] = s.charCodeAt(i);
}

/** SHA-256(data) as 8 big-endian words into out[at, at + 8) (the PRF's blocks). */
export function sha256WordsInto(data: Uint8Array, out: Uint32Array, at: number): void {
  const s = hash('sha256', data, 'binary');
  for (let i = 0; i < 8; i++)
    out[at + i] = ((s.charCodeAt(4 * i) << 24) | (s.charCodeAt(4 * i + 1) << 16) | (s.charCodeAt(4 * i + 2) << 8) | s.charCodeAt(4 * i + 3)) >>> 0;
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
