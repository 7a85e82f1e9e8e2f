// The state transition, a pure function: applyBlock(pre, block, params) -> { state, diff } or a
// typed error. `pre` is never modified (State is immutable; the work happens in a StateView).
// Order: cheap block checks; matured rewards credited; txs in order (a failing tx fails the
// block); subsidy + fees locked for the miner until height + rewardMaturity; state-root check.
import { bytesEqual, compareBytes } from '../consensus/bytes.ts';
import { BlockError, BlockErrorCode, TxError, TxErrorCode } from '../consensus/errors.ts';
import { txHash } from '../consensus/encoding/tx.ts';
import type { SignatureBackend } from '../consensus/crypto/signature.ts';
import type { ChainParams } from '../consensus/params.ts';
import type { Block, Tx } from '../consensus/types.ts';
import { validateBlockBody } from '../consensus/validation/block.ts';
import type { StateDiff } from './diff.ts';
import { decodeRewards, encodeRewards, rewardsKey, type LockedReward } from './keys.ts';
import type { State } from './state.ts';
import { applyTx, MAX_U64 } from './tx/index.ts';
import { StateView } from './view.ts';

export interface BlockResult {
  readonly state: State;
  readonly diff: StateDiff;
  readonly stateRoot: Uint8Array;
  readonly fees: bigint;
}

export interface ApplyOptions {
  /** Signature path; default: the active one (native when it loads). */
  readonly backend?: SignatureBackend;
  /** The block's encoded size, when the caller has the bytes (saves an encode). */
  readonly encodedSize?: number;
}

export interface BlockContext {
  readonly height: number;
  readonly miner: Uint8Array;
}

function credit(view: StateView, address: Uint8Array, amount: bigint): void {
  const a = view.getAccount(address);
  if (a.balance + amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address });
  view.putAccount(address, { balance: a.balance + amount, nonce: a.nonce });
}

/** Credits the rewards that mature at `height` and removes their record. */
function releaseMatured(view: StateView, height: number): void {
  const key = rewardsKey(height);
  const v = view.get(key);
  if (!v) return;
  for (const r of decodeRewards(v)) credit(view, r.address, r.amount);
  view.set(key, null);
}

function lockReward(view: StateView, maturesAt: number, address: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  const key = rewardsKey(maturesAt);
  const v = view.get(key);
  const list: LockedReward[] = v ? decodeRewards(v) : [];
  const i = list.findIndex((r) => bytesEqual(r.address, address));
  if (i >= 0) list[i] = { address, amount: list[i]!.amount + amount };
  else list.push({ address, amount });
  list.sort((a, b) => compareBytes(a.address, b.address));
  view.set(key, encodeRewards(list));
}

function run(pre: State, ctx: BlockContext, txs: readonly Tx[], p: ChainParams, backend?: SignatureBackend): { view: StateView; fees: bigint } {
  const view = new StateView(pre);
  releaseMatured(view, ctx.height);
  let fees = 0n;
  for (let i = 0; i < txs.length; i++) {
    const tx = txs[i]!;
    view.checkpoint();
    try {
      fees += applyTx(view, tx, p, backend).fee;
      view.commit();
    } catch (e) {
      view.revert();
      if (e instanceof TxError) throw new TxError(e.code, { ...e.context, index: i, txHash: txHash(tx) });
      throw e;
    }
  }
  lockReward(view, ctx.height + p.rewardMaturity, ctx.miner, p.subsidy + fees);
  return { view, fees };
}

/**
 * Builds the post-state of a candidate block (miner, tests): txs in order, rewards, no header
 * checks. Throws the first failing tx's TxError (context: index, txHash).
 */
export function applyTxs(pre: State, ctx: BlockContext, txs: readonly Tx[], p: ChainParams, opts: ApplyOptions = {}): BlockResult {
  const { view, fees } = run(pre, ctx, txs, p, opts.backend);
  const state = view.toState();
  return { state, diff: view.diff(), stateRoot: state.root(), fees };
}

/** The state root a block with these txs must carry. */
export function computeStateRoot(pre: State, ctx: BlockContext, txs: readonly Tx[], p: ChainParams, opts: ApplyOptions = {}): Uint8Array {
  return applyTxs(pre, ctx, txs, p, opts).stateRoot;
}

/**
 * The state transition of a block whose header already passed validateHeader against its
 * parent, on the parent's post-state `pre`. Throws BlockError or TxError; `pre` is unchanged.
 */
export function applyBlock(pre: State, block: Block, p: ChainParams, opts: ApplyOptions = {}): BlockResult {
  validateBlockBody(block, p, opts.encodedSize);
  const result = applyTxs(pre, block.header, block.txs, p, opts);
  if (!bytesEqual(result.stateRoot, block.header.stateRoot))
    throw new BlockError(BlockErrorCode.BAD_STATE_ROOT, { height: block.header.height, expected: result.stateRoot, got: block.header.stateRoot });
  return result;
}
