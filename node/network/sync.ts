// Sync: a node behind a peer (less cumulative work than the peer's status) catches up
// headers-first, and blocks with unknown parents fetch their ancestors through the orphan pool.
//
// Range sync from one peer, one at a time:
//   1. common ancestor: the peer's canonical header at our height, then 1, 3, 7, ... lower, until
//      one is stored here (genesis always is: a peer of another genesis never gets this far);
//   2. headers in batches of up to MAX_HEADERS from the ancestor: each must extend the previous one
//      (height and parent hash) and carry a seal that verifies against it (the ticket's tile is
//      recomputed): a peer cannot make us fetch bodies for headers that cost it nothing;
//   3. bodies of those headers by range, MAX_BLOCKS at a time: each must hash to its header, then
//      goes through the chain's import (full validation, reorg when heavier).
// A progress line (height, target, blocks/s, ETA) is logged every 2 s while syncing.
// A seal, header or block that fails validation charges the peer (peers.ts) and ends the sync;
// a response that no longer links (the peer reorganised meanwhile) ends it without charge.
import { bytesEqual, toHex } from '../../consensus/bytes.ts';
import { blockHash, decodeBlock, decodeHeader, decodeLimits } from '../../consensus/encoding/index.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import type { Seal } from '../../consensus/seal.ts';
import type { Block, BlockHeader } from '../../consensus/types.ts';
import type { Chain, ImportResult } from '../chain/chain.ts';
import { ChainErrorCode } from '../chain/errors.ts';
import type { Logger } from '../log/logger.ts';
import { NetworkError, NetworkErrorCode } from './errors.ts';
import { MAX_BLOCKS, MAX_HEADERS, NetTag, type Request, type StatusMsg } from './messages.ts';
import type { OrphanPool } from './orphans.ts';
import type { PeerManager } from './peers.ts';
import type { ProtocolName } from './reqresp.ts';
import { GOSSIP_ACTION, type GossipErrorCode } from './verdict.ts';

/** Most ancestors fetched one by one for an orphan before falling back to range sync. */
const MAX_ANCESTOR_DEPTH = 16;

export interface SyncModules {
  chain: Chain;
  seal: Seal;
  logger: Logger;
  peers: PeerManager;
  orphans: OrphanPool;
  request: (peer: string, name: ProtocolName, req: Request, maxFrames: number) => Promise<Uint8Array[]>;
  peerStatus: (peer: string) => StatusMsg | undefined;
  /** Every block this module imported ('orphan': a gossiped block whose ancestors arrived; 'sync': range or ancestor sync). */
  onImported?: (hash: Uint8Array, res: ImportResult, how: 'orphan' | 'sync') => void;
  /** A gossiped orphan imported once its parent arrived: relay it (gossipsub could not). */
  relay?: (block: Block, res: ImportResult) => void;
}

export interface SyncProgress {
  syncing: boolean;
  peer?: string;
  target?: number;
  imported: number;
}

export class Sync {
  private running?: Promise<void>;
  private readonly fetching = new Set<string>();
  readonly progress: SyncProgress = { syncing: false, imported: 0 };

  constructor(private readonly modules: SyncModules) {}

  /** Starts a range sync from `peer` if it has more work than our head and none runs. */
  maybeSync(peer: string): void {
    if (this.running) return;
    const s = this.modules.peerStatus(peer);
    if (!s || s.totalWork <= this.modules.chain.head().totalWork) return;
    this.running = this.syncFrom(peer, s)
      .catch((e: unknown) => this.blame(peer, e, 'sync'))
      .finally(() => {
        this.running = undefined;
        this.progress.syncing = false;
      });
  }

