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
  /** Txs / contributions left out because they did not apply (with the reason). */
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
  let txs = [...i.txs];
  let cs = [...i.contributions];
  const dropped: Assembled['dropped'] = [];
  const time = blockTime(i.recentTimes, i.now);
  for (;;) {
    try {
      const { block } = buildBlock(i.pre, { parent: i.parent, time, target: i.target, miner: i.miner, seal: i.seal, txs, contributions: cs.map((c) => c.bytes) }, p);
      return { block, dropped, contributions: cs };
    } catch (e) {
      if (!(e instanceof TesseraError)) throw e;
      const ctx = (e.context ?? {}) as { index?: number; txIndex?: number };
      const reason = `${e.code}: ${e.message}`;
      // Drop the failing entry when the error names it; otherwise drop the txs, then the contributions.
      if (cs.length > 0 && /CONTRIBUTION|UNBONDED|TICKET_MISMATCH/.test(String(e.code))) {
        const idx = typeof ctx.index === 'number' && ctx.index < cs.length ? ctx.index : cs.length - 1;
        dropped.push({ what: 'contribution', index: idx, reason });
        cs = cs.filter((_, j) => j !== idx);
      } else if (txs.length > 0) {
        const idx = typeof ctx.txIndex === 'number' && ctx.txIndex < txs.length ? ctx.txIndex : typeof ctx.index === 'number' && ctx.index < txs.length ? ctx.index : txs.length - 1;
        dropped.push({ what: 'tx', index: idx, reason });
        txs = txs.filter((_, j) => j !== idx);
      } else if (cs.length > 0) {
        dropped.push({ what: 'contribution', index: cs.length - 1, reason });
        cs = cs.slice(0, -1);
      } else throw e;
    }
  }
}
