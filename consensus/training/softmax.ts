// Integer softmax and cross-entropy from a table built with integers only.
// EXP_TABLE[i] = round(2^16 · e^(-i/256)) for i in [0, 4096) (so e^-16 and below count as 0),
// built from e^(-1/256) by its Taylor series in BigInt at 2^-128 precision and repeated
// multiplication. No Math.exp, no float division.
import { floorDiv, roundShift } from './fixed.ts';

export const EXP_FRAC_BITS = 8; // table index = nats · 2^8
export const EXP_ONE_BITS = 16; // table value = 2^16 · e^-x
export const EXP_TABLE_LEN = 16 << EXP_FRAC_BITS;

function buildExpTable(): Int32Array {
  const P = 128n;
  const one = 1n << P;
  // e^(-1/256) = sum_n (-1)^n / (256^n n!)
  let term = one;
  let q = one;
  for (let n = 1n; n < 40n; n++) {
    term = term / (256n * n);
    q = n % 2n === 1n ? q - term : q + term;
  }
  const t = new Int32Array(EXP_TABLE_LEN);
  let v = one;
  const shift = P - BigInt(EXP_ONE_BITS);
  for (let i = 0; i < EXP_TABLE_LEN; i++) {
    t[i] = Number((v + (1n << (shift - 1n))) >> shift);
    v = (v * q) >> P;
  }
  return t;
}

export const EXP_TABLE: Int32Array = buildExpTable();

/** Table index (nats · 2^8, clamped to the table length) of a logit gap d at exponent e (real gap = d · 2^e). */
export function gapIndex(d: number, e: number): number {
  const s = e + EXP_FRAC_BITS;
  if (s >= 0) {
    // d · 2^s, clamped (d < 2^33 and s <= 20 keep the product a safe integer)
    if (s > 20) return d === 0 ? 0 : EXP_TABLE_LEN;
    const x = d * 2 ** s;
    return x >= EXP_TABLE_LEN ? EXP_TABLE_LEN : x;
  }
  const x = roundShift(d, -s);
  return x >= EXP_TABLE_LEN ? EXP_TABLE_LEN : x;
}

/** ln(S / 2^16) · 2^8, S >= 2^16: the smallest i with EXP_TABLE[i] · S <= 2^32 (binary search). */
export function lnRatioIndex(S: number): number {
  let lo = 0;
  let hi = EXP_TABLE_LEN - 1;
  const target = 2 ** 32;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (EXP_TABLE[mid]! * S <= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface SoftmaxResult {
  /** p - onehot(label), per row, in units of 2^-probBits (int32, rows x classes). */
  readonly grad: Int32Array;
  /** Sum over rows of the cross-entropy, in units of 2^-8 nats. */
  readonly lossSum: number;
  /** Rows whose arg-max logit (lowest index on ties) is the label. */
  readonly correct: number;
}

/**
 * Softmax cross-entropy of integer logits z (rows x classes, real = z · 2^e) against labels.
 * p_j = floor(t_j · 2^probBits / S), t_j = EXP_TABLE[gap index of max - z_j], S = sum of t.
 */
export function softmaxXent(z: Int32Array, rows: number, classes: number, e: number, labels: ArrayLike<number>, probBits: number): SoftmaxResult {
  const grad = new Int32Array(rows * classes);
  const t = new Array<number>(classes);
  const idx = new Array<number>(classes);
  let lossSum = 0;
  let correct = 0;
  const one = 2 ** probBits;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let mx = z[o]!;
    let arg = 0;
    for (let j = 1; j < classes; j++) if (z[o + j]! > mx) { mx = z[o + j]!; arg = j; }
    const y = labels[r]!;
    if (arg === y) correct++;
    let S = 0;
    for (let j = 0; j < classes; j++) {
      const gi = gapIndex(mx - z[o + j]!, e);
      idx[j] = gi;
      t[j] = gi >= EXP_TABLE_LEN ? 0 : EXP_TABLE[gi]!;
      S += t[j]!;
    }
    for (let j = 0; j < classes; j++) {
      const p = floorDiv(t[j]! * one, S);
      grad[o + j] = j === y ? p - one : p;
    }
    lossSum += idx[y]! + lnRatioIndex(S);
  }
  return { grad, lossSum, correct };
}
