// The full node: LevelDB + chain (serial import queue) + mempool + JSON-RPC server, wired
// together. `tessera node` (node/cli) builds one of these; tests build the parts directly.
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { bytesEqual, to0x } from '../consensus/bytes.ts';
import { checkpointRoot } from '../consensus/training/checkpoint.ts';
import { signatureBackend, nativeLoadError, type PrivateKey } from '../consensus/crypto/index.ts';
import type { Seal } from '../consensus/seal.ts';
import { buildGenesis, type GenesisSpec } from '../genesis/index.ts';
import { ChainDb } from './db/db.ts';
import { Chain } from './chain/chain.ts';
import { assertRealSeal, sealForChain } from './chain/seals.ts';
import { Mempool } from './mempool/mempool.ts';
import { RpcServer } from './rpc/server.ts';
import { rpcMethods } from './rpc/methods.ts';
import type { Logger } from './log/logger.ts';
import type { Metrics } from './metrics/metrics.ts';
import { PromMetrics, type MetricsSource } from './metrics/prometheus.ts';
import { readRound } from '../vm/round/state.ts';
import { explorerRoutes } from './explorer/routes.ts';
import { MempoolJournal } from './mempool/journal.ts';
import { loadCheckedTrainingSet, loadMnist } from '../genesis/datasets/mnist.ts';
import type { BackendName } from '../miner/backends/types.ts';
import { ContributionPool } from './mempool/contributions.ts';
import { LaneStore } from './mining/lane-store.ts';
import { LaneLeafStore } from './mining/lane-leaves.ts';
import { RequestAnswerer } from './mining/answers.ts';
import type { StepDataSource } from './network/reqresp.ts';
import { PartPruner } from './chain/prune.ts';
import { MiningService } from './mining/service.ts';
import { CheckpointStore } from './model/checkpoint-store.ts';
import { TrainingTracker } from './model/tracker.ts';
import { governedMinFee } from './mempool/min-fee.ts';
import type { Network } from './network/network.ts';
import { withholds, type FaultSpec } from '../miner/faults.ts';
import { matmulPlain, type MatmulFn } from '../consensus/matmul.ts';
import { createBackend } from '../miner/backends/index.ts';
import type { TileBackend } from '../miner/backends/types.ts';
import { roundWeightsOf } from '../vm/fraud-proofs.ts';
import { AttestationStore } from './validator/store.ts';
import { AttestationIngest } from './validator/ingest.ts';
import { PartFeed } from './validator/parts.ts';
import { ValidatorService } from './validator/service.ts';
import { Challenger } from './validator/challenge.ts';
import { validatorMethods } from './rpc/validator.ts';

export interface NodeOpts {
  datadir: string;
  genesis: GenesisSpec;
  rpc: { host: string; port: number };
  /** The HTTP server of the explorer and /metrics (node/explorer/routes.ts); absent: none. */
  http?: { host: string; port: number };
  mempool?: { maxPerAccount?: number; maxTotal?: number };
  /** Keep contribution part bodies for good (default: pruned once their challenge window closed: node/chain/prune.ts). */
  archive?: boolean;
  /** Mine with this address (needs a genesis with training); `key` is its key, which signs its contributions. */
  mining?: { miner: Uint8Array; key: PrivateKey; backend: BackendName | 'auto'; threads?: number; fault?: FaultSpec };
  /** Validate (node/validator): re-execute sampled steps of landed parts and attest, signed with `key`. Needs training and P2P. */
  validate?: { key: PrivateKey; sample: number };
  /** Join the peer-to-peer network (node/network); without it the node runs alone. */
  p2p?: { listen: { host: string; port: number }; bootnodes?: string[]; maxPeers?: number; banSeconds?: number; ratePerSecond?: number };
}

export interface NodeModules {
  logger: Logger;
  /** Default: the seal the genesis names (test seals are refused either way). */
  seal?: Seal;
  metrics?: Metrics;
}

export class TesseraNode {
  private db?: ChainDb;
  private pruner?: PartPruner;
  private pruning: Promise<void> = Promise.resolve();
  private rpc?: RpcServer;
  private http?: RpcServer;
  private journal?: MempoolJournal;
  /** host:port of the explorer and /metrics, when it runs. */
  httpAddress?: string;
  chain?: Chain;
  mempool?: Mempool;
  rpcAddress?: string;
  contributions = new ContributionPool();
  tracker?: TrainingTracker;
  mining?: MiningService;
  /** The leaves of the miner's finished lanes (served as lane openings to validators). */
  private leaves?: LaneLeafStore;
  private answerer?: RequestAnswerer;
  network?: Network;
  validator?: ValidatorService;
  attestations?: AttestationStore;
  private parts?: PartFeed;
  private validatorBackend?: TileBackend;
  private prunedAttestations?: number;
  private headTimer?: ReturnType<typeof setInterval>;
  private lastHead?: Uint8Array;

