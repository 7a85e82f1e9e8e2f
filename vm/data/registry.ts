// The data registry (docs/attribution.md). The training set of the chain is every registered
// sample in registration order; round R's shards draw from the first `active` of them (the count
// as of the close of round R - 1), so data registered during a round is used from the next one.
// RegisterData, cheapest first: 1..MAX_SAMPLES_PER_TX samples, dim == the registry's, pixels n·dim,
// royaltyBps <= 10,000, pixel range and labels, no sample twice in the tx, fee >= minFee per
// sample (samples stay in state: the fee pays for the bytes), then the signed-tx rules,
// balance >= fee, then no sample registered already (by the SHA-256 of its pixels).
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import { sha256 } from '../../consensus/hash.ts';
import { BPS, type ChainParams } from '../../consensus/params.ts';
import { INT7_MAX } from '../../consensus/matmul.ts';
import type { RegisterDataTx } from '../../consensus/types.ts';
import { toHex } from '../../consensus/bytes.ts';
import type { StateReader, StateWriter } from '../round/state.ts';
import { checkSignedTx, type TxOutcome } from '../tx/common.ts';
import type { StateView } from '../view.ts';
import { encode } from '../../consensus/codec.ts';
import {
  decodeRegistration, decodeRegistry, encodeRegistration, encodeRegistry, encodeSamples, registrationKey, registrationPrefix, registryKey,
  sampleHashKey, samplesKey, type Registration, type Registry,
} from './keys.ts';

/** Samples one RegisterData tx may carry (about 125 KB of MNIST digits). */
export const MAX_SAMPLES_PER_TX = 160;

export function readRegistry(s: StateReader): Registry | undefined {
  const v = s.get(registryKey());
  return v ? decodeRegistry(v) : undefined;
}

export function writeRegistry(s: StateWriter, r: Registry): void {
  s.set(registryKey(), encodeRegistry(r));
}

/** Every registration, in id (= training set) order. */
export function readRegistrations(s: StateReader): Registration[] {
  return s.keysWithPrefix(registrationPrefix()).map((k) => decodeRegistration(s.get(k)!));
}

/** SHA-256 of one sample's pixels (its identity for duplicates: relabelling a digit is no new sample). */
export function sampleHash(pixels: Uint8Array): Uint8Array {
  return sha256(pixels);
}

/** Content hash of a registration: SHA-256(encode([dim, pixels, labels])). */
export function contentHash(dim: number, pixels: Uint8Array, labels: Uint8Array): Uint8Array {
  return sha256(encode([dim, pixels, labels]));
}

/** Adds a registration (genesis or a tx). The caller checked shape and duplicates. */
export function addRegistration(
  s: StateWriter, reg: Registry, r: Omit<Registration, 'first' | 'contentHash'>, pixels: Uint8Array, labels: Uint8Array, storeSamples: boolean,
): Registry {
  const id = reg.nextId;
  const full: Registration = { ...r, first: reg.total, contentHash: contentHash(reg.dim, pixels, labels) };
  s.set(registrationKey(id), encodeRegistration(full));
  if (storeSamples) s.set(samplesKey(id), encodeSamples(pixels, labels));
  const d = reg.dim;
  for (let i = 0; i < r.count; i++) s.set(sampleHashKey(sampleHash(pixels.subarray(i * d, (i + 1) * d))), encode([id]));
  const next = { ...reg, nextId: id + 1, total: reg.total + r.count };
  writeRegistry(s, next);
  return next;
}

function bad(reason: string, extra: { expected?: number; got?: number } = {}): never {
  throw new TxError(TxErrorCode.DATA_BAD_SHAPE, { reason, ...extra });
}

export function applyRegisterData(view: StateView, tx: RegisterDataTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const reg = readRegistry(view);
  if (!reg) throw new TxError(TxErrorCode.NO_TRAINING, { reason: 'the chain has no data registry' });
  const n = tx.labels.length;
  if (n === 0 || n > MAX_SAMPLES_PER_TX) bad(`1..${MAX_SAMPLES_PER_TX} samples`, { got: n });
  if (tx.dim !== reg.dim) bad('dim', { expected: reg.dim, got: tx.dim });
  if (tx.samples.length !== n * reg.dim) bad('pixels != samples x dim', { expected: n * reg.dim, got: tx.samples.length });
  if (tx.royaltyBps > BPS) bad('royaltyBps', { expected: BPS, got: tx.royaltyBps });
  for (let i = 0; i < tx.samples.length; i++) if (tx.samples[i]! > INT7_MAX) bad('pixel outside [0, 63]', { got: i });
  for (let i = 0; i < n; i++) if (tx.labels[i]! >= reg.classes) bad('label', { expected: reg.classes, got: tx.labels[i]! });
  const seen = new Set<string>();
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const h = sampleHash(tx.samples.subarray(i * reg.dim, (i + 1) * reg.dim));
    const k = toHex(h.subarray(0, 16));
    if (seen.has(k)) throw new TxError(TxErrorCode.DATA_DUPLICATE, { got: i, reason: 'twice in the tx' });
    seen.add(k);
    hashes.push(h);
  }
  if (tx.fee < p.minFee * BigInt(n)) throw new TxError(TxErrorCode.FEE_TOO_LOW, { expected: p.minFee * BigInt(n), got: tx.fee, reason: 'minFee per sample' });
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  if (from.balance < tx.fee) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: tx.fee, got: from.balance });
  hashes.forEach((h, i) => {
    if (view.get(sampleHashKey(h))) throw new TxError(TxErrorCode.DATA_DUPLICATE, { got: i, reason: 'registered already' });
  });
  view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
  addRegistration(view, reg, { contributor: tx.contributor, royaltyBps: tx.royaltyBps, count: n, height, source: '' }, tx.samples, tx.labels, true);
  return { sender, fee: tx.fee };
}
