// Gossip validators, one per topic, cheapest checks first. Each throws a typed error or returns;
// verdict.ts turns the throw into accept / ignore / reject in one place.
//   blocks:        size, decode (canonical, limits), already stored, unknown parent (-> orphan pool
//                  and ancestor fetch), stale, the header vs its parent (seal and signature) and the
//                  body vs its roots (Chain.precheckBlock), then accepted and relayed while the
//                  state transition runs in the import queue (as Lodestar relays a block on its
//                  proposer's signature); a block with a used ticket is imported before a verdict
//   txs:           size, decode, mempool admission (chain id, fee, signature, nonce, balance)
//   contributions: parts (v2): size, decode, round, base, signature, lane overlap, bond per lane,
//                  bound on D, openings (vm/round/parts.ts checkPart: the VM's own rule), then the pool
//   attestations:  size, decode, step range, known part, lane range, signature, duplicate and caps
//                  (node/validator/ingest.ts), then stored; a node without training ignores them
import { blockHash, decodeBlock, decodeBlockHeader, decodeLimits, decodeTx } from '../../consensus/encoding/index.ts';
import type { ChainParams } from '../../consensus/params.ts';
import { toHex } from '../../consensus/bytes.ts';
import type { Block } from '../../consensus/types.ts';
import { checkPart } from '../../vm/round/parts.ts';
import { readRound } from '../../vm/round/state.ts';
import type { Chain, ImportResult } from '../chain/chain.ts';
import { ChainError, ChainErrorCode } from '../chain/errors.ts';
import type { ContributionPool } from '../mempool/contributions.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { NetworkError, NetworkErrorCode } from './errors.ts';
import type { TopicKind } from './topics.ts';
import { topicMaxBytes } from './scoring.ts';
import { paramsAt } from '../../vm/governance/params.ts';

/** A block this far below the head is stale: not imported from gossip, not relayed. */
export const STALE_DEPTH = 64;

export interface GossipModules {
  chain: Chain;
  mempool: Mempool;
  contributions: ContributionPool;
  /** A block whose parent is unknown: keep it and fetch its ancestors from `from`. */
  onOrphan: (block: Block, hash: Uint8Array, bytes: number, from: string) => void;
  /** A block was imported (its orphaned children may follow). */
  onImported: (hash: Uint8Array, res: ImportResult) => void;
  /** A block relayed on its prechecks failed its import (its state transition): counted, not charged to the sender (it may be an honest relayer). */
  onImportFailed?: (hash: Uint8Array, height: number, e: unknown, from: string) => void;
  /** Checks and stores a gossiped attestation (node/validator/ingest.ts); absent on a chain without training. */
  attestation?: (data: Uint8Array) => Promise<unknown>;
}

export class GossipValidators {
  private readonly maxBytes: Readonly<Record<TopicKind, number>>;
  /** Blocks accepted for import and not yet stored, by hash hex: a child arriving meanwhile waits for its parent. */
  private readonly importing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly params: ChainParams,
    private readonly modules: GossipModules,
  ) {
    this.maxBytes = topicMaxBytes(params);
  }

  validate(kind: TopicKind, data: Uint8Array, from: string): Promise<void> | void {
    if (data.length > this.maxBytes[kind]) throw new NetworkError(NetworkErrorCode.TOO_LARGE, { topic: kind, limit: this.maxBytes[kind], got: data.length, peer: from });
    switch (kind) {
      case 'blocks':
        return this.block(data, from);
      case 'txs':
        return this.tx(data);
      case 'contributions':
        return this.contribution(data, from);
      case 'attestations':
        if (!this.modules.attestation) throw new NetworkError(NetworkErrorCode.UNSUPPORTED_TOPIC, { topic: kind });
        return this.modules.attestation(data).then(() => undefined);
    }
  }

  private async block(data: Uint8Array, from: string): Promise<void> {
    const { chain } = this.modules;
    // the header alone first (docs/hardening.md): the body is decoded by the chain after the header checks
    const limits = decodeLimits(this.params);
    const header = decodeBlockHeader(data, limits);
    const hash = blockHash(header);
    if (chain.totalWorkOf(hash) !== undefined || this.importing.has(toHex(hash))) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, { height: header.height });
    // blocks come faster than one import under load: a child must not be taken for an orphan (and
    // left unrelayed) while its parent is still in the import queue
    await this.importing.get(toHex(header.parent))?.catch(() => undefined);
    if (chain.totalWorkOf(header.parent) === undefined) {
      this.modules.onOrphan(decodeBlock(data, limits), hash, data.length, from);
      throw new NetworkError(NetworkErrorCode.ORPHAN, { height: header.height, peer: from });
    }
    if (header.height + STALE_DEPTH < chain.head().header.height)
      throw new NetworkError(NetworkErrorCode.STALE_BLOCK, { height: header.height, reason: `head is at ${chain.head().header.height}` });
    // header, seal and body roots now, outside the import queue: a block that passes is relayed at once,
    // each hop no longer waits for its state transition (and for the imports queued before it)
    const relayNow = chain.precheckBlock(data);
    const key = toHex(hash);
    // the import starts on the next turn of the event loop, so the relay's writes go out before the
    // state transition takes the thread
    const pending = relayNow ? new Promise<void>((r) => setImmediate(r)).then(() => chain.importBlock(data)) : chain.importBlock(data);
    this.importing.set(key, pending);
    const imported = pending.then(
      (res) => this.modules.onImported(hash, res),
      (e: unknown) => {
        if (relayNow) this.modules.onImportFailed?.(hash, header.height, e, from);
        throw e;
      },
    ).finally(() => this.importing.delete(key));
    if (!relayNow) return imported;
    imported.catch(() => undefined);
  }

  private tx(data: Uint8Array): void {
    const tx = decodeTx(data); // the cap of the tx's type (the topic's is the largest type's)
    this.modules.mempool.add(tx, this.modules.chain.state());
  }

  private contribution(data: Uint8Array, from: string): void {
    if (!this.params.training) throw new NetworkError(NetworkErrorCode.NO_TRAINING, { topic: 'contributions' });
    const { chain, contributions } = this.modules;
    const state = chain.state();
    const round = readRound(state)!;
    const height = chain.head().header.height + 1;
    // checked as the next block will check it: the task governance put in effect (at a round boundary)
    const t = paramsAt(state, this.params, height).training!;
    const { part: c } = checkPart(state, data, t, round, { height, index: 0, chainId: this.params.chainId });
    const res = contributions.add({ round: c.round, miner: c.miner, laneStart: c.laneStart, laneCount: c.laneCount, bytes: data }, from);
    if (res === 'duplicate') throw new NetworkError(NetworkErrorCode.CONTRIBUTION_KNOWN, { topic: 'contributions' });
    if (res === 'full') throw new NetworkError(NetworkErrorCode.CONTRIBUTION_POOL_FULL, { topic: 'contributions' });
  }
}
