// The per-element transcript of the noised product C' = A'·B' and the tile hash.
//
// For output element (i, j) with running sum s (int32, wrapping) over the inner dimension, cut into
// blocks of r steps (the last block shorter when r does not divide k), after each block:
//     x = t ^ s;  x ^= x >>> 15;  t = x · 0x2C1B3C6D  (mod 2^32)       (t starts at 0)
// Why non-linear: XOR and multiplication mod 2^32 live in different rings (GF(2)^32 vs Z/2^32), and the
// shift moves high bits down, so fold(s1 + s2) has no expression in fold(s1), fold(s2) and the fold
// does not commute with the product: a miner cannot fold A' or B' first and multiply once. The shift
// also makes low output bits depend on high bits of s, so the transcript cannot be computed in a narrower
// ring (mod 2^8, say) more cheaply. All three ops are single i32x4 SIMD instructions (xor, shr_u, mul).
//
// Tile digest (compression of the tile's th x tw fold states S, tile-local coordinates): the columns are
// cut into strips of 8 (the last one narrower); strip g has 4 words D[4g + q], q = 0..3, each a fold
// chain over the tile's rows in order, two columns per row (8g + q, then 8g + 4 + q; a column past tw
// is skipped):
//     u = 0;  for i in 0..th-1:  u = foldStep(u, S[i][8g+q]);  u = foldStep(u, S[i][8g+4+q]);  D[4g+q] = u
// foldStep(u, s) is a bijection of s for every u and of u for every s, so each state feeds its word
// non-linearly and no single state can be left out or guessed more cheaply than its own 32 bits; the
// chain is the fold again, so it is the same i32x4 instructions in the kernel (4 lanes = q, one strip of
// 8 columns = the kernel's register block). 16 x 16 tiles: 8 words (32 bytes) instead of 256 (1 KiB).
// Tile hash = HMAC-SHA256(key = seed, u32le ti || u32le tj || u32le m || u32le k || u32le n ||
//                         tile digest, int32 LE);
// (the job's shape is bound too: without it a proof could claim another m whose Merkle path is the same)
// Before the digest (PoUW rule v1 as first implemented) the HMAC took all th·tw states: 4 bytes of
// SHA-256 input per output element, which cost as much as the product at k = 256 (docs/pouw.md).
// it wins when the hash as a 256-bit big-endian number is <= target · th · tw · k (th, tw: the tile's
// actual size, smaller at the right and bottom edges), so the chance per MAC is the same for every shape.
import { bytesToBigInt } from '../bytes.ts';
import { hmacSha256 } from '../hash.ts';

export const FOLD_MUL = 0x2c1b3c6d;

export function foldStep(t: number, s: number): number {
  let x = t ^ s;
  x ^= x >>> 15;
  return Math.imul(x, FOLD_MUL);
}

export interface NoisedResult {
  /** C' = A'·B', m x n int32 row-major. */
  readonly c: Int32Array;
  /** Fold state per output element, m x n int32 row-major. */
  readonly fold: Int32Array;
}

/**
 * Plain-JS reference of the backend kernel: A' (m x k int8), B' (k x n int8) -> C' and the transcript.
 * The row-slices form is used by the verifier: aRows are the h rows of A', bCols the w columns of B'.
 */
export function noisedProductRef(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number): NoisedResult {
  const c = new Int32Array(m * n);
  const fold = new Int32Array(m * n);
  for (let l0 = 0; l0 < k; l0 += r) {
    const l1 = Math.min(k, l0 + r);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let l = l0; l < l1; l++) {
        const x = aP[i * k + l]!;
        const bl = l * n;
        for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j]! + x * bP[bl + j]!) | 0;
      }
      for (let j = 0; j < n; j++) fold[ci + j] = foldStep(fold[ci + j]!, c[ci + j]!);
    }
  }
  return { c, fold };
}

