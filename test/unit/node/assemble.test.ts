// Block assembly on a win: entries that do not apply are left out, the block still builds, and each
// dropped entry is reported by its position in the input (the service removes exactly those from
// its pools).
import { describe, expect, it } from 'vitest';
import { BlockErrorCode } from '../../../consensus/errors.ts';
import { encodeTicket } from '../../../consensus/pouw/ticket.ts';
import { readContributions } from '../../../vm/round/state.ts';
import { assembleBlock } from '../../../node/mining/assemble.ts';
import type { PooledContribution } from '../../../node/mempool/contributions.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, mineLane, miningGenesis } from '../../fixtures/mining.ts';

const A = testKey(1).address();
const U = testKey(3).address(); // funded, not bonded
const g = miningGenesis([A, U], [A]);

describe('assembleBlock', () => {
  it('leaves out contributions that do not apply and reports their input positions', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const wu0 = await mineLane(g.state, g.header, U, 0);
    const wu1 = await mineLane(g.state, g.header, U, 1);
    const pooled = (w: typeof wa, miner: Uint8Array, lane: number): PooledContribution => ({ round: 0, miner, lane, bytes: w.bytes });
    const input = [pooled(wu0, U, 0), pooled(wa, A, 0), pooled(wu1, U, 1)];
    const out = assembleBlock(
      { pre: g.state, parent: g.header, recentTimes: [g.header.time], now: g.header.time + 10, target: p.initialTarget, miner: A, seal: encodeTicket(wa.tickets[0]!), txs: [], contributions: input },
      p,
    );
    expect(out.dropped.map((d) => [d.what, d.index, d.reason.split(':')[0]]).sort()).toEqual([
      ['contribution', 0, BlockErrorCode.UNBONDED_MINER],
      ['contribution', 2, BlockErrorCode.UNBONDED_MINER],
    ]);
    expect(out.contributions).toEqual([input[1]]);
    // the block it built imports as a node imports it, carrying A's contribution only
    const r = importMined(g.state, g.header, out.block);
    expect(readContributions(r.state, p.training!.task, 0).map((c) => c.lane)).toEqual([0]);
  });
});
