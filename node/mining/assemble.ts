// Block assembly on a winning ticket: the head's txs and contributions that apply (one pass), time from the
// median-time-past rule, target from ASERT, the encoded ticket as seal; header roots by the VM's
// builder (vm/build-block.ts), so the block applies exactly as the importer will apply it.
import type { ChainParams } from '../../consensus/params.ts';
import type { Block, BlockHeader, Tx } from '../../consensus/types.ts';
import { medianTimePast } from '../../consensus/validation/header.ts';
import { buildBlockSkipping } from '../../vm/build-block.ts';
import type { State } from '../../vm/state.ts';
import type { PooledContribution } from '../mempool/contributions.ts';

export interface AssembleInput {
  readonly pre: State;
  readonly parent: BlockHeader;
  /** Times of the last medianTimeSpan canonical blocks up to the parent (any order). */
  readonly recentTimes: readonly number[];
  readonly now: number;
  readonly target: bigint;
  readonly miner: Uint8Array;
  readonly seal: Uint8Array;
  readonly txs: readonly Tx[];
  readonly contributions: readonly PooledContribution[];
}

export interface Assembled {
  readonly block: Block;
  /** Txs / contributions left out because they did not apply (index into the input's txs / contributions). */
  readonly dropped: { what: 'tx' | 'contribution'; index: number; code: string; reason: string }[];
  readonly contributions: readonly PooledContribution[];
  /** Tx applications the build ran: one per input tx, whatever fails (one pass). */
  readonly txApplies: number;
}

/** Block time: max(now, median-time-past + 1). */
export function blockTime(recentTimes: readonly number[], now: number): number {
  return Math.max(now, medianTimePast(recentTimes) + 1);
}

/**
 * Builds the block in one pass over the candidates (vm/build-block.ts buildBlockSkipping): a tx
 * or contribution that does not apply is reverted at its checkpoint and left out, so one bad entry
 * never costs the win and N bad entries cost N applications, not N rebuilds. The caller evicts
 * what was dropped from its pools.
 */
export function assembleBlock(i: AssembleInput, p: ChainParams): Assembled {
  const time = blockTime(i.recentTimes, i.now);
  const { block, skipped, txApplies } = buildBlockSkipping(
    i.pre,
    { parent: i.parent, time, target: i.target, miner: i.miner, seal: i.seal, txs: i.txs, contributions: i.contributions.map((c) => c.bytes) },
    p,
  );
  const dropped = skipped.map((s) => ({ what: s.what, index: s.index, code: s.error.code, reason: `${s.error.code}: ${s.error.message}` }));
  const out = new Set(skipped.filter((s) => s.what === 'contribution').map((s) => s.index));
  return { block, dropped, contributions: i.contributions.filter((_, j) => !out.has(j)), txApplies };
}
