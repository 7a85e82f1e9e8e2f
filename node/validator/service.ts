// The validator (`tessera node --validate`): follows the canonical chain's contribution parts
// (parts.ts) and, with its own private randomness (node:crypto; not consensus), samples each
// landed part's lanes (each with probability `sample`, one uniformly drawn local step per sampled
// lane) and whole parts for an aggregate check (probability `sample`, parts of at most
// `maxAggregateLanes` lanes). A check (check.ts) takes the lane's leaf served by its miner (proved
// against the part's lanesRoot; without it the verdict is `unavailable`), W_s served by the miner
// (checked against the leaf's root) or recomputed from W_R, and re-executes. Every check becomes a
// signed attestation: stored, gossiped, and shown by RPC (validator_status, training_attestations)
// and `tessera query attestations`. A leaf no peer serves is asked for again after `retryMs`; still
// missing, the check is attested `unavailable` and becomes a data request on chain (a `request`
// finding): its miner must answer with the leaf before the deadline or the part is void. An answer
// that lands puts the leaf on chain, and the lane is checked from it. A fraud found is kept in the status (`findings`) with what a
// fraud proof needs (round, miner, part, lane, step, job or element), and handed to the challenger
// (challenge.ts), which submits a Challenge tx when the VM's dry run agrees.
// Bounded work per round: at most `maxStepChecksPerRound` step checks and `maxAggregateStepsPerRound`
// re-executed steps for aggregate checks; beyond them samples are counted as skipped. Checks run
// one at a time, in the order parts landed.
import { randomInt } from 'node:crypto';
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import type { PrivateKey } from '../../consensus/crypto/index.ts';
import type { MatmulFn } from '../../consensus/matmul.ts';
import type { TrainingParams } from '../../consensus/params.ts';
import { checkpointRoot, type Checkpoint } from '../../consensus/training/checkpoint.ts';
import type { Dataset } from '../../consensus/training/dataset.ts';
import type { LaneLeaf, LaneOpening, PartHeader } from '../../consensus/training/part.ts';
import { layerSize } from '../../consensus/training/spec.ts';
import type { Logger } from '../log/logger.ts';
import { AGGREGATE_STEP, encodeAttestation, FLAG_SERVED, signAttestation, Verdict, VERDICT_NAMES, type Attestation } from './attestation.ts';
import { aggregateMismatch, reexecuteStep, recomputeTo, type CheckCtx, type Fault, type LaneRef } from './check.ts';
import type { AttestationIngest } from './ingest.ts';
import type { Challenger } from './challenge.ts';
import type { PartFeed, SeenPart } from './parts.ts';

/** Where a validator gets a miner's served data (node/validator/served.ts over P2P). */
export interface ServedData {
  /** The lane's leaf with its Merkle path, proven against the part's lanesRoot; undefined when no peer serves it. */
  opening(part: PartHeader, lane: number): Promise<LaneOpening | undefined>;
  /** W_{R,m,lane,s}, checked against the lane's committed step-s root; undefined when not served. */
  stepData(part: PartHeader, lane: number, step: number): Promise<Int32Array[] | undefined>;
}

export interface ValidatorOpts {
  key: PrivateKey;
  /** Probability of checking each lane (one random step) and each part's aggregate, in (0, 1]. */
  sample: number;
  chainId: number;
  training: TrainingParams;
  maxStepChecksPerRound?: number;
  maxAggregateStepsPerRound?: number;
  maxAggregateLanes?: number;
  /** Wait before asking again for a leaf no peer served (default 3,000 ms); still missing, it is requested on chain. */
  retryMs?: number;
}

export interface ValidatorModules {
  parts: PartFeed;
  ingest: AttestationIngest;
  served: ServedData;
  /** W_R of a round whose checkpoint root is `baseRoot` (the state while the round is in its window, the node's checkpoint store). */
  checkpoint: (round: number, baseRoot: Uint8Array) => Promise<Checkpoint | undefined>;
  data: Dataset;
  matmul: MatmulFn;
  logger: Logger;
  /** Gossips an attestation this validator made. */
  publish?: (bytes: Uint8Array) => void;
  /** The open round: a sampled check of a round out of the challenge window is dropped (counted skipped). */
  openRound?: () => number;
  /** Turns findings into Challenge txs (challenge.ts); without it findings are only kept and shown. */
  challenger?: Pick<Challenger, 'submit' | 'outcome'>;
}

