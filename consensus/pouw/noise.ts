// Low-rank noise of a ticket job, derived from its seed by a counter-mode SHA-256 stream.
//
//   E = E_L·E_R   (E_L: m x r, E_R: r x k)      A' = A + E
//   F = F_L·F_R   (F_L: k x r, F_R: r x n)      B' = B + F
//
// Entries (s = a sign bit from the stream, +1 or -1):
//   E_L[i][t] = s,  F_R[t][j] = s                        (dense +-1)
//   E_R[t][l] = s·(t == l mod r ? r : 1)                 (dense, diagonal r in each depth-r slice)
//   F_L[l][t] = s·(t == l mod r ? r : 1)
//
// Depth-r slices are full rank by construction. The inner dimension is cut in blocks
// [b·r, b·r + r) (the last one shorter, L = k - b·r entries). The slice of E_R on block b is the
// r x L matrix S[t][u] = E_R[t][b·r + u]; its top L x L part has |diagonal| = r and at most L - 1 <= r - 1
// off-diagonal entries of magnitude 1 per row: strictly diagonally dominant, hence non-singular
// (Levy-Desplanques), so every slice has full rank L. Same for F_L. (Pearl's slices have rank <= r - 1.)
//
// Bound: |E[i][l]| <= sum_t |E_L[i][t]|·|E_R[t][l]| = r + (r - 1)·1 = 2r - 1 (column l of E_R has one
// entry of magnitude r and r - 1 of magnitude 1), and likewise |F[l][j]| <= 2r - 1. With r <= 32 that is
// <= 63, so for A, B in [-63, 63] the noised A', B' lie in [-126, 126], inside int8. `noisedOperands`
// asserts it on every entry anyway.
import { u32be, utf8Bytes } from '../bytes.ts';
import { sha256, sha256Into } from '../hash.ts';
import { INT7_MAX } from '../matmul.ts';
import { MAX_RANK } from './spec.ts';

const TAGS = {
  EL: utf8Bytes('pouw/v1/EL'),
  ER: utf8Bytes('pouw/v1/ER'),
  FL: utf8Bytes('pouw/v1/FL'),
  FR: utf8Bytes('pouw/v1/FR'),
} as const;
type StreamTag = keyof typeof TAGS;

/** Bit p of a stream = bit (p mod 8), LSB first, of byte (p mod 256) / 8 of SHA-256(seed || tag || u32 (p / 256)). */
class SignStream {
  private blockIndex = -1;
  private block: Uint8Array = new Uint8Array(32);
  constructor(
    private readonly seed: Uint8Array,
    private readonly tag: Uint8Array,
  ) {}
  /** +1 or -1 */
  sign(p: number): number {
    const bi = Math.floor(p / 256);
    if (bi !== this.blockIndex) {
      this.block = sha256(this.seed, this.tag, u32be(bi));
      this.blockIndex = bi;
    }
    const q = p & 255;
    return (this.block[q >> 3]! >> (q & 7)) & 1 ? -1 : 1;
  }
}

function stream(seed: Uint8Array, tag: StreamTag): SignStream {
  return new SignStream(seed, TAGS[tag]);
}

function checkRank(r: number): void {
  if (!Number.isInteger(r) || r < 2 || r > MAX_RANK) throw new RangeError(`noise rank ${r} outside [2, ${MAX_RANK}]`);
}

/**
 * SHA-256 of `count` messages that are each one padded 64-byte block (`blocks`: count·64 bytes), 32 bytes
 * each: a faster implementation of the same function may be passed in (the wasm backend hashes 4 blocks
 * at a time); the bits are the same (tests compare with noiseRef).
 */
export type BlockHasher = (blocks: Uint8Array, count: number) => Uint8Array;

/**
 * Stream bits p0 .. p0+count-1 as signs: out[q] = +1 or -1 for bit p0 + q, the same bits as
 * SignStream.sign (tested against it), SHA-256 of seed || tag || u32be(block) per 256 bits (one-shot
 * calls over one reused buffer, or one BlockHasher call for all blocks), unpacked a byte at a time.
 */
