// Fraud proofs against contribution parts (v2), the pure checks every node runs on a Challenge
// (vm/tx/challenge.ts) and a validator runs to find what to challenge (docs/validators.md):
//
//  * one step of one lane: from W_{R,m,lane,s} (whose root the lane's leaf commits; for s = 0 it is
//    W_R itself), re-execute step s (step.ts, the shard from the PRF of the part's base) and
//    compare the step's job roots and the next weights root (after the last step: the leaf's
//    finalRoot). For s = 0 a leaf whose first weights root is not W_R's is a fraud by itself.
//  * one element of the aggregate: at one flat weight index i, every lane's final weight (proven
//    against the lane's finalRoot, the lane proven against the part's lanesRoot) minus W_R's weight
//    (proven against W_R's weights root), summed, against D[i].
//
// Element proofs: a weights list's root is SHA-256("weights/v1" || root of each layer), a layer's
// root the int32 row commitment of consensus/matmul.ts (rootInt32), so one weight is proven by
// the layer roots, the whole row holding it (cols x int32 LE) and the row's Merkle path.
import { bytesEqual, utf8Bytes } from '../bytes.ts';
import { sha256 } from '../hash.ts';
import { MatRootKind, matRootFromLines, rootInt32, type MatmulFn } from '../matmul.ts';
import { leafHash, MerkleTree, nodeHash, proofFromHashes, verifyLeafHash } from '../merkle.ts';
import type { ElementProof, LaneElementProof, StepHashes } from '../types.ts';
import { checkWeights, weightsRoot } from './checkpoint.ts';
import type { Dataset } from './dataset.ts';
import { TrainingError, TrainingErrorCode } from './errors.ts';
import { laneLeafBytes, laneLeafBytesOfDigest, stepsDigest, type LaneLeaf } from './part.ts';
import { shardIndices, shardSeed } from './shard.ts';
import { runStep, runStepSync, type JobCommit, type StepCommit, type StepResult } from './step.ts';
import { jobsPerStep, layerCount, layerSize, paramCount, type TrainingTask } from './spec.ts';
import { stepBatch } from './trajectory.ts';

const WEIGHTS_TAG = utf8Bytes('weights/v1');

function badChallenge(what: string, reason: string, extra: { step?: number; index?: number } = {}): never {
  throw new TrainingError(TrainingErrorCode.BAD_CHALLENGE, { what, reason, ...extra });
}

// ---- step commitments in the proof's flat form ----

/** [weightsRoot, a0, b0, c0, a1, ...]: a step commitment as a proof carries it. */
export function stepHashes(s: StepCommit): Uint8Array[] {
  return [s.weightsRoot, ...s.jobs.flatMap((j) => [j.aRoot, j.bRoot, j.cRoot])];
}

/** The step commitments of a proof's flat hashes; BAD_CHALLENGE unless H steps of the task's job count. */
export function stepsFromHashes(task: TrainingTask, steps: readonly StepHashes[]): StepCommit[] {
  const J = jobsPerStep(task);
  if (steps.length !== task.localSteps) badChallenge('leaf', `${steps.length} steps, the task has ${task.localSteps}`);
  return steps.map((h, s) => {
    if (h.length !== 1 + 3 * J) badChallenge('leaf', `step ${s}: ${h.length} hashes, expected ${1 + 3 * J}`, { step: s });
    const jobs: JobCommit[] = [];
    for (let j = 0; j < J; j++) jobs.push({ aRoot: h[1 + 3 * j]!, bRoot: h[2 + 3 * j]!, cRoot: h[3 + 3 * j]! });
    return { weightsRoot: h[0]!, jobs };
  });
}

// ---- weights as bytes ----

/** int32 LE bytes of each layer (what a step proof carries). */
export function weightsToBytes(ws: readonly Int32Array[]): Uint8Array[] {
  return ws.map((w) => new Uint8Array(w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength)));
}

/** The layers of a proof's weights; BAD_CHALLENGE unless the task's layer count and sizes. */
export function weightsFromBytes(task: TrainingTask, layers: readonly Uint8Array[]): Int32Array[] {
  if (layers.length !== layerCount(task)) badChallenge('weights shape', `${layers.length} layers, the task has ${layerCount(task)}`);
  return layers.map((b, l) => {
    if (b.length !== 4 * layerSize(task, l)) badChallenge('weights shape', `layer ${l}: ${b.length} bytes, expected ${4 * layerSize(task, l)}`, { index: l });
    const out = new Int32Array(layerSize(task, l));
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < out.length; i++) out[i] = dv.getInt32(4 * i, true);
    return out;
  });
}