/** Transcript of one tile from its rows of A' (th x k) and columns of B' (tw x k, each column contiguous). */
export function tileFoldRef(aRows: Int8Array, bCols: Int8Array, th: number, tw: number, k: number, r: number): Int32Array {
  const fold = new Int32Array(th * tw);
  for (let i = 0; i < th; i++) {
    for (let j = 0; j < tw; j++) {
      let s = 0;
      let t = 0;
      const ai = i * k;
      const bj = j * k;
      for (let l0 = 0; l0 < k; l0 += r) {
        const l1 = Math.min(k, l0 + r);
        for (let l = l0; l < l1; l++) s = (s + aRows[ai + l]! * bCols[bj + l]!) | 0;
        t = foldStep(t, s);
      }
      fold[i * tw + j] = t;
    }
  }
  return fold;
}

/** Fold states of the tile (ti, tj) cut out of a full m x n fold matrix. */
export function tileStates(fold: Int32Array, n: number, i0: number, j0: number, th: number, tw: number): Int32Array {
  const out = new Int32Array(th * tw);
  for (let i = 0; i < th; i++) out.set(fold.subarray((i0 + i) * n + j0, (i0 + i) * n + j0 + tw), i * tw);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function int32LE(x: Int32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const out = new Uint8Array(x.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) dv.setInt32(i * 4, x[i]!, true);
  return out;
}

export interface JobShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Columns per digest strip (the kernel's register block is 4 rows x 8 columns). */
export const DIGEST_STRIP = 8;

/** Words of the digest of a tile tw columns wide: 4 per strip of 8 columns. */
export function tileDigestWords(tw: number): number {
  return 4 * Math.ceil(tw / DIGEST_STRIP);
}

/** The tile digest of th x tw fold states (row-major, tile-local), as defined above. */
export function tileDigest(states: Int32Array, th: number, tw: number): Int32Array {
  if (states.length !== th * tw) throw new RangeError(`tile digest: ${states.length} states for a ${th}x${tw} tile`);
  const out = new Int32Array(tileDigestWords(tw));
  for (let g = 0; g * DIGEST_STRIP < tw; g++)
    for (let q = 0; q < 4; q++) {
      const c0 = g * DIGEST_STRIP + q, c1 = c0 + 4;
      let u = 0;
      for (let i = 0; i < th; i++) {
        if (c0 < tw) u = foldStep(u, states[i * tw + c0]!);
        if (c1 < tw) u = foldStep(u, states[i * tw + c1]!);
      }
      out[4 * g + q] = u;
    }
  return out;
}

/** HMAC of the tile (ti, tj) from its fold states, th x tw row-major (th = states.length / tw). */
export function tileHash(seed: Uint8Array, shape: JobShape, ti: number, tj: number, states: Int32Array, tw: number): Uint8Array {
  if (!(tw >= 1) || states.length % tw !== 0) throw new RangeError(`tile hash: ${states.length} states are not rows of ${tw}`);
  return tileHashOfDigest(seed, shape, ti, tj, tileDigest(states, states.length / tw, tw));
}

/** HMAC of the tile (ti, tj) from its digest (tileDigest). */
export function tileHashOfDigest(seed: Uint8Array, shape: JobShape, ti: number, tj: number, digest: Int32Array): Uint8Array {
  const pos = new Uint8Array(20);
  const dv = new DataView(pos.buffer);
  dv.setUint32(0, ti, true);
  dv.setUint32(4, tj, true);
  dv.setUint32(8, shape.m, true);
  dv.setUint32(12, shape.k, true);
  dv.setUint32(16, shape.n, true);
  return hmacSha256(seed, pos, int32LE(digest));
}

/** The ticket bound: target · th · tw · k. */
export function ticketBound(target: bigint, th: number, tw: number, k: number): bigint {
  return target * BigInt(th) * BigInt(tw) * BigInt(k);
}

export function hashWins(hash: Uint8Array, target: bigint, th: number, tw: number, k: number): boolean {
  return bytesToBigInt(hash) <= ticketBound(target, th, tw, k);
}
