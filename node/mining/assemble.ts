// Block assembly on a winning ticket: the head's txs and contributions that apply, time from the
// median-time-past rule, target from ASERT, the encoded ticket as seal; header roots by the VM's
// builder (vm/build-block.ts), so the block applies exactly as the importer will apply it.
import { TesseraError } from '../../consensus/errors.ts';
import type { ChainParams } from '../../consensus/params.ts';
import type { Block, BlockHeader, Tx } from '../../consensus/types.ts';
import { medianTimePast } from '../../consensus/validation/header.ts';
import { buildBlock } from '../../vm/build-block.ts';
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
  readonly dropped: { what: 'tx' | 'contribution'; index: number; reason: string }[];
  readonly contributions: readonly PooledContribution[];
}

/** Block time: max(now, median-time-past + 1). */
export function blockTime(recentTimes: readonly number[], now: number): number {
  return Math.max(now, medianTimePast(recentTimes) + 1);
}

/**
 * Builds the block; a tx or contribution that makes the build throw is left out and the build
 * retried (at most once per candidate), so one bad entry never costs the win.
 */
export function assembleBlock(i: AssembleInput, p: ChainParams): Assembled {
  // positions, in the input, of the txs and contributions still in the block
  let txs = i.txs.map((_, j) => j);
  let cs = i.contributions.map((_, j) => j);
  const dropped: Assembled['dropped'] = [];
  const time = blockTime(i.recentTimes, i.now);
  for (;;) {
    try {
      const contributions = cs.map((j) => i.contributions[j]!);
      const block = buildBlock(
        i.pre,
        { parent: i.parent, time, target: i.target, miner: i.miner, seal: i.seal, txs: txs.map((j) => i.txs[j]!), contributions: contributions.map((c) => c.bytes) },
        p,
      ).block;
      return { block, dropped, contributions };
    } catch (e) {
      if (!(e instanceof TesseraError)) throw e;
      const ctx = (e.context ?? {}) as { index?: number; txIndex?: number };
      const reason = `${e.code}: ${e.message}`;
      const at = (n: number | undefined, len: number) => (typeof n === 'number' && n < len ? n : len - 1);
      // Drop the failing entry when the error names it; otherwise drop the txs, then the contributions.
      if (cs.length > 0 && /CONTRIBUTION|UNBONDED|INSUFFICIENT_BOND|TICKET_MISMATCH/.test(String(e.code))) {
        const k = at(ctx.index, cs.length);
        dropped.push({ what: 'contribution', index: cs[k]!, reason });
        cs = cs.filter((_, j) => j !== k);
      } else if (txs.length > 0) {
        const k = at(ctx.txIndex ?? ctx.index, txs.length);
        dropped.push({ what: 'tx', index: txs[k]!, reason });
        txs = txs.filter((_, j) => j !== k);
      } else if (cs.length > 0) {
        dropped.push({ what: 'contribution', index: cs[cs.length - 1]!, reason });
        cs = cs.slice(0, -1);
      } else throw e;
    }
  }
}
