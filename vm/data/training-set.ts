// The training set a state's open round draws its shards from: the registered samples in
// registration order, the first `active` of them. Round R's own (for a fraud proof on a closed
// round): the first activeOfRound(R) samples, kept when R opened (0x2e); round 0 the genesis ones. Samples registered by tx are in state (0x21);
// genesis registrations name rows of a built-in dataset ("mnist-train:0-2001"), which the caller
// resolves (genesis/build.ts builtinDataset), checked against the registration's content hash.
import { bytesEqual } from '../../consensus/bytes.ts';
import { makeDataset, type Dataset } from '../../consensus/training/dataset.ts';
import type { StateReader } from '../round/state.ts';
import { decodeCanonical, TupleReader } from '../../consensus/codec.ts';
import { decodeSamples, roundActiveKey, samplesKey } from './keys.ts';
import { contentHash, readRegistrations, readRegistry } from './registry.ts';

export function trainingSetOf(s: StateReader, builtin: (name: string) => Dataset, active?: number): Dataset | undefined {
  const reg = readRegistry(s);
  if (!reg) return undefined;
  const n = active ?? reg.active;
  const x = new Int8Array(n * reg.dim);
  const y = new Uint8Array(n);
  readRegistrations(s).forEach((r, id) => {
    if (r.first >= n) return;
    let pixels: Uint8Array;
    let labels: Uint8Array;
    if (r.source === '') ({ pixels, labels } = decodeSamples(s.get(samplesKey(id))!));
    else {
      const m = /^(.+):([0-9]+)-([0-9]+)$/.exec(r.source);
      if (!m) throw new RangeError(`registration ${id}: bad source ${r.source}`);
      const d = builtin(m[1]!);
      const [a, b] = [Number(m[2]), Number(m[3])];
      pixels = new Uint8Array(d.x.buffer, d.x.byteOffset + a * reg.dim, (b - a) * reg.dim);
      labels = d.y.subarray(a, b);
    }
    if (!bytesEqual(contentHash(reg.dim, pixels, labels), r.contentHash)) throw new RangeError(`registration ${id}: samples differ from the registered content hash`);
    x.set(new Int8Array(pixels.buffer, pixels.byteOffset, pixels.length), r.first * reg.dim);
    y.set(labels, r.first);
  });
  return makeDataset(x, y, reg.dim, reg.classes);
}

/** The samples round `round`'s shards drew from (its training set's size). */
export function activeOfRound(s: StateReader, round: number): number {
  const v = s.get(roundActiveKey(round));
  if (v) return TupleReader.of(decodeCanonical(v, 'roundActive'), 'roundActive', 1).uint();
  // round 0 (or a round opened before the count was kept): the genesis registrations
  return readRegistrations(s).filter((r) => r.height === 0).reduce((n, r) => n + r.count, 0);
}

/**
 * The training set of round `round`: its registered samples (genesis registrations name rows of
 * `genesisSet`, the dataset the chain's datasetHash names), or `genesisSet` itself on a chain
 * without a data registry.
 */
export function roundTrainingSet(s: StateReader, round: number, genesisSet: Dataset): Dataset {
  return trainingSetOf(s, () => genesisSet, activeOfRound(s, round)) ?? genesisSet;
}
