// The chain: stores blocks, keeps the head state, imports blocks one at a time through a serial
// queue, and reorganises to a heavier branch.
//
// Import of one block, cheapest checks first; the body is not decoded or hashed before its header
// has passed (docs/hardening.md):
//   0. at the door: size <= maxBlockBytes (BlockError TOO_LARGE), queue bounded in count and bytes
//      (ChainError QUEUE_FULL)
//   1. the header alone, decoded without the body (canonical; CodecError)
//   2. lookups: stored? (ALREADY_KNOWN), remembered failure by hash (KNOWN_INVALID), parent stored?
//      (UNKNOWN_PARENT / INVALID_ANCESTOR), (parent, ticket) already used by another block
//      (DUPLICATE_TICKET once its signature holds, else BAD_HEADER_SIGNATURE; a second header signed
//      by the same miner is kept as equivocation evidence), (parent, ticket) remembered as a bad seal
//      (KNOWN_INVALID)
//   3. header vs parent (BlockError: height, time, ASERT target, miner's signature, seal)
//   4. body: decode, caps, duplicates, roots against the header (CodecError / BlockError)
//   5. state transition on the parent's post-state (applyBlock: TxError / BlockError)
// Failures of steps 3 and 5 are remembered in bounded caches (by block hash; a seal failure also by
// (parent, ticket)), so a resent invalid block costs a lookup. Step 4 failures are not: the body may
// be a forgery attached to someone else's valid header, and remembering it would censor the real
// block. After step 4 the block is exactly what its miner signed: its (parent, ticket) is used, and
// no other block with that ticket on that parent is accepted (one ticket seals one block).
// A block on the head is applied at once. A block on a side branch is stored after steps 1-4;
// if its branch has more cumulative work than the head, the chain rolls the head state back to
// the common ancestor with the stored undo diffs and applies the branch; a block of the branch
// that fails is dropped with its descendants, and the head moves only if the valid part of the
// branch still has more work. Every head change is ONE atomic db batch (blocks, state, undo
// diffs, canonical index, tx index, head), so a crash at any point leaves a state equal to a
// replay of the stored canonical chain. Txs of abandoned blocks go back to the mempool.
import { bytesEqual, toHex, to0x } from '../../consensus/bytes.ts';
import { blockHash, decodeBlock, decodeBlockHeader, decodeHeader, decodeLimits, encodeBlock, encodeHeader, headerSigningHash, txHash } from '../../consensus/encoding/index.ts';
import { verifyHeaderSignature } from '../../consensus/crypto/header-signature.ts';
import { BlockError, BlockErrorCode, TesseraError } from '../../consensus/errors.ts';
import { sha256 } from '../../consensus/hash.ts';
import { blockWork, expectedTarget, type AsertAnchor } from '../../consensus/difficulty.ts';
import { isBetterChain } from '../../consensus/fork-choice.ts';
import { validateBlockBody, validateHeader } from '../../consensus/validation/index.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { Seal } from '../../consensus/seal.ts';
import type { Block, BlockHeader, Tx } from '../../consensus/types.ts';
import { applyBlock, decodeStateDiff, encodeStateDiff, State, type StateDiff } from '../../vm/index.ts';
import type { ChainDb, DbBatch } from '../db/db.ts';
import { Bucket, key } from '../db/buckets.ts';
import { SCHEMA_VERSION } from '../db/db.ts';
import { encode } from '../../consensus/codec.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { Mempool } from '../mempool/mempool.ts';
import { BoundedCache } from './bounded-cache.ts';
import { BlockTree, type TreeNode } from './block-tree.ts';
import { ChainError, ChainErrorCode } from './errors.ts';
import { QueueFullError, SerialQueue } from './queue.ts';

export interface GenesisInput {
  readonly block: Block;
  readonly hash: Uint8Array;
  readonly state: State;
  readonly anchor: AsertAnchor;
}

export interface ChainOpts {
  params: ChainParams;
  genesis: GenesisInput;
  /** Unix seconds; the one wall-clock input (the future-time rule). Default: the system clock. */
  now?: () => number;
  /** Most blocks waiting in the import queue (default 1024). */
  maxQueuedImports?: number;
  /** Most bytes of encoded blocks waiting in the import queue (default max(64 MiB, 2 x maxBlockBytes)). */
  maxQueuedBytes?: number;
  /** Most remembered failures, per cache (by block hash; by (parent, ticket)); default 4096. */
  maxRememberedFailures?: number;
}