/** A fault found: what a fraud proof needs. */
export interface Finding {
  /** `request`: the lane's leaf was not served; a data request asks its miner for it on chain. */
  readonly kind: 'step' | 'aggregate' | 'base' | 'request';
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly partHash: Uint8Array;
  readonly height: number;
  readonly lane: number;
  /** The wrong step (step and base findings); for a request, the step whose check found no leaf. */
  readonly step?: number;
  readonly reason: string;
  readonly jobId?: number;
  /** The wrong element of D (aggregate findings). */
  readonly element?: { layer: number; index: number; expected: number; got: number };
  /** W_s matching the committed root of the wrong step (step findings): the fraud proof's evidence. */
  readonly weights?: readonly Int32Array[];
  /** The part's on-chain bytes. */
  readonly partBytes: Uint8Array;
  /** Step findings: the lane's leaf and its path in the part's lanesRoot. */
  readonly opening?: { readonly leaf: LaneLeaf; readonly siblings: readonly Uint8Array[] };
  /** Aggregate findings: every lane's leaf and final weights (lane laneStart + k at k), W_R, the flat index. */
  readonly aggregate?: { readonly leaves: readonly LaneLeaf[]; readonly finals: readonly (readonly Int32Array[])[]; readonly baseWeights: readonly Int32Array[]; readonly index: number };
}

export interface ValidatorStats {
  partsSeen: number;
  stepChecks: number;
  aggregateChecks: number;
  verdicts: Record<string, number>;
  /** Step data served by miners / recomputed from W_R. */
  servedSteps: number;
  recomputedSteps: number;
  /** Local steps re-executed in all (the validator's compute). */
  executedSteps: number;
  skipped: number;
  lastRound: number;
}

/** `retried`: the leaf was not served at the first try. */
type Job = { kind: 'step'; p: SeenPart; lane: number; step: number; retried?: boolean } | { kind: 'aggregate'; p: SeenPart; retried?: boolean };

