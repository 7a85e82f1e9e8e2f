// Freivalds' check C == A·B with exact integers: C·x == A·(B·x) for x with entries uniform in [0, 2^10),
// drawn from random bytes supplied by the caller (a CSPRNG in a validator; consensus code stays pure).
// A wrong C passes one round with probability <= 2^-10; ROUNDS = 4 independent rounds give <= 2^-40.
// Exactness (|A|, |B| <= 63 as int7 operands, |C| < 2^31 as int32, k, n <= 4096, checked):
// |B·x| < 2^28, |A·(B·x)| < 2^46, |C·x| < 2^31·2^10·2^12 = 2^53, so float64 arithmetic is exact.
export const FREIVALDS_BITS = 10;
export const FREIVALDS_ROUNDS = 4;
const MAX_DIM = 4096;

export type RandomBytes = (length: number) => Uint8Array;

/** True when C·x == A·(B·x) for FREIVALDS_ROUNDS random x. A: m x k int8, B: k x n int8, C: m x n int32. */
export function freivalds(
  job: { m: number; k: number; n: number; a: Int8Array; b: Int8Array },
  c: Int32Array,
  randomBytes: RandomBytes,
  rounds = FREIVALDS_ROUNDS,
): boolean {
  const { m, k, n, a, b } = job;
  if (k > MAX_DIM || n > MAX_DIM) throw new RangeError(`freivalds: k, n must be <= ${MAX_DIM} for exact float64`);
  if (c.length !== m * n) return false;
  const R = rounds;
  // x: n x R, entries < 2^10 from 2 random bytes each
  const raw = randomBytes(n * R * 2);
  if (raw.length < n * R * 2) throw new RangeError('randomBytes returned too few bytes');
  const x = new Float64Array(n * R);
  for (let i = 0; i < n * R; i++) x[i] = (raw[2 * i]! | (raw[2 * i + 1]! << 8)) & ((1 << FREIVALDS_BITS) - 1);
  // bx = B·x : k x R
  const bx = new Float64Array(k * R);
  mulInto(b, k, n, x, R, bx);
  // abx = A·bx : m x R ; cx = C·x : m x R
  const abx = new Float64Array(m * R);
  mulInto(a, m, k, bx, R, abx);
  const cx = new Float64Array(m * R);
  mulInto(c, m, n, x, R, cx);
  for (let i = 0; i < m * R; i++) if (abx[i] !== cx[i]) return false;
  return true;
}

function mulInto(mat: Int8Array | Int32Array, rows: number, cols: number, v: Float64Array, R: number, out: Float64Array): void {
  if (R === 4) {
    for (let i = 0; i < rows; i++) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        const e = mat[base + j]!;
        const q = j * 4;
        s0 += e * v[q]!;
        s1 += e * v[q + 1]!;
        s2 += e * v[q + 2]!;
        s3 += e * v[q + 3]!;
      }
      out[i * 4] = s0;
      out[i * 4 + 1] = s1;
      out[i * 4 + 2] = s2;
      out[i * 4 + 3] = s3;
    }
    return;
  }
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) {
      const e = mat[i * cols + j]!;
      for (let t = 0; t < R; t++) out[i * R + t] += e * v[j * R + t]!;
    }
}
