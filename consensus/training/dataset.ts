// A dataset as the training rules see it: int7 pixels (0..63) and labels, in a fixed order.
// Loading (files, the `mnist` package) lives in genesis/datasets; consensus takes arrays.
import { u32be } from '../bytes.ts';
import { sha256 } from '../hash.ts';
import { INT7_MAX } from '../matmul.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';

export interface Dataset {
  /** Samples. */
  readonly n: number;
  /** Features per sample. */
  readonly dim: number;
  /** n x dim, row-major, entries in [0, 63]. */
  readonly x: Int8Array;
  /** n labels in [0, classes). */
  readonly y: Uint8Array;
}

export function makeDataset(x: Int8Array, y: Uint8Array, dim: number, classes: number): Dataset {
  const n = y.length;
  if (x.length !== n * dim) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'dataset', reason: `${x.length} != ${n} x ${dim}` });
  for (let i = 0; i < x.length; i++)
    if (x[i]! < 0 || x[i]! > INT7_MAX) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'dataset', index: i, reason: 'pixel outside [0, 63]' });
  for (let i = 0; i < n; i++) if (y[i]! >= classes) throw new TrainingError(TrainingErrorCode.BAD_SHAPE, { what: 'dataset', index: i, reason: 'label' });
  return Object.freeze({ n, dim, x, y });
}

/** Gathers rows `idx` into a batch (|idx| x dim) and its labels. */
export function gather(d: Dataset, idx: ArrayLike<number>): { x: Int8Array; y: Uint8Array } {
  const x = new Int8Array(idx.length * d.dim);
  const y = new Uint8Array(idx.length);
  for (let r = 0; r < idx.length; r++) {
    const i = idx[r]!;
    x.set(d.x.subarray(i * d.dim, (i + 1) * d.dim), r * d.dim);
    y[r] = d.y[i]!;
  }
  return { x, y };
}

const DATASET_DOMAIN = new TextEncoder().encode('tessera/dataset/v1');

/** Content hash of a dataset: SHA-256('tessera/dataset/v1' || u32be(n) || u32be(dim) || x || y). */
export function datasetHash(d: Dataset): Uint8Array {
  return sha256(DATASET_DOMAIN, u32be(d.n), u32be(d.dim), new Uint8Array(d.x.buffer, d.x.byteOffset, d.x.byteLength), d.y);
}
