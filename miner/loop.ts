// The miner loop: pure logic, no I/O of its own. The node hands it work (head, target, open round,
// the round's checkpoint) through setWork() and receives events (winning tickets, contributions,
// stats). It trains lane after lane of the open round (0, 1, 2, ...: as many as its compute allows;
// the node aggregates finished lanes into one contribution part per block), every product through
// the ticket path against the head current when that job starts; a ticket whose parent is no longer
// the head is dropped. Only when no task is open (work without a round to train) does it run the
// declared filler job (miner/filler.ts) so that blocks keep coming, and counts those MACs as not
// useful; also past the lanes its bond backs (`laneCap`: a part beyond them would be refused).
// Per-step data of each finished lane is kept in a
// StepStore for the challenge window (W_R per round, the lane's step roots, every k-th step's
// weights), and getStepData() regenerates any W_{R,m,s} from it.
import { bytesEqual } from '../consensus/bytes.ts';
import type { MatmulFn } from '../consensus/matmul.ts';
import type { PouwSpec } from '../consensus/pouw/spec.ts';
import type { TicketProof } from '../consensus/pouw/ticket.ts';
import type { Checkpoint } from '../consensus/training/checkpoint.ts';
import type { Dataset } from '../consensus/training/dataset.ts';
import type { TrainingTask } from '../consensus/training/spec.ts';
import { stepJobShapes } from '../consensus/training/step.ts';
import { isTicketJob } from '../consensus/pouw/spec.ts';
import type { TileBackend } from './backends/types.ts';
import { FILLER_LANE, fillerJob } from './filler.ts';
import { MAX_LANE, type LaneLeaf } from '../consensus/training/part.ts';
import { runLane } from './lane.ts';
import { StepStore, type RoundTraining, type StepStoreStats } from './step-store.ts';
import { newTicketStats, ticketMatmul, type TicketStats, type WinningTicket } from './ticket-matmul.ts';
import { syntheticOperand, withholds, type FaultSpec } from './faults.ts';

export interface MinerWork {
  /** Hash of the head block: tickets are mined for its child. */
  readonly parent: Uint8Array;
  readonly height: number;
  /** Target of the head's child (ASERT). */
  readonly target: bigint;
  /** The open round. */
  readonly round: number;
  /** W_R of the open round; required when the round differs from the previous work's. */
  readonly checkpoint?: Checkpoint;
  /** Lanes of this miner already contributed in this round (on restart: skip them). */
  readonly doneLanes?: readonly number[];
  /** No task is open: mine the filler job only. */
  readonly noTask?: boolean;
  /**
   * Lanes of the round the miner's bond backs (bondPerLane each; a part past them is refused):
   * lanes from here on are not trained, the filler job runs instead. Undefined: no cap.
   */
  readonly laneCap?: number;
  /**
   * The task and training set from this work on (governance may switch the task, registered data
   * grows the set, both at a round boundary); absent: unchanged. The node sends them with the
   * work of the round they start.
   */
  readonly task?: TrainingTask;
  readonly data?: Dataset;
}

export interface MinedTicket {
  readonly proof: TicketProof;
  readonly parent: Uint8Array;
  readonly filler: boolean;
}

export interface MinedContribution {
  readonly round: number;
  readonly lane: number;
  /** The checkpoint root of the W_R the lane trained from (a reorg may reopen its round on another). */
  readonly baseRoot: Uint8Array;
  /** The lane's leaf (final weights root, step commitments) and its delta W_{R,m,lane,H} - W_R. */
  readonly leaf: LaneLeaf;
  readonly delta: Int32Array[];
  /** Useful MACs the lane computed (ticket and plain jobs, without the noise/decode overhead). */
  readonly macs: number;
  /** Mean training loss of the lane in milli-nats and its batch accuracy in basis points. */
  readonly lossMilli: number;
  readonly accuracyBp: number;
}

export interface MinerStats {
  round: number;
  /** The lane in progress (-1: none; FILLER_LANE: the filler job). */
  lane: number;
  lanesDone: number;
  lanesAbandoned: number;
  /** Useful-job MACs of finished lanes, of lanes abandoned when their round closed, of filler jobs. */
  laneMacs: number;
  lostMacs: number;
  fillerMacs: number;
  /** Noise and decode MACs of the ticket path (all jobs). */
  overheadMacs: number;
  tiles: number;
  wins: number;
  /** Wins dropped because the head moved on before they were reported. */
  staleWins: number;
  /** Finished lanes every step of which can be served (getStepData), and what the store holds. */
  stepsKept: number;
  stepData: StepStoreStats;
}

export interface MinerEvents {
  ticket(t: MinedTicket): void;
  contribution(c: MinedContribution): void;
  stats?(s: MinerStats): void;
}

