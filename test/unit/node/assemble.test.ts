// Block assembly on a win: entries that do not apply are left out, the block still builds, and each
// dropped entry is reported by its position in the input (the service removes exactly those from
// its pools).
import { describe, expect, it } from 'vitest';
import { BlockErrorCode } from '../../../consensus/errors.ts';
import { encodeTicket } from '../../../consensus/pouw/ticket.ts';
import { readParts } from '../../../vm/round/parts.ts';
import { assembleBlock } from '../../../node/mining/assemble.ts';
import type { PooledContribution } from '../../../node/mempool/contributions.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, mineLane, miningGenesis } from '../../fixtures/mining.ts';

const A = testKey(1).address();
const U = testKey(3).address(); // funded, not bonded
const V = testKey(4).address(); // funded, not bonded
const g = miningGenesis([A, U, V], [A]);

describe('assembleBlock', () => {
  it('leaves out parts that do not apply and reports their input positions', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const ticket = (await mineLane(g.state, g.header, A, 1)).tickets[0]!;
    const wu = await mineLane(g.state, g.header, U, 0);
    const wv = await mineLane(g.state, g.header, V, 0);
    const pooled = (w: typeof wa, miner: Uint8Array): PooledContribution => ({ round: 0, miner, laneStart: 0, laneCount: 1, bytes: w.bytes });
    const input = [pooled(wu, U), pooled(wa, A), pooled(wv, V)];
    const out = assembleBlock(
      { pre: g.state, parent: g.header, recentTimes: [g.header.time], now: g.header.time + 10, target: p.initialTarget, miner: A, seal: encodeTicket(ticket), txs: [], contributions: input },
      p,
    );
    expect(out.dropped.map((d) => [d.what, d.index, d.reason.split(':')[0]]).sort()).toEqual([
      ['contribution', 0, BlockErrorCode.UNBONDED_MINER],
      ['contribution', 2, BlockErrorCode.UNBONDED_MINER],
    ]);
    expect(out.contributions).toEqual([input[1]]);
    // the block it built imports as a node imports it, carrying A's part only
    const r = importMined(g.state, g.header, out.block);
    expect(readParts(r.state, 0).map((x) => [x.laneStart, x.laneCount])).toEqual([[0, 1]]);
  });
});
