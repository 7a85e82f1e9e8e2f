// The block builder for the miner and the node: from the pre-state and a template (parent, time,
// target, miner, sealed ticket, txs, contributions) the complete block, its header roots computed
// by the same code path as applyBlock (applyTxs), so the block applies to the same result.
import { computeContributionsRoot, computeTxRoot } from '../consensus/encoding/block.ts';
import { blockHash } from '../consensus/encoding/header.ts';
import type { ChainParams } from '../consensus/params.ts';
import { signHeader } from '../consensus/crypto/header-signature.ts';
import type { PrivateKey } from '../consensus/crypto/keys.ts';
import type { Block, BlockHeader, Tx } from '../consensus/types.ts';
import { applyTxs, assembleTxs, type ApplyOptions, type BlockResult, type Skipped } from './apply-block.ts';
import type { State } from './state.ts';

export interface BlockTemplate {
  readonly parent: BlockHeader;
  readonly time: number;
  /** The block's target (asertTarget(anchor, parent.height, parent.time, params)); the ticket must win at it. */
  readonly target: bigint;
  readonly miner: Uint8Array;
  /** The seal: encodeTicket(proof) on a PoUW chain (the ticket's parent is blockHash(parent)). */
  readonly seal: Uint8Array;
  readonly txs: readonly Tx[];
  readonly contributions: readonly Uint8Array[];
  /** The miner's key: signs the header (without it the header is left unsigned, for a caller that signs). */
  readonly signer?: PrivateKey;
}

/**
 * Builds a block on `pre` (the parent's post-state). Throws what applyBlock would throw for these
 * txs and contributions (TxError / BlockError). The header's checkpointRoot is the state's after
 * the block on a chain with training, else the parent's.
 */
export function buildBlock(pre: State, t: BlockTemplate, p: ChainParams, opts: ApplyOptions = {}): { block: Block; result: BlockResult } {
  const height = t.parent.height + 1;
  const result = applyTxs(pre, { height, miner: t.miner, seal: t.seal }, t.txs, p, opts, t.contributions);
  return { block: sealBlock(t, result, p), result };
}

/**
 * Block assembly in one pass: builds a block from the template's txs and contributions that apply,
 * each tried once on its own checkpoint; those that fail are left out and listed in `skipped`
 * (by their position in the template). The block carries the kept ones in template order, and its
 * roots are the one pass's result, which is what applyBlock computes for exactly those entries.
 */
export function buildBlockSkipping(
  pre: State,
  t: BlockTemplate,
  p: ChainParams,
  opts: ApplyOptions = {},
): { block: Block; result: BlockResult; skipped: readonly Skipped[]; txApplies: number } {
  const height = t.parent.height + 1;
  const r = assembleTxs(pre, { height, miner: t.miner, seal: t.seal }, t.txs, p, opts, t.contributions);
  const out = (what: Skipped['what']) => new Set(r.skipped.filter((s) => s.what === what).map((s) => s.index));
  const outTxs = out('tx');
  const outCs = out('contribution');
  const kept = { ...t, txs: t.txs.filter((_, i) => !outTxs.has(i)), contributions: t.contributions.filter((_, i) => !outCs.has(i)) };
  const { skipped, txApplies, ...result } = r;
  return { block: sealBlock(kept, result, p), result, skipped, txApplies };
}

function sealBlock(t: BlockTemplate, result: BlockResult, p: ChainParams): Block {
  const height = t.parent.height + 1;
  const header: BlockHeader = Object.freeze({
    version: p.version,
    chainId: p.chainId,
    height,
    parent: blockHash(t.parent),
    time: t.time,
    stateRoot: result.stateRoot,
    txRoot: computeTxRoot(t.txs),
    contributionsRoot: computeContributionsRoot(t.contributions),
    checkpointRoot: result.checkpointRoot ?? t.parent.checkpointRoot,
    target: t.target,
    seal: t.seal,
    miner: t.miner,
    sig: new Uint8Array(0),
  });
  const signed = t.signer ? signHeader(header, t.signer) : header;
  return Object.freeze({ header: signed, txs: Object.freeze([...t.txs]), contributions: Object.freeze([...t.contributions]) });
}
