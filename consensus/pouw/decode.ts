// Decode the useful product from the noised one, exactly, in O((m + n)·k·r + m·n·r):
//   C = C' - (A·F_L)·F_R - E_L·(E_R·B')
// since C' = (A + E)(B + F) = AB + A·F + E·B' with F = F_L·F_R, E = E_L·E_R.
// All arithmetic is int32 wrapping, which is exact because the true C fits int32.
import { matmulRef } from '../matmul.ts';
import type { NoiseFactors } from './noise.ts';

/** Int8 x Int8 -> Int32 product, the shape of a backend's plain kernel. */
export type Int8Matmul = (a: Int8Array, b: Int8Array, m: number, k: number, n: number) => Int32Array;

/** The plain-JS reference product (consensus/matmul.ts) in a backend kernel's argument order. */
export function int8MatmulRef(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Int32Array {
  return matmulRef({ m, k, n, a, b });
}

/**
 * C = C' - X·F_R - E_L·Y with X = A·F_L (m x r) and Y = E_R·B' (r x n); the two int8 products go through
 * `mul` (a backend's fast kernel, or the reference). Modifies nothing; returns a new array.
 */
export function decodeProduct(
  cP: Int32Array,
  a: Int8Array,
  bP: Int8Array,
  m: number,
  k: number,
  n: number,
  f: NoiseFactors,
  mul: Int8Matmul = int8MatmulRef,
): Int32Array {
  const x = mul(a, f.fL, m, k, f.r); // m x r
  const y = mul(f.eR, bP, f.r, k, n); // r x n
  return decodeFromParts(cP, x, y, f, m, n);
}

/** The last stage of the decode, given X = A·F_L (m x r) and Y = E_R·B' (r x n). */
export function decodeFromParts(cP: Int32Array, x: Int32Array, y: Int32Array, f: NoiseFactors, m: number, n: number): Int32Array {
  const r = f.r;
  const c = new Int32Array(cP);
  // c -= [X | E_L] · [F_R ; Y]  (m x 2r x n, int32)
  const row = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let t = 0; t < r; t++) {
      const xv = x[i * r + t]!;
      const ev = f.eL[i * r + t]!;
      const fr = t * n;
      for (let j = 0; j < n; j++) row[j] = (row[j]! + Math.imul(xv, f.fR[fr + j]!) + Math.imul(ev, y[fr + j]!)) | 0;
    }
    const ci = i * n;
    for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j]! - row[j]!) | 0;
  }
  return c;
}
