// The state transition, a pure function: applyBlock(pre, block, params) -> { state, diff } or a
// typed error. `pre` is never modified (State is immutable; the work happens in a StateView).
// Order: cheap block checks; the parameters in effect at the height (governance: paramsAt);
// matured rewards credited; txs in order (a failing tx fails the block); the treasury's share of
// subsidy + fees; without training: the rest locked for the miner until height + rewardMaturity;
// with training (vm/round/): contributions, the seal's ticket, reward split, round close;
// governance end-block (checkpoints, tally, execution); checkpoint-root check (training);
// state-root check.
import { bytesEqual } from '../consensus/bytes.ts';
import { BlockError, BlockErrorCode, TesseraError, TxError, TxErrorCode } from '../consensus/errors.ts';
import { txHash } from '../consensus/encoding/tx.ts';
import type { SignatureBackend } from '../consensus/crypto/signature.ts';
import { challengeParams, type ChainParams } from '../consensus/params.ts';
import { TypeTag, type Block, type Tx } from '../consensus/types.ts';
import { validateBlockBody } from '../consensus/validation/block.ts';
import type { StateDiff } from './diff.ts';
import { lockReward, releaseMatured } from './rewards.ts';
import { applyMining } from './round/block.ts';
import type { State } from './state.ts';
import { applyTx } from './tx/index.ts';
import { paramsAt } from './governance/params.ts';
import { endBlockGovernance } from './governance/end-block.ts';
import { takeTreasuryShare } from './rewards-split.ts';
import { StateView } from './view.ts';

export interface BlockResult {
  readonly state: State;
  readonly diff: StateDiff;
  readonly stateRoot: Uint8Array;
  readonly fees: bigint;
  /** On a chain with training: the open round's checkpoint root after the block (the header's checkpointRoot). */
  readonly checkpointRoot?: Uint8Array;
}

export interface ApplyOptions {
  /** Signature path; default: the active one (native when it loads). */
  readonly backend?: SignatureBackend;
  /** The block's encoded size, when the caller has the bytes (saves an encode). */
  readonly encodedSize?: number;
  /**
   * The caller already ran validateBlockBody on this block (the chain does, on entry, before the
   * header checks), so applyBlock does not recompute the tx and contributions roots.
   */
  readonly bodyValidated?: boolean;
}

export interface BlockContext {
  readonly height: number;
  readonly miner: Uint8Array;
  /** The header's seal; on a chain with training it is the block's winning ticket. */
  readonly seal?: Uint8Array;
}

/**
 * Block assembly's mode of `run`: an entry that fails is reverted at its checkpoint, left out and
 * recorded here instead of failing the block, so a candidate block is built in ONE pass whatever
 * its entries (docs/chain-core.md, "Block assembly").
 */
export interface Skipped {
  readonly what: 'tx' | 'contribution';
  /** Position in the input list. */
  readonly index: number;
  readonly error: TesseraError<string, object>;
}

interface Lenient {
  readonly skipped: Skipped[];
  /** Tx applications run (each is one checkpoint; a count the tests read). */
  txApplies: number;
}

function run(
  pre: State,
  ctx: BlockContext,
  txs: readonly Tx[],
  contributions: readonly Uint8Array[],
  genesisParams: ChainParams,
  backend?: SignatureBackend,
  lenient?: Lenient,
): { view: StateView; fees: bigint; checkpointRoot?: Uint8Array } {
  const view = new StateView(pre);
  const p = paramsAt(pre, genesisParams, ctx.height);
  releaseMatured(view, ctx.height);
  let fees = 0n;
  // each challenge may re-execute a local step: a block holds at most maxChallengesPerBlock of them
  const maxChallenges = p.training ? challengeParams(p.training).perBlock : 0;
  let challenges = 0;
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    view.checkpoint();
    if (lenient) lenient.txApplies++;
    try {
      if (tx.type === TypeTag.Challenge && challenges >= maxChallenges)
        throw new TxError(TxErrorCode.CHALLENGE_BLOCK_FULL, { expected: maxChallenges, got: challenges + 1 });
      fees += applyTx(view, tx, p, backend, ctx.height).fee;
      if (tx.type === TypeTag.Challenge) challenges++;
      view.commit();
    } catch (e) {
      view.revert();
      if (lenient && e instanceof TxError) {
        lenient.skipped.push({ what: 'tx', index: i, error: e });
        continue;
      }
      if (e instanceof TxError) throw new TxError(e.code, { ...e.context, index: i, txHash: txHash(tx) });
      throw e;
    }
  }
  if (!p.training) {
    if (contributions.length > 0) throw new BlockError(BlockErrorCode.TOO_MANY_CONTRIBUTIONS, { height: ctx.height, expected: 0, got: contributions.length });
    lockReward(view, ctx.height + p.rewardMaturity, ctx.miner, takeTreasuryShare(view, p, p.subsidy + fees));
    endBlockGovernance(view, pre, p, ctx.height);
    return { view, fees };
  }
  const skip = lenient ? (index: number, error: TesseraError<string, object>) => lenient.skipped.push({ what: 'contribution', index, error }) : undefined;
  const reward = takeTreasuryShare(view, p, p.subsidy + fees);
  const mined = applyMining(view, { height: ctx.height, miner: ctx.miner, seal: ctx.seal ?? new Uint8Array(0) }, contributions, reward, p, skip);
  endBlockGovernance(view, pre, p, ctx.height);
  return { view, fees, checkpointRoot: mined.round.checkpointRoot };
}