// ---- one weight against a weights root ----

/** Where flat weight `index` (layer by layer, row-major) sits. */
export function weightPosition(task: TrainingTask, index: number): { layer: number; row: number; col: number; cols: number; rows: number } {
  if (!Number.isSafeInteger(index) || index < 0 || index >= paramCount(task)) badChallenge('index', `${index} is not a weight index (0..${paramCount(task) - 1})`, { index });
  let i = index;
  for (let l = 0; l < layerCount(task); l++) {
    const n = layerSize(task, l);
    if (i < n) {
      const cols = task.layers[l + 1]!;
      return { layer: l, row: Math.floor(i / cols), col: i % cols, cols, rows: task.layers[l]! };
    }
    i -= n;
  }
  return badChallenge('index', `${index}`, { index });
}

/** The proof of weight `index` of `ws` against weightsRoot(task, ws). */
export function elementProof(task: TrainingTask, ws: readonly Int32Array[], index: number): ElementProof {
  checkWeights(task, ws, 'weights');
  const pos = weightPosition(task, index);
  const w = ws[pos.layer]!;
  const bytes = new Uint8Array(w.buffer, w.byteOffset, w.byteLength);
  const rowBytes = pos.cols * 4;
  const hashes: Uint8Array[] = [];
  for (let r = 0; r < pos.rows; r++) hashes.push(leafHash(bytes.subarray(r * rowBytes, (r + 1) * rowBytes)));
  return {
    layerRoots: ws.map((x, l) => rootInt32(x, task.layers[l]!, task.layers[l + 1]!)),
    row: bytes.slice(pos.row * rowBytes, (pos.row + 1) * rowBytes),
    siblings: proofFromHashes(hashes, pos.row).siblings,
  };
}

/** Weight `index` proven against `root` (a weights root), or undefined when the proof does not verify. */
export function verifyElement(task: TrainingTask, root: Uint8Array, index: number, e: ElementProof): number | undefined {
  const pos = weightPosition(task, index);
  if (e.layerRoots.length !== layerCount(task) || e.row.length !== pos.cols * 4) return undefined;
  if (!bytesEqual(sha256(WEIGHTS_TAG, ...e.layerRoots), root)) return undefined;
  // the row's path up to the lines root, then the layer's matrix root
  const linesRoot = rootFromPath(leafHash(e.row), pos.row, pos.rows, e.siblings);
  if (!linesRoot || !bytesEqual(matRootFromLines(MatRootKind.Int32Rows, pos.rows, pos.cols, linesRoot), e.layerRoots[pos.layer]!)) return undefined;
  return new DataView(e.row.buffer, e.row.byteOffset, e.row.length).getInt32(pos.col * 4, true);
}

/** The Merkle root that `leafH` at `index` of `count` leaves with `siblings` implies (undefined: a malformed path). */
function rootFromPath(leafH: Uint8Array, index: number, count: number, siblings: readonly Uint8Array[]): Uint8Array | undefined {
  // verifyLeafHash checks against a root; here the root is unknown, so walk the same way
  let h = leafH;
  let i = index;
  let n = count;
  let s = 0;
  while (n > 1) {
    if ((i ^ 1) < n) {
      const other = siblings[s++];
      if (!other || other.length !== 32) return undefined;
      h = i & 1 ? nodeHash(other, h) : nodeHash(h, other);
    }
    i >>= 1;
    n = (n + 1) >> 1;
  }
  return s === siblings.length ? h : undefined;
}

// ---- the lane's place in its part ----

/** What a fraud proof needs of a part (its header fields). */
export interface PartRef {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  readonly lanesRoot: Uint8Array;
}

/** True when the leaf data (final root, steps digest) of `lane` sits under the part's lanesRoot with `siblings`. */
export function verifyLaneDigest(p: PartRef, lane: number, finalRoot: Uint8Array, digest: Uint8Array, siblings: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(lane) || lane < p.laneStart || lane >= p.laneStart + p.laneCount) return false;
  return verifyLeafHash(p.lanesRoot, leafHash(laneLeafBytesOfDigest(lane, finalRoot, digest)), { index: lane - p.laneStart, count: p.laneCount, siblings });
}

/** The round's base as the part's lanes trained on it: its checkpoint root (the shard seeds) and its weights root. */
export interface RoundBase {
  readonly checkpointRoot: Uint8Array;
  readonly weightsRoot: Uint8Array;
}

// ---- single step ----

