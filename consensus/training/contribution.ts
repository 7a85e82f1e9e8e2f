// A miner's round contribution: (R, miner, lane, root of W_R, per-step commitments, delta), signed
// by the miner. Canonical encoding (consensus/codec.ts), type byte first:
//   on chain (block.contributions):  [0x40, round, miner(20), lane, baseRoot(32), steps, delta, sig(65)]
//   unsigned (the signed payload, and what a miner worker hands its node): the same tuple without sig
//   steps = H arrays [weightsRoot, aRoot_0, bRoot_0, cRoot_0, aRoot_1, ...] (32-byte roots, jobs in order)
//   delta = one byte string: every entry of dW (layer by layer, row-major) as a zigzag LEB128
//           varint (minimal: a multi-byte varint never ends in 0x00), 1-5 bytes each.
//   sig   = secp256k1 ECDSA, 65 bytes r || s || recid (RFC 6979, low-S), over
//           SHA-256("tessera/contribution/v1" || u32be(chainId) || unsigned encoding); it must
//           recover to `miner` (checked by the VM, vm/round/contributions.ts: a block producer
//           cannot include a contribution in another miner's name).
import { u32be, utf8Bytes } from '../bytes.ts';
import { decodeCanonical, encode, TupleReader, type Encodable } from '../codec.ts';
import { recoverAddress, signHash, type PrivateKey, type SignatureBackend } from '../crypto/index.ts';
import { sha256 } from '../hash.ts';
import { TypeTag } from '../types.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import type { StepCommit, JobCommit } from './step.ts';
import type { Trajectory } from './trajectory.ts';
import { jobsPerStep, layerCount, layerSize, paramCount, type TrainingTask } from './spec.ts';

/** The unsigned contribution: what a trajectory yields and what the signature covers. */
export interface Contribution {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  readonly baseRoot: Uint8Array;
  readonly steps: readonly StepCommit[];
  readonly delta: readonly Int32Array[];
}

/** A contribution as blocks carry it: signed by the key of `miner`. */
export interface SignedContribution extends Contribution {
  /** 65 bytes r || s || recid over contributionSigningHash(contribution, chainId). */
  readonly sig: Uint8Array;
}

/** Domain tag of the contribution signing hash (never a valid tx or other signed payload). */
export const CONTRIBUTION_SIGNING_TAG = utf8Bytes('tessera/contribution/v1');
const SIG_BYTES = 65;

export function contributionOf(t: Trajectory): Contribution {
  return { round: t.ctx.round, miner: t.ctx.miner, lane: t.ctx.lane, baseRoot: t.baseRoot, steps: t.steps, delta: t.delta };
}

const MAX_ROUND = 2 ** 48;
const MAX_LANE = 2 ** 16;

function badContribution(reason: string, index?: number): never {
  throw new TrainingError(TrainingErrorCode.BAD_CONTRIBUTION, { what: 'contribution', reason, ...(index !== undefined ? { index } : {}) });
}

/** Zigzag LEB128 of int32 values. */
export function encodeDelta(delta: readonly Int32Array[]): Uint8Array {
  let n = 0;
  for (const d of delta) n += d.length;
  const out = new Uint8Array(n * 5);
  let o = 0;
  for (const d of delta)
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      let z = ((v << 1) ^ (v >> 31)) >>> 0;
      while (z >= 0x80) {
        out[o++] = (z & 0x7f) | 0x80;
        z >>>= 7;
      }
      out[o++] = z;
    }
  return out.slice(0, o);
}

/** Inverse of encodeDelta for a task's layer sizes; rejects non-minimal varints, overflow and trailing bytes. */
export function decodeDelta(task: TrainingTask, bytes: Uint8Array): Int32Array[] {
  const out: Int32Array[] = [];
  let p = 0;
  for (let l = 0; l < layerCount(task); l++) {
    const d = new Int32Array(layerSize(task, l));
    for (let i = 0; i < d.length; i++) {
      let z = 0;
      let shift = 0;
      let len = 0;
      for (;;) {
        if (p >= bytes.length) badContribution('delta truncated');
        const b = bytes[p++]!;
        len++;
        if (len === 5 && b > 0x0f) badContribution('delta varint overflows 32 bits');
        z += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if ((b & 0x80) === 0) {
          if (b === 0 && len > 1) badContribution('non-minimal delta varint');
          break;
        }
      }
      d[i] = (z >>> 1) ^ -(z & 1);
    }
    out.push(d);
  }
  if (p !== bytes.length) badContribution(`${bytes.length - p} trailing delta bytes`);
  return out;
}