  /** Resolves when the current range sync (if any) ends. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async syncFrom(peer: string, s: StatusMsg): Promise<void> {
    const { chain, logger } = this.modules;
    const limits = decodeLimits(chain.params);
    const started = performance.now();
    let lastLine = started;
    const startHeight = chain.head().header.height;
    Object.assign(this.progress, { syncing: true, peer, target: s.height });
    logger.info('sync started', { peer, height: startHeight, target: s.height });

    // 1. common ancestor
    let h = Math.min(startHeight, s.height);
    let step = 1;
    let prev: BlockHeader | undefined;
    for (;;) {
      const [f] = await this.modules.request(peer, 'headers', { type: NetTag.HeadersByRange, start: h, count: 1 }, 1);
      if (!f) return; // the peer's chain is shorter than it said (reorg): try later
      const hdr = decodeHeader(f, limits);
      if (hdr.height !== h) throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer, reason: `header at ${hdr.height}, asked ${h}` });
      if (chain.totalWorkOf(blockHash(hdr)) !== undefined) {
        prev = hdr;
        break;
      }
      if (h === 0) throw new NetworkError(NetworkErrorCode.WRONG_GENESIS, { peer });
      h = Math.max(0, h - step);
      step *= 2;
    }

    // 2 + 3. headers, then their bodies
    let imported = 0;
    while (prev.height < s.height) {
      const count = Math.min(MAX_HEADERS, s.height - prev.height);
      const frames = await this.modules.request(peer, 'headers', { type: NetTag.HeadersByRange, start: prev.height + 1, count }, count);
      if (frames.length === 0) break;
      const headers: { header: BlockHeader; hash: Uint8Array }[] = [];
      for (const f of frames) {
        const header = decodeHeader(f, limits);
        if (header.height !== prev.height + 1 || !bytesEqual(header.parent, blockHash(prev))) return; // no longer links: the peer reorganised
        this.modules.seal.verify(header, prev);
        headers.push({ header, hash: blockHash(header) });
        prev = header;
      }
      // bodies MAX_BLOCKS at a time, the next batch requested while this one imports
      const fetchBatch = (i: number): Promise<Uint8Array[]> | undefined => {
        const want = headers.slice(i, i + MAX_BLOCKS);
        if (want.length === 0) return undefined;
        const p = this.modules.request(peer, 'blocks-range', { type: NetTag.BlocksByRange, start: want[0]!.header.height, count: want.length }, want.length);
        p.catch(() => undefined); // awaited below; an unawaited prefetch must not go unhandled
        return p;
      };
      let next = fetchBatch(0);
      for (let i = 0; i < headers.length; i += MAX_BLOCKS) {
        const want = headers.slice(i, i + MAX_BLOCKS);
        const blocks = await next!;
        next = fetchBatch(i + MAX_BLOCKS);
        if (blocks.length === 0) return;
        for (let j = 0; j < blocks.length; j++) {
          const block = decodeBlock(blocks[j]!, limits);
          if (!bytesEqual(blockHash(block.header), want[j]!.hash)) return; // reorganised between the two requests
          if (await this.importOne(block, want[j]!.hash)) imported++;
          this.progress.imported++;
          const now = performance.now();
          if (now - lastLine >= 2000) {
            lastLine = now;
            const rate = imported / ((now - started) / 1000);
            const height = chain.head().header.height;
            logger.info('syncing', { height, target: s.height, blocksPerSecond: Number(rate.toFixed(1)), eta: rate > 0 ? `${Math.ceil((s.height - height) / rate)}s` : '-' });
          }
        }
      }
    }
    const secs = (performance.now() - started) / 1000;
    logger.info('sync done', { peer, height: chain.head().header.height, imported, seconds: Number(secs.toFixed(1)) });
  }

  /** Imports a block; true when it was new. ALREADY_KNOWN is no error here. */
  private async importOne(block: Block, hash: Uint8Array, how: 'orphan' | 'sync' = 'sync'): Promise<boolean> {
    try {
      const res = await this.modules.chain.importBlock(block);
      this.modules.onImported?.(hash, res, how);
      if (how === 'orphan' && res.status !== 'side') this.modules.relay?.(block, res);
      return true;
    } catch (e) {
      if (isTesseraError(e) && e.code === ChainErrorCode.ALREADY_KNOWN) return false;
      throw e;
    }
  }

  /**
   * A gossiped block's parent is unknown: fetch its ancestors from `peer` by hash, one at a time
   * (each kept in the orphan pool until its own parent is stored), up to MAX_ANCESTOR_DEPTH; deeper
   * than that, a range sync from the peer takes over.
   */
  fetchAncestors(peer: string, parent: Uint8Array): void {
    const key = toHex(parent);
    if (this.fetching.has(key) || this.fetching.size >= 8) return;
    this.fetching.add(key);
    void this.doFetchAncestors(peer, parent)
      .catch((e: unknown) => this.blame(peer, e, 'ancestors'))
      .finally(() => this.fetching.delete(key));
  }

  private async doFetchAncestors(peer: string, parent: Uint8Array): Promise<void> {
    const { chain, orphans } = this.modules;
    const limits = decodeLimits(chain.params);
    let want = parent;
    for (let depth = 0; depth < MAX_ANCESTOR_DEPTH; depth++) {
      if (chain.totalWorkOf(want) !== undefined) return this.drainOrphans(want);
      const [f] = await this.modules.request(peer, 'blocks-hash', { type: NetTag.BlocksByHash, hashes: [want] }, 1);
      if (!f) return;
      const block = decodeBlock(f, limits);
      const hash = blockHash(block.header);
      if (!bytesEqual(hash, want)) throw new NetworkError(NetworkErrorCode.BAD_RESPONSE, { peer, reason: 'block does not have the hash asked for' });
      if (chain.totalWorkOf(block.header.parent) !== undefined) {
        await this.importOne(block, hash);
        return this.drainOrphans(hash);
      }
      orphans.add({ hash, block, bytes: f.length, from: peer });
      want = block.header.parent;
    }
    this.maybeSync(peer);
  }

  /** Imports the orphans waiting for `parent`, then theirs, and so on. */
  async drainOrphans(parent: Uint8Array): Promise<void> {
    const queue = [parent];
    while (queue.length) {
      for (const o of this.modules.orphans.takeChildren(queue.shift()!)) {
        try {
          await this.importOne(o.block, o.hash, 'orphan');
          queue.push(o.hash);
        } catch (e) {
          this.blame(o.from, e, 'orphan');
        }
      }
    }
  }

  /** Charges the peer when the failure is its doing (a reject verdict), else logs it. */
  private blame(peer: string, e: unknown, what: string): void {
    const code = isTesseraError(e) ? (e.code as GossipErrorCode) : undefined;
    const action = code && Object.hasOwn(GOSSIP_ACTION, code) ? GOSSIP_ACTION[code] : 'ignore';
    if (action === 'reject') this.modules.peers.penalize(peer, code === NetworkErrorCode.WRONG_GENESIS ? 'wrongGenesis' : 'badResponse', code!);
    this.modules.logger[action === 'reject' ? 'warn' : 'debug'](`${what} from a peer failed`, { peer, error: (e as Error).message });
  }
}