export class ValidatorService {
  private readonly queue: Job[] = [];
  private running = false;
  private stopped = false;
  private chainWork: Promise<void> = Promise.resolve();
  private readonly budget = new Map<number, { steps: number; aggSteps: number }>();
  readonly findings: Finding[] = [];
  /** Parts scanned, by round/miner/laneStart (for the checks of answered leaves). */
  private readonly seen = new Map<string, SeenPart>();
  /** Parts whose miner served no leaf at two tries (their other lanes are attested unavailable without asking). */
  private readonly unserved = new Set<string>();
  /** Parts whose miner served no leaf at a first try (their other lanes wait for the retry). */
  private readonly missedOnce = new Set<string>();
  readonly stats: ValidatorStats = { partsSeen: 0, stepChecks: 0, aggregateChecks: 0, verdicts: {}, servedSteps: 0, recomputedSteps: 0, executedSteps: 0, skipped: 0, lastRound: -1 };
  private readonly ctx: CheckCtx;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly opts: ValidatorOpts,
    private readonly modules: ValidatorModules,
  ) {
    if (!(opts.sample > 0 && opts.sample <= 1)) throw new RangeError(`--sample must be in (0, 1], got ${opts.sample}`);
    this.ctx = { task: opts.training.task, data: modules.data, matmul: modules.matmul };
  }

  get address(): Uint8Array {
    return this.opts.key.address();
  }

  /** Call on every head change: new parts are sampled and their checks queued. */
  onHead(): Promise<void> {
    this.chainWork = this.chainWork.then(() => this.scan()).catch((e: unknown) => this.modules.logger.error('validator scan failed', { error: (e as Error).message }));
    return this.chainWork;
  }

  /** Resolves when the queue is empty, no check runs and none waits to be retried. */
  async idle(): Promise<void> {
    await this.chainWork;
    while (this.running || this.queue.length > 0 || this.timers.size > 0) await new Promise((r) => setTimeout(r, 50));
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Queues `job` again, at the head of the queue, after `retryMs` (a leaf not served at the first try). */
  private retryLater(job: Job): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.stopped) return;
      // first in line: a data request must land inside the round's challenge window
      this.queue.unshift({ ...job, retried: true });
      if (!this.running) void this.drain();
    }, this.opts.retryMs ?? 3000);
    this.timers.add(t);
  }

  private draw(): boolean {
    return randomInt(0, 1_000_000) < Math.round(this.opts.sample * 1_000_000);
  }

  private async scan(): Promise<void> {
    const H = this.opts.training.task.localSteps;
    for (const p of await this.modules.parts.scan()) {
      this.stats.partsSeen++;
      this.seen.set(partKey(p), p);
      if (this.seen.size > 4096) this.seen.delete(this.seen.keys().next().value!);
      const { laneStart, laneCount } = p.header;
      let sampled = 0;
      for (let lane = laneStart; lane < laneStart + laneCount; lane++)
        if (this.draw()) {
          this.queue.push({ kind: 'step', p, lane, step: randomInt(0, H) });
          sampled++;
        }
      if (this.draw()) this.queue.push({ kind: 'aggregate', p });
      this.modules.logger.info('validator: part landed', { round: p.header.round, miner: to0x(p.header.miner), lanes: `${laneStart}-${laneStart + laneCount - 1}`, height: p.height, sampledLanes: sampled, queued: this.queue.length });
    }
    // a lane this validator asked for on chain, now answered: checked from the leaf the answer carries
    for (const a of this.modules.parts.takeAnswers()) {
      const asked = this.findings.find((f) => f.kind === 'request' && f.round === a.round && bytesEqual(f.miner, a.miner) && f.laneStart === a.laneStart && f.lane === a.opening.lane);
      const p = asked && this.seen.get(`${a.round}/${to0x(a.miner)}/${a.laneStart}`);
      if (!asked || !p) continue;
      this.unserved.delete(partKey(p));
      this.modules.logger.info('validator: a requested leaf was answered on chain', { round: a.round, miner: to0x(a.miner), lane: a.opening.lane });
      // another step than the one attested unavailable (the attestation store keeps one per lane and step)
      const step = asked.step === undefined || H < 2 ? randomInt(0, H) : (asked.step + 1 + randomInt(0, H - 1)) % H;
      this.queue.push({ kind: 'step', p, lane: a.opening.lane, step });
    }
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.queue.length > 0) {
        const job = this.queue.shift()!;
        try {
          await this.run(job);
        } catch (e) {
          this.modules.logger.warn('validator check could not run', { round: job.p.header.round, kind: job.kind, error: (e as Error).message });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private roundBudget(round: number): { steps: number; aggSteps: number } {
    let b = this.budget.get(round);
    if (!b) {
      b = { steps: 0, aggSteps: 0 };
      this.budget.set(round, b);
      for (const r of this.budget.keys()) if (r < round - 8) this.budget.delete(r);
    }
    return b;
  }

  /** The lane's leaf: on chain when an answer put it there, else served by its miner. */
  private async leafOf(job: Job, lane: number): Promise<LaneOpening | undefined> {
    const h = job.p.header;
    const id = partKey(job.p);
    const answered = this.modules.parts.answered(h.round, h.miner, h.laneStart, lane);
    // a part whose miner served no leaf is not asked again (at a first try: not before its retry)
    if (answered || this.unserved.has(id) || (!job.retried && this.missedOnce.has(id))) return answered;
    const got = await this.modules.served.opening(h, lane);
    if (got) this.missedOnce.delete(id);
    return got;
  }

  /** No leaf for `lane`: asks again later, or (at the second try) attests `unavailable` and requests the leaf on chain. */
  private unavailable(job: Job, lane: number, step: number, attestLane = lane): Promise<void> {
    const id = partKey(job.p);
    if (!job.retried && !this.unserved.has(id)) {
      this.missedOnce.add(id);
      if (this.missedOnce.size > 4096) this.missedOnce.delete(this.missedOnce.values().next().value!);
      this.retryLater(job);
      return Promise.resolve();
    }
    this.unserved.add(id);
    if (this.unserved.size > 4096) this.unserved.delete(this.unserved.values().next().value!);
    const h = job.p.header;
    this.record({
      kind: 'request', round: h.round, miner: h.miner, laneStart: h.laneStart, partHash: h.partHash, height: job.p.height, lane, reason: 'leaf not served', partBytes: job.p.bytes,
      ...(step === AGGREGATE_STEP ? {} : { step }),
    });
    return this.attest(job.p, attestLane, step, Verdict.Unavailable, false);
  }

  private async wR(round: number, baseRoot: Uint8Array): Promise<readonly Int32Array[]> {
    const ck = await this.modules.checkpoint(round, baseRoot);
    if (!ck || !bytesEqual(checkpointRoot(this.opts.training.task, ck), baseRoot)) throw new Error(`W_R of round ${round} is not at hand`);
    return ck.weights;
  }

  /** W_s of the lane: served (checked) or recomputed from W_R; or the fault the recompute proved. */
  private async weightsAt(part: PartHeader, ref: LaneRef, leaf: LaneLeaf, s: number, wR: readonly Int32Array[]): Promise<{ weights: readonly Int32Array[]; served: boolean } | { fault: Fault; served: false }> {
    const served = await this.modules.served.stepData(part, ref.lane, s);
    if (served) {
      this.stats.servedSteps++;
      return { weights: served, served: true };
    }
    this.stats.recomputedSteps++;
    this.stats.executedSteps += s;
    const r = await recomputeTo(this.ctx, ref, leaf, wR, s);
    return 'fault' in r ? { fault: r.fault, served: false } : { weights: r.weights, served: false };
  }

  private async run(job: Job): Promise<void> {
    const h = job.p.header;
    const t = this.opts.training;
    const open = this.modules.openRound?.();
    if (open !== undefined && h.round + Math.ceil(t.challengeWindow / t.roundBlocks) < open) {
      this.stats.skipped++; // its challenge window closed while the check waited: the miner serves it no more
      return;
    }
    const b = this.roundBudget(h.round);
    this.stats.lastRound = Math.max(this.stats.lastRound, h.round);
    if (job.kind === 'step') {
      if (b.steps >= (this.opts.maxStepChecksPerRound ?? 256)) {
        this.stats.skipped++;
        return;
      }
      if (!job.retried) b.steps++; // a retry was counted at its first try
      return this.stepCheck(job);
    }
    const cost = h.laneCount;
    if (h.laneCount > (this.opts.maxAggregateLanes ?? 64) || b.aggSteps + cost > (this.opts.maxAggregateStepsPerRound ?? 512)) {
      this.stats.skipped++;
      return;
    }
    if (!job.retried) b.aggSteps += cost;
    return this.aggregateCheck(job);
  }

  private async stepCheck(job: Job & { kind: 'step' }): Promise<void> {
    const { p, lane, step } = job;
    const h = p.header;
    const opening = await this.leafOf(job, lane);
    if (!job.retried) this.stats.stepChecks++; // a retry is the same check
    if (!opening) return this.unavailable(job, lane, step);
    const leaf = opening.leaf;
    const wR = await this.wR(h.round, h.baseRoot);
    const ref: LaneRef = { round: h.round, miner: h.miner, lane, baseRoot: h.baseRoot };
    const at = await this.weightsAt(h, ref, leaf, step, wR);
    if ('fault' in at) {
      this.found(p, lane, at.fault, opening);
      return this.attest(p, lane, step, Verdict.Fraud, false);
    }
    const f = await reexecuteStep(this.ctx, ref, leaf, step, at.weights);
    this.stats.executedSteps++;
    if (!f.ok) this.found(p, lane, f, opening);
    return this.attest(p, lane, step, f.ok ? Verdict.Valid : Verdict.Fraud, at.served);
  }

  private async aggregateCheck(job: Job & { kind: 'aggregate' }): Promise<void> {
    const { p } = job;
    const h = p.header;
    const H = this.opts.training.task.localSteps;
    if (!job.retried) this.stats.aggregateChecks++;
    const wR = await this.wR(h.round, h.baseRoot);
    const finals: Int32Array[][] = [];
    const leaves: LaneLeaf[] = [];
    let allServed = true;
    for (let lane = h.laneStart; lane < h.laneStart + h.laneCount; lane++) {
      const opening = await this.leafOf(job, lane);
      if (!opening) return this.unavailable(job, lane, AGGREGATE_STEP, h.laneStart);
      const leaf = opening.leaf;
      leaves.push(leaf);
      const ref: LaneRef = { round: h.round, miner: h.miner, lane, baseRoot: h.baseRoot };
      const at = await this.weightsAt(h, ref, leaf, H - 1, wR);
      allServed &&= at.served;
      if ('fault' in at) {
        this.found(p, lane, at.fault, opening);
        return this.attest(p, h.laneStart, AGGREGATE_STEP, Verdict.Fraud, false);
      }
      const f = await reexecuteStep(this.ctx, ref, leaf, H - 1, at.weights);
      this.stats.executedSteps++;
      if (!f.ok) {
        this.found(p, lane, f, opening);
        return this.attest(p, h.laneStart, AGGREGATE_STEP, Verdict.Fraud, at.served);
      }
      finals.push(f.next);
    }
    const bad = aggregateMismatch(this.opts.training.task, wR, finals, p.part.delta);
    if (bad) {
      const task = this.opts.training.task;
      let index = bad.index;
      for (let l = 0; l < bad.layer; l++) index += layerSize(task, l);
      this.record({
        kind: 'aggregate', round: h.round, miner: h.miner, laneStart: h.laneStart, partHash: h.partHash, height: p.height, lane: h.laneStart, reason: 'D differs from the sum of the lanes', element: bad,
        partBytes: p.bytes, aggregate: { leaves, finals, baseWeights: wR, index },
      });
    }
    return this.attest(p, h.laneStart, AGGREGATE_STEP, bad ? Verdict.Fraud : Verdict.Valid, allServed);
  }

  private found(p: SeenPart, lane: number, f: Fault, opening: LaneOpening): void {
    const h = p.header;
    this.record({
      kind: f.reason === 'base' ? 'base' : 'step', round: h.round, miner: h.miner, laneStart: h.laneStart, partHash: h.partHash, height: p.height, lane, step: f.step, reason: f.reason,
      ...(f.jobId !== undefined ? { jobId: f.jobId } : {}), weights: f.weights, partBytes: p.bytes, opening: { leaf: opening.leaf, siblings: opening.siblings },
    });
  }

  private record(f: Finding): void {
    if (this.findings.some((x) => x.round === f.round && bytesEqual(x.miner, f.miner) && x.laneStart === f.laneStart && x.lane === f.lane && x.kind === f.kind && x.step === f.step)) return;
    this.findings.push(f);
    if (this.findings.length > 256) this.findings.shift();
    this.modules.logger.warn('validator: fraud found', findingJson(f));
    if (this.modules.challenger) {
      try {
        this.modules.challenger.submit(f);
      } catch (e) {
        this.modules.logger.error('validator: building the challenge failed', { error: (e as Error).message });
      }
    }
  }

  private async attest(p: SeenPart, lane: number, step: number, verdict: Verdict, served: boolean): Promise<void> {
    const h = p.header;
    const a: Attestation = signAttestation(
      { validator: this.address, round: h.round, miner: h.miner, laneStart: h.laneStart, partHash: h.partHash, lane, step, verdict, flags: served ? FLAG_SERVED : 0 },
      this.opts.key, this.opts.chainId,
    );
    const name = VERDICT_NAMES[verdict];
    this.stats.verdicts[name] = (this.stats.verdicts[name] ?? 0) + 1;
    const bytes = encodeAttestation(a);
    try {
      await this.modules.ingest.accept(bytes);
    } catch (e) {
      this.modules.logger.debug('own attestation not stored', { error: (e as Error).message });
    }
    this.modules.publish?.(bytes);
    this.modules.logger.info('validator: checked', {
      round: h.round, miner: to0x(h.miner), lane, check: step === AGGREGATE_STEP ? 'aggregate' : `step ${step}`, verdict: name, served,
      checks: this.stats.stepChecks + this.stats.aggregateChecks, executedSteps: this.stats.executedSteps,
    });
  }

  /** validator_status. */
  status(): Record<string, unknown> {
    return {
      validator: to0x(this.address), sample: this.opts.sample, queued: this.queue.length, ...this.stats, verdicts: { ...this.stats.verdicts },
      findings: this.findings.map((f) => {
        const c = this.modules.challenger?.outcome(f);
        const answered = f.kind === 'request' ? { answered: this.modules.parts.answered(f.round, f.miner, f.laneStart, f.lane) !== undefined } : {};
        return { ...findingJson(f), ...answered, ...(c ? { challenge: c } : {}) };
      }),
    };
  }
}

const partKey = (p: SeenPart): string => `${p.header.round}/${to0x(p.header.miner)}/${p.header.laneStart}`;

export function findingJson(f: Finding): Record<string, unknown> {
  return {
    kind: f.kind, round: f.round, miner: to0x(f.miner), laneStart: f.laneStart, partHash: to0x(f.partHash), height: f.height, lane: f.lane,
    ...(f.step !== undefined ? { step: f.step } : {}), reason: f.reason, ...(f.jobId !== undefined ? { jobId: f.jobId } : {}),
    ...(f.element ? { element: f.element } : {}),
  };
}