function unsignedTuple(c: Contribution): Encodable[] {
  const steps = c.steps.map((s) => [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])]);
  return [TypeTag.Contribution, c.round, c.miner, c.lane, c.baseRoot, steps, encodeDelta(c.delta)];
}

/** The unsigned encoding (7 fields, no sig): the signed payload; blocks never carry it. */
export function encodeContribution(c: Contribution): Uint8Array {
  return encode(unsignedTuple(c));
}

/** The on-chain encoding (8 fields, sig last). */
export function encodeSignedContribution(c: SignedContribution): Uint8Array {
  if (c.sig.length !== SIG_BYTES) throw new RangeError(`contribution signature must be ${SIG_BYTES} bytes, got ${c.sig.length}`);
  return encode([...unsignedTuple(c), c.sig]);
}

/** SHA-256("tessera/contribution/v1" || u32be(chainId) || encodeContribution(c)); any sig field of c is ignored. */
export function contributionSigningHash(c: Contribution, chainId: number): Uint8Array {
  return sha256(CONTRIBUTION_SIGNING_TAG, u32be(chainId), encodeContribution(c));
}

/** Signs the contribution (RFC 6979, low-S) for `chainId`; returns a frozen signed copy. */
export function signContribution(c: Contribution, key: PrivateKey, chainId: number): SignedContribution {
  const { round, miner, lane, baseRoot, steps, delta } = c;
  const sig = signHash(contributionSigningHash(c, chainId), key);
  return Object.freeze({ round, miner, lane, baseRoot, steps, delta, sig });
}

/**
 * The address the signature recovers to (native libsecp256k1 when it loads, else noble, as for
 * transactions). Throws TxError MALFORMED_SIGNATURE, HIGH_S or BAD_SIGNATURE.
 */
export function contributionSigner(c: SignedContribution, chainId: number, backend?: SignatureBackend): Uint8Array {
  return recoverAddress(contributionSigningHash(c, chainId), c.sig, backend);
}

function maxUnsignedBytes(task: TrainingTask): number {
  const J = jobsPerStep(task);
  return 64 + task.localSteps * (3 + (1 + 3 * J) * 34) + 5 * paramCount(task) + 16;
}

/** Decodes and checks an unsigned contribution against the task (H steps, jobs per step, delta length). */
export function decodeContribution(task: TrainingTask, bytes: Uint8Array): Contribution {
  const r = TupleReader.of(decodeCanonical(bytes, 'contribution', maxUnsignedBytes(task)), 'contribution', 7);
  const c = readBody(task, r);
  r.end();
  return c;
}

/**
 * Decodes a signed (on-chain) contribution: canonical, 8 fields, the body checked against the task
 * and a 65-byte sig. Does not check the signature itself (contributionSigner does).
 */
export function decodeSignedContribution(task: TrainingTask, bytes: Uint8Array): SignedContribution {
  const r = TupleReader.of(decodeCanonical(bytes, 'contribution', maxUnsignedBytes(task) + 2 + SIG_BYTES), 'contribution', 8);
  const c = readBody(task, r);
  const sig = r.bytes(SIG_BYTES);
  r.end();
  return Object.freeze({ ...c, sig });
}

function readBody(task: TrainingTask, r: TupleReader): Contribution {
  const J = jobsPerStep(task);
  if (r.uint(255) !== TypeTag.Contribution) badContribution('type byte');
  const round = r.uint(MAX_ROUND);
  const miner = r.bytes(20);
  const lane = r.uint(MAX_LANE);
  const baseRoot = r.bytes(32);
  const rawSteps = r.array(task.localSteps);
  if (rawSteps.length !== task.localSteps) badContribution(`${rawSteps.length} steps, task has ${task.localSteps}`);
  const steps: StepCommit[] = rawSteps.map((raw, s) => {
    const sr = TupleReader.of(raw, `contribution step ${s}`, 1 + 3 * J);
    const weightsRoot = sr.bytes(32);
    const jobs: JobCommit[] = [];
    for (let j = 0; j < J; j++) jobs.push({ aRoot: sr.bytes(32), bRoot: sr.bytes(32), cRoot: sr.bytes(32) });
    sr.end();
    return { weightsRoot, jobs };
  });
  const delta = decodeDelta(task, r.bytes());
  return { round, miner, lane, baseRoot, steps, delta };
}
