// The block builder for the miner and the node: from the pre-state and a template (parent, time,
// target, miner, sealed ticket, txs, contributions) the complete block, its header roots computed
// by the same code path as applyBlock (applyTxs), so the block applies to the same result.
import { computeContributionsRoot, computeTxRoot } from '../consensus/encoding/block.ts';
import { blockHash } from '../consensus/encoding/header.ts';
import type { ChainParams } from '../consensus/params.ts';
import { signHeader } from '../consensus/crypto/header-signature.ts';
import type { PrivateKey } from '../consensus/crypto/keys.ts';
import type { Block, BlockHeader, Tx } from '../consensus/types.ts';
import { applyTxs, type ApplyOptions, type BlockResult } from './apply-block.ts';
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
  const block: Block = Object.freeze({ header: signed, txs: Object.freeze([...t.txs]), contributions: Object.freeze([...t.contributions]) });
  return { block, result };
}
