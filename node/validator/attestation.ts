// A validator's signed attestation: one per check (DESIGN.md "Validators"). Canonical msgpack tuple,
// type byte first (the network range 0x60..: node/network/messages.ts NetTag.Attestation):
//   [0x69, validator(20), round, miner(20), laneStart, partHash(32), lane, step, verdict, flags, sig(65)]
//   step:    0..H-1 for a step check; AGGREGATE_STEP (0xffffffff) for an aggregate check of the part
//            (then lane = laneStart)
//   verdict: 0 valid, 1 fraud (the check found a fault), 2 unavailable (the lane's leaf was not served,
//            so nothing could be compared)
//   flags:   bit 0: the miner served the per-step data the check used (else it was recomputed from W_R)
//   sig:     secp256k1 (r || s || recid, low-S) over
//            SHA-256("tessera/attestation/v1" || u32be(chainId) || encoding without sig);
//            recovers to `validator`.
// partHash binds the attestation to one part (the leaf hash of its on-chain bytes, as in the block's
// contributionsRoot): a node checks it against the parts it knows before storing or relaying.
// Attestations are not consensus: they tell operators and other validators what was checked.
import { to0x, u32be, utf8Bytes } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader, type Encodable } from '../../consensus/codec.ts';
import { recoverAddress, signHash, type PrivateKey } from '../../consensus/crypto/index.ts';
import { sha256 } from '../../consensus/hash.ts';
import { CodecError, CodecErrorCode } from '../../consensus/errors.ts';

export const ATTESTATION_TAG = 0x69;
export const AGGREGATE_STEP = 0xffff_ffff;
const SIGNING_TAG = utf8Bytes('tessera/attestation/v1');
/** An encoded attestation is ~230 bytes; anything past this is refused before decoding. */
export const MAX_ATTESTATION_BYTES = 512;

export enum Verdict {
  Valid = 0,
  Fraud = 1,
  Unavailable = 2,
}

export const VERDICT_NAMES: Readonly<Record<Verdict, string>> = { [Verdict.Valid]: 'valid', [Verdict.Fraud]: 'fraud', [Verdict.Unavailable]: 'unavailable' };

export const FLAG_SERVED = 1;

export interface UnsignedAttestation {
  readonly validator: Uint8Array;
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly partHash: Uint8Array;
  readonly lane: number;
  /** Local step checked, or AGGREGATE_STEP. */
  readonly step: number;
  readonly verdict: Verdict;
  readonly flags: number;
}

export interface Attestation extends UnsignedAttestation {
  readonly sig: Uint8Array;
}

function tuple(a: UnsignedAttestation): Encodable[] {
  return [ATTESTATION_TAG, a.validator, a.round, a.miner, a.laneStart, a.partHash, a.lane, a.step, a.verdict, a.flags];
}

export function attestationSigningHash(a: UnsignedAttestation, chainId: number): Uint8Array {
  return sha256(SIGNING_TAG, u32be(chainId), encode(tuple(a)));
}

export function signAttestation(a: UnsignedAttestation, key: PrivateKey, chainId: number): Attestation {
  const { validator, round, miner, laneStart, partHash, lane, step, verdict, flags } = a;
  return Object.freeze({ validator, round, miner, laneStart, partHash, lane, step, verdict, flags, sig: signHash(attestationSigningHash(a, chainId), key) });
}

export function encodeAttestation(a: Attestation): Uint8Array {
  return encode([...tuple(a), a.sig]);
}

/** Canonical decode (shape only; the signature is checked by attestationSigner). Throws CodecError. */
export function decodeAttestation(bytes: Uint8Array): Attestation {
  const r = TupleReader.of(decodeCanonical(bytes, 'attestation', MAX_ATTESTATION_BYTES), 'attestation', 11);
  const tag = r.uint(0xff);
  if (tag !== ATTESTATION_TAG) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'attestation', reason: `type ${tag}` });
  const a = {
    validator: r.bytes(20), round: r.uint(2 ** 48), miner: r.bytes(20), laneStart: r.uint(0xffff_fffe), partHash: r.bytes(32),
    lane: r.uint(0xffff_fffe), step: r.uint(AGGREGATE_STEP), verdict: r.uint(Verdict.Unavailable) as Verdict, flags: r.uint(FLAG_SERVED), sig: r.bytes(65),
  };
  r.end();
  return Object.freeze(a);
}

/** The address the signature recovers to (throws TxError MALFORMED_SIGNATURE / HIGH_S / BAD_SIGNATURE). */
export function attestationSigner(a: Attestation, chainId: number): Uint8Array {
  return recoverAddress(attestationSigningHash(a, chainId), a.sig);
}

/** JSON view (RPC, CLI). */
export function attestationJson(a: Attestation): Record<string, unknown> {
  return {
    validator: to0x(a.validator), round: a.round, miner: to0x(a.miner), laneStart: a.laneStart, partHash: to0x(a.partHash), lane: a.lane,
    check: a.step === AGGREGATE_STEP ? 'aggregate' : 'step', ...(a.step === AGGREGATE_STEP ? {} : { step: a.step }),
    verdict: VERDICT_NAMES[a.verdict], served: (a.flags & FLAG_SERVED) !== 0,
  };
}
