// The miner's own part stays within what its bond backs: a part past bondPerLane x lanes is refused
// whole (INSUFFICIENT_BOND), which would lose every lane in it. Real lanes of the tiny task from a
// MinerLoop, handed to the MiningService as its worker would; the part it signs is checked by the
// VM's own checkPart.
import { describe, expect, it } from 'vitest';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { initCheckpoint } from '../../../consensus/training/checkpoint.ts';
import type { Chain } from '../../../node/chain/chain.ts';
import { createLogger } from '../../../node/log/logger.ts';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../node/mempool/mempool.ts';
import type { FromMiner } from '../../../node/mining/messages.ts';
import { MiningService } from '../../../node/mining/service.ts';
import { JsBackend } from '../../../miner/backends/js.ts';
import { MinerLoop, type MinedContribution } from '../../../miner/loop.ts';
import { bondKey, encodeAmount } from '../../../vm/round/keys.ts';
import { checkPart } from '../../../vm/round/parts.ts';
import { readRound } from '../../../vm/round/state.ts';
import { StateView } from '../../../vm/view.ts';
import { thrown } from '../../helpers/errors.ts';
import { testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, TINY_TASK, TINY_TRAINING, miningGenesis, tinyDataset } from '../../fixtures/mining.ts';

const key = testKey(1);
const miner = key.address();
const T = TINY_TRAINING;

describe("the miner's own part and its bond", () => {
  it('covers at most the lanes the bond backs, and that part passes the VM', async () => {
    const made: MinedContribution[] = [];
    const loop = new MinerLoop(
      { task: TINY_TASK, pouw: T.pouw, miner, keepRounds: 1 },
      { backend: new JsBackend(), data: tinyDataset(), events: { ticket: () => {}, contribution: (c) => made.push(c) } },
    );
    loop.setWork({ parent: new Uint8Array(32).fill(1), height: 1, target: 1n, round: 0, checkpoint: initCheckpoint(TINY_TASK) });
    const done = loop.run();
    while (made.length < 5) await new Promise((r) => setTimeout(r, 5));
    loop.stop();
    await done;

    const g = miningGenesis([miner], [miner]); // bond 10^4 at bondPerLane 10^3: 10 lanes
    const svc = new MiningService(
      { miner, key, backend: 'js', params: MINING_PARAMS },
      { chain: { state: () => g.state } as unknown as Chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'error', format: 'json' }, () => {}) },
    );
    for (const c of made) (svc as unknown as { onMessage(m: FromMiner): void }).onMessage({ type: 'contribution', ...c });
    const round = readRound(g.state)!;
    const at = { height: 1, index: 0, chainId: MINING_PARAMS.chainId };

    expect(svc.ownPart(g.state, round)!.laneCount).toBe(made.length); // the bond backs them all
    const low = new StateView(g.state);
    low.set(bondKey(miner), encodeAmount(3n * T.bondPerLane)); // backs 3 lanes
    const part = svc.ownPart(low, round)!;
    expect([part.laneStart, part.laneCount]).toEqual([0, 3]);
    expect(checkPart(low, part.bytes, T, round, at).roundLanes).toBe(3);
    // what the part of all the lanes would have met: refused whole
    const all = svc.ownPart(g.state, round)!;
    expect(thrown(BlockError, () => checkPart(low, all.bytes, T, round, at)).code).toBe(BlockErrorCode.INSUFFICIENT_BOND);
    // a bond for one lane: a one-lane part; for none: no part
    low.set(bondKey(miner), encodeAmount(T.minBond));
    expect(svc.ownPart(low, round)?.laneCount).toBe(1);
    low.set(bondKey(miner), encodeAmount(T.minBond - 1n));
    expect(svc.ownPart(low, round)).toBeUndefined();
    // and at most maxPartLanes lanes a part, when the chain sets it
    const short = new MiningService(
      { miner, key, backend: 'js', params: { ...MINING_PARAMS, training: { ...T, maxPartLanes: 2 } } },
      { chain: { state: () => g.state } as unknown as Chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'error', format: 'json' }, () => {}) },
    );
    for (const c of made) (short as unknown as { onMessage(m: FromMiner): void }).onMessage({ type: 'contribution', ...c });
    expect(short.ownPart(g.state, round)!.laneCount).toBe(2);
  });
});
