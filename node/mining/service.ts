// The node's mining service: runs miner/loop.ts in a worker thread (node/mining/worker.ts), feeds
// it the head, target, open round and checkpoint on every head change, turns its winning tickets
// into blocks (node/mining/assemble.ts) imported through the chain's one import queue, and puts
// aggregates its finished lanes into one contribution part per block it builds (the lanes finished
// since its last part that landed: consensus/training/part.ts). The worker holds no key: it hands
// over finished lanes (leaf and delta), which the service checks, sums and signs with the miner's
// key. At each round open it hands the worker the round's task and training set where they changed
// (node/mining/round-training.ts: a task passed by governance, data registered in the last round).
// getStepData() asks the worker
// for W_{R,m,s} of an own lane (kept for the challenge window, miner/step-store.ts): what P2P serving
// and validators will call.
import { Worker } from 'node:worker_threads';
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import { asertTarget, type AsertAnchor } from '../../consensus/difficulty.ts';
import { blockHash } from '../../consensus/encoding/header.ts';
import { txHash } from '../../consensus/encoding/tx.ts';
import { signHeader, type PrivateKey } from '../../consensus/crypto/index.ts';
import type { ChainParams, TrainingParams } from '../../consensus/params.ts';
import { decodeTicket } from '../../consensus/pouw/ticket.ts';
import { checkpointRoot, type Checkpoint } from '../../consensus/training/checkpoint.ts';
import { checkWeights } from '../../consensus/training/checkpoint.ts';
import { encodeSignedPart, lanesRoot, MAX_LANE, MAX_OPENINGS, openLanes, signPart, sumDeltas, type LaneLeaf } from '../../consensus/training/part.ts';
import type { BackendName } from '../../miner/backends/types.ts';
import type { Block } from '../../consensus/types.ts';
import type { MinerStats } from '../../miner/loop.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { taskAt } from '../../vm/governance/params.ts';
import { tileIdOfWinKey, winKey, winPrefix, type RoundInfo } from '../../vm/round/keys.ts';
import { readParts } from '../../vm/round/parts.ts';
import { readBond, readCheckpoint, readRound, type StateReader } from '../../vm/round/state.ts';
import type { Chain } from '../chain/chain.ts';
import { shortHex, type Logger } from '../log/logger.ts';
import type { ContributionPool, PooledContribution } from '../mempool/contributions.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { assembleBlock } from './assemble.ts';
import type { LaneStore, OwnLane } from './lane-store.ts';
import type { LaneLeafStore } from './lane-leaves.ts';
import { reportEquivocations } from './evidence.ts';
import type { FromMiner, MinerWorkerData, ToMiner } from './messages.ts';
import { faultyAggregate, type FaultSpec } from '../../miner/faults.ts';
import { roundTrainingKeys, roundTrainingSet, type RoundTrainingKeys } from './round-training.ts';

export interface MiningOpts {
  miner: Uint8Array;
  /** The key of `miner`: signs the miner's contributions (the worker never sees it). */
  key: PrivateKey;
  backend: BackendName | 'auto';
  threads?: number;
  /** Per-step data: keep every k-th step's weights per lane (default: H, only W_R per round). */
  checkpointInterval?: number;
  params: ChainParams;
  /** Unix seconds (block time). Default: the system clock. */
  now?: () => number;
  /** An injected fault (tests only: node/cli refuses it unless the genesis is marked testOnly; miner/faults.ts). */
  fault?: FaultSpec;
}

export interface MiningModules {
  chain: Chain;
  mempool: Mempool;
  contributions: ContributionPool;
  logger: Logger;
  /** Called after the miner's own block became the head. */
  onHeadChange?: () => void;
  /** Called with each block this miner made and imported (the network publishes it). */
  onMined?: (block: Block) => void;
  /** W_R of a past round (the node's checkpoint store): restores per-step data after a restart. */
  checkpoints?: (round: number) => Promise<Checkpoint | undefined>;
  /** The own landed lanes (bucket ownLane): written when an own part lands, read to restore per-step data after a restart. */
  lanes?: LaneStore;
  /** The leaves of every finished lane (bucket laneLeaf): written as the worker hands a lane over, served as lane openings. */
  leaves?: LaneLeafStore;
}