function streamSigns(seed: Uint8Array, tag: StreamTag, p0: number, count: number, hasher?: BlockHasher): Int8Array {
  const out = new Int8Array(count);
  if (count === 0) return out;
  const t = TAGS[tag];
  const len = seed.length + t.length + 4;
  const first = Math.floor(p0 / 256), blocks = Math.floor((p0 + count - 1) / 256) - first + 1;
  let digests: Uint8Array;
  if (hasher && len <= 55) {
    const buf = new Uint8Array(blocks * 64);
    const dv = new DataView(buf.buffer);
    for (let x = 0; x < blocks; x++) {
      const o = x * 64;
      buf.set(seed, o);
      buf.set(t, o + seed.length);
      dv.setUint32(o + seed.length + t.length, first + x, false);
      buf[o + len] = 0x80;
      dv.setUint32(o + 60, len * 8, false);
    }
    digests = hasher(buf, blocks);
  } else {
    const msg = new Uint8Array(len);
    msg.set(seed, 0);
    msg.set(t, seed.length);
    const dv = new DataView(msg.buffer);
    digests = new Uint8Array(blocks * 32);
    for (let x = 0; x < blocks; x++) {
      dv.setUint32(len - 4, first + x, false);
      sha256Into(msg, digests, x * 32);
    }
  }
  let q = 0;
  while (q < count) {
    const p = p0 + q;
    const bi = Math.floor(p / 256);
    const d0 = (bi - first) * 32;
    const end = Math.min(count, (bi + 1) * 256 - p0);
    let b = p & 255;
    while (q < end && (b & 7) !== 0) {
      out[q++] = (digests[d0 + (b >> 3)]! >> (b & 7)) & 1 ? -1 : 1;
      b++;
    }
    while (q + 8 <= end) {
      const v = digests[d0 + (b >> 3)]!;
      out[q] = 1 - ((v & 1) << 1);
      out[q + 1] = 1 - (((v >> 1) & 1) << 1);
      out[q + 2] = 1 - (((v >> 2) & 1) << 1);
      out[q + 3] = 1 - (((v >> 3) & 1) << 1);
      out[q + 4] = 1 - (((v >> 4) & 1) << 1);
      out[q + 5] = 1 - (((v >> 5) & 1) << 1);
      out[q + 6] = 1 - (((v >> 6) & 1) << 1);
      out[q + 7] = 1 - (((v >> 7) & 1) << 1);
      q += 8;
      b += 8;
    }
    while (q < end) {
      out[q++] = (digests[d0 + (b >> 3)]! >> (b & 7)) & 1 ? -1 : 1;
      b++;
    }
  }
  return out;
}

/** Rows i0 .. i0+count-1 of E_L: count x r, row-major. */
export function noiseEL(seed: Uint8Array, r: number, i0: number, count: number, hasher?: BlockHasher): Int8Array {
  checkRank(r);
  // p = (i0 + i)·r + t: the output index i·r + t is p - i0·r
  return streamSigns(seed, 'EL', i0 * r, count * r, hasher);
}

/** E_R: r x k, row-major. */
export function noiseER(seed: Uint8Array, r: number, k: number, hasher?: BlockHasher): Int8Array {
  checkRank(r);
  const s = streamSigns(seed, 'ER', 0, k * r, hasher); // p = l·r + t
  const out = new Int8Array(r * k);
  for (let l = 0, u = 0; l < k; l++, u = u + 1 === r ? 0 : u + 1) {
    const sl = l * r;
    for (let t = 0; t < r; t++) out[t * k + l] = s[sl + t]!;
    out[u * k + l] = s[sl + u]! * r;
  }
  return out;
}

/** F_L: k x r, row-major. */
export function noiseFL(seed: Uint8Array, r: number, k: number, hasher?: BlockHasher): Int8Array {
  checkRank(r);
  const out = streamSigns(seed, 'FL', 0, k * r, hasher); // p = l·r + t = the output index
  for (let l = 0, u = 0; l < k; l++, u = u + 1 === r ? 0 : u + 1) out[l * r + u] = out[l * r + u]! * r;
  return out;
}

/** Columns j0 .. j0+count-1 of F_R: r x count, row-major. */
export function noiseFR(seed: Uint8Array, r: number, j0: number, count: number, hasher?: BlockHasher): Int8Array {
  checkRank(r);
  const s = streamSigns(seed, 'FR', j0 * r, count * r, hasher); // p = (j0 + j)·r + t
  const out = new Int8Array(r * count);
  for (let j = 0; j < count; j++) for (let t = 0; t < r; t++) out[t * count + j] = s[j * r + t]!;
  return out;
}

