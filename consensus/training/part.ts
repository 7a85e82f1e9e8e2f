// Contribution v2: a miner's *part* covers a range [laneStart, laneStart + laneCount) of its lanes
// of round R (DESIGN.md "Contributions scale with compute, not with lanes"). Canonical encoding
// (consensus/codec.ts), type byte first:
//   unsigned (the signed payload):
//     [0x41, round, miner(20), laneStart, laneCount, baseRoot(32), lanesRoot(32), D, openings]
//   on chain (block.contributions): the same tuple with sig(65) last.
//   lanesRoot = merkleRoot over the lanes in order of laneLeafBytes(lane, leaf), where a lane's leaf
//     is its final-weights root and its H step commitments (weights root of W_{R,m,lane,s}, then the
//     roots A, B, C of each job of the step); the leaf bytes hold the final root and a digest of the
//     steps, so a lane's final root is proven in ~64 bytes plus the path (the aggregate fraud proof
//     opens every lane of a part: docs/validators.md). The leaves themselves are not on chain: the miner
//     keeps and serves them for the challenge window; the chain holds their root (32 bytes per
//     part, whatever its lane count), so chain bytes follow parts, not lanes.
//   D = the aggregate delta: sum over the part's lanes of (W_{R,m,lane,H} - W_R), every entry
//     (layer by layer, row-major) a zigzag LEB128 varint of an integer |x| < 2^52 (minimal, at most
//     8 bytes; the zigzag value stays below 2^53, exact). bench/parts.bench.ts measures it against the alternatives.
//   openings = [[lane, finalRoot, steps, siblings], ...], lanes ascending and inside the range:
//     the full leaf of each lane of the part on which its miner won a ticket, with its Merkle path
//     in lanesRoot, so the VM checks every such ticket's job roots against the lane's leaf.
//   sig = secp256k1 ECDSA r || s || recid (RFC 6979, low-S) over
//     SHA-256("tessera/part/v2" || u32be(chainId) || unsigned encoding); must recover to `miner`.
// The bound on D (deltaBound) follows from the task's clipped update rule: see docs/mining-vm.md.
import { u32be, utf8Bytes } from '../bytes.ts';
import { decodeCanonical, encode, TupleReader, type Encodable } from '../codec.ts';
import { recoverAddress, signHash, type PrivateKey, type SignatureBackend } from '../crypto/index.ts';
import { sha256 } from '../hash.ts';
import { merkleRoot, MerkleTree, leafHash, verifyMerkleProof } from '../merkle.ts';
import { TypeTag } from '../types.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import type { JobCommit, StepCommit } from './step.ts';
import { jobsPerStep, layerCount, layerSize, paramCount, stepClip, type TrainingTask } from './spec.ts';

/** The aggregate delta D: per layer, integers |x| < 2^52 (exact in a float64 slot, and so is their zigzag). */
export type AggDelta = readonly Float64Array[];

/** What a lane commits: its final weights root and its H step commitments. */
export interface LaneLeaf {
  readonly finalRoot: Uint8Array;
  readonly steps: readonly StepCommit[];
}

/** One lane's leaf with its Merkle path in the part's lanesRoot. */
export interface LaneOpening {
  readonly lane: number;
  readonly leaf: LaneLeaf;
  readonly siblings: readonly Uint8Array[];
}

/** The unsigned part: what the signature covers. */
export interface ContributionPart {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  readonly baseRoot: Uint8Array;
  readonly lanesRoot: Uint8Array;
  readonly delta: AggDelta;
  readonly openings: readonly LaneOpening[];
}

export interface SignedPart extends ContributionPart {
  readonly sig: Uint8Array;
}

export const PART_SIGNING_TAG = utf8Bytes('tessera/part/v2');
const LANE_LEAF_TAG = utf8Bytes('tessera/lane/v3');
const LANE_STEPS_TAG = utf8Bytes('tessera/lane-steps/v1');
const SIG_BYTES = 65;
const MAX_ROUND = 2 ** 48;
/** Lane numbers are u32; 0xffffffff is the miner's filler lane (never in a part). */
export const MAX_LANE = 0xffff_fffe;
const MAX_VARINT_BYTES = 8;
/** Largest |entry| of D (and of a round's delta sum). */
export const MAX_D = 2 ** 52 - 1;

function bad(reason: string, index?: number): never {
  throw new TrainingError(TrainingErrorCode.BAD_CONTRIBUTION, { what: 'part', reason, ...(index !== undefined ? { index } : {}) });
}

