// The node's network: libp2p 2 over TCP with noise and yamux, identify, gossipsub with per-topic
// scoring and size/decode limits (scoring.ts), validators per topic (gossip.ts -> verdict.ts),
// request/response with per-peer rate limits (reqresp.ts), sync and the orphan pool (sync.ts,
// orphans.ts), peer scores and persistent bans (peers.ts), a stable peer id per datadir
// (peer-key.ts). Peers come from --bootnodes (redialled while not connected); max peers is
// libp2p's connection limit; banned peers are refused by the connection gater both ways.
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub, type GossipSub } from '@chainsafe/libp2p-gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { TopicValidatorResult, type Message, type PeerId } from '@libp2p/interface';
import { bytesEqual, to0x } from '../../consensus/bytes.ts';
import { sha256 } from '../../consensus/hash.ts';
import type { TrainingTask } from '../../consensus/training/spec.ts';
import { taskAt } from '../../vm/governance/params.ts';
import { encodeBlock, encodeTx } from '../../consensus/encoding/index.ts';
import type { Seal } from '../../consensus/seal.ts';
import type { Block, Tx } from '../../consensus/types.ts';
import type { Chain, ImportResult } from '../chain/chain.ts';
import type { ChainDb } from '../db/db.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { ContributionPool } from '../mempool/contributions.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { NetworkError, NetworkErrorCode } from './errors.ts';
import { GossipValidators } from './gossip.ts';
import { MAX_BLOCKS, MAX_HEADERS, type Request, type StatusMsg, decodeStatus } from './messages.ts';
import { OrphanPool } from './orphans.ts';
import { loadOrCreatePeerKey } from './peer-key.ts';
import { PeerManager } from './peers.ts';
import { ReqResp, type ProtocolName, type StepDataSource } from './reqresp.ts';
import { checkStepData, StepDataError, StepDataErrorCode, stepDataRequest, type CheckedStepData, type StepDataQuery } from './step-data.ts';
import { DECODE_RPC_LIMITS, SCORE_THRESHOLDS, scoreParams, topicMaxBytes } from './scoring.ts';
import { Sync } from './sync.ts';
import { topicKind, topicsFor, TOPIC_KINDS, type TopicKind, type Topics } from './topics.ts';
import { gossipVerdict, type GossipAction } from './verdict.ts';

const LIBP2P_VERDICT: Readonly<Record<GossipAction, TopicValidatorResult>> = {
  accept: TopicValidatorResult.Accept,
  ignore: TopicValidatorResult.Ignore,
  reject: TopicValidatorResult.Reject,
};

export interface NetworkOpts {
  datadir: string;
  /** Listen address (port 0: the OS picks one). */
  listen: { host: string; port: number };
  /** Multiaddrs with /p2p/<peer id> to connect to and keep connected. */
  bootnodes?: readonly string[];
  /** Most connections (default 32). */
  maxPeers?: number;
  /** How long a ban lasts, seconds (default 3600). */
  banSeconds?: number;
  /** Requests per second per peer and protocol (default 10, burst 20). */
  ratePerSecond?: number;
}

export interface NetworkModules {
  chain: Chain;
  mempool: Mempool;
  contributions: ContributionPool;
  db: ChainDb;
  seal: Seal;
  logger: Logger;
  metrics?: Metrics;
  /** Per-step data this node serves (its miner's lanes); absent when not mining. */
  stepData?: StepDataSource;
  /** Checks and stores a gossiped attestation (node/validator/ingest.ts). */
  attestation?: (data: Uint8Array) => Promise<unknown>;
}

export interface PeerInfo {
  id: string;
  addresses: string[];
  height?: number;
  head?: string;
  totalWork?: string;
  score: number;
  gossipScore: number;
  offences: Record<string, number>;
}

export class Network {
  private node?: Libp2p<{ pubsub: GossipSub }>;
  private topics!: Topics;
  private readonly statuses = new Map<string, StatusMsg>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopped = false;
  peers!: PeerManager;
  sync!: Sync;
  private reqresp!: ReqResp;
  readonly orphans = new OrphanPool();
  private readonly counts = new Map<string, number>();
  private readonly bootnodes: string[] = [];
  private readonly lastAsk = new Map<string, number>();

  constructor(
    private readonly opts: NetworkOpts,
    private readonly modules: NetworkModules,
  ) {}

  get peerId(): string {
    return this.node?.peerId.toString() ?? '';
  }

  /** Our listen multiaddrs, with /p2p/<peer id>. */
  addresses(): string[] {
    return this.node?.getMultiaddrs().map(String) ?? [];
  }