export type StepVerdict =
  | { readonly fraud: false }
  /** 'base': step 0 does not start from W_R; 'job': a job root differs; 'next-weights': W_{s+1} (or the final weights) differs. */
  | { readonly fraud: true; readonly reason: 'base' | 'job' | 'next-weights'; readonly jobId?: number };

/** The weights root step s must start from: W_R's for s = 0 (whatever the leaf says), else the leaf's commitment. */
export function expectedInputRoot(base: RoundBase, leaf: LaneLeaf, s: number): Uint8Array {
  return s === 0 ? base.weightsRoot : leaf.steps[s]!.weightsRoot;
}

function compareStep(task: TrainingTask, base: RoundBase, leaf: LaneLeaf, s: number, r: StepResult): StepVerdict {
  if (s === 0 && !bytesEqual(leaf.steps[0]!.weightsRoot, base.weightsRoot)) return { fraud: true, reason: 'base' };
  const claimed = leaf.steps[s]!.jobs;
  for (let j = 0; j < r.commit.jobs.length; j++) {
    const a = r.commit.jobs[j]!;
    const b = claimed[j];
    if (!b || !bytesEqual(a.aRoot, b.aRoot) || !bytesEqual(a.bRoot, b.bRoot) || !bytesEqual(a.cRoot, b.cRoot)) return { fraud: true, reason: 'job', jobId: j };
  }
  const next = s + 1 < leaf.steps.length ? leaf.steps[s + 1]!.weightsRoot : leaf.finalRoot;
  if (!bytesEqual(weightsRoot(task, r.weights), next)) return { fraud: true, reason: 'next-weights' };
  return { fraud: false };
}

function checkStepArgs(task: TrainingTask, base: RoundBase, leaf: LaneLeaf, s: number, ws: readonly Int32Array[]): void {
  if (leaf.steps.length !== task.localSteps) badChallenge('leaf', `${leaf.steps.length} steps, the task has ${task.localSteps}`);
  if (!Number.isInteger(s) || s < 0 || s >= task.localSteps) badChallenge('step', `${s} is not a local step (0..${task.localSteps - 1})`, { step: s });
  checkWeights(task, ws, 'weights');
  if (!bytesEqual(weightsRoot(task, ws), expectedInputRoot(base, leaf, s)))
    badChallenge('weights', s === 0 ? 'not W_R' : 'not the committed W_s of the step', { step: s });
}

function laneSeed(base: RoundBase, p: Pick<PartRef, 'round' | 'miner'>, lane: number): Uint8Array {
  return shardSeed(base.checkpointRoot, { round: p.round, miner: p.miner, lane });
}

/**
 * The single-step check, exactly as every node runs it on a step Challenge: re-executes step `s` of
 * `lane` from `ws` with the plain-JS reference product. Throws TrainingError BAD_CHALLENGE when the
 * arguments cannot be a proof (ws is not the committed input of the step, wrong step or shapes).
 */
export function checkLaneStep(
  task: TrainingTask, data: Dataset, base: RoundBase, p: Pick<PartRef, 'round' | 'miner'>, lane: number, leaf: LaneLeaf, s: number, ws: readonly Int32Array[],
): StepVerdict {
  checkStepArgs(task, base, leaf, s, ws);
  const seed = laneSeed(base, p, lane);
  const idx = shardIndices(task, data.n, seed);
  return compareStep(task, base, leaf, s, runStepSync(task, data, ws, s, stepBatch(task, idx, s), seed));
}

/** A lane's first wrong step and its input weights W_s (the step proof's evidence). */
export interface LaneFraud {
  readonly step: number;
  readonly weights: readonly Int32Array[];
  readonly verdict: StepVerdict & { fraud: true };
}

/**
 * The validator's replay of a whole lane from W_R (any MatmulFn: a fast backend gives the same
 * bits): the first step whose check fails, or null when the lane is honest. The steps before it
 * reproduce their commitments, so W_s here is the committed input of the step.
 */
export async function findLaneFraud(
  task: TrainingTask, data: Dataset, base: RoundBase, baseWeights: readonly Int32Array[], p: Pick<PartRef, 'round' | 'miner'>, lane: number, leaf: LaneLeaf, matmul: MatmulFn,
): Promise<LaneFraud | null> {
  if (leaf.steps.length !== task.localSteps) badChallenge('leaf', `${leaf.steps.length} steps, the task has ${task.localSteps}`);
  if (!bytesEqual(weightsRoot(task, baseWeights), base.weightsRoot)) badChallenge('weights', 'not W_R');
  const seed = laneSeed(base, p, lane);
  const idx = shardIndices(task, data.n, seed);
  let w: readonly Int32Array[] = baseWeights;
  for (let s = 0; s < task.localSteps; s++) {
    const r = await runStep(task, data, w, s, stepBatch(task, idx, s), seed, matmul);
    const v = compareStep(task, base, leaf, s, r);
    if (v.fraud) return { step: s, weights: w, verdict: v };
    w = r.weights;
  }
  return null;
}