/** The original per-entry definitions, kept as the reference the fast versions are tested against. */
export const noiseRef = {
  eL(seed: Uint8Array, r: number, i0: number, count: number): Int8Array {
    checkRank(r);
    const s = stream(seed, 'EL');
    const out = new Int8Array(count * r);
    for (let i = 0; i < count; i++) for (let t = 0; t < r; t++) out[i * r + t] = s.sign((i0 + i) * r + t);
    return out;
  },
  eR(seed: Uint8Array, r: number, k: number): Int8Array {
    checkRank(r);
    const s = stream(seed, 'ER');
    const out = new Int8Array(r * k);
    for (let l = 0; l < k; l++) {
      const u = l % r;
      for (let t = 0; t < r; t++) out[t * k + l] = s.sign(l * r + t) * (t === u ? r : 1);
    }
    return out;
  },
  fL(seed: Uint8Array, r: number, k: number): Int8Array {
    checkRank(r);
    const s = stream(seed, 'FL');
    const out = new Int8Array(k * r);
    for (let l = 0; l < k; l++) {
      const u = l % r;
      for (let t = 0; t < r; t++) out[l * r + t] = s.sign(l * r + t) * (t === u ? r : 1);
    }
    return out;
  },
  fR(seed: Uint8Array, r: number, j0: number, count: number): Int8Array {
    checkRank(r);
    const s = stream(seed, 'FR');
    const out = new Int8Array(r * count);
    for (let j = 0; j < count; j++) for (let t = 0; t < r; t++) out[t * count + j] = s.sign((j0 + j) * r + t);
    return out;
  },
};

export interface NoiseFactors {
  readonly r: number;
  readonly eL: Int8Array; // m x r
  readonly eR: Int8Array; // r x k
  readonly fL: Int8Array; // k x r
  readonly fR: Int8Array; // r x n
}

/** The job's four factors; `hasher` only changes how fast (see BlockHasher). */
export function noiseFactors(seed: Uint8Array, r: number, m: number, k: number, n: number, hasher?: BlockHasher): NoiseFactors {
  return { r, eL: noiseEL(seed, r, 0, m, hasher), eR: noiseER(seed, r, k, hasher), fL: noiseFL(seed, r, k, hasher), fR: noiseFR(seed, r, 0, n, hasher) };
}

const INT8_NOISED_MAX = 127;

/**
 * Adds a low-rank product to an int7 operand: out = x + P·Q, P: rows x r, Q: r x cols (all row-major).
 * Throws if an entry leaves int8 (impossible for int7 x and noise from this file; asserted, see the bound above).
 */
export function addLowRank(x: Int8Array, p: Int8Array, q: Int8Array, rows: number, r: number, cols: number): Int8Array {
  const acc = new Int32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const ai = i * cols;
    for (let t = 0; t < r; t++) {
      const v = p[i * r + t]!;
      const qt = t * cols;
      for (let j = 0; j < cols; j++) acc[ai + j] += v * q[qt + j]!;
    }
  }
  const out = new Int8Array(rows * cols);
  for (let i = 0; i < out.length; i++) {
    const v = x[i]! + acc[i]!;
    if (v > INT8_NOISED_MAX || v < -INT8_NOISED_MAX) throw new RangeError(`noised entry ${v} outside int8 (operand not int7?)`);
    out[i] = v;
  }
  return out;
}

/** Reference: A' = A + E_L·E_R and B' = B + F_L·F_R. Operands must be int7. */
export function noisedOperands(
  a: Int8Array,
  b: Int8Array,
  m: number,
  k: number,
  n: number,
  f: NoiseFactors,
): { aP: Int8Array; bP: Int8Array } {
  for (const [name, x] of [['A', a], ['B', b]] as const)
    for (let i = 0; i < x.length; i++) if (x[i]! > INT7_MAX || x[i]! < -INT7_MAX) throw new RangeError(`${name}[${i}] = ${x[i]} not int7`);
  return { aP: addLowRank(a, f.eL, f.eR, m, f.r, k), bP: addLowRank(b, f.fL, f.fR, k, f.r, n) };
}
