// An unbonded --mine node: every node refuses its contributions, so its miner says so once (not per
// block), trains no lane (the worker gets a lane budget of 0 and mines filler jobs only, which
// still win blocks), and starts training when a bond lands. No worker thread: the test reads what
// the service posts to it.
import { describe, expect, it } from 'vitest';
import type { Chain } from '../../../node/chain/chain.ts';
import { createLogger } from '../../../node/log/logger.ts';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../node/mempool/mempool.ts';
import type { ToMiner } from '../../../node/mining/messages.ts';
import { MiningService } from '../../../node/mining/service.ts';
import { bondKey, encodeAmount } from '../../../vm/round/keys.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, miningGenesis } from '../../fixtures/mining.ts';

const key = testKey(1);
const A = key.address();
const B = testKey(2).address();

function setup(bonded: Uint8Array[]) {
  const g = miningGenesis([A, B], bonded);
  let state: State = g.state;
  let blocks = 0; // a new head hash per block; the height stays in round 0's span
  const chain = {
    head: () => ({ hash: new Uint8Array(32).fill(blocks + 1), header: { ...g.header, height: 0 } }),
    state: () => state,
    nextTarget: () => MINING_PARAMS.initialTarget,
  } as unknown as Chain;
  const lines: Record<string, unknown>[] = [];
  const svc = new MiningService(
    { miner: A, key, backend: 'js', params: MINING_PARAMS },
    { chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'debug', format: 'json' }, (l) => lines.push(JSON.parse(l))) },
  );
  const posted: ToMiner[] = [];
  (svc as unknown as { worker: { postMessage(m: ToMiner): void } }).worker = { postMessage: (m) => posted.push(m) };
  const nextBlock = (s?: State): void => {
    if (s) state = s;
    blocks++;
    svc.onHead();
  };
  return { svc, lines, posted, nextBlock, state: () => state };
}

const budgets = (posted: ToMiner[]): number[] => posted.flatMap((m) => (m.type === 'work' ? [m.work.laneBudget ?? -1] : []));

describe('an unbonded miner', () => {
  it('says once that it is not bonded and trains no lane, then trains once a bond lands', () => {
    const { lines, posted, nextBlock, state } = setup([B]);
    for (let i = 0; i < 4; i++) nextBlock();
    const warned = lines.filter((l) => l.level === 'warn');
    expect(warned.length).toBe(1);
    expect(warned[0]!.msg).toContain('not bonded');
    expect(budgets(posted)).toEqual([0, 0, 0, 0]);

    const withBond = state().withChanges(new Map([[Buffer.from(bondKey(A)).toString('hex'), encodeAmount(MINING_PARAMS.training!.minBond)]]));
    nextBlock(withBond);
    expect(lines.filter((l) => l.level === 'warn').length).toBe(1);
    expect(lines.some((l) => l.msg === 'the miner address is bonded now: training lanes')).toBe(true);
    expect(budgets(posted).at(-1)).toBeGreaterThan(0);
  });

  it('a bonded miner trains from the start and says nothing about bonds', () => {
    const { lines, posted, nextBlock } = setup([A, B]);
    nextBlock();
    nextBlock();
    expect(lines.filter((l) => String(l.msg).includes('bond'))).toEqual([]);
    expect(budgets(posted).every((b) => b > 0)).toBe(true);
  });
});