// ---- single element of the aggregate ----

/** `sum`: the lanes' deltas at the index added up (exact, as a bigint); `d`: D's value there. */
export interface AggregateVerdict {
  readonly fraud: boolean;
  readonly sum: bigint;
  readonly d: number;
}

/**
 * The aggregate check at one weight index, exactly as every node runs it on an aggregate Challenge:
 * `lanes[k]` is lane laneStart + k of the part. Throws BAD_CHALLENGE when a path does not verify
 * (the proof is malformed, not a false claim). `d` = D[index] of the part.
 */
export function checkAggregate(
  task: TrainingTask, p: PartRef, baseWeightsRoot: Uint8Array, index: number, d: number, base: ElementProof, lanes: readonly LaneElementProof[],
): AggregateVerdict {
  weightPosition(task, index);
  if (lanes.length !== p.laneCount) badChallenge('lanes', `${lanes.length} lanes, the part has ${p.laneCount}`);
  const w0 = verifyElement(task, baseWeightsRoot, index, base);
  if (w0 === undefined) badChallenge('base', "W_R's weight does not verify against W_R's root", { index });
  let sum = 0n;
  lanes.forEach((l, k) => {
    const lane = p.laneStart + k;
    if (!verifyLaneDigest(p, lane, l.finalRoot, l.stepsDigest, l.siblings)) badChallenge('lane', `lane ${lane}: the leaf is not in lanesRoot`, { index: k });
    const v = verifyElement(task, l.finalRoot, index, l.element);
    if (v === undefined) badChallenge('lane', `lane ${lane}: the final weight does not verify against its finalRoot`, { index: k });
    sum += BigInt(v - w0);
  });
  return { fraud: sum !== BigInt(d), sum, d };
}

/** The aggregate proof's lane entries from the lanes' leaves and final weights (validator side). */
export function laneElements(task: TrainingTask, p: PartRef, leaves: readonly LaneLeaf[], finals: readonly (readonly Int32Array[])[], index: number): LaneElementProof[] {
  if (leaves.length !== p.laneCount || finals.length !== p.laneCount) throw new RangeError(`${p.laneCount} lanes needed`);
  const tree = MerkleTree.ofHashes(leaves.map((l, k) => leafHash(laneLeafBytes(p.laneStart + k, l))));
  return leaves.map((l, k) => ({ finalRoot: l.finalRoot, stepsDigest: stepsDigest(l.steps), siblings: tree.proof(k).siblings, element: elementProof(task, finals[k]!, index) }));
}

/**
 * The first index where the sum of the lanes' deltas differs from D, or -1 when D is right
 * (validator side: the lanes' final weights served or recomputed).
 */
export function findAggregateFraud(task: TrainingTask, baseWeights: readonly Int32Array[], finals: readonly (readonly Int32Array[])[], delta: readonly Float64Array[]): number {
  let flat = 0;
  for (let l = 0; l < layerCount(task); l++) {
    const b = baseWeights[l]!;
    const d = delta[l]!;
    for (let i = 0; i < b.length; i++) {
      let s = 0;
      for (const f of finals) s += f[l]![i]! - b[i]!;
      if (s !== d[i]) return flat + i;
    }
    flat += b.length;
  }
  return -1;
}

// ---- sizes ----

function ceilLog2(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

/**
 * Upper bound on the encoded bytes of an aggregate proof over a part of `lanes` lanes (msgpack of
 * the proof tuple, the index at the layer with the largest row and row path): what maxPartLanes is
 * checked against (the part itself comes on top, at most maxContributionBytes).
 */
export function aggregateProofBytes(task: TrainingTask, lanes: number): number {
  const L = layerCount(task);
  let element = 0;
  for (let l = 0; l < L; l++) element = Math.max(element, 3 + 4 * task.layers[l + 1]! + 3 + 34 * ceilLog2(task.layers[l]!));
  element += 3 + 34 * L + 2;
  const lane = 2 + 34 + 34 + 3 + 34 * ceilLog2(lanes) + element;
  return 16 + element + 5 + lanes * lane;
}