/** Two headers on one parent with one ticket, both signed by the ticket's miner. */
export interface EquivocationEvidence {
  readonly first: BlockHeader;
  readonly second: BlockHeader;
}

export interface ChainModules {
  db: ChainDb;
  logger: Logger;
  seal: Seal;
  mempool?: Mempool;
  metrics?: Metrics;
}

export interface HeadInfo {
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  readonly totalWork: bigint;
}

export type ImportStatus = 'head' | 'side' | 'reorg';
export interface ImportResult {
  readonly hash: Uint8Array;
  readonly height: number;
  readonly status: ImportStatus;
  /** For 'reorg': how many canonical blocks were abandoned. */
  readonly undone?: number;
}

export interface TxLocation {
  readonly tx: Tx;
  readonly blockHash: Uint8Array;
  readonly height: number;
  readonly index: number;
}

export class Chain {
  private readonly tree = new BlockTree();
  private readonly queue: SerialQueue;
  /** block hash hex -> the code it failed with. */
  private readonly invalid: BoundedCache<string>;
  /** (parent, ticket) key -> the code its seal failed with. */
  private readonly badSeals: BoundedCache<string>;
  /** (parent, ticket) key -> hash hex of the one block that used it (one per stored block). */
  private readonly tickets = new Map<string, string>();
  /**
   * Blocks precheckBlock passed (header against its parent, body against its roots), decoded, by hash
   * hex (the hash covers the header, the header the body's roots): their import takes them from here
   * and checks neither again. Bounded in count and in encoded bytes.
   */
  private readonly prechecked = new BoundedCache<{ block: Block; bytes: number }>(64, (e) => e.bytes, 64 << 20);
  private readonly evidence: BoundedCache<EquivocationEvidence>;
  private headNode!: TreeNode;
  private headState!: State;
  private closed = false;
  private readonly now: () => number;