/**
 * Largest |element| of D that `lanes` lanes of H clipped steps can reach: every local step moves a
 * weight by at most stepClip(task) master units (step.ts clips the update; saturation only shortens
 * a move), so one lane's delta is within H · clip and a sum of L lanes within L · H · clip.
 */
export function deltaBound(task: TrainingTask, lanes: number): number {
  return lanes * task.localSteps * stepClip(task);
}

/** Most lanes one round may hold: keeps every sum of deltas (and its bound) a safe integer. */
export function maxRoundLanes(task: TrainingTask): number {
  return Math.min(MAX_LANE, Math.floor(MAX_D / (task.localSteps * stepClip(task))));
}

// ---- lane trees ----

/** A step commitment as on the wire: [weightsRoot, aRoot, bRoot, cRoot per job...]. */
export function stepTuple(s: StepCommit): Uint8Array[] {
  return [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])];
}

/** SHA-256("tessera/lane-steps/v1" || encode(steps)): what a lane's leaf holds of its step commitments. */
export function stepsDigest(steps: readonly StepCommit[]): Uint8Array {
  return sha256(LANE_STEPS_TAG, encode(steps.map(stepTuple)));
}

/** Leaf data from the final root and the steps digest: encode([tag, lane, finalRoot, stepsDigest]). */
export function laneLeafBytesOfDigest(lane: number, finalRoot: Uint8Array, digest: Uint8Array): Uint8Array {
  return encode([LANE_LEAF_TAG, lane, finalRoot, digest]);
}

/** The leaf data of `lane`: encode([tag, lane, finalRoot, stepsDigest(steps)]) (the lane number binds its position). */
export function laneLeafBytes(lane: number, leaf: LaneLeaf): Uint8Array {
  return laneLeafBytesOfDigest(lane, leaf.finalRoot, stepsDigest(leaf.steps));
}

/** Root over the leaves of lanes laneStart, laneStart + 1, ... */
export function lanesRoot(laneStart: number, leaves: readonly LaneLeaf[]): Uint8Array {
  return merkleRoot(leaves.map((l, i) => laneLeafBytes(laneStart + i, l)));
}

/** Openings of `lanes` (ascending, inside the range) against lanesRoot(laneStart, leaves). */
export function openLanes(laneStart: number, leaves: readonly LaneLeaf[], lanes: readonly number[]): LaneOpening[] {
  const tree = MerkleTree.ofHashes(leaves.map((l, i) => leafHash(laneLeafBytes(laneStart + i, l))));
  return [...lanes].sort((a, b) => a - b).map((lane) => ({ lane, leaf: leaves[lane - laneStart]!, siblings: tree.proof(lane - laneStart).siblings }));
}

/** True when the opening's leaf sits at its lane under the part's lanesRoot. */
export function verifyOpening(p: Pick<ContributionPart, 'laneStart' | 'laneCount' | 'lanesRoot'>, o: LaneOpening): boolean {
  if (o.lane < p.laneStart || o.lane >= p.laneStart + p.laneCount) return false;
  return verifyMerkleProof(p.lanesRoot, laneLeafBytes(o.lane, o.leaf), { index: o.lane - p.laneStart, count: p.laneCount, siblings: o.siblings });
}

// ---- D ----

/** Zigzag LEB128 of integers |x| <= MAX_D (layer by layer). */
export function encodeAggDelta(delta: AggDelta): Uint8Array {
  let n = 0;
  for (const d of delta) n += d.length;
  const out = new Uint8Array(n * MAX_VARINT_BYTES);
  let o = 0;
  for (const d of delta)
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isSafeInteger(v) || Math.abs(v) > MAX_D) throw new RangeError(`D entry ${v} is beyond ±(2^52 - 1)`);
      let z = v >= 0 ? 2 * v : -2 * v - 1;
      while (z >= 0x80) {
        out[o++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
      out[o++] = z;
    }
  return out.slice(0, o);
}

