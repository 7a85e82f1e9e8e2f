// The node's mining service: runs miner/loop.ts in a worker thread (node/mining/worker.ts), feeds
// it the head, target, open round and checkpoint on every head change, turns its winning tickets
// into blocks (node/mining/assemble.ts) imported through the chain's one import queue, and puts
// its contributions into the contribution pool for the next blocks of the round. The worker holds no
// key: it hands over unsigned contributions, which the service checks and signs with the miner's
// key (consensus/training/contribution.ts) before they enter the pool. getStepData() asks the worker
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
import { decodeContribution, decodeSignedContribution, encodeSignedContribution, signContribution } from '../../consensus/training/contribution.ts';
import type { BackendName } from '../../miner/backends/types.ts';
import type { Block } from '../../consensus/types.ts';
import type { MinerStats } from '../../miner/loop.ts';
import { contributionPrefix, winKey } from '../../vm/round/keys.ts';
import { readBond, readCheckpoint, readRound } from '../../vm/round/state.ts';
import type { Chain } from '../chain/chain.ts';
import { shortHex, type Logger } from '../log/logger.ts';
import type { ContributionPool } from '../mempool/contributions.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { assembleBlock } from './assemble.ts';
import { reportEquivocations } from './evidence.ts';
import type { FromMiner, MinerWorkerData, ToMiner } from './messages.ts';

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
}

export interface MiningStatus {
  backend: string;
  blocksMined: number;
  ticketsStale: number;
  contributionsMade: number;
  /** Own contribution lanes that landed in canonical blocks, and their useful MACs. */
  contributionsLanded: number;
  landedMacs: number;
  miner: MinerStats | undefined;
}