export interface MiningStatus {
  backend: string;
  blocksMined: number;
  ticketsStale: number;
  /** Own lanes finished, and those that landed (in own parts of canonical blocks), with their useful MACs. */
  contributionsMade: number;
  contributionsLanded: number;
  /** Own parts that landed. */
  partsLanded: number;
  landedMacs: number;
  miner: MinerStats | undefined;
}

export class MiningService {
  private worker?: Worker;
  /** The work last sent: its head, and the open round by number and base (a reorg may reopen the same round number on another W_R). */
  private pushed?: { hash: Uint8Array; round: number; base: Uint8Array };
  private building: Promise<void> = Promise.resolve();
  /** Finished lanes of the open round not yet in a landed part: leaf, delta, useful MACs. */
  /** Finished lanes of the open round, trained from W_R with root `base`. */
  private lanes: { round: number; base: Uint8Array; byLane: Map<number, { leaf: LaneLeaf; delta: Int32Array[]; macs: number }> } = { round: -1, base: new Uint8Array(32), byLane: new Map() };
  private stopped = false;
  /** Equivocation offences this node pooled evidence for (node/mining/evidence.ts). */
  private readonly evidence = { reported: new Set<string>() };
  /** Whether the miner had the minimum bond at the last head (undefined before the first). */
  private bonded?: boolean;
  /** The lane cap last logged. */
  private capLogged?: number;
  /** The own part last put into the pool. */
  private published?: PooledContribution;
  /** The task and training set last handed to the worker (undefined: its genesis ones). */
  private sentTraining?: RoundTrainingKeys;
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: (w: Int32Array[] | undefined) => void; reject: (e: Error) => void }>();
  readonly status: MiningStatus = { backend: '', blocksMined: 0, ticketsStale: 0, contributionsMade: 0, contributionsLanded: 0, partsLanded: 0, landedMacs: 0, miner: undefined };

  constructor(
    private readonly opts: MiningOpts,
    private readonly modules: MiningModules,
  ) {
    if (!bytesEqual(opts.key.address(), opts.miner))
      throw new Error(`the mining key is for ${to0x(opts.key.address())}, not for the miner address ${to0x(opts.miner)}`);
  }

  /** The genesis training parameters (the task in effect on a state: taskOf). */
  private get training(): TrainingParams {
    return this.opts.params.training!;
  }

  private taskOf(s: StateReader): TrainingTask {
    return taskAt(s, this.training.task);
  }

  /** The task lanes of the open round are trained for (what the worker was last told). */
  private get laneTask(): TrainingTask {
    return this.sentTraining?.task ?? this.training.task;
  }

  /** Starts the worker and waits for its backend self-test. */
  async start(): Promise<void> {
    const t = this.training;
    const data: MinerWorkerData = {
      task: t.task, pouw: t.pouw, miner: this.opts.miner,
      keepRounds: Math.ceil(t.challengeWindow / t.roundBlocks) + 1, backend: this.opts.backend,
      ...(this.opts.threads ? { threads: this.opts.threads } : {}),
      ...(this.opts.checkpointInterval ? { checkpointInterval: this.opts.checkpointInterval } : {}),
      ...(this.opts.fault ? { fault: this.opts.fault } : {}),
    };
    // The worker is TypeScript: a .mjs entry registers tsx in the thread first (works under
    // `npx tsx`, `npm start`, bin/tessera.js and vitest).
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: data });
    this.worker = w;
    const ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromMiner) => {
        if (m.type === 'ready') {
          this.status.backend = `${m.backend} (${m.detail})`;
          this.modules.logger.info('miner ready', { backend: m.backend, detail: m.detail, trainSamples: m.trainSamples });
          resolve();
        } else if (m.type === 'error') reject(new Error(`miner worker failed: ${m.message}`));
        else this.onMessage(m);
      });
      w.on('error', (e) => reject(e));
      w.on('exit', (code) => {
        this.failRequests(new Error(`miner worker exited with code ${code}`));
        if (!this.stopped) {
          this.modules.logger.error('miner worker exited', { code });
          reject(new Error(`miner worker exited with code ${code}`));
        }
      });
    });
    await ready;
    await this.restoreStepData(data.keepRounds);
    this.onHead();
  }

  /**
   * After a restart the worker's StepStore is empty: hands it the own lanes of the rounds still in
   * the challenge window, from the lane store (their step roots; parts carry only the lanes' root on
   * chain), with W_R of each round (the open round's from the state, older ones from `checkpoints`).
   * A round whose W_R is not at hand, or does not match the lanes' base root, is skipped (logged).
   * Rounds behind the window are deleted from the store.
   */
  private async restoreStepData(keepRounds: number): Promise<void> {
    const { chain, logger, lanes: store } = this.modules;
    const t = this.training;
    const state = chain.state();
    const open = readRound(state);
    if (!open || !store) return;
    const oldest = Math.max(0, open.round - keepRounds);
    await store.pruneBelow(oldest);
    const byRound = new Map<number, OwnLane[]>();
    for (const l of await store.from(oldest)) byRound.set(l.round, [...(byRound.get(l.round) ?? []), l]);
    if (byRound.size === 0) return;
    // the open round's task and training set; an older round of the window is restored with them too
    // (a round before a task switch or a registration then fails its root check and is skipped)
    const task = this.taskOf(state);
    const data = roundTrainingSet(state);
    let n = 0;
    for (const [round, lanes] of byRound) {
      const ck = round === open.round ? readCheckpoint(state, task) : await this.modules.checkpoints?.(round);
      let base: Uint8Array | undefined;
      try {
        base = ck ? checkpointRoot(task, ck) : undefined;
      } catch {
        base = undefined; // W_R of another task's shape
      }
      const ok = lanes.filter((l) => base && bytesEqual(l.baseRoot, base));
      if (!ck || ok.length === 0) {
        logger.warn('per-step data of a round cannot be restored: its W_R is not at hand', { round, lanes: lanes.length });
        continue;
      }
      this.post({ type: 'restore', round, checkpoint: ck!, lanes: ok.map((l) => ({ lane: l.lane, roots: [...l.roots] })), task, ...(data ? { data } : {}) });
      n += ok.length;
    }
    if (n > 0) logger.info('per-step data restored', { rounds: byRound.size, lanes: n });
  }

  /**
   * W_{R,m,s} of this miner's lane `lane` in round `round` (the input weights of local step `step`,
   * one Int32Array per layer), regenerated by the worker and checked against the lane's committed
   * root (step H: the lane's final weights, against its final root; lanes finished since the worker
   * started). Undefined when not kept: a lane not finished by this miner since it started, a round
   * out of the challenge window, a step outside [0, H].
   */
  getStepData(round: number, lane: number, step: number): Promise<Int32Array[] | undefined> {
    if (this.stopped || !this.worker) return Promise.reject(new Error('the miner is not running'));
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.post({ type: 'stepData', id, round, lane, step });
    });
  }

  private failRequests(e: Error): void {
    for (const r of this.requests.values()) r.reject(e);
    this.requests.clear();
  }

  private post(m: ToMiner): void {
    this.worker?.postMessage(m);
  }

  /** Call on every head change (cheap when nothing changed). */
  onHead(): void {
    if (this.stopped || !this.worker) return;
    const { chain } = this.modules;
    const head = chain.head();
    if (this.pushed && bytesEqual(this.pushed.hash, head.hash)) return;
    const state = chain.state();
    const round = readRound(state);
    if (!round) return;
    // a new round, or the same round number opened on another W_R by a reorg: lanes trained on the
    // old base would commit the wrong shard and weights, so they are dropped and the worker restarts
    const newRound = !this.pushed || this.pushed.round !== round.round || !bytesEqual(this.pushed.base, round.checkpointRoot);
    this.modules.contributions.prune(state, round.round);
    const target = chain.nextTarget();
    if (newRound && this.pushed && this.status.miner) {
      const m = this.status.miner;
      const computed = m.laneMacs + m.lostMacs + m.fillerMacs;
      this.modules.logger.info('miner totals', {
        blocksMined: this.status.blocksMined, contributionsLanded: this.status.contributionsLanded, lanesAbandoned: m.lanesAbandoned,
        usefulWork: computed > 0 ? `${((100 * this.status.landedMacs) / computed).toFixed(1)}%` : '-', computedGMacs: (computed / 1e9).toFixed(1),
      });
    }
    if (this.lanes.round !== round.round || !bytesEqual(this.lanes.base, round.checkpointRoot)) this.lanes = { round: round.round, base: round.checkpointRoot, byLane: new Map() };
    const inState = this.ownLanesInState(state, round.round);
    for (const l of inState) this.lanes.byLane.delete(l);
    const doneLanes = newRound ? [...inState, ...this.lanes.byLane.keys()] : undefined;
    const t = this.training;
    // the round's task and training set, handed over with the work of the round where they changed
    let training: { task?: TrainingTask; data?: ReturnType<typeof roundTrainingSet> } = {};
    let task = this.laneTask;
    if (newRound) {
      const keys = roundTrainingKeys(state, t.task);
      const sent = this.sentTraining;
      task = keys.task;
      if (!sent || sent.taskKey !== keys.taskKey || sent.dataKey !== keys.dataKey) {
        const data = !sent || sent.dataKey !== keys.dataKey ? roundTrainingSet(state) : undefined;
        training = { ...(!sent || sent.taskKey !== keys.taskKey ? { task: keys.task } : {}), ...(data ? { data } : {}) };
        if (sent)
          this.modules.logger.info('the round trains another task or training set', {
            round: round.round, task: keys.task.name, ...(sent.taskKey !== keys.taskKey ? { taskChanged: true } : {}), ...(data ? { trainSamples: data.n } : {}),
          });
        this.sentTraining = keys;
      }
    }
    // A miner without the minimum bond has its parts refused by every node: it trains no lane
    // (noTask: filler jobs only, which still win blocks) and says so once, and again when that
    // changes.
    const bonded = readBond(state, this.opts.miner) >= t.minBond;
    if (bonded !== this.bonded) {
      if (!bonded)
        this.modules.logger.warn('the miner address is not bonded: nodes refuse its contributions, so it trains no lane and only mines blocks with filler jobs until a Bond tx of at least minBond lands', {
          miner: to0x(this.opts.miner), bond: readBond(state, this.opts.miner).toString(), minBond: t.minBond.toString(),
        });
      else if (this.bonded === false) this.modules.logger.info('the miner address is bonded now: training lanes', { bond: readBond(state, this.opts.miner).toString() });
      this.bonded = bonded;
    }
    // Lanes past what the bond backs would make the part INSUFFICIENT_BOND: not trained. Said once
    // (per cap) when the round's own lanes reach it.
    const laneCap = this.laneCap(state);
    if (laneCap !== undefined && laneCap !== this.capLogged && inState.length + this.lanes.byLane.size >= laneCap) {
      this.modules.logger.info('the bond backs no more lanes this round: lanes past them are not trained until the next round (bond more to train more)', {
        lanes: laneCap, bond: readBond(state, this.opts.miner).toString(), bondPerLane: t.bondPerLane.toString(),
      });
      this.capLogged = laneCap;
    }
    this.post({
      type: 'work',
      work: {
        parent: head.hash, height: head.header.height, target, round: round.round,
        ...(newRound ? { checkpoint: readCheckpoint(state, task) } : {}),
        ...training,
        ...(doneLanes && doneLanes.length ? { doneLanes } : {}),
        ...(bonded ? {} : { noTask: true }),
        ...(laneCap !== undefined ? { laneCap } : {}),
      },
    });
    this.pushed = { hash: head.hash, round: round.round, base: round.checkpointRoot };
    this.publishOwnPart(state, round);
  }

  /**
   * Puts the own part of the lanes finished so far into the pool (which publishes it to peers when
   * the node is on the network), replacing the previous own entry; blocks this node builds make a
   * fresh one on their own state (ownPart), so this is for other miners' blocks.
   */
  private publishOwnPart(state: StateReader, round: RoundInfo): void {
    const part = this.ownPart(state, round);
    const prev = this.published;
    if (prev && part && prev.round === part.round && prev.laneStart === part.laneStart && prev.laneCount === part.laneCount) return;
    if (prev) this.modules.contributions.remove(prev);
    this.published = part;
    if (part) this.modules.contributions.add(part);
  }

  /** Lanes of a round the miner's bond backs (checkPart: bond >= bondPerLane x the miner's lanes); undefined when unbounded. */
  private laneCap(state: StateReader): number | undefined {
    const per = this.training.bondPerLane;
    if (per <= 0n) return undefined;
    const n = readBond(state, this.opts.miner) / per;
    return n > BigInt(MAX_LANE) ? undefined : Number(n);
  }

  private ownLanesInState(state: StateReader, round: number): number[] {
    const lanes: number[] = [];
    for (const p of readParts(state, round, this.opts.miner)) for (let l = p.laneStart; l < p.laneStart + p.laneCount; l++) lanes.push(l);
    return lanes;
  }

  /**
   * The own part for a block on `pre`: the finished lanes no landed part covers, from the lowest, as
   * one run [a, b) of consecutive lanes (a part's range), D their summed deltas, an opening for every
   * lane of the run on which the miner won a ticket; signed. At most the lanes the bond still backs
   * (a part past them would be refused whole) and at most maxPartLanes. Undefined when no lane is ready.
   */
  ownPart(pre: StateReader, round: RoundInfo): PooledContribution | undefined {
    if (this.lanes.round !== round.round || !bytesEqual(this.lanes.base, round.checkpointRoot)) return undefined;
    const covered = new Set(this.ownLanesInState(pre, round.round));
    const free = [...this.lanes.byLane.keys()].filter((l) => !covered.has(l)).sort((x, y) => x - y);
    if (free.length === 0) return undefined;
    const winLanes = new Set(pre.keysWithPrefix(winPrefix(round.round, this.opts.miner)).map((k) => tileIdOfWinKey(k).lane));
    const cap = this.laneCap(pre);
    const t0 = this.training;
    const room = Math.min(cap === undefined ? Infinity : cap - covered.size, t0.maxPartLanes ?? Infinity); // a longer part is refused whole
    if (room < 1) return undefined;
    const a = free[0]!;
    let b = a + 1;
    let opened = winLanes.has(a) ? 1 : 0;
    while (b - a < room && this.lanes.byLane.has(b) && !covered.has(b) && opened + (winLanes.has(b) ? 1 : 0) <= MAX_OPENINGS) {
      if (winLanes.has(b)) opened++;
      b++;
    }
    const t = this.training;
    const task = this.taskOf(pre);
    // the run as one part; halved while it would exceed the part size cap (many openings)
    for (;;) {
      const lanes = Array.from({ length: b - a }, (_, i) => this.lanes.byLane.get(a + i)!);
      const leaves = lanes.map((x) => x.leaf);
      const part = {
        round: round.round, miner: this.opts.miner, laneStart: a, laneCount: b - a, baseRoot: round.checkpointRoot,
        lanesRoot: lanesRoot(a, leaves), delta: faultyAggregate(this.opts.fault, sumDeltas(task, lanes.map((x) => x.delta))),
        openings: openLanes(a, leaves, [...winLanes].filter((l) => l >= a && l < b)),
      };
      const bytes = encodeSignedPart(signPart(part, this.opts.key, this.opts.params.chainId));
      if (bytes.length <= t.maxContributionBytes) return { round: round.round, miner: this.opts.miner, laneStart: a, laneCount: b - a, bytes };
      if (b - a === 1) {
        this.modules.logger.error('a one-lane part exceeds maxContributionBytes', { round: round.round, lane: a, bytes: bytes.length });
        return undefined;
      }
      b = a + Math.ceil((b - a) / 2);
    }
  }

  private onMessage(m: FromMiner): void {
    switch (m.type) {
      case 'ticket':
        this.building = this.building.then(() => this.buildOn(m.seal, m.parent, m.filler)).catch((e: unknown) => this.modules.logger.error('block assembly failed', { error: (e as Error).message }));
        break;
      case 'contribution': {
        if (!this.acceptLane(m)) break;
        // a lane of the open round as this node now has it (same number and W_R); else its round
        // closed or a reorg moved the base while the worker trained it: signed by no part
        const open = readRound(this.modules.chain.state());
        if (!open || open.round !== m.round || !bytesEqual(open.checkpointRoot, m.baseRoot)) {
          this.modules.logger.debug('lane of another round or base dropped', { round: m.round, lane: m.lane });
          break;
        }
        if (this.lanes.round !== m.round || !bytesEqual(this.lanes.base, m.baseRoot)) this.lanes = { round: m.round, base: m.baseRoot, byLane: new Map() };
        this.lanes.byLane.set(m.lane, { leaf: m.leaf, delta: m.delta, macs: m.macs });
        this.keepLeaf(m.round, m.lane, m.baseRoot, m.leaf);
        this.status.contributionsMade++;
        this.modules.logger.debug('lane ready', { round: m.round, lane: m.lane, trainLoss: m.lossMilli / 1000, batchAccuracy: m.accuracyBp / 100 });
        break;
      }
      case 'stats':
        this.status.miner = m.stats;
        this.modules.logger.debug('miner stats', { ...m.stats });
        break;
      case 'error':
        this.modules.logger.error('miner worker error', { error: m.message });
        break;
      case 'stepData': {
        const r = this.requests.get(m.id);
        if (!r) break;
        this.requests.delete(m.id);
        if (m.error !== undefined) r.reject(new Error(m.error));
        else r.resolve(m.weights);
        break;
      }
      default:
        break;
    }
  }

  /** Keeps the lane's leaf (and the W_R root it trained from) for serving lane openings. */
  private keepLeaf(round: number, lane: number, baseRoot: Uint8Array, leaf: LaneLeaf): void {
    const store = this.modules.leaves;
    if (!store) return;
    store.put(round, lane, baseRoot, leaf).catch((e: unknown) => this.modules.logger.error('lane leaf not kept', { round, lane, error: (e as Error).message }));
  }

  /** The worker's finished lane has the task's shape (a bug in the worker otherwise: logged, never signed). */
  private acceptLane(m: { round: number; lane: number; leaf: LaneLeaf; delta: Int32Array[] }): boolean {
    try {
      const task = this.laneTask;
      checkWeights(task, m.delta, 'delta');
      if (m.leaf.steps.length !== task.localSteps || m.leaf.finalRoot.length !== 32) throw new Error(`${m.leaf.steps.length} steps`);
      return true;
    } catch (e) {
      this.modules.logger.error('miner worker sent a lane the node will not sign', { round: m.round, lane: m.lane, error: (e as Error).message });
      return false;
    }
  }

  private async buildOn(seal: Uint8Array, parentHash: Uint8Array, filler: boolean): Promise<void> {
    const { chain, mempool, contributions, logger } = this.modules;
    reportEquivocations(chain, mempool, this.opts.key, logger, this.evidence); // before the txs are taken
    const p = this.opts.params;
    const head = chain.head();
    if (!bytesEqual(head.hash, parentHash)) {
      this.status.ticketsStale++;
      return; // mined for a parent that is no longer the head
    }
    const target = chain.nextTarget(); // read with the head, before any await
    const pre = chain.state();
    const proof = decodeTicket(seal);
    if (pre.get(winKey(proof)) !== undefined) return; // this tile already won in the round
    const round = readRound(pre)!;
    const parent = head.header;
    const recentTimes = chain.headAncestorTimes();
    const t = this.training;
    const own = this.ownPart(pre, round);
    const room = Math.max(0, p.maxBlockBytes - 512 * 1024 - (own?.bytes.length ?? 0));
    const candidates = [...(own ? [own] : []), ...contributions.forBlock(pre, round.round, t.maxContributionsPerBlock - (own ? 1 : 0), room, this.opts.miner)];
    const now = (this.opts.now ?? (() => Math.floor(Date.now() / 1000)))();
    const txs = mempool.pending(p.maxTxsPerBlock);
    const { block: unsigned, dropped, contributions: used } = assembleBlock(
      { pre, parent, recentTimes, now, target, miner: this.opts.miner, seal, txs, contributions: candidates },
      p,
    );
    const block = { ...unsigned, header: signHeader(unsigned.header, this.opts.key) }; // the miner signs the whole header
    for (const d of dropped) {
      logger.warn(`left a ${d.what} out of the block`, { reason: d.reason });
      if (d.what === 'contribution') contributions.remove(candidates[d.index]!);
      else mempool.evict(txHash(txs[d.index]!)); // tried once: it does not stay to be tried again
    }
    if (!bytesEqual(chain.head().hash, parentHash)) {
      this.status.ticketsStale++;
      return;
    }
    const res = await chain.importBlock(block, { own: true });
    this.status.blocksMined++;
    this.modules.onMined?.(block);
    const landed: OwnLane[] = [];
    for (const c of used) {
      contributions.remove(c);
      if (c !== own) continue;
      this.status.partsLanded++;
      for (let l = c.laneStart; l < c.laneStart + c.laneCount; l++) {
        const x = this.lanes.byLane.get(l);
        this.status.contributionsLanded++;
        this.status.landedMacs += x?.macs ?? 0;
        if (x) landed.push({ round: c.round, lane: l, baseRoot: round.checkpointRoot, roots: x.leaf.steps.map((s) => s.weightsRoot) });
        this.lanes.byLane.delete(l);
      }
    }
    await this.modules.lanes?.put(landed);
    // One line per mined block (the chain logs its import at debug): lanes are the round's
    // training shards this block's parts carry; see docs/glossary.md.
    logger.info('mined block', {
      height: res.height, hash: shortHex(blockHash(block.header)), round: round.round, txs: block.txs.length,
      parts: used.length, lanes: laneRanges(used.flatMap((c) => Array.from({ length: c.laneCount }, (_, i) => c.laneStart + i))),
      ticket: `lane ${proof.lane} step ${proof.step} job ${proof.jobId} tile ${proof.ti},${proof.tj}${filler ? ' (filler)' : ''}`,
      ...(res.status !== 'head' ? { status: res.status } : {}),
    });
    this.modules.onHeadChange?.();
    this.onHead();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    if (!w) return;
    await this.building.catch(() => {});
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    this.post({ type: 'stop' });
    const timer = setTimeout(() => void w.terminate(), 5000);
    await exited;
    clearTimeout(timer);
    this.failRequests(new Error('the miner stopped'));
    this.worker = undefined;
  }
}

/** "0-26,30" for [0, 1, ..., 26, 30]; "-" for none. */
export function laneRanges(lanes: readonly number[]): string {
  const xs = [...lanes].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(j > i ? `${xs[i]}-${xs[j]}` : `${xs[i]}`);
    i = j + 1;
  }
  return out.join(',') || '-';
}