export interface MinerLoopOpts {
  readonly task: TrainingTask;
  readonly pouw: PouwSpec;
  readonly miner: Uint8Array;
  /** Rounds of per-step data kept behind the open one (challenge window in rounds, + 1). */
  readonly keepRounds: number;
  /** Keep every k-th step's weights per lane (default H: only W_R per round); see miner/step-store.ts. */
  readonly checkpointInterval?: number;
  /** An injected fault (tests only: the node refuses it unless the genesis is marked testOnly). */
  readonly fault?: FaultSpec;
}

export interface MinerLoopModules {
  readonly backend: TileBackend;
  readonly data: Dataset;
  readonly events: MinerEvents;
}

/** Wins reported per parent: one block can be built on a parent; a spare covers a win the node cannot use. */
export const MAX_REPORTS_PER_PARENT = 3;

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

export class MinerLoop {
  private work?: MinerWork;
  private checkpoint?: Checkpoint;
  /** The task and training set lanes train now (opts.task and modules.data until the node sends others). */
  private training: RoundTraining;
  private nextLane = 0;
  private readonly done = new Set<number>();
  private running = false;
  private wake?: () => void;
  private reported: { parent: Uint8Array; count: number } = { parent: new Uint8Array(0), count: 0 };
  private readonly ticketStats: TicketStats = newTicketStats();
  readonly steps: StepStore;
  readonly stats: MinerStats;

  constructor(
    private readonly opts: MinerLoopOpts,
    private readonly modules: MinerLoopModules,
  ) {
    const { backend, data } = modules;
    this.training = { task: opts.task, data };
    this.steps = new StepStore(
      { task: opts.task, miner: opts.miner, keepRounds: opts.keepRounds, ...(opts.checkpointInterval ? { checkpointInterval: opts.checkpointInterval } : {}) },
      // replays use the backend's plain product (bit-identical to the reference), no tickets
      { data, matmul: (job) => backend.matmul(job.a, job.b, job.m, job.k, job.n), ...(opts.fault ? { fault: opts.fault } : {}) },
    );
    this.stats = {
      round: -1, lane: -1, lanesDone: 0, lanesAbandoned: 0, laneMacs: 0, lostMacs: 0, fillerMacs: 0,
      overheadMacs: 0, tiles: 0, wins: 0, staleWins: 0, stepsKept: 0, stepData: this.steps.stats(),
    };
  }

  /**
   * Own lanes of round `round` (opened with `ck`) finished before a restart, by their committed step
   * roots: their per-step data is served as if trained here (rounds out of the window are dropped).
   */
  restoreLanes(round: number, ck: Checkpoint, lanes: readonly { lane: number; roots: readonly Uint8Array[] }[], training?: Partial<RoundTraining>): void {
    this.steps.openRound(round, ck, { ...this.training, ...training });
    if (!this.steps.hasRound(round)) return;
    for (const { lane, roots } of lanes) this.steps.put(round, lane, roots);
    this.stats.stepsKept = this.steps.lanes;
    this.stats.stepData = this.steps.stats();
  }

  /**
   * W_{R,m,s} of this miner's lane `lane` in round `round` (the input weights of local step `step`),
   * regenerated from what the StepStore keeps and checked against the lane's committed root;
   * undefined when the lane is not kept (not finished here, or out of the challenge window).
   */
  async getStepData(round: number, lane: number, step: number): Promise<readonly Int32Array[] | undefined> {
    if (withholds(this.opts.fault)) return undefined;
    const w = await this.steps.get(round, lane, step);
    this.stats.stepData = this.steps.stats();
    return w;
  }

  /** The lane of filler work (never in a part: parts cover lanes <= MAX_LANE). */
  get fillerLane(): number {
    return FILLER_LANE;
  }

  /** New head and/or round. A new round needs its checkpoint. */
  setWork(w: MinerWork): void {
    if (w.task || w.data) this.training = { task: w.task ?? this.training.task, data: w.data ?? this.training.data };
    if (!this.work || w.round !== this.work.round || (w.checkpoint && w.checkpoint !== this.checkpoint)) {
      if (!w.checkpoint) throw new RangeError(`work for round ${w.round} without its checkpoint`);
      this.checkpoint = w.checkpoint;
      this.steps.openRound(w.round, w.checkpoint, this.training);
      this.nextLane = 0;
      this.done.clear();
    }
    for (const l of w.doneLanes ?? []) this.done.add(l);
    this.work = w;
    this.stats.round = w.round;
    this.wake?.();
  }

  stop(): void {
    this.running = false;
    this.wake?.();
  }

  /** Runs until stop(). */
  async run(): Promise<void> {
    this.running = true;
    while (this.running) {
      const w = this.work;
      if (!w || !this.checkpoint) {
        await this.waitForWork();
        continue;
      }
      while (this.done.has(this.nextLane)) this.nextLane++;
      if (!w.noTask && this.nextLane <= MAX_LANE && (w.laneCap === undefined || this.nextLane < w.laneCap)) await this.mineLane(w.round, this.nextLane++, this.checkpoint);
      else await this.mineFiller(w);
    }
  }

