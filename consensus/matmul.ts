// The contract between training (consensus/training), proof of useful work (consensus/pouw)
// and the compute backends (miner/backends): every heavy product of a training step is a
// MatmulJob, computed by a MatmulFn. Training code never multiplies large matrices itself; it
// asks a MatmulFn, so the same trajectory can be computed plainly (reference), through the
// ticket path (noise + backend + transcript + decode), or re-executed by a validator.
import { concatBytes, u32be } from './bytes.ts';
import { sha256 } from './hash.ts';
import { leafHashesOfLines, rootOfFlatHashes } from './merkle.ts';

/** Operands of ticket jobs are int7: every entry in [-INT7_MAX, INT7_MAX]. */
export const INT7_MAX = 63;

export interface MatmulJob {
  /** Local step of the trajectory (0-based) this job belongs to. */
  readonly step: number;
  /** Job id within the step (stable: the training spec fixes the order of a step's products). */
  readonly jobId: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** m x k, row-major, entries in [-63, 63]. */
  readonly a: Int8Array;
  /** k x n, row-major, entries in [-63, 63]. */
  readonly b: Int8Array;
  /**
   * rootByRows(a) and rootByCols(b) when the caller has them already (a training step commits to them
   * for its contribution): the ticket path's seed needs them before the product (consensus/pouw/seed.ts).
   */
  readonly roots?: { readonly rootA: Uint8Array; readonly rootB: Uint8Array };
}

/** Computes C = A·B exactly (m x n, row-major, int32). */
export type MatmulFn = (job: MatmulJob) => Promise<Int32Array>;

/** The plain-JS exact reference product. */
export function matmulRef(job: Pick<MatmulJob, 'm' | 'k' | 'n' | 'a' | 'b'>): Int32Array {
  const { m, k, n, a, b } = job;
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let l = 0; l < k; l++) {
      const x = a[i * k + l]!;
      if (x === 0) continue;
      const bl = l * n;
      for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j]! + x * b[bl + j]!) | 0;
    }
  }
  return c;
}

export const matmulPlain: MatmulFn = async (job) => matmulRef(job);

export function checkInt7(name: string, x: Int8Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v > INT7_MAX || v < -INT7_MAX) throw new RangeError(`${name}[${i}] = ${v} is outside int7 [-63, 63]`);
  }
}

// ---- Commitments to matrices ------------------------------------------------------------
// A matrix is committed by rows or by columns: root = SHA-256("mat/v1" || kind || rows || cols
// || merkleRoot(lines)), each line's bytes (int8: the raw bytes; int32: little-endian) a leaf.
// A's root is by rows and B's by columns, so that a tile's h rows of A and w columns of B can
// be proven against the job's input roots.

const MAT_TAG = new TextEncoder().encode('mat/v1');

export function rowsOf(x: Int8Array, rows: number, cols: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < rows; i++) out.push(new Uint8Array(x.buffer, x.byteOffset + i * cols, cols));
  return out;
}

export function colsOf(x: Int8Array, rows: number, cols: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let j = 0; j < cols; j++) {
    const col = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) col[i] = x[i * cols + j]! & 0xff;
    out.push(col);
  }
  return out;
}

/** Kinds of matrix commitment (the `kind` byte of matRootFromLines). */
export const MatRootKind = { Rows: 1, Cols: 2, Int32Rows: 3 } as const;

/** A matrix root from the Merkle root of its lines (used to check line proofs against a job's input roots). */
export function matRootFromLines(kind: number, rows: number, cols: number, linesRoot: Uint8Array): Uint8Array {
  return sha256(MAT_TAG, new Uint8Array([kind]), u32be(rows), u32be(cols), linesRoot);
}

/** The lines' root of `count` lines of `len` bytes (line i at i·len) of a flat byte view. */
function linesRoot(bytes: Uint8Array, count: number, len: number): Uint8Array {
  return rootOfFlatHashes(leafHashesOfLines(bytes, count, len), count);
}

/** Root of an int8 matrix committed by rows (the A operand). */
export function rootByRows(x: Int8Array, rows: number, cols: number): Uint8Array {
  return matRootFromLines(1, rows, cols, linesRoot(new Uint8Array(x.buffer, x.byteOffset, rows * cols), rows, cols));
}

/** Root of an int8 matrix committed by columns (the B operand). */
export function rootByCols(x: Int8Array, rows: number, cols: number): Uint8Array {
  return matRootFromLines(2, rows, cols, linesRoot(transposeBytes(x, rows, cols), cols, rows));
}

/** Root of an int32 matrix (a product, weights): by rows, little-endian int32. */
export function rootInt32(x: Int32Array, rows: number, cols: number): Uint8Array {
  return matRootFromLines(3, rows, cols, linesRoot(new Uint8Array(x.buffer, x.byteOffset, rows * cols * 4), rows, cols * 4));
}

/** The columns of a row-major int8 matrix, one after another (column j at j·rows), as bytes. */
function transposeBytes(x: Int8Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols);
  const src = new Uint8Array(x.buffer, x.byteOffset, rows * cols);
  // blocks of 32 rows: the 32 bytes of a block row are read once and written to 32 columns
  for (let i0 = 0; i0 < rows; i0 += 32) {
    const i1 = Math.min(rows, i0 + 32);
    for (let j = 0; j < cols; j++) {
      let o = j * rows + i0;
      for (let i = i0; i < i1; i++) out[o++] = src[i * cols + j]!;
    }
  }
  return out;
}

export function concatRoots(...roots: Uint8Array[]): Uint8Array {
  return sha256(concatBytes(...roots));
}
