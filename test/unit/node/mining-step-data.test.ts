// MiningService.getStepData: what P2P serving and validators will call for W_{R,m,s} of the
// miner's own lanes. No worker thread is started: the service's messages go to a real MinerLoop
// (tiny task, plain-JS backend) through the worker's own dispatch (node/mining/dispatch.ts), and
// its answers come back to the service.
import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { initCheckpoint, weightsRoot } from '../../../consensus/training/checkpoint.ts';
import type { Chain } from '../../../node/chain/chain.ts';
import { createLogger } from '../../../node/log/logger.ts';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../node/mempool/mempool.ts';
import { dispatchToMiner } from '../../../node/mining/dispatch.ts';
import type { FromMiner, ToMiner } from '../../../node/mining/messages.ts';
import { MiningService } from '../../../node/mining/service.ts';
import { JsBackend } from '../../../miner/backends/js.ts';
import { runLane } from '../../../miner/lane.ts';
import { MinerLoop, type MinedContribution } from '../../../miner/loop.ts';
import { testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, TINY_TASK, TINY_TRAINING, tinyDataset } from '../../fixtures/mining.ts';

const key = testKey(1);
const miner = key.address();

describe('MiningService.getStepData', () => {
  it('serves W_{R,m,s} of its own finished lanes, exactly, and nothing else', async () => {
    const made: MinedContribution[] = [];
    const loop = new MinerLoop(
      { task: TINY_TASK, pouw: TINY_TRAINING.pouw, miner, keepRounds: 1 },
      { backend: new JsBackend(), data: tinyDataset(), events: { ticket: () => {}, contribution: (c) => made.push(c) } },
    );
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: new Uint8Array(32).fill(1), height: 1, target: 1n, round: 0, checkpoint: ck });
    const done = loop.run();
    while (made.length < 2) await new Promise((r) => setTimeout(r, 5));
    loop.stop();
    await done;

    const svc = new MiningService(
      { miner, key, backend: 'js', params: MINING_PARAMS },
      { chain: {} as Chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'error', format: 'json' }, () => {}) },
    );
    await expect(svc.getStepData(0, 0, 0)).rejects.toThrow(/not running/);
    const toService = (m: FromMiner) => (svc as unknown as { onMessage(m: FromMiner): void }).onMessage(m);
    (svc as unknown as { worker: { postMessage(m: ToMiner): void } }).worker = { postMessage: (m) => dispatchToMiner(loop, m, toService) };

    for (const c of made) {
      const full = await runLane(TINY_TASK, tinyDataset(), ck, { round: 0, miner, lane: c.lane }, matmulPlain, () => false, () => true);
      const committed = c.leaf.steps;
      for (let s = TINY_TASK.localSteps - 1; s >= 0; s--) {
        const w = await svc.getStepData(0, c.lane, s);
        expect(w).toEqual(full!.kept.get(s));
        expect(Buffer.from(weightsRoot(TINY_TASK, w!)).equals(Buffer.from(committed[s]!.weightsRoot))).toBe(true);
      }
    }
    expect(await svc.getStepData(0, made.length + 3, 0)).toBeUndefined(); // not trained
    expect(await svc.getStepData(1, 0, 0)).toBeUndefined(); // no such round
    expect(await svc.getStepData(0, 0, TINY_TASK.localSteps)).toBeUndefined();
    // the status the RPC reports follows what the worker keeps and served
    expect(svc.status.miner).toMatchObject({ stepsKept: made.length, stepData: { lanes: made.length, rounds: 1, served: made.length * TINY_TASK.localSteps } });
  });
});
