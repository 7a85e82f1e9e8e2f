// Exact fixed-point integer helpers of the training rules. Every value is a safe integer;
// there is no float arithmetic here beyond exact integer addition/multiplication below 2^53.
// Rounding rules (stated once, used everywhere):
//  - roundShift(x, s): x / 2^s rounded to nearest, ties toward +infinity: floor((x + 2^(s-1)) / 2^s);
//    for s <= 0 it is x · 2^-s exactly.
//  - stochastic rounding: floor((x + r) / 2^s) with r uniform in [0, 2^s) from a PRF stream
//    (consensus/training/prf.ts), so E[result] = x / 2^s and every node draws the same r.
import { INT7_MAX } from '../matmul.ts';

export const INT32_SAFE = 0x3fffffff; // |values| we keep in int32 tensors (2^30 - 1): sums of two stay int32

const TWO_31 = 2 ** 31;

/** floor(x / 2^s) for a safe integer x and 0 <= s. */
export function floorShift(x: number, s: number): number {
  if (s === 0) return x;
  if (x >= -TWO_31 && x < TWO_31 && s < 32) return x >> s;
  return Number(BigInt(x) >> BigInt(s));
}

/** x / 2^s rounded to nearest, ties up (s > 0); x · 2^-s (s <= 0). Safe integers only. */
export function roundShift(x: number, s: number): number {
  if (s <= 0) return x * 2 ** -s; // exact: power-of-two scaling of a safe integer (callers clamp)
  if (s < 31 && x >= -(2 ** 30) && x < 2 ** 30) return (x + (1 << (s - 1))) >> s;
  return Number((BigInt(x) + (1n << BigInt(s - 1))) >> BigInt(s));
}

/** floor(a / b) for safe integers, b > 0, by exact integer (BigInt) division. */
export function floorDiv(a: number, b: number): number {
  const q = BigInt(a) / BigInt(b);
  // BigInt division truncates toward zero; fix up to floor
  return Number(a < 0 && BigInt(a) % BigInt(b) !== 0n ? q - 1n : q);
}

/** a / b rounded to nearest, ties up: floor((2a + b) / 2b). */
export function roundDiv(a: number, b: number): number {
  return floorDiv(2 * a + b, 2 * b);
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const a = v < 0 ? -v : v;
    if (a > m) m = a;
  }
  return m;
}

/** Smallest s >= 0 with ceil(m / 2^s) <= 63, so that any rounding of a value of magnitude <= m fits int7. */
export function int7Shift(m: number): number {
  let s = 0;
  while (s < 52 && ceilShift(m, s) > INT7_MAX) s++;
  return s;
}

function ceilShift(m: number, s: number): number {
  return -floorShift(-m, s);
}

/** A tensor quantized to int7 with a power-of-two exponent: real value = q · 2^exp. */
export interface QTensor {
  readonly q: Int8Array;
  readonly exp: number;
}

/** Nearest-rounding int7 quantization of an integer tensor of exponent `exp`. */
export function quantizeNearest(x: ArrayLike<number>, exp: number): QTensor {
  const s = int7Shift(maxAbs(x));
  const q = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) q[i] = clamp(roundShift(x[i]!, s), -INT7_MAX, INT7_MAX);
  return { q, exp: exp + s };
}

/**
 * Stochastic-rounding int7 quantization: q = floor((x + r) / 2^s), r = low s bits of the i-th
 * word of `rand` (32-bit words of a PRF stream, one per entry).
 */
export function quantizeStochastic(x: ArrayLike<number>, exp: number, rand: Uint32Array): QTensor {
  const s = int7Shift(maxAbs(x));
  const q = new Int8Array(x.length);
  if (s === 0) {
    for (let i = 0; i < x.length; i++) q[i] = x[i]!;
    return { q, exp };
  }
  if (rand.length < x.length) throw new RangeError(`need ${x.length} random words, have ${rand.length}`);
  const mask = s >= 32 ? 0xffffffff : 2 ** s - 1;
  for (let i = 0; i < x.length; i++) {
    const r = s >= 32 ? rand[i]! : (rand[i]! & mask) >>> 0;
    q[i] = clamp(floorShift(x[i]! + r, s), -INT7_MAX, INT7_MAX);
  }
  return { q, exp: exp + s };
}

/** Transpose of a rows x cols int8 matrix. */
export function transposeI8(x: Int8Array, rows: number, cols: number): Int8Array {
  const out = new Int8Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const ri = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = x[ri + j]!;
  }
  return out;
}
