// State keys of the data registry and attribution (kinds 0x20..0x25; docs/attribution.md):
//   0x20 || u32be(id)                 registration: encode([contributor(20), royaltyBps, first, count, contentHash(32), height, source])
//                                     source: "" (samples in 0x21) or a built-in dataset name ("mnist-train:a-b")
//   0x21 || u32be(id)                 the registration's samples: encode([pixels (count·dim), labels (count)])
//   0x22 || sampleHash(16)            a registered sample's pixels hash -> encode([id])  (duplicates are refused)
//   0x23                              registry: encode([dim, classes, nextId, total samples, active samples, samples attributed u64])
//   0x24 || contributor(20)           cumulative attribution: encode([samples u64, weighted u64, data earnings u64, royalties u64, rounds])
//   0x25 || contributor || u64be(R)   round attribution: encode([samples u64, weighted u64, earned u64, closeHeight])
//   0x2e || u64be(R)                  the samples round R's shards draw from (R >= 1; written when R opens): encode([active])
// "weighted" = Σ samples · royaltyBps of their registrations: the contributor's claim in 1/10,000 samples.
import { concatBytes, u32be, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';

export enum DataKind {
  Registration = 0x20,
  Samples = 0x21,
  SampleHash = 0x22,
  Registry = 0x23,
  Attribution = 0x24,
  RoundAttribution = 0x25,
  /** 0x26..0x2d are governance's (vm/governance/keys.ts). */
  RoundActive = 0x2e,
}

const kind = (k: DataKind) => new Uint8Array([k]);

export interface Registration {
  readonly contributor: Uint8Array;
  readonly royaltyBps: number;
  /** Index of its first sample in the training set (registration order). */
  readonly first: number;
  readonly count: number;
  readonly contentHash: Uint8Array;
  readonly height: number;
  /** "" when the samples are in state (0x21), else the built-in dataset range they name. */
  readonly source: string;
}

export interface Registry {
  readonly dim: number;
  readonly classes: number;
  readonly nextId: number;
  /** Samples registered. */
  readonly total: number;
  /** Samples the open round's shards draw from (total as of the last round close). */
  readonly active: number;
  /** Samples attributed over all rounds (the royalty split's denominator, in samples). */
  readonly attributed: bigint;
}

export interface Attribution {
  readonly samples: bigint;
  readonly weighted: bigint;
  readonly dataEarnings: bigint;
  readonly royalties: bigint;
  readonly rounds: number;
}

export interface RoundAttribution {
  readonly samples: bigint;
  readonly weighted: bigint;
  readonly earned: bigint;
  readonly closeHeight: number;
}

export const registrationKey = (id: number) => concatBytes(kind(DataKind.Registration), u32be(id));
export const registrationPrefix = () => kind(DataKind.Registration);
export const samplesKey = (id: number) => concatBytes(kind(DataKind.Samples), u32be(id));
export const sampleHashKey = (h: Uint8Array) => concatBytes(kind(DataKind.SampleHash), h.subarray(0, 16));
export const registryKey = () => kind(DataKind.Registry);
export const attributionKey = (a: Uint8Array) => concatBytes(kind(DataKind.Attribution), a);
export const attributionPrefix = () => kind(DataKind.Attribution);
export const roundAttributionKey = (a: Uint8Array, round: number) => concatBytes(kind(DataKind.RoundAttribution), a, u64be(round));
export const roundAttributionPrefix = (a: Uint8Array) => concatBytes(kind(DataKind.RoundAttribution), a);
export const roundActiveKey = (round: number) => concatBytes(kind(DataKind.RoundActive), u64be(round));

export function roundOfAttributionKey(k: Uint8Array): number {
  return Number(new DataView(k.buffer, k.byteOffset, k.length).getBigUint64(21));
}

export function encodeRegistration(r: Registration): Uint8Array {
  return encode([r.contributor, r.royaltyBps, r.first, r.count, r.contentHash, r.height, r.source]);
}

export function decodeRegistration(b: Uint8Array): Registration {
  const r = TupleReader.of(decodeCanonical(b, 'registration'), 'registration', 7);
  const v = { contributor: r.bytes(20), royaltyBps: r.uint(), first: r.uint(), count: r.uint(), contentHash: r.bytes(32), height: r.uint(), source: r.string(128) };
  r.end();
  return Object.freeze(v);
}

export function encodeRegistry(r: Registry): Uint8Array {
  return encode([r.dim, r.classes, r.nextId, r.total, r.active, r.attributed]);
}

export function decodeRegistry(b: Uint8Array): Registry {
  const r = TupleReader.of(decodeCanonical(b, 'registry'), 'registry', 6);
  const v = { dim: r.uint(), classes: r.uint(), nextId: r.uint(), total: r.uint(), active: r.uint(), attributed: r.u64() };
  r.end();
  return Object.freeze(v);
}

export function encodeAttribution(a: Attribution): Uint8Array {
  return encode([a.samples, a.weighted, a.dataEarnings, a.royalties, a.rounds]);
}

export function decodeAttribution(b: Uint8Array): Attribution {
  const r = TupleReader.of(decodeCanonical(b, 'attribution'), 'attribution', 5);
  const v = { samples: r.u64(), weighted: r.u64(), dataEarnings: r.u64(), royalties: r.u64(), rounds: r.uint() };
  r.end();
  return Object.freeze(v);
}

export function encodeRoundAttribution(a: RoundAttribution): Uint8Array {
  return encode([a.samples, a.weighted, a.earned, a.closeHeight]);
}

export function decodeRoundAttribution(b: Uint8Array): RoundAttribution {
  const r = TupleReader.of(decodeCanonical(b, 'roundAttribution'), 'roundAttribution', 4);
  const v = { samples: r.u64(), weighted: r.u64(), earned: r.u64(), closeHeight: r.uint() };
  r.end();
  return Object.freeze(v);
}

export function encodeSamples(pixels: Uint8Array, labels: Uint8Array): Uint8Array {
  return encode([pixels, labels]);
}

export function decodeSamples(b: Uint8Array): { pixels: Uint8Array; labels: Uint8Array } {
  const r = TupleReader.of(decodeCanonical(b, 'samples', 1 << 30), 'samples', 2);
  const v = { pixels: r.bytes(), labels: r.bytes() };
  r.end();
  return v;
}

export const ZERO_ATTRIBUTION: Attribution = Object.freeze({ samples: 0n, weighted: 0n, dataEarnings: 0n, royalties: 0n, rounds: 0 });