  private waitForWork(): Promise<void> {
    return new Promise((r) => {
      this.wake = () => {
        this.wake = undefined;
        r();
      };
    });
  }

  /** A MatmulFn whose every job is a ticket job against the head current when the job starts. */
  private matmul(round: number, lane: number, filler: boolean): MatmulFn {
    return async (job) => {
      await yieldToEvents(); // let head updates in between jobs
      const w = this.work!;
      const parent = w.parent;
      const ctx = { parent, miner: this.opts.miner, round, lane, target: w.target, spec: this.opts.pouw };
      const onTicket = (t: WinningTicket): void => this.onWin(t, parent, round, filler);
      const ticket = ticketMatmul(ctx, this.modules.backend, onTicket, this.ticketStats);
      if (this.opts.fault?.kind === 'synthetic-operands' && !filler && isTicketJob(this.opts.pouw, job.m, job.k, job.n) && job.roots) {
        // tickets on a synthetic A (the lane commits its root: faults.ts); training takes the true product
        const syn = syntheticOperand(job);
        await ticket({ ...job, a: syn.a, roots: { rootA: syn.rootA, rootB: job.roots.rootB } });
        return this.modules.backend.matmul(job.a, job.b, job.m, job.k, job.n);
      }
      return ticket(job);
    };
  }

  private onWin(t: WinningTicket, parent: Uint8Array, round: number, filler: boolean): void {
    const w = this.work!;
    this.stats.wins++;
    if (w.round !== round || !bytesEqual(w.parent, parent)) {
      this.stats.staleWins++;
      return;
    }
    if (!bytesEqual(this.reported.parent, parent)) this.reported = { parent, count: 0 };
    if (this.reported.count >= MAX_REPORTS_PER_PARENT) return;
    this.reported.count++;
    this.modules.events.ticket({ proof: t.proof, parent, filler });
  }

  private usefulMacs(): number {
    return this.ticketStats.ticketMacs + this.ticketStats.plainMacs;
  }

  private syncStats(): void {
    this.stats.overheadMacs = this.ticketStats.overheadMacs;
    this.stats.tiles = this.ticketStats.tiles;
    this.stats.stepsKept = this.steps.lanes;
    this.stats.stepData = this.steps.stats();
    this.modules.events.stats?.({ ...this.stats });
  }

  private async mineLane(round: number, lane: number, ck: Checkpoint): Promise<void> {
    const { task, data } = this.training;
    this.stats.lane = lane;
    const before = this.usefulMacs();
    const res = await runLane(task, data, ck, { round, miner: this.opts.miner, lane }, this.matmul(round, lane, false), () => !this.running || this.work!.round !== round || this.checkpoint !== ck, (s) => this.steps.keepsStep(s, task),
      this.opts.fault ? { spec: this.opts.fault, isTicket: (m, k, n) => isTicketJob(this.opts.pouw, m, k, n) } : undefined);
    const macs = this.usefulMacs() - before;
    if (!res || this.work!.round !== round || this.checkpoint !== ck) {
      this.stats.lanesAbandoned++;
      this.stats.lostMacs += macs;
    } else {
      this.done.add(lane);
      this.stats.lanesDone++;
      this.stats.laneMacs += macs;
      this.steps.put(round, lane, res.contribution.steps.map((s) => s.weightsRoot), res.kept, res.leaf.finalRoot);
      const samples = task.localSteps * task.batch;
      this.modules.events.contribution({
        round, lane, baseRoot: res.contribution.baseRoot, leaf: res.leaf, delta: res.contribution.delta.map((d) => d), macs,
        lossMilli: Math.floor((1000 * res.lossSum) / (256 * samples)),
        accuracyBp: Math.floor((10000 * res.correct) / samples),
      });
    }
    this.stats.lane = -1;
    this.syncStats();
  }

  /**
   * Filler jobs on the current parent until the head or round changes or a lane opens up:
   * job i has the shape of the task's ticket job at step i mod H (jobs alternate over the
   * ticket-job ids), operands from (parent, i), so every job is new work with fresh tiles.
   */
  private async mineFiller(w: MinerWork): Promise<void> {
    const { pouw } = this.opts;
    const { task } = this.training;
    const shapes = stepJobShapes(task).map((s, jobId) => ({ s, jobId })).filter(({ s }) => isTicketJob(pouw, s[0], s[1], s[2]));
    if (shapes.length === 0) return this.waitForWork();
    this.stats.lane = this.fillerLane;
    const mm = this.matmul(w.round, this.fillerLane, true);
    for (let i = 0; this.running && this.work === w; i++) {
      const { s, jobId } = shapes[Math.floor(i / task.localSteps) % shapes.length]!;
      const before = this.usefulMacs();
      await mm(fillerJob(w.parent, i % task.localSteps, jobId, s[0], s[1], s[2], i));
      this.stats.fillerMacs += this.usefulMacs() - before;
      if (i % 8 === 7) this.syncStats();
    }
    this.syncStats();
  }
}