  constructor(
    private readonly opts: NodeOpts,
    private readonly modules: NodeModules,
  ) {}

  async start(): Promise<void> {
    const { logger } = this.modules;
    const spec = this.opts.genesis;
    const seal = this.modules.seal ?? sealForChain(spec.params);
    assertRealSeal(seal);
    const metrics = this.modules.metrics ?? new PromMetrics();
    const backend = signatureBackend();
    logger.info('signature verification path', { backend, ...(backend === 'noble' ? { why: nativeLoadError() ?? 'native module not loaded' } : {}) });

    const genesis = buildGenesis(spec);
    // the bytes every node trains on, checked, before any block is applied (step fraud proofs re-execute on them)
    if (spec.params.training) loadCheckedTrainingSet(spec.params.training.datasetHash);
    await mkdir(this.opts.datadir, { recursive: true });
    this.db = new ChainDb({ path: join(this.opts.datadir, 'chain') });
    try {
      await this.db.open();
    } catch (e) {
      throw new Error(`cannot open the database in ${join(this.opts.datadir, 'chain')}: ${(e as Error).cause ? ((e as Error).cause as Error).message : (e as Error).message}`);
    }
    // admission follows the governed minFee of the next block on the head
    const minFee = governedMinFee(() => (this.chain ? { state: this.chain.state(), height: this.chain.head().header.height } : undefined), spec.params);
    this.mempool = new Mempool({ chainId: spec.params.chainId, minFee: spec.params.minFee, training: !!spec.params.training, accountCreationFee: spec.params.accountCreationFee, ...this.opts.mempool }, { logger: logger.child('mempool'), minFee });
    this.chain = await Chain.open({ params: spec.params, genesis }, { db: this.db, logger: logger.child('chain'), seal, mempool: this.mempool, metrics });
    if (spec.params.training && !this.opts.archive) this.pruner = new PartPruner({ training: spec.params.training }, { db: this.db });
    this.journal = new MempoolJournal({ db: this.db, mempool: this.mempool, logger: logger.child('mempool') });
    await this.journal.restore(this.chain.state());
    const head = this.chain.head();
    logger.info('chain', { name: spec.name, chainId: spec.chainId, genesis: to0x(genesis.hash), head: to0x(head.hash), height: head.header.height, seal: seal.name });

    if (spec.params.training) {
      const { heldOut } = loadMnist();
      const store = new CheckpointStore({ task: spec.params.training.task }, { db: this.db });
      this.tracker = new TrainingTracker({ training: spec.params.training, heldOut }, { chain: this.chain, store, logger: logger.child('training') });
      await this.tracker.start();
    }
    if (this.opts.mining?.fault && !spec.testOnly)
      throw new Error(`--fault ${this.opts.mining.fault.kind}: refused, the genesis ${spec.name} is not a devnet marked for tests ("testOnly": true)`);
    if (this.opts.validate && (!spec.params.training || !this.opts.p2p)) throw new Error('--validate needs a genesis with training and the P2P network (--p2p or --bootnodes)');
    if (this.opts.mining) {
      if (!spec.params.training) throw new Error('--mine needs a genesis with a training section (proof of useful work trains its task)');
      const t = spec.params.training;
      this.leaves = new LaneLeafStore({ keepRounds: Math.ceil(t.challengeWindow / t.roundBlocks) + 1 }, { db: this.db });
      // keep every 4th step's weights per lane (~0.4 MB each on the devnet task): a validator's request
      // for W_s replays at most 3 steps (1.5 on average), well inside a request's deadline (miner/step-store.ts)
      this.mining = new MiningService(
        { checkpointInterval: 4, ...this.opts.mining, params: spec.params },
        { chain: this.chain, mempool: this.mempool, contributions: this.contributions, logger: logger.child('miner'), onHeadChange: () => this.onHead(), onMined: (b) => void this.network?.publishBlock(b), checkpoints: async (r) => (await this.tracker?.store.get(r))?.checkpoint, lanes: new LaneStore({ db: this.db }), leaves: this.leaves },
      );
      logger.info('starting the miner', { miner: to0x(this.opts.mining.miner), backend: this.opts.mining.backend, ...(this.opts.mining.threads ? { threads: this.opts.mining.threads } : {}) });
      await this.mining.start();
      // data requests on this miner's parts are answered from the leaf store (a miner run with --fault withheld does not answer)
      if (!withholds(this.opts.mining.fault))
        this.answerer = new RequestAnswerer(
          { key: this.opts.mining.key, params: spec.params },
          { chain: this.chain, mempool: this.mempool, leaves: this.leaves, publish: (tx) => void this.network?.publishTx(tx), logger: logger.child('miner') },
        );
    }
    const training = spec.params.training;
    let ingest: AttestationIngest | undefined;
    if (this.opts.p2p && training) {
      const keepRounds = Math.ceil(training.challengeWindow / training.roundBlocks) + 1;
      this.parts = new PartFeed({ task: training.task, keepRounds }, { chain: this.chain });
      this.attestations = new AttestationStore({}, { db: this.db });
      ingest = new AttestationIngest({ chainId: spec.params.chainId, task: training.task }, { parts: this.parts, store: this.attestations });
    }
    if (this.opts.p2p) {
      const mining = this.mining;
      const att = ingest;
      // loaded on demand: libp2p's module graph is large, and CLI commands that never network skip it
      const { Network } = await import('./network/network.ts');
      this.network = new Network(
        { datadir: this.opts.datadir, ...this.opts.p2p },
        {
          chain: this.chain, mempool: this.mempool, contributions: this.contributions, db: this.db, seal, logger: logger.child('net'), metrics,
          ...(mining && this.leaves ? { stepData: stepDataSource(mining, this.leaves, this.opts.mining!.miner, this.opts.mining!.fault) } : {}),
          ...(att ? { attestation: (d: Uint8Array) => att.accept(d) } : {}),
        },
      );
      await this.network.start();
    }
    if (this.opts.validate && training && this.network && this.parts && ingest) {
      const { P2PServedData } = await import('./validator/served.ts');
      // re-execution on the wasm kernel (worker threads, bit-exact self-test at start), else plain JS
      let matmul: MatmulFn = matmulPlain;
      try {
        const be = await createBackend('wasm', { threads: 1 });
        this.validatorBackend = be;
        matmul = (job) => be.matmul(job.a, job.b, job.m, job.k, job.n);
      } catch (e) {
        logger.warn('validator: the wasm backend did not start, re-executing in plain JS', { error: (e as Error).message });
      }
      const network = this.network;
      const chain = this.chain;
      const store = this.tracker?.store;
      this.validator = new ValidatorService(
        { key: this.opts.validate.key, sample: this.opts.validate.sample, chainId: spec.params.chainId, training },
        {
          parts: this.parts, ingest, served: new P2PServedData({ task: training.task }, { network }),
          // W_R from the state while the round is in its window (no wait for the tracker's evaluation); the
          // checkpoint store when a proven fraud recomputed the stored base after the round's parts trained on it
          checkpoint: async (round, baseRoot) => {
            const ck = roundWeightsOf(chain.state(), training, round);
            if (ck && bytesEqual(checkpointRoot(training.task, ck), baseRoot)) return ck;
            return (await store?.get(round))?.checkpoint;
          },
          data: loadCheckedTrainingSet(training.datasetHash), matmul, logger: logger.child('validator'),
          publish: (b) => void network.publishAttestation(b),
          openRound: () => readRound(chain.state())?.round ?? 0,
          challenger: new Challenger({ key: this.opts.validate.key, params: spec.params }, { chain, mempool: this.mempool, publish: (tx) => void network.publishTx(tx), logger: logger.child('validator') }),
        },
      );
      logger.info('validating', { validator: to0x(this.validator.address), sample: this.opts.validate.sample });
    }
    // Head changes come from the import queue (the miner, later the network): follow them.
    this.lastHead = this.chain.head().hash;
    this.headTimer = setInterval(() => this.onHead(), 250);

    const methods = rpcMethods({
      chain: this.chain, mempool: this.mempool, ...(this.network ? { network: this.network } : {}), ...(this.tracker ? { training: { tracker: this.tracker, ...(this.mining ? { mining: this.mining } : {}) } } : {}),
      extra: validatorMethods({ ...(this.attestations ? { store: this.attestations } : {}), ...(this.validator ? { validator: this.validator } : {}) }),
    });
    this.rpc = new RpcServer(this.opts.rpc, { logger: logger.child('rpc'), methods });
    this.rpcAddress = await this.rpc.start();
    logger.info('JSON-RPC listening', { address: `http://${this.rpcAddress}/` });
    if (metrics instanceof PromMetrics) metrics.setSource(this.metricsSource());
    if (this.opts.http) {
      const model = this.tracker && spec.params.training ? { task: spec.params.training.task, store: this.tracker.store } : undefined;
      this.http = new RpcServer(this.opts.http, {
        logger: logger.child('http'),
        methods,
        get: explorerRoutes({ ...(metrics instanceof PromMetrics ? { metrics } : {}), ...(model ? { model } : {}) }),
      });
      this.httpAddress = await this.http.start();
      logger.info('explorer and metrics listening', { explorer: `http://${this.httpAddress}/`, metrics: `http://${this.httpAddress}/metrics` });
      if (!['127.0.0.1', 'localhost', '::1'].includes(this.opts.http.host))
        logger.warn('the explorer and its JSON-RPC are reachable from other machines; they have no authentication', { host: this.opts.http.host });
    }
    if (!['127.0.0.1', 'localhost', '::1'].includes(this.opts.rpc.host))
      logger.warn('JSON-RPC is reachable from other machines; it has no authentication', { host: this.opts.rpc.host });
  }

