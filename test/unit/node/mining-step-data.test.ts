// MiningService.getStepData: what P2P serving and validators will call for W_{R,m,s} of the
// miner's own lanes. No worker thread is started: the service's messages go to a real MinerLoop
// (tiny task, plain-JS backend) through the worker's own dispatch (node/mining/dispatch.ts), and
// its answers come back to the service.
import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { initCheckpoint, weightsRoot } from '../../../consensus/training/checkpoint.ts';
import { decodeContribution } from '../../../consensus/training/contribution.ts';
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
import { MINING_PARAMS, TINY_TASK, TINY_TRAINING, mineLane, miningGenesis, tinyDataset } from '../../fixtures/mining.ts';

const key = testKey(1);
const miner = key.address();

describe('MiningService.getStepData', () => {
  it('serves W_{R,m,s} of its own finished lanes, exactly, and nothing else', async () => {
    const made: MinedContribution[] = [];
    const loop = new MinerLoop(
      { task: TINY_TASK, pouw: TINY_TRAINING.pouw, maxLanes: 4, miner, keepRounds: 1 },
      { backend: new JsBackend(), data: tinyDataset(), events: { ticket: () => {}, contribution: (c) => made.push(c) } },
    );
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: new Uint8Array(32).fill(1), height: 1, target: 1n, round: 0, checkpoint: ck, laneBudget: 2 });
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
      const committed = decodeContribution(TINY_TASK, c.bytes).steps;
      for (let s = TINY_TASK.localSteps - 1; s >= 0; s--) {
        const w = await svc.getStepData(0, c.lane, s);
        expect(w).toEqual(full!.kept.get(s));
        expect(Buffer.from(weightsRoot(TINY_TASK, w!)).equals(Buffer.from(committed[s]!.weightsRoot))).toBe(true);
      }
    }
    expect(await svc.getStepData(0, 2, 0)).toBeUndefined(); // not trained
    expect(await svc.getStepData(1, 0, 0)).toBeUndefined(); // no such round
    expect(await svc.getStepData(0, 0, TINY_TASK.localSteps)).toBeUndefined();
    // the status the RPC reports follows what the worker keeps and served
    expect(svc.status.miner).toMatchObject({ stepsKept: 2, stepData: { lanes: 2, rounds: 1, served: 2 * TINY_TASK.localSteps } });
  });

  it('after a restart, serves the own lanes found in the blocks of the window, checked against their roots', async () => {
    const other = testKey(2).address();
    const g = miningGenesis([miner, other], [miner, other]);
    const own = [await mineLane(g.state, g.header, key, 0), await mineLane(g.state, g.header, key, 2)];
    const theirs = await mineLane(g.state, g.header, testKey(2), 1);
    const block = { contributions: [own[0]!.bytes, theirs.bytes, own[1]!.bytes] };
    const chain = {
      head: () => ({ hash: new Uint8Array(32), header: { height: 1 } }),
      state: () => g.state,
      getBlockByHeight: async (h: number) => (h === 1 ? { hash: new Uint8Array(32), block } : undefined),
    } as unknown as Chain;
    const lines: string[] = [];
    const svc = new MiningService(
      { miner, key, backend: 'js', params: MINING_PARAMS },
      { chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'info', format: 'json' }, (l) => lines.push(l)) },
    );
    // a fresh worker's loop: it trained nothing since the restart
    const loop = new MinerLoop(
      { task: TINY_TASK, pouw: TINY_TRAINING.pouw, maxLanes: 4, miner, keepRounds: 2 },
      { backend: new JsBackend(), data: tinyDataset(), events: { ticket: () => {}, contribution: () => {} } },
    );
    const toService = (m: FromMiner) => (svc as unknown as { onMessage(m: FromMiner): void }).onMessage(m);
    (svc as unknown as { worker: { postMessage(m: ToMiner): void } }).worker = { postMessage: (m) => dispatchToMiner(loop, m, toService) };
    expect(await svc.getStepData(0, 2, 1)).toBeUndefined();
    await (svc as unknown as { restoreStepData(k: number): Promise<void> }).restoreStepData(2);
    expect(lines.some((l) => l.includes('per-step data restored') && l.includes('"lanes":2'))).toBe(true);
    for (const w of own) {
      const lane = w.contribution.lane;
      const full = await runLane(TINY_TASK, tinyDataset(), w.base, { round: 0, miner, lane }, matmulPlain, () => false, () => true);
      for (let s = 0; s < TINY_TASK.localSteps; s++) {
        const ws = await svc.getStepData(0, lane, s);
        expect(ws).toEqual(full!.kept.get(s));
        expect(Buffer.from(weightsRoot(TINY_TASK, ws!)).equals(Buffer.from(w.contribution.steps[s]!.weightsRoot))).toBe(true);
      }
    }
    expect(await svc.getStepData(0, 1, 0)).toBeUndefined(); // another miner's lane
    expect(loop.stats.stepsKept).toBe(2);
  });
});