export class MiningService {
  private worker?: Worker;
  private pushed?: { hash: Uint8Array; round: number };
  private building: Promise<void> = Promise.resolve();
  private readonly laneMacs = new Map<string, number>();
  private stopped = false;
  /** Equivocation offences this node pooled evidence for (node/mining/evidence.ts). */
  private readonly evidence = { reported: new Set<string>() };
  /** Whether the miner had the minimum bond at the last head (undefined before the first). */
  private bonded?: boolean;
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: (w: Int32Array[] | undefined) => void; reject: (e: Error) => void }>();
  readonly status: MiningStatus = { backend: '', blocksMined: 0, ticketsStale: 0, contributionsMade: 0, contributionsLanded: 0, landedMacs: 0, miner: undefined };

  constructor(
    private readonly opts: MiningOpts,
    private readonly modules: MiningModules,
  ) {
    if (!bytesEqual(opts.key.address(), opts.miner))
      throw new Error(`the mining key is for ${to0x(opts.key.address())}, not for the miner address ${to0x(opts.miner)}`);
  }

  private get training(): TrainingParams {
    return this.opts.params.training!;
  }

  /** Starts the worker and waits for its backend self-test. */
  async start(): Promise<void> {
    const t = this.training;
    const data: MinerWorkerData = {
      task: t.task, pouw: t.pouw, maxLanes: t.maxLanes, miner: this.opts.miner,
      keepRounds: Math.ceil(t.challengeWindow / t.roundBlocks) + 1, backend: this.opts.backend,
      ...(this.opts.threads ? { threads: this.opts.threads } : {}),
      ...(this.opts.checkpointInterval ? { checkpointInterval: this.opts.checkpointInterval } : {}),
    };
    // The worker is TypeScript: a .mjs entry registers tsx in the thread first (works under
    // `npx tsx`, `npm start`, bin/tessera.js and vitest).
    const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: data });
    this.worker = w;
    const ready = new Promise<void>((resolve, reject) => {
      w.on('message', (m: FromMiner) => {
        if (m.type === 'ready') {
          this.status.backend = `${m.backend} (${m.detail})`;
          this.modules.logger.info('miner ready', { backend: m.backend, detail: m.detail, trainSamples: m.trainSamples, maxLanes: t.maxLanes, fillerLane: t.maxLanes - 1 });
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
   * the challenge window, from the contributions in the canonical blocks of those rounds and W_R of
   * each round (the open round's from the state, older ones from `checkpoints`), so that getStepData
   * serves them as before. A round whose W_R is not at hand, or does not match a lane's base root,
   * is skipped (logged).
   */
  private async restoreStepData(keepRounds: number): Promise<void> {
    const { chain, logger } = this.modules;
    const t = this.training;
    const state = chain.state();
    const open = readRound(state);
    if (!open) return;
    const oldest = Math.max(0, open.round - keepRounds);
    const byRound = new Map<number, { base: Uint8Array; lanes: { lane: number; roots: Uint8Array[] }[] }>();
    // rounds close exactly roundBlocks after they open: the window's contributions are in these blocks
    const lowest = Math.max(1, open.openedAt - keepRounds * t.roundBlocks);
    for (let h = chain.head().header.height; h >= lowest; h--) {
      const b = await chain.getBlockByHeight(h);
      if (!b) break;
      for (const bytes of b.block.contributions) {
        const c = decodeSignedContribution(t.task, bytes);
        if (c.round < oldest || !bytesEqual(c.miner, this.opts.miner)) continue;
        const e = byRound.get(c.round) ?? { base: c.baseRoot, lanes: [] };
        byRound.set(c.round, e);
        if (bytesEqual(e.base, c.baseRoot)) e.lanes.push({ lane: c.lane, roots: c.steps.map((s) => s.weightsRoot) });
      }
    }
    let lanes = 0;
    for (const [round, e] of [...byRound].sort((a, b) => a[0] - b[0])) {
      const ck = round === open.round ? readCheckpoint(state, t.task) : await this.modules.checkpoints?.(round);
      if (!ck || !bytesEqual(checkpointRoot(t.task, ck), e.base)) {
        logger.warn('per-step data of a round cannot be restored: its W_R is not at hand', { round, lanes: e.lanes.length });
        continue;
      }
      this.post({ type: 'restore', round, checkpoint: ck, lanes: e.lanes });
      lanes += e.lanes.length;
    }
    if (lanes > 0) logger.info('per-step data restored', { rounds: byRound.size, lanes });
  }

  /**
   * W_{R,m,s} of this miner's lane `lane` in round `round` (the input weights of local step `step`,
   * one Int32Array per layer), regenerated by the worker and checked against the lane's committed
   * root. Undefined when not kept: a lane not finished by this miner since it started, a round out of
   * the challenge window, a step outside [0, H).
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
    const newRound = !this.pushed || this.pushed.round !== round.round;
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
    const inState = this.ownLanesInState(round.round);
    const pooled = this.modules.contributions.lanesOf(round.round, this.opts.miner);
    const doneLanes = newRound ? [...inState, ...pooled] : undefined;
    // Lanes the rest of the round can still include: what is in, plus the cap of each block left.
    const t = this.training;
    const blocksLeft = Math.max(0, round.openedAt + t.roundBlocks - head.header.height);
    // A miner without the minimum bond has its contributions refused by every node: it trains no
    // lane (laneBudget 0: filler jobs only, which still win blocks) and says so once, and again
    // when that changes.
    const bonded = readBond(state, this.opts.miner) >= t.minBond;
    if (bonded !== this.bonded) {
      if (!bonded)
        this.modules.logger.warn('the miner address is not bonded: nodes refuse its contributions, so it trains no lane and only mines blocks with filler jobs until a Bond tx of at least minBond lands', {
          miner: to0x(this.opts.miner), bond: readBond(state, this.opts.miner).toString(), minBond: t.minBond.toString(),
        });
      else if (this.bonded === false) this.modules.logger.info('the miner address is bonded now: training lanes', { bond: readBond(state, this.opts.miner).toString() });
      this.bonded = bonded;
    }
    const laneBudget = bonded ? inState.length + blocksLeft * t.maxContributionsPerBlock : 0;
    this.post({
      type: 'work',
      work: {
        parent: head.hash, height: head.header.height, target, round: round.round,
        ...(newRound ? { checkpoint: readCheckpoint(state, this.training.task) } : {}),
        ...(doneLanes && doneLanes.length ? { doneLanes } : {}),
        laneBudget,
      },
    });
    this.pushed = { hash: head.hash, round: round.round };
  }

  private ownLanesInState(round: number): number[] {
    const prefix = contributionPrefix(round);
    const lanes: number[] = [];
    for (const k of this.modules.chain.state().keysWithPrefix(prefix)) {
      const miner = k.subarray(prefix.length, prefix.length + 20);
      if (bytesEqual(miner, this.opts.miner)) lanes.push(new DataView(k.buffer, k.byteOffset + prefix.length + 20, 4).getUint32(0));
    }
    return lanes;
  }

  private onMessage(m: FromMiner): void {
    switch (m.type) {
      case 'ticket':
        this.building = this.building.then(() => this.buildOn(m.seal, m.parent, m.filler)).catch((e: unknown) => this.modules.logger.error('block assembly failed', { error: (e as Error).message }));
        break;
      case 'contribution': {
        const bytes = this.signOwn(m.round, m.lane, m.bytes);
        if (!bytes) break;
        const res = this.modules.contributions.add({ round: m.round, miner: this.opts.miner, lane: m.lane, bytes });
        this.status.contributionsMade++;
        this.laneMacs.set(`${m.round}/${m.lane}`, m.macs);
        this.modules.logger.debug('contribution ready', { round: m.round, lane: m.lane, bytes: m.bytes.length, trainLoss: m.lossMilli / 1000, batchAccuracy: m.accuracyBp / 100, pool: res });
        if (res === 'full') this.modules.logger.warn('contribution pool full: contribution dropped', { round: m.round, lane: m.lane });
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

  /**
   * The worker's unsigned contribution, checked to be our miner's lane as announced, signed with the
   * miner's key for this chain: the on-chain bytes. Undefined (logged) when the worker's bytes are not
   * such a contribution (a bug in the worker, never signed).
   */
  private signOwn(round: number, lane: number, unsigned: Uint8Array): Uint8Array | undefined {
    try {
      const c = decodeContribution(this.training.task, unsigned);
      if (c.round !== round || c.lane !== lane || !bytesEqual(c.miner, this.opts.miner))
        throw new Error(`it is for round ${c.round} lane ${c.lane} of ${to0x(c.miner)}, announced round ${round} lane ${lane} of ${to0x(this.opts.miner)}`);
      return encodeSignedContribution(signContribution(c, this.opts.key, this.opts.params.chainId));
    } catch (e) {
      this.modules.logger.error('miner worker sent a contribution the node will not sign', { round, lane, error: (e as Error).message });
      return undefined;
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
    const candidates = contributions.forBlock(pre, round.round, t.maxContributionsPerBlock, Math.max(0, p.maxBlockBytes - 512 * 1024));
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
    for (const c of used) {
      this.status.contributionsLanded++;
      this.status.landedMacs += this.laneMacs.get(`${c.round}/${c.lane}`) ?? 0;
      this.laneMacs.delete(`${c.round}/${c.lane}`);
      contributions.remove(c);
    }
    // One line per mined block (the chain logs its import at debug): lanes are the round's
    // training shards whose contributions this block carries; see docs/glossary.md.
    logger.info('mined block', {
      height: res.height, hash: shortHex(blockHash(block.header)), round: round.round, txs: block.txs.length,
      contributions: used.length, lanes: laneRanges(used.map((c) => c.lane)),
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
