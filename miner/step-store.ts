// Per-step data of the miner's own contributions, kept for the challenge window so that validators
// can be served W_{R,m,s} of any local step s (DESIGN.md: "miners serve it for the challenge
// window"). A lane's trajectory is fully determined by public data (task, W_R, R, miner, lane,
// dataset), so the store keeps only what regenerates it exactly:
// - per round: W_R (the weights the round opened with; shared by every lane of the round) and its
//   checkpoint root (the shard seeds derive from it);
// - per lane: the committed root of W_{R,m,s} for every step (from its contribution), and, with a
//   checkpoint interval k < H, W_{R,m,s} of every k-th step s (s = k, 2k, ...).
// `get(round, lane, s)` replays from the nearest kept state (a kept step, the replay cursor of the
// last request, or W_R) through the given MatmulFn and checks the result against the committed root.
// Each round keeps the task and training set it was opened with (governance may switch the task and
// registered data may grow the set at a round boundary): replays use the round's own.
// Rounds older than `keepRounds` behind the open round are dropped (the challenge window in rounds);
// past `maxBytes` the oldest lanes lose their kept steps first (counted in `evicted`): they stay
// servable, by a longer replay from W_R.
import { bytesEqual } from '../consensus/bytes.ts';
import type { MatmulFn } from '../consensus/matmul.ts';
import { checkpointRoot, weightsRoot, type Checkpoint } from '../consensus/training/checkpoint.ts';
import type { Dataset } from '../consensus/training/dataset.ts';
import { shardIndices, shardSeed } from '../consensus/training/shard.ts';
import { runStep } from '../consensus/training/step.ts';
import type { TrainingTask } from '../consensus/training/spec.ts';
import { stepBatch } from '../consensus/training/trajectory.ts';

export interface StepStoreOpts {
  readonly task: TrainingTask;
  readonly miner: Uint8Array;
  /** Rounds kept behind the open one (the challenge window in rounds, rounded up, + 1). */
  readonly keepRounds: number;
  /**
   * Keep W_{R,m,s} of every k-th step (k, 2k, ... < H) per lane; the others are replayed from the
   * nearest kept one. Default H: only W_R is kept (per round), a request replays up to H - 1 steps.
   */
  readonly checkpointInterval?: number;
  /** Cap on the kept steps' bytes (W_R of the rounds not counted). Default 256 MiB. */
  readonly maxBytes?: number;
}

export interface StepStoreModules {
  readonly data: Dataset;
  /** Products of the replays (exact: any MatmulFn gives the same trajectory). */
  readonly matmul: MatmulFn;
}

/** What the store keeps (training_status `mining.perStepData`). */
export interface StepStoreStats {
  /** Rounds whose W_R is kept, oldest and newest (-1: none). */
  rounds: number;
  oldestRound: number;
  /** Lanes every step of which can be served. */
  lanes: number;
  checkpointInterval: number;
  /** Bytes held: W_R of the kept rounds + kept steps + step roots. */
  bytes: number;
  /** Lanes whose kept steps were dropped by the byte cap (still servable from W_R). */
  evicted: number;
  /** Requests served and local steps replayed to serve them. */
  served: number;
  replayedSteps: number;
}

interface RoundEntry {
  readonly weights: readonly Int32Array[];
  readonly root: Uint8Array;
  readonly bytes: number;
  readonly task: TrainingTask;
  readonly data: Dataset;
}

/** The task and training set a round trains (default: the store's own). */
export interface RoundTraining {
  readonly task: TrainingTask;
  readonly data: Dataset;
}

interface LaneEntry {
  readonly round: number;
  readonly lane: number;
  /** Committed root of W_{R,m,s}, s = 0..H-1. */
  readonly roots: readonly Uint8Array[];
  /** Kept W_{R,m,s}, by s (multiples of the interval, s > 0). */
  kept: Map<number, readonly Int32Array[]>;
  keptBytes: number;
}