/** Inverse of encodeAggDelta for the task's layer sizes; rejects non-minimal or over-long varints and trailing bytes. */
export function decodeAggDelta(task: TrainingTask, bytes: Uint8Array): Float64Array[] {
  const out: Float64Array[] = [];
  let p = 0;
  for (let l = 0; l < layerCount(task); l++) {
    const d = new Float64Array(layerSize(task, l));
    for (let i = 0; i < d.length; i++) {
      let b = bytes[p++];
      if (b === undefined) bad('D truncated');
      if (b < 0x80) {
        d[i] = b & 1 ? -(b >> 1) - 1 : b >> 1; // one-byte fast path
        continue;
      }
      let z = b & 0x7f;
      let mul = 0x80;
      let len = 1;
      for (;;) {
        b = bytes[p++];
        if (b === undefined) bad('D truncated');
        len++;
        if (len > MAX_VARINT_BYTES) bad('D varint longer than 8 bytes');
        z += (b & 0x7f) * mul;
        mul *= 0x80;
        if (b < 0x80) {
          if (b === 0) bad('non-minimal D varint');
          break;
        }
      }
      if (z > 2 * MAX_D + 1) bad('D entry beyond ±(2^52 - 1)');
      d[i] = z % 2 === 1 ? -(z - 1) / 2 - 1 : z / 2;
    }
    out.push(d);
  }
  if (p !== bytes.length) bad(`${bytes.length - p} trailing D bytes`);
  return out;
}