/**
 * Builds the post-state of a candidate block (miner, tests): txs in order, rewards, no header
 * checks. Throws the first failing tx's TxError (context: index, txHash).
 */
export function applyTxs(
  pre: State,
  ctx: BlockContext,
  txs: readonly Tx[],
  p: ChainParams,
  opts: ApplyOptions = {},
  contributions: readonly Uint8Array[] = [],
): BlockResult {
  const { view, fees, checkpointRoot } = run(pre, ctx, txs, contributions, p, opts.backend);
  const state = view.toState();
  const result = { state, diff: view.diff(), stateRoot: state.root(), fees };
  return checkpointRoot ? { ...result, checkpointRoot } : result;
}

/**
 * Block assembly: the post-state of a candidate block built from `txs` and `contributions` in one
 * pass, leaving out (and listing in `skipped`) each one that fails against the state before it;
 * the result is what applyTxs gives for the kept ones (each failure is reverted at its
 * checkpoint, so it leaves nothing behind). `txApplies` counts the tx applications (= txs.length).
 */
export function assembleTxs(
  pre: State,
  ctx: BlockContext,
  txs: readonly Tx[],
  p: ChainParams,
  opts: ApplyOptions = {},
  contributions: readonly Uint8Array[] = [],
): BlockResult & { readonly skipped: readonly Skipped[]; readonly txApplies: number } {
  const lenient: Lenient = { skipped: [], txApplies: 0 };
  const { view, fees, checkpointRoot } = run(pre, ctx, txs, contributions, p, opts.backend, lenient);
  const state = view.toState();
  const result = { state, diff: view.diff(), stateRoot: state.root(), fees, skipped: lenient.skipped, txApplies: lenient.txApplies };
  return checkpointRoot ? { ...result, checkpointRoot } : result;
}

/** The state root a block with these txs must carry. */
export function computeStateRoot(
  pre: State,
  ctx: BlockContext,
  txs: readonly Tx[],
  p: ChainParams,
  opts: ApplyOptions = {},
  contributions: readonly Uint8Array[] = [],
): Uint8Array {
  return applyTxs(pre, ctx, txs, p, opts, contributions).stateRoot;
}

/**
 * The state transition of a block whose header already passed validateHeader against its
 * parent, on the parent's post-state `pre`. Throws BlockError or TxError; `pre` is unchanged.
 */
export function applyBlock(pre: State, block: Block, p: ChainParams, opts: ApplyOptions = {}): BlockResult {
  if (!opts.bodyValidated) validateBlockBody(block, p, opts.encodedSize);
  const result = applyTxs(pre, block.header, block.txs, p, opts, block.contributions);
  const h = block.header;
  if (result.checkpointRoot && !bytesEqual(result.checkpointRoot, h.checkpointRoot))
    throw new BlockError(BlockErrorCode.BAD_CHECKPOINT_ROOT, { height: h.height, expected: result.checkpointRoot, got: h.checkpointRoot });
  if (!bytesEqual(result.stateRoot, h.stateRoot)) throw new BlockError(BlockErrorCode.BAD_STATE_ROOT, { height: h.height, expected: result.stateRoot, got: h.stateRoot });
  return result;
}