  private constructor(
    private readonly opts: ChainOpts,
    private readonly modules: ChainModules,
  ) {
    this.queue = new SerialQueue(opts.maxQueuedImports ?? 1024, opts.maxQueuedBytes ?? Math.max(64 << 20, 2 * opts.params.maxBlockBytes));
    const remembered = opts.maxRememberedFailures ?? 4096;
    this.invalid = new BoundedCache(remembered);
    this.badSeals = new BoundedCache(remembered);
    // evidence holds two headers (their seals: tickets of tens of kB) per entry: bounded in bytes too
    this.evidence = new BoundedCache(256, (e) => e.first.seal.length + e.second.seal.length + 1024, 16 << 20);
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Opens the chain on an open db: writes genesis on first use, else loads and checks the stored head. */
  static async open(opts: ChainOpts, modules: ChainModules): Promise<Chain> {
    const c = new Chain(opts, modules);
    await c.load();
    return c;
  }

  get params(): ChainParams {
    return this.opts.params;
  }
  get genesisHash(): Uint8Array {
    return this.opts.genesis.hash;
  }

  head(): HeadInfo {
    return { hash: this.headNode.hash, header: this.headNode.header, totalWork: this.headNode.totalWork };
  }

  /** The target a child of the head must carry (ASERT anchored at block 1 of the head's branch). */
  nextTarget(): bigint {
    return expectedTarget(this.headNode.header, this.tree.block1Time(this.headNode), this.opts.params);
  }

  /** Times of the last `medianTimeSpan` blocks ending with the head, oldest first (for a child's time). */
  headAncestorTimes(): number[] {
    return this.tree.ancestorTimes(this.headNode, this.opts.params.medianTimeSpan);
  }

  /** The head state (immutable snapshot). */
  state(): State {
    return this.headState;
  }

  /** Blocks waiting in the import queue (including the one being imported). */
  get queuedImports(): number {
    return this.queue.length;
  }

  /**
   * Imports a block (encoded bytes or a decoded Block). Serialised: one import at a time.
   * `opts.own`: the node's miner made it and logs it itself (the import line goes to debug).
   */
  importBlock(input: Uint8Array | Block, opts: { own?: boolean } = {}): Promise<ImportResult> {
    if (this.closed) return Promise.reject(new ChainError(ChainErrorCode.CLOSED, {}));
    let bytes: Uint8Array;
    try {
      bytes = input instanceof Uint8Array ? input : encodeBlock(input);
    } catch (e) {
      return Promise.reject(e);
    }
    const max = this.params.maxBlockBytes;
    if (bytes.length > max) return Promise.reject(new BlockError(BlockErrorCode.TOO_LARGE, { expected: max, got: bytes.length }));
    return this.queue.push(() => this.doImport(input, bytes, opts.own === true), bytes.length).catch((e: unknown) => {
      if (e instanceof QueueFullError) throw new ChainError(ChainErrorCode.QUEUE_FULL, { limit: e.limit, unit: e.unit });
      throw e;
    });
  }

  /**
   * The checks a block passes before its state transition, outside the import queue: not known or
   * known bad, parent stored, ticket not used by another block on that parent, the header against its
   * parent (seal and signature included), the body against the header's roots. True: the block may be
   * relayed before it is imported (its import still runs every check but the header's, remembered
   * here). False: it needs the full import first (a used ticket: equivocation or a duplicate). Throws
   * the typed error of a failed check, and remembers a failure that will not heal.
   */
  precheckBlock(bytes: Uint8Array): boolean {
    const p = this.params;
    const limits = decodeLimits(p);
    const header = decodeBlockHeader(bytes, limits);
    const { hash, hashHex } = this.notKnown(header);
    const parent = this.tree.get(header.parent);
    if (!parent) throw new ChainError(ChainErrorCode.UNKNOWN_PARENT, { hash: to0x(hash), parent: to0x(header.parent), height: header.height });
    const tk = ticketKey(header);
    const first = this.tickets.get(tk);
    if (first !== undefined && first !== hashHex) return false;
    const sealBad = this.badSeals.get(tk);
    if (sealBad !== undefined) throw new ChainError(ChainErrorCode.KNOWN_INVALID, { hash: to0x(hash), cause: sealBad, reason: 'ticket already found invalid on this parent' });
    if (this.prechecked.has(hashHex)) return true;
    this.checkHeader(header, parent, hashHex, tk);
    const block = decodeBlock(bytes, limits);
    validateBlockBody(block, p, bytes.length);
    this.prechecked.set(hashHex, { block, bytes: bytes.length });
    return true;
  }

  /** Blocks' bytes waiting in the import queue (including the one being imported). */
  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** How many failures are remembered (by block hash, by (parent, ticket)); each cache is bounded. */
  rememberedFailures(): { byHash: number; bySeal: number; limit: number } {
    return { byHash: this.invalid.size, bySeal: this.badSeals.size, limit: this.invalid.maxEntries };
  }

  /** Pairs of signed headers with one ticket on one parent seen on import (bounded, newest kept). */
  equivocations(): EquivocationEvidence[] {
    return this.evidence.values();
  }

  /** Waits for queued imports, then refuses new ones. The db is the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.drain();
  }

  // ---- reads -------------------------------------------------------------------------------

  async getBlock(hash: Uint8Array): Promise<Block | undefined> {
    const b = await this.modules.db.getBlock(hash);
    return b && decodeBlock(b, decodeLimits(this.params));
  }

  /** A stored block's encoded bytes (canonical or side), as the network serves them. */
  getBlockBytes(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.modules.db.getBlock(hash);
  }

  async getCanonicalHash(height: number): Promise<Uint8Array | undefined> {
    if (!Number.isSafeInteger(height) || height < 0 || height > this.headNode.header.height) return undefined;
    return this.modules.db.getCanonical(height);
  }

  async getBlockByHeight(height: number): Promise<{ hash: Uint8Array; block: Block } | undefined> {
    const hash = await this.getCanonicalHash(height);
    if (!hash) return undefined;
    const block = await this.getBlock(hash);
    return block && { hash, block };
  }

  /** Is `hash` on the canonical chain? */
  async isCanonical(hash: Uint8Array): Promise<boolean> {
    const n = this.tree.get(hash);
    if (!n) return false;
    const c = await this.modules.db.getCanonical(n.header.height);
    return !!c && bytesEqual(c, hash);
  }

  totalWorkOf(hash: Uint8Array): bigint | undefined {
    return this.tree.get(hash)?.totalWork;
  }

  /** A tx of the canonical chain by hash. */
  async getTx(hash: Uint8Array): Promise<TxLocation | undefined> {
    const loc = await this.modules.db.getTxIndex(hash);
    if (!loc) return undefined;
    const block = await this.getBlock(loc.blockHash);
    const tx = block?.txs[loc.index];
    if (!block || !tx) return undefined;
    return { tx, blockHash: loc.blockHash, height: block.header.height, index: loc.index };
  }

  // ---- start -------------------------------------------------------------------------------

  private async load(): Promise<void> {
    const { db, logger } = this.modules;
    const g = this.opts.genesis;
    const stored = await db.getMeta('genesis');
    if (!stored) {
      if (await db.getHead()) throw new ChainError(ChainErrorCode.CORRUPT_DB, { reason: 'head without genesis record' });
      const b = db.batch();
      const work = blockWork(g.block.header.target);
      b.putBlock(g.hash, encodeBlock(g.block)).putBlockIndex(g.hash, { header: encodeHeader(g.block.header), totalWork: work }).putCanonical(0, g.hash);
      for (const [k, v] of g.state.entries()) b.putState(k, v);
      b.putHead(g.hash).putMeta('schema', encode(SCHEMA_VERSION)).putMeta('genesis', g.hash);
      await db.write(b);
      logger.info('new datadir: wrote genesis', { genesis: to0x(g.hash) });
    } else if (!bytesEqual(stored, g.hash)) {
      throw new ChainError(ChainErrorCode.WRONG_GENESIS, { expected: to0x(g.hash), found: to0x(stored) });
    }
    const schema = await db.getMeta('schema');
    if (!schema || !bytesEqual(schema, encode(SCHEMA_VERSION)))
      throw new ChainError(ChainErrorCode.CORRUPT_DB, { reason: `unknown schema version (this node writes ${SCHEMA_VERSION})` });

    for await (const [hash, e] of db.blockIndexEntries()) {
      const header = decodeHeader(e.header, decodeLimits(this.params));
      this.tree.add(hash, header, e.totalWork);
      if (header.height > 0) this.tickets.set(ticketKey(header), toHex(hash));
    }
    const headHash = await db.getHead();
    const head = headHash && this.tree.get(headHash);
    if (!head) throw new ChainError(ChainErrorCode.CORRUPT_DB, { reason: 'head block not in the block index' });
    const entries: [Uint8Array, Uint8Array][] = [];
    for await (const e of db.stateEntries()) entries.push(e);
    const state = State.fromEntries(entries);
    if (!bytesEqual(state.root(), head.header.stateRoot))
      throw new ChainError(ChainErrorCode.CORRUPT_DB, { reason: 'stored state root differs from the head header', hash: to0x(head.hash) });
    this.headNode = head;
    this.headState = state;
    this.setHeadMetrics();
    logger.info('chain loaded', { head: to0x(head.hash), height: head.header.height, blocks: this.tree.size, stateEntries: state.size });
  }

  // ---- import ------------------------------------------------------------------------------

  private async doImport(input: Uint8Array | Block, bytes: Uint8Array, own = false): Promise<ImportResult> {
    const started = performance.now();
    const p = this.params;
    const limits = decodeLimits(p);
    // 1. the header alone
    const header = input instanceof Uint8Array ? decodeBlockHeader(input, limits) : input.header;
    // 2. lookups
    const { hash, hashHex } = this.notKnown(header);
    const parent = this.tree.get(header.parent);
    if (!parent) {
      if (this.invalid.has(toHex(header.parent))) {
        this.invalid.set(hashHex, ChainErrorCode.INVALID_ANCESTOR);
        throw new ChainError(ChainErrorCode.INVALID_ANCESTOR, { hash: to0x(hash), parent: to0x(header.parent) });
      }
      throw new ChainError(ChainErrorCode.UNKNOWN_PARENT, { hash: to0x(hash), parent: to0x(header.parent), height: header.height });
    }
    const tk = ticketKey(header);
    const first = this.tickets.get(tk);
    if (first !== undefined && first !== hashHex) {
      // one recovery: a header not signed by its miner is a forgery (reject), not a duplicate (ignore)
      try {
        verifyHeaderSignature(header);
      } catch (e) {
        this.rememberHeaderFailure(e, hashHex, tk);
        throw e;
      }
      const equivocation = this.noteEquivocation(header, first, tk);
      this.invalid.set(hashHex, ChainErrorCode.DUPLICATE_TICKET);
      throw new ChainError(ChainErrorCode.DUPLICATE_TICKET, { hash: to0x(hash), parent: to0x(header.parent), expected: '0x' + first, ...(equivocation ? { reason: 'equivocation' } : {}) });
    }
    const sealBad = this.badSeals.get(tk);
    if (sealBad !== undefined) throw new ChainError(ChainErrorCode.KNOWN_INVALID, { hash: to0x(hash), cause: sealBad, reason: 'ticket already found invalid on this parent' });
    // 3. header vs parent
    const verifyStarted = performance.now();
    // passed precheckBlock already (the same header on the same parent, the same body): checked once
    const pre = this.prechecked.take(hashHex);
    if (!pre) this.checkHeader(header, parent, hashHex, tk);
    this.modules.metrics?.observe?.('chain_block_verify_seconds', (performance.now() - verifyStarted) / 1000);
    // 4. body: only now decoded and hashed
    const block = pre?.block ?? (input instanceof Uint8Array ? decodeBlock(input, limits) : input);
    if (!pre) validateBlockBody(block, p, bytes.length);
    // the block is what its miner signed: its ticket is used on this parent, whatever follows
    this.tickets.set(tk, hashHex);
    const totalWork = parent.totalWork + blockWork(header.target);

    if (parent.hashHex === this.headNode.hashHex) {
      let result;
      try {
        result = applyBlock(this.headState, block, p, { bodyValidated: true }); // body checked above
      } catch (e) {
        this.invalid.set(hashHex, e instanceof TesseraError ? e.code : 'ERROR');
        throw e;
      }
      const node: TreeNode = { hash, hashHex, header, totalWork };
      const b = this.modules.db.batch();
      b.putBlock(hash, bytes).putBlockIndex(hash, { header: encodeHeader(header), totalWork });
      this.writeApply(b, node, block, result.diff);
      b.putHead(hash);
      await this.modules.db.write(b);
      this.tree.add(hash, header, totalWork);
      this.setHead(node, result.state, []);
      this.modules.metrics?.inc('chain_blocks_imported');
      this.modules.metrics?.observe?.('chain_block_import_seconds', (performance.now() - started) / 1000);
      this.modules.logger[own ? 'debug' : 'info']('block imported', {
        height: header.height,
        hash: to0x(hash),
        txs: block.txs.length,
        ms: Math.round(performance.now() - started),
        ...(this.queue.length > 1 ? { queued: this.queue.length - 1 } : {}),
      });
      return { hash, height: header.height, status: 'head' };
    }

    const node: TreeNode = { hash, hashHex, header, totalWork };
    if (!isBetterChain(totalWork, this.headNode.totalWork)) {
      const b = this.modules.db.batch().putBlock(hash, bytes).putBlockIndex(hash, { header: encodeHeader(header), totalWork });
      await this.modules.db.write(b);
      this.tree.add(hash, header, totalWork);
      this.modules.metrics?.inc('chain_side_blocks');
      this.modules.logger.info('side-branch block stored', { hash: to0x(hash), height: header.height });
      return { hash, height: header.height, status: 'side' };
    }
    return this.reorg(node, block, bytes);
  }

  /** Moves the head to the heavier branch ending in `tip` (not yet stored). */
  private async reorg(tip: TreeNode, tipBlock: Block, tipBytes: Uint8Array): Promise<ImportResult> {
    const { db, logger } = this.modules;
    const p = this.params;
    this.tree.add(tip.hash, tip.header, tip.totalWork); // provisionally, for path finding
    const { ancestor, undo, apply } = this.tree.path(this.headNode, tip);
    // a block whose part bodies this node pruned cannot be re-applied: refuse the reorg (deeper than
    // the challenge window) rather than find a valid block "invalid" (node/chain/prune.ts)
    for (const n of apply)
      if (n.hashHex !== tip.hashHex && (await db.get(key(Bucket.prunedParts, n.hash))) !== undefined) {
        this.tree.delete(tip.hash);
        throw new ChainError(ChainErrorCode.PRUNED, { hash: to0x(tip.hash), height: n.header.height, reason: `the branch re-applies block ${to0x(n.hash)}, whose parts were pruned` });
      }

    // roll back to the ancestor
    let state = this.headState;
    const abandoned: Tx[] = [];
    const undoBlocks: { node: TreeNode; block: Block; diff: StateDiff }[] = [];
    for (const n of undo) {
      const diffBytes = await db.getUndo(n.hash);
      const block = await this.getBlock(n.hash);
      if (!diffBytes || !block) throw new ChainError(ChainErrorCode.CORRUPT_DB, { hash: to0x(n.hash), reason: 'canonical block without undo record' });
      const diff = decodeStateDiff(diffBytes);
      state = state.revertDiff(diff);
      undoBlocks.push({ node: n, block, diff });
    }
    for (let i = undoBlocks.length - 1; i >= 0; i--) abandoned.push(...undoBlocks[i]!.block.txs);

    // apply the branch as far as it is valid
    const applied: { node: TreeNode; block: Block; diff: StateDiff }[] = [];
    let failure: unknown;
    for (const n of apply) {
      const isTip = n.hashHex === tip.hashHex;
      const block = isTip ? tipBlock : await this.getBlock(n.hash);
      if (!block) throw new ChainError(ChainErrorCode.CORRUPT_DB, { hash: to0x(n.hash), reason: 'indexed block missing' });
      try {
        const r = applyBlock(state, block, p, { bodyValidated: true }); // every stored block passed validateBlockBody on entry
        state = r.state;
        applied.push({ node: n, block, diff: r.diff });
      } catch (e) {
        failure = e;
        break;
      }
    }

    const b = db.batch();
    if (failure !== undefined) {
      // drop the failing block and everything built on it
      const bad = apply[applied.length]!;
      for (const d of [bad, ...this.tree.descendants(bad)]) {
        this.invalid.set(d.hashHex, d === bad && failure instanceof TesseraError ? failure.code : ChainErrorCode.INVALID_ANCESTOR);
        this.tree.delete(d.hash);
        if (d.hashHex !== tip.hashHex) b.del(key(Bucket.block, d.hash)).del(key(Bucket.blockIndex, d.hash));
      }
      logger.warn('heavier branch holds an invalid block', { hash: to0x(bad.hash), height: bad.header.height, err: failure as Error });
    }
    const newTip = applied.length ? applied[applied.length - 1]!.node : ancestor;
    const moves = failure === undefined || isBetterChain(newTip.totalWork, this.headNode.totalWork);
    if (!moves) {
      await db.write(b);
      throw failure;
    }
    if (applied.some((a) => a.node.hashHex === tip.hashHex)) b.putBlock(tip.hash, tipBytes).putBlockIndex(tip.hash, { header: encodeHeader(tip.header), totalWork: tip.totalWork });
    // state: net effect of undo + apply, written as final values
    const touched = new Map<string, Uint8Array>();
    for (const u of undoBlocks) for (const c of u.diff.changes) touched.set(toHex(c.key), c.key);
    for (const a of applied) for (const c of a.diff.changes) touched.set(toHex(c.key), c.key);
    for (const k of touched.values()) b.putState(k, state.get(k) ?? null);
    for (const u of undoBlocks) {
      b.delCanonical(u.node.header.height);
      for (const tx of u.block.txs) b.delTxIndex(txHash(tx));
    }
    for (const a of applied) {
      b.putUndo(a.node.hash, encodeStateDiff(a.diff)).putCanonical(a.node.header.height, a.node.hash);
      a.block.txs.forEach((tx, i) => b.putTxIndex(txHash(tx), a.node.hash, i));
    }
    b.putHead(newTip.hash);
    try {
      await db.write(b);
    } catch (e) {
      this.tree.delete(tip.hash); // nothing of the reorg was written
      throw e;
    }
    const oldHead = this.headNode;
    this.setHead(newTip, state, abandoned);
    this.modules.metrics?.inc('chain_reorgs');
    logger.info('reorg', { from: to0x(oldHead.hash), to: to0x(newTip.hash), ancestor: ancestor.header.height, undone: undo.length, applied: applied.length });
    if (failure !== undefined) throw failure;
    return { hash: tip.hash, height: tip.header.height, status: 'reorg', undone: undo.length };
  }

  /** The header's hash, unless the block is stored (ALREADY_KNOWN) or known bad (KNOWN_INVALID). */
  private notKnown(header: BlockHeader): { hash: Uint8Array; hashHex: string } {
    const hash = blockHash(header);
    const hashHex = toHex(hash);
    if (this.tree.get(hash)) throw new ChainError(ChainErrorCode.ALREADY_KNOWN, { hash: to0x(hash), height: header.height });
    const knownBad = this.invalid.get(hashHex);
    if (knownBad !== undefined) throw new ChainError(ChainErrorCode.KNOWN_INVALID, { hash: to0x(hash), cause: knownBad });
    return { hash, hashHex };
  }

  /** The header against its parent (seal and signature included); a failure that will not heal is remembered. */
  private checkHeader(header: BlockHeader, parent: TreeNode, hashHex: string, tk: string): void {
    const p = this.params;
    try {
      validateHeader(header, { parent: parent.header, ancestorTimes: this.tree.ancestorTimes(parent, p.medianTimeSpan), now: this.now(), block1Time: this.tree.block1Time(parent), seal: this.modules.seal }, p);
    } catch (e) {
      this.rememberHeaderFailure(e, hashHex, tk);
      throw e;
    }
  }

  /** Remembers a header failure that will not heal: every code but a time in the future. */
  private rememberHeaderFailure(e: unknown, hashHex: string, tk: string): void {
    if (!(e instanceof BlockError) || e.code === BlockErrorCode.TIME_TOO_NEW) return;
    this.invalid.set(hashHex, e.code);
    // a ticket that fails its proof fails on this parent whatever the other header fields say
    if (e.code === BlockErrorCode.BAD_SEAL && e.context.cause !== undefined) this.badSeals.set(tk, e.code);
  }

  /**
   * A second block with a used ticket, its signature already verified: when both headers are by the
   * same miner and differ, keeps the pair as evidence (bounded). Returns whether it was one.
   */
  private noteEquivocation(second: BlockHeader, firstHex: string, tk: string): boolean {
    const first = this.tree.get(Buffer.from(firstHex, 'hex'))?.header;
    if (!first || !bytesEqual(first.miner, second.miner)) return false;
    if (bytesEqual(headerSigningHash(first), headerSigningHash(second))) return false;
    if (!this.evidence.has(tk)) {
      this.evidence.set(tk, { first, second });
      this.modules.logger.warn('equivocation: two signed headers with one ticket', { miner: to0x(second.miner), height: second.height });
    }
    return true;
  }

  /** Adds to `b` the writes of applying `block` at the head: state, undo record, canonical and tx index. */
  private writeApply(b: DbBatch, node: TreeNode, block: Block, diff: StateDiff): void {
    for (const c of diff.changes) b.putState(c.key, c.after);
    b.putUndo(node.hash, encodeStateDiff(diff)).putCanonical(node.header.height, node.hash);
    block.txs.forEach((tx, i) => b.putTxIndex(txHash(tx), node.hash, i));
  }

  private setHead(node: TreeNode, state: State, abandoned: Tx[]): void {
    this.headNode = node;
    this.headState = state;
    this.modules.mempool?.onHeadChange(state, abandoned);
    this.setHeadMetrics();
  }

  private setHeadMetrics(): void {
    this.modules.metrics?.set('chain_head_height', this.headNode.header.height);
    if (this.modules.mempool) this.modules.metrics?.set('mempool_size', this.modules.mempool.size);
  }
}

/** (parent, ticket) of a header: one ticket seals one block on one parent. */
function ticketKey(h: BlockHeader): string {
  return toHex(h.parent) + toHex(sha256(h.seal));
}