/** Element-wise sum of lane deltas (int32 per layer) into a D. */
export function sumDeltas(task: TrainingTask, deltas: readonly (readonly Int32Array[])[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (let l = 0; l < layerCount(task); l++) out.push(new Float64Array(layerSize(task, l)));
  for (const d of deltas)
    for (let l = 0; l < out.length; l++) {
      const o = out[l]!;
      const x = d[l]!;
      for (let i = 0; i < o.length; i++) o[i] = o[i]! + x[i]!;
    }
  return out;
}

// ---- the part ----

function openingTuple(o: LaneOpening): Encodable {
  return [o.lane, o.leaf.finalRoot, o.leaf.steps.map(stepTuple), [...o.siblings]];
}

function unsignedTuple(p: ContributionPart): Encodable[] {
  return [TypeTag.ContributionPart, p.round, p.miner, p.laneStart, p.laneCount, p.baseRoot, p.lanesRoot, encodeAggDelta(p.delta), p.openings.map(openingTuple)];
}

export function encodePart(p: ContributionPart): Uint8Array {
  return encode(unsignedTuple(p));
}

export function encodeSignedPart(p: SignedPart): Uint8Array {
  if (p.sig.length !== SIG_BYTES) throw new RangeError(`part signature must be ${SIG_BYTES} bytes, got ${p.sig.length}`);
  return encode([...unsignedTuple(p), p.sig]);
}

/** SHA-256("tessera/part/v2" || u32be(chainId) || encodePart(p)); any sig field of p is ignored. */
export function partSigningHash(p: ContributionPart, chainId: number): Uint8Array {
  return sha256(PART_SIGNING_TAG, u32be(chainId), encodePart(p));
}

export function signPart(p: ContributionPart, key: PrivateKey, chainId: number): SignedPart {
  const { round, miner, laneStart, laneCount, baseRoot, lanesRoot: root, delta, openings } = p;
  const sig = signHash(partSigningHash(p, chainId), key);
  return Object.freeze({ round, miner, laneStart, laneCount, baseRoot, lanesRoot: root, delta, openings, sig });
}

/** The address the part's signature recovers to; throws TxError MALFORMED_SIGNATURE, HIGH_S or BAD_SIGNATURE. */
export function partSigner(p: SignedPart, chainId: number, backend?: SignatureBackend): Uint8Array {
  return recoverAddress(partSigningHash(p, chainId), p.sig, backend);
}

/** Openings a part may carry (one per lane with a ticket; tickets per lane are rare). */
export const MAX_OPENINGS = 64;

function leafBytesMax(task: TrainingTask): number {
  return 40 + task.localSteps * (3 + (1 + 3 * jobsPerStep(task)) * 34);
}

/** Bytes a signed part of `task` may take at most (D of 8-byte varints, MAX_OPENINGS full openings). */
export function maxPartBytes(task: TrainingTask): number {
  return 200 + MAX_VARINT_BYTES * paramCount(task) + 16 + MAX_OPENINGS * (leafBytesMax(task) + 40 * 34) + SIG_BYTES;
}

/** Inverse of stepTuple for the task's H steps of J jobs (TrainingError BAD_CONTRIBUTION otherwise). */
export function readSteps(task: TrainingTask, rawSteps: unknown[], what: string): StepCommit[] {
  const J = jobsPerStep(task);
  if (rawSteps.length !== task.localSteps) bad(`${what}: ${rawSteps.length} steps, task has ${task.localSteps}`);
  return rawSteps.map((rs, s) => {
    const sr = TupleReader.of(rs, `${what} step ${s}`, 1 + 3 * J);
    const weightsRoot = sr.bytes(32);
    const jobs: JobCommit[] = [];
    for (let j = 0; j < J; j++) jobs.push({ aRoot: sr.bytes(32), bRoot: sr.bytes(32), cRoot: sr.bytes(32) });
    sr.end();
    return { weightsRoot, jobs };
  });
}

function readBody(task: TrainingTask, r: TupleReader): ContributionPart {
  if (r.uint(255) !== TypeTag.ContributionPart) bad('type byte');
  const round = r.uint(MAX_ROUND);
  const miner = r.bytes(20);
  const laneStart = r.uint(MAX_LANE);
  const laneCount = r.uint(MAX_LANE);
  if (laneCount < 1) bad('a part covers at least one lane');
  if (laneStart + laneCount > MAX_LANE + 1) bad('lane range beyond the last lane');
  const baseRoot = r.bytes(32);
  const root = r.bytes(32);
  const delta = decodeAggDelta(task, r.bytes());
  const rawOpenings = r.array(MAX_OPENINGS);
  const openings: LaneOpening[] = rawOpenings.map((raw, i) => {
    const what = `part opening ${i}`;
    const or = TupleReader.of(raw, what, 4);
    const lane = or.uint(MAX_LANE);
    const finalRoot = or.bytes(32);
    const steps = readSteps(task, or.array(task.localSteps), what);
    const siblings = or.array(64).map((s) => {
      if (!(s instanceof Uint8Array) || s.length !== 32) bad(`${what}: a sibling is not 32 bytes`);
      return new Uint8Array(s);
    });
    or.end();
    return { lane, leaf: { finalRoot, steps }, siblings };
  });
  for (let i = 1; i < openings.length; i++) if (openings[i]!.lane <= openings[i - 1]!.lane) bad('openings not in ascending lane order', i);
  return { round, miner, laneStart, laneCount, baseRoot, lanesRoot: root, delta, openings };
}

/** Decodes an unsigned part (9 fields) for the task. */
export function decodePart(task: TrainingTask, bytes: Uint8Array): ContributionPart {
  const r = TupleReader.of(decodeCanonical(bytes, 'part', maxPartBytes(task)), 'part', 9);
  const p = readBody(task, r);
  r.end();
  return Object.freeze(p);
}

/** Decodes a signed (on-chain) part: canonical, 10 fields, checked against the task. The signature itself: partSigner. */
export function decodeSignedPart(task: TrainingTask, bytes: Uint8Array): SignedPart {
  const r = TupleReader.of(decodeCanonical(bytes, 'part', maxPartBytes(task)), 'part', 10);
  const p = readBody(task, r);
  const sig = r.bytes(SIG_BYTES);
  r.end();
  return Object.freeze({ ...p, sig });
}

/** The part header kept for good (what pruning leaves): everything but D and the openings. */
export interface PartHeader {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  readonly baseRoot: Uint8Array;
  readonly lanesRoot: Uint8Array;
  /**
   * The Merkle leaf hash of the part's on-chain bytes (SHA-256(0x00 || bytes)): the block's
   * contributionsRoot is the root over these (consensus/encoding/block.ts), so part headers kept
   * after the bodies were pruned still check against their block header.
   */
  readonly partHash: Uint8Array;
}

export function partHeaderOf(p: SignedPart, bytes: Uint8Array): PartHeader {
  return { round: p.round, miner: p.miner, laneStart: p.laneStart, laneCount: p.laneCount, baseRoot: p.baseRoot, lanesRoot: p.lanesRoot, partHash: leafHash(bytes) };
}

export function encodePartHeader(h: PartHeader): Uint8Array {
  return encode([h.round, h.miner, h.laneStart, h.laneCount, h.baseRoot, h.lanesRoot, h.partHash]);
}

export function decodePartHeader(bytes: Uint8Array): PartHeader {
  const r = TupleReader.of(decodeCanonical(bytes, 'part header'), 'part header', 7);
  const h = { round: r.uint(MAX_ROUND), miner: r.bytes(20), laneStart: r.uint(MAX_LANE), laneCount: r.uint(MAX_LANE), baseRoot: r.bytes(32), lanesRoot: r.bytes(32), partHash: r.bytes(32) };
  r.end();
  return Object.freeze(h);
}