  /** What /metrics reads at each scrape. */
  private metricsSource(): MetricsSource {
    const chain = this.chain!;
    const mining = this.mining;
    const tracker = this.tracker;
    return {
      headHeight: () => chain.head().header.height,
      mempoolSize: () => this.mempool?.size ?? 0,
      ...(this.network ? { peers: () => this.network?.peerList().length ?? 0 } : {}),
      ...(tracker
        ? {
            contributionPoolSize: () => this.contributions.size,
            training: () => {
              const e = tracker.latest;
              return { round: readRound(chain.state())?.round ?? 0, ...(e ? { evaluatedRound: e.round, accuracyBp: e.accuracyBp, lossMilli: e.lossMilli } : {}) };
            },
          }
        : {}),
      ...(mining
        ? {
            miner: () => {
              const st = mining.status;
              const m = st.miner;
              if (!m) return undefined;
              return { tiles: m.tiles, wins: m.wins, blocksMined: st.blocksMined, usefulMacs: st.landedMacs, computedMacs: m.laneMacs + m.lostMacs + m.fillerMacs, contributionsLanded: st.contributionsLanded };
            },
          }
        : {}),
    };
  }

  private onHead(): void {
    const chain = this.chain;
    if (!chain) return;
    const h = chain.head().hash;
    if (this.lastHead && h.every((x, i) => x === this.lastHead![i])) return;
    this.lastHead = h;
    this.mining?.onHead();
    void this.answerer?.onHead();
    void this.tracker?.onHead();
    const t = this.opts.genesis.params.training;
    const open = readRound(chain.state())?.round;
    if (this.attestations && t && open !== undefined && open !== this.prunedAttestations) {
      this.prunedAttestations = open;
      const keep = Math.ceil(t.challengeWindow / t.roundBlocks) + 1;
      void this.attestations.prune(open - keep).catch((e: unknown) => this.modules.logger.error('pruning attestations failed', { error: (e as Error).message }));
    }
    if (this.validator) void this.validator.onHead();
    else if (this.parts) void this.parts.scan().catch((e: unknown) => this.modules.logger.error('part index scan failed', { error: (e as Error).message }));
    const pruner = this.pruner;
    if (pruner) {
      const height = chain.head().header.height;
      this.pruning = this.pruning.then(() => pruner.prune(height)).then(
        (n) => void (n > 0 && this.modules.logger.debug('pruned part bodies', { blocks: n, head: height })),
        (e: unknown) => this.modules.logger.error('pruning part bodies failed', { error: (e as Error).message }),
      );
    }
  }

  async stop(): Promise<void> {
    if (this.headTimer) clearInterval(this.headTimer);
    this.validator?.stop();
    await this.validator?.idle().catch(() => {});
    await this.validatorBackend?.close();
    await this.mining?.stop();
    await this.leaves?.flushed();
    await this.network?.stop();
    await this.http?.stop();
    await this.rpc?.stop();
    await this.journal?.save().catch((e: unknown) => this.modules.logger.error('mempool journal not saved', { error: (e as Error).message }));
    await this.tracker?.close();
    await this.pruning;
    await this.chain?.close();
    await this.db?.close();
    this.modules.logger.info('stopped');
  }
}

/** Per-step data the network serves for this node's miner: lane leaves from the db, W from the worker. */
function stepDataSource(mining: MiningService, leaves: LaneLeafStore, miner: Uint8Array, fault?: FaultSpec): StepDataSource {
  // a miner run with --fault withheld (tests only) serves neither its leaves nor its weights
  if (withholds(fault)) return { miner, leaves: async () => undefined, weights: async () => undefined };
  return { miner, leaves: (round, laneStart, laneCount) => leaves.range(round, laneStart, laneCount), weights: (round, lane, step) => mining.getStepData(round, lane, step) };
}