interface Cursor {
  readonly round: number;
  readonly lane: number;
  readonly step: number;
  readonly weights: readonly Int32Array[];
}

const weightsBytes = (w: readonly Int32Array[]): number => w.reduce((a, t) => a + t.byteLength, 0);

export class StepStore {
  private readonly roundsKept = new Map<number, RoundEntry>();
  private readonly lanesKept = new Map<string, LaneEntry>();
  private newestRound = -1;
  private keptTotal = 0;
  /** The weights reached by the last replay: sequential requests on one lane replay each step once. */
  private cursor?: Cursor;
  private serial: Promise<unknown> = Promise.resolve();
  private counters = { evicted: 0, served: 0, replayedSteps: 0 };

  constructor(
    private readonly opts: StepStoreOpts,
    private readonly modules: StepStoreModules,
  ) {
    const k = this.interval;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`checkpointInterval must be a positive integer, got ${opts.checkpointInterval}`);
  }

  /** The checkpoint interval k (<= H) of `task` (default: the store's). */
  intervalOf(task: TrainingTask = this.opts.task): number {
    return Math.min(this.opts.checkpointInterval ?? task.localSteps, task.localSteps);
  }

  get interval(): number {
    return this.intervalOf();
  }

  /** Steps a lane of `task` keeps W_{R,m,s} of (s = k, 2k, ... < H): what runLane should hand to put(). */
  keepsStep(s: number, task: TrainingTask = this.opts.task): boolean {
    return s > 0 && s < task.localSteps && s % this.intervalOf(task) === 0;
  }

  /**
   * Round `round` opened with `ck` on `training` (its task and training set; default the store's):
   * keeps its W_R, drops the rounds that left the challenge window.
   */
  openRound(round: number, ck: Checkpoint, training?: RoundTraining): void {
    const task = training?.task ?? this.opts.task;
    const data = training?.data ?? this.modules.data;
    const root = checkpointRoot(task, ck);
    const had = this.roundsKept.get(round);
    if (!had || !bytesEqual(had.root, root) || had.data !== data) {
      // another W_R or training set for this round (a reorg): lanes trained on the old one are not this round's any more
      if (had) for (const [k, e] of this.lanesKept) if (e.round === round) this.dropLane(k);
      this.roundsKept.set(round, { weights: ck.weights, root, bytes: weightsBytes(ck.weights) + root.length, task, data });
    }
    if (round > this.newestRound) this.newestRound = round;
    this.prune();
  }

  /**
   * A finished lane of `round`: the committed roots of its W_{R,m,s} (s = 0..H-1) and the kept
   * W_{R,m,s} (keepsStep(s)). The round must have been opened.
   */
  put(round: number, lane: number, roots: readonly Uint8Array[], kept: ReadonlyMap<number, readonly Int32Array[]> = new Map()): void {
    const r = this.roundsKept.get(round);
    if (!r) throw new RangeError(`round ${round} is not open in the step store`);
    if (roots.length !== r.task.localSteps) throw new RangeError(`${roots.length} step roots for ${r.task.localSteps} local steps`);
    const k = `${round}/${lane}`;
    this.dropLane(k);
    const e: LaneEntry = { round, lane, roots, kept: new Map(), keptBytes: 0 };
    for (const [s, w] of kept) {
      if (!this.keepsStep(s, r.task)) continue;
      e.kept.set(s, w);
      e.keptBytes += weightsBytes(w);
    }
    this.lanesKept.set(k, e);
    this.keptTotal += e.keptBytes;
    const max = this.opts.maxBytes ?? 256 * 1024 * 1024;
    if (this.keptTotal > max) {
      const byAge = [...this.lanesKept.values()].filter((x) => x.keptBytes > 0).sort((a, b) => a.round - b.round || a.lane - b.lane);
      for (const x of byAge) {
        if (this.keptTotal <= max) break;
        this.keptTotal -= x.keptBytes;
        x.kept = new Map();
        x.keptBytes = 0;
        this.counters.evicted++;
      }
    }
  }

  /** Whether W_R of `round` is kept (the round is in the window). */
  hasRound(round: number): boolean {
    return this.roundsKept.has(round);
  }

  /** Whether every step of (round, lane) can be served. */
  has(round: number, lane: number): boolean {
    return this.lanesKept.has(`${round}/${lane}`) && this.roundsKept.has(round);
  }

  /**
   * W_{R,m,s} of lane `lane` of round `round` (the input weights of local step `step`), regenerated
   * exactly and checked against the lane's committed root; undefined when the lane is not kept.
   * Requests run one at a time.
   */
  get(round: number, lane: number, step: number): Promise<readonly Int32Array[] | undefined> {
    const p = this.serial.then(() => this.regenerate(round, lane, step));
    this.serial = p.catch(() => undefined);
    return p;
  }

  private async regenerate(round: number, lane: number, step: number): Promise<readonly Int32Array[] | undefined> {
    const e = this.lanesKept.get(`${round}/${lane}`);
    const r = this.roundsKept.get(round);
    if (!e || !r) return undefined;
    const { task, data } = r;
    if (!Number.isInteger(step) || step < 0 || step >= task.localSteps) return undefined;
    // nearest kept state at or before `step`
    let from = 0;
    let w: readonly Int32Array[] = r.weights;
    for (const [s, ws] of e.kept) if (s <= step && s > from) [from, w] = [s, ws];
    const c = this.cursor;
    if (c && c.round === round && c.lane === lane && c.step <= step && c.step > from) [from, w] = [c.step, c.weights];
    if (from < step) {
      const seed = shardSeed(r.root, { round, miner: this.opts.miner, lane });
      const indices = shardIndices(task, data.n, seed);
      for (let s = from; s < step; s++) {
        w = (await runStep(task, data, w, s, stepBatch(task, indices, s), seed, this.modules.matmul)).weights;
        this.counters.replayedSteps++;
      }
      this.cursor = { round, lane, step, weights: w };
    }
    if (!bytesEqual(weightsRoot(task, w), e.roots[step]!))
      throw new Error(`regenerated W_{${round},${lane},${step}} does not match the lane's committed root`);
    this.counters.served++;
    return w;
  }

  get lanes(): number {
    let n = 0;
    for (const e of this.lanesKept.values()) if (this.roundsKept.has(e.round)) n++;
    return n;
  }

  /** Bytes held: W_R of the kept rounds, kept steps, step roots (approximate object overhead aside). */
  get bytes(): number {
    let b = this.keptTotal;
    for (const r of this.roundsKept.values()) b += r.bytes;
    for (const e of this.lanesKept.values()) b += e.roots.length * 32;
    if (this.cursor) b += weightsBytes(this.cursor.weights);
    return b;
  }

  get evicted(): number {
    return this.counters.evicted;
  }

  stats(): StepStoreStats {
    const rounds = [...this.roundsKept.keys()];
    return {
      rounds: rounds.length,
      oldestRound: rounds.length ? Math.min(...rounds) : -1,
      lanes: this.lanes,
      checkpointInterval: this.interval,
      bytes: this.bytes,
      ...this.counters,
    };
  }

  private prune(): void {
    const oldest = this.newestRound - this.opts.keepRounds;
    for (const round of this.roundsKept.keys()) if (round < oldest) this.roundsKept.delete(round);
    for (const [k, e] of this.lanesKept) if (e.round < oldest) this.dropLane(k);
    if (this.cursor && this.cursor.round < oldest) this.cursor = undefined;
  }

  private dropLane(k: string): void {
    const e = this.lanesKept.get(k);
    if (!e) return;
    this.keptTotal -= e.keptBytes;
    this.lanesKept.delete(k);
    if (this.cursor && `${this.cursor.round}/${this.cursor.lane}` === k) this.cursor = undefined;
  }
}