  async start(): Promise<void> {
    const { chain, logger } = this.modules;
    const params = chain.params;
    const genesis = chain.genesisHash;
    this.topics = topicsFor(genesis);
    this.peers = new PeerManager(
      { ...(this.opts.banSeconds !== undefined ? { banSeconds: this.opts.banSeconds } : {}), ...(this.opts.ratePerSecond !== undefined ? { ratePerSecond: this.opts.ratePerSecond, rateBurst: 2 * this.opts.ratePerSecond } : {}) },
      { db: this.modules.db, logger, onBan: (id) => void this.hangUp(id) },
    );
    this.bootnodes.push(...(this.opts.bootnodes ?? []));
    await this.peers.load();
    const { key, created } = await loadOrCreatePeerKey(this.opts.datadir);
    const maxBytes = topicMaxBytes(params);
    const maxMessage = Math.max(...TOPIC_KINDS.map((k) => maxBytes[k]));
    const isBanned = (p: PeerId): boolean => this.peers.isBanned(p.toString());
    const node = await createLibp2p({
      privateKey: key as never,
      addresses: { listen: [`/ip4/${this.opts.listen.host}/tcp/${this.opts.listen.port}`] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionManager: { maxConnections: this.opts.maxPeers ?? 32, maxIncomingPendingConnections: 8 },
      connectionGater: {
        denyDialPeer: isBanned,
        denyInboundEncryptedConnection: isBanned,
        denyOutboundEncryptedConnection: isBanned,
        // loopback and private addresses are fine: devnets run on 127.0.0.1
        denyDialMultiaddr: () => false,
      },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          emitSelf: false,
          globalSignaturePolicy: 'StrictNoSign',
          msgIdFn: (m) => sha256(new TextEncoder().encode(m.topic), m.data).subarray(0, 20),
          fastMsgIdFn: undefined,
          allowedTopics: Object.values(this.topics),
          maxInboundDataLength: maxMessage + 64 * 1024,
          maxOutboundBufferSize: 4 * (maxMessage + 64 * 1024),
          decodeRpcLimits: DECODE_RPC_LIMITS,
          scoreParams: scoreParams(this.topics, (id) => this.peers.score(id) * 10),
          scoreThresholds: SCORE_THRESHOLDS,
          doPX: false,
        }) as never,
      },
    });
    this.node = node as unknown as Libp2p<{ pubsub: GossipSub }>;
    logger.info(created ? 'new peer id' : 'peer id', { peerId: node.peerId.toString() });

    this.reqresp = new ReqResp(
      { genesis, maxFrameBytes: params.maxBlockBytes + 1024 },
      {
        chain, peers: this.peers, logger,
        status: () => this.status(),
        onStatus: (p, s) => this.onStatus(p, s),
        ...(this.modules.stepData ? { stepData: this.modules.stepData } : {}),
      },
    );
    await this.reqresp.register(node);

    this.sync = new Sync({
      chain, seal: this.modules.seal, logger: logger.child('sync'), peers: this.peers, orphans: this.orphans,
      request: (p, name, req, max) => this.request(p, name, req, max),
      peerStatus: (p) => this.statuses.get(p),
      onImported: (h, r) => this.onImported(h, r),
      relay: (b) => void this.publishBlock(b),
    });
    const validators = new GossipValidators(params, {
      chain, mempool: this.modules.mempool, contributions: this.modules.contributions,
      onOrphan: (block, hash, bytes, from) => {
        if (this.orphans.add({ hash, block, bytes, from }) >= 0) this.sync.fetchAncestors(from, block.header.parent);
      },
      onImported: (h, r) => this.onImported(h, r),
      // a block relayed on its header, seal and roots whose state transition then fails: counted, the
      // sender not charged. Every honest node relays such a block as this one did, so the sender is as
      // likely an honest relayer as its miner: charging it let a miner's few bad blocks (each a real
      // ticket, spent on its parent) cut honest links (test/adversarial/relay-blame.test.ts).
      onImportFailed: (hash, height, e, from) => {
        const { action, code } = gossipVerdict(e);
        this.count('blocks', `${action}:${code}`);
        logger.warn('a relayed block failed its import', { hash: to0x(hash), height, code, peer: from });
      },
      ...(this.modules.attestation ? { attestation: this.modules.attestation } : {}),
    });

    const pubsub = this.node.services.pubsub;
    for (const kind of TOPIC_KINDS) {
      const topic = this.topics[kind];
      pubsub.topicValidators.set(topic, async (peer: PeerId, msg: Message) => {
        const from = peer.toString();
        try {
          await validators.validate(kind, msg.data, from);
          this.count(kind, 'accept');
          return TopicValidatorResult.Accept;
        } catch (e) {
          const { action, code } = gossipVerdict(e);
          this.count(kind, `${action}:${code}`);
          if (action === 'reject') {
            this.peers.penalize(from, 'rejectedGossip', code);
            logger.debug('gossip rejected', { topic: kind, peer: from, code, error: (e as Error).message });
          } else if (code === NetworkErrorCode.INTERNAL) logger.warn('gossip validation failed on our side', { topic: kind, error: (e as Error).message });
          return LIBP2P_VERDICT[action];
        }
      });
      pubsub.subscribe(topic);
    }

    this.modules.contributions.onAdded((c, from) => {
      if (from === undefined) void this.publish('contributions', c.bytes);
    });

    node.addEventListener('peer:connect', (e) => void this.onConnect(e.detail));
    node.addEventListener('peer:disconnect', (e) => {
      const id = e.detail.toString();
      this.statuses.delete(id);
      this.peers.disconnected(id);
      logger.debug('peer disconnected', { peer: id });
    });

    await this.dialBootnodes();
    this.timers.push(setInterval(() => void this.dialBootnodes(), 5000));
    this.timers.push(setInterval(() => void this.pollStatuses(), 3000));
    logger.info('P2P listening', { addresses: this.addresses(), bootnodes: this.opts.bootnodes?.length ?? 0, maxPeers: this.opts.maxPeers ?? 32 });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.sync?.idle().catch(() => {});
    await this.node?.stop();
  }

  // ---- publishing ---------------------------------------------------------------------------

  publishBlock(block: Block): Promise<void> {
    return this.publish('blocks', encodeBlock(block));
  }
  publishTx(tx: Tx): Promise<void> {
    return this.publish('txs', encodeTx(tx));
  }

  /** Gossips an attestation this node made (node/validator). */
  publishAttestation(bytes: Uint8Array): Promise<void> {
    return this.publish('attestations', bytes);
  }

  private async publish(kind: TopicKind, data: Uint8Array): Promise<void> {
    if (!this.node || this.stopped) return;
    try {
      await this.node.services.pubsub.publish(this.topics[kind], data);
    } catch (e) {
      this.modules.logger.debug('publish failed', { topic: kind, error: (e as Error).message });
    }
  }

  // ---- peers and status ----------------------------------------------------------------------

  status(): StatusMsg {
    const { chain } = this.modules;
    const h = chain.head();
    return { chainId: chain.params.chainId, genesis: chain.genesisHash, head: h.hash, height: h.header.height, totalWork: h.totalWork };
  }

  private onStatus(peer: string, s: StatusMsg): void {
    const { chain } = this.modules;
    if (s.chainId !== chain.params.chainId || !bytesEqual(s.genesis, chain.genesisHash)) {
      this.peers.penalize(peer, 'wrongGenesis', NetworkErrorCode.WRONG_GENESIS);
      return;
    }
    this.statuses.set(peer, s);
    if (s.totalWork > chain.head().totalWork && chain.totalWorkOf(s.head) === undefined) this.sync?.maybeSync(peer);
  }

  private async onConnect(peer: PeerId): Promise<void> {
    const id = peer.toString();
    if (this.peers.isBanned(id)) return this.hangUp(id);
    this.modules.logger.debug('peer connected', { peer: id });
    await this.exchangeStatus(id);
  }

  private async exchangeStatus(peer: string): Promise<void> {
    try {
      const [f] = await this.request(peer, 'status', this.status(), 1);
      if (!f) throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer, protocol: 'status', reason: 'empty' });
      let s: StatusMsg;
      try {
        s = decodeStatus(f);
      } catch (e) {
        throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer, protocol: 'status', cause: (e as NetworkError).code });
      }
      this.onStatus(peer, s);
    } catch (e) {
      const code = (e as NetworkError).code;
      if (code === NetworkErrorCode.BAD_RESPONSE) this.peers.penalize(peer, 'badResponse', code);
      this.modules.logger.debug('status exchange failed', { peer, error: (e as Error).message });
    }
  }

  private async pollStatuses(): Promise<void> {
    if (!this.node || this.stopped) return;
    for (const p of this.node.getPeers()) await this.exchangeStatus(p.toString());
  }

  private async dialBootnodes(): Promise<void> {
    if (!this.node || this.stopped) return;
    const connected = new Set(this.node.getPeers().map(String));
    for (const addr of this.bootnodes) {
      const ma = multiaddr(addr);
      const id = ma.getPeerId();
      if (id && (connected.has(id) || id === this.peerId || this.peers.isBanned(id))) continue;
      try {
        await this.node.dial(ma, { signal: AbortSignal.timeout(5000) });
      } catch (e) {
        this.modules.logger.debug('bootnode dial failed', { addr, error: (e as Error).message });
      }
    }
  }

  /**
   * Adds a peer to keep connected (as --bootnodes does) and dials it now. Throws a NetworkError
   * BAD_REQUEST for an address without /p2p/<peer id>, or for a banned peer.
   */
  async addPeer(addr: string): Promise<void> {
    let id: string | undefined;
    try {
      id = multiaddr(addr).getPeerId() ?? undefined;
    } catch (e) {
      throw new NetworkError(NetworkErrorCode.BAD_REQUEST, { reason: `not a multiaddr: ${(e as Error).message}` });
    }
    if (!id) throw new NetworkError(NetworkErrorCode.BAD_REQUEST, { reason: 'the address has no /p2p/<peer id>' });
    if (this.peers.isBanned(id)) throw new NetworkError(NetworkErrorCode.BAD_REQUEST, { peer: id, reason: 'banned' });
    if (!this.bootnodes.includes(addr)) this.bootnodes.push(addr);
    await this.dialBootnodes();
  }

  /**
   * Per-step training data of a landed part's lane, checked against the part's committed roots
   * (node/network/step-data.ts): lane's leaf proven under lanesRoot and W_{R,m,lane,s} hashing to
   * its step-s root. From `opts.peer`, else from the connected peers in turn until one serves it.
   * A peer whose answer fails the check is charged (badResponse); a peer that does not keep the
   * lane is not. Throws StepDataError (BAD_OPENING, WEIGHTS_MISMATCH, BAD_FRAME, NOT_SERVED,
   * WEIGHTS_NOT_SERVED from the one peer asked; NO_PEER when none served it) or NetworkError
   * (TIMEOUT, RATE_LIMITED, BAD_REQUEST) from the one peer asked.
   */
  async fetchStepData(q: StepDataQuery, opts: { peer?: string; weights?: boolean; task?: TrainingTask } = {}): Promise<CheckedStepData> {
    const genesisTask = this.modules.chain.params.training?.task;
    if (!genesisTask) throw new NetworkError(NetworkErrorCode.NO_TRAINING, { protocol: 'step-data' });
    // the part's task: the open round's unless the caller names it (governance may replace it at a round boundary)
    const task = opts.task ?? taskAt(this.modules.chain.state(), genesisTask);
    const req = stepDataRequest(q);
    const ask = async (peer: string): Promise<CheckedStepData> => {
      const frames = await this.request(peer, 'step-data', req, 2);
      try {
        return checkStepData(task, q, frames, peer, opts.weights ?? true);
      } catch (e) {
        const code = (e as StepDataError).code;
        if (code === StepDataErrorCode.BAD_OPENING || code === StepDataErrorCode.WEIGHTS_MISMATCH || code === StepDataErrorCode.BAD_FRAME) this.peers.penalize(peer, 'badResponse', code);
        throw e;
      }
    };
    if (opts.peer !== undefined) return ask(opts.peer);
    const tried: Record<string, string> = {};
    for (const p of this.node?.getPeers() ?? []) {
      const peer = p.toString();
      try {
        return await ask(peer);
      } catch (e) {
        tried[peer] = (e as { code?: string }).code ?? 'ERROR';
      }
    }
    throw new StepDataError(StepDataErrorCode.NO_PEER, { round: q.part.round, miner: to0x(q.part.miner), lane: q.lane, step: q.step, tried });
  }

  private async hangUp(peer: string): Promise<void> {
    try {
      await this.node?.hangUp(peerIdFromString(peer));
    } catch {
      /* already gone */
    }
  }

  private request(peer: string, name: ProtocolName, req: Request | StatusMsg, maxFrames: number): Promise<Uint8Array[]> {
    if (!this.node) return Promise.reject(new NetworkError(NetworkErrorCode.INTERNAL, { reason: 'not started' }));
    return this.reqresp.request(this.node, peerIdFromString(peer), name, req, Math.min(maxFrames, Math.max(MAX_HEADERS, MAX_BLOCKS)));
  }

  private onImported(hash: Uint8Array, _res: ImportResult): void {
    void this.sync.drainOrphans(hash);
  }

  private count(kind: TopicKind, what: string): void {
    const k = `${kind} ${what}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    this.modules.metrics?.inc(`net_gossip_${kind}_${what.split(':')[0]}`);
  }

  /** Gossip verdicts so far, "topic verdict:code" -> count. */
  verdicts(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort());
  }

  peerList(): PeerInfo[] {
    if (!this.node) return [];
    const pubsub = this.node.services.pubsub;
    return this.node.getPeers().map((p) => {
      const id = p.toString();
      const s = this.statuses.get(id);
      return {
        id,
        addresses: this.node!.getConnections(p).map((c) => c.remoteAddr.toString()),
        ...(s ? { height: s.height, head: to0x(s.head), totalWork: s.totalWork.toString() } : {}),
        score: Math.round(this.peers.score(id) * 100) / 100,
        gossipScore: Math.round(pubsub.getScore(id) * 100) / 100,
        offences: this.peers.offences(id),
      };
    });
  }
}
