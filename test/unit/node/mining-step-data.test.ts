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
import { MINING_PARAMS, TINY_TASK, TINY_TRAINING, mineLane, miningGenesis, tinyDataset } from '../../fixtures/mining.ts';
import { ChainDb } from '../../../node/db/db.ts';
import { LaneStore } from '../../../node/mining/lane-store.ts';
import { readRound } from '../../../vm/round/state.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    // step H: the lane's final weights, W_R + its delta, hashing to the leaf's final root; nothing after it
    const H = TINY_TASK.localSteps;
    const c0 = made.find((c) => c.lane === 0)!;
    const final = await svc.getStepData(0, 0, H);
    expect(final).toEqual(ck.weights.map((w, l) => Int32Array.from(w, (x, i) => x + c0.delta[l]![i]!)));
    expect(Buffer.from(weightsRoot(TINY_TASK, final!)).equals(Buffer.from(c0.leaf.finalRoot))).toBe(true);
    expect(await svc.getStepData(0, 0, H + 1)).toBeUndefined();
    // the status the RPC reports follows what the worker keeps and served
    expect(svc.status.miner).toMatchObject({ stepsKept: made.length, stepData: { lanes: made.length, rounds: 1, served: made.length * TINY_TASK.localSteps + 1 } });
  });

  it('after a restart, serves the own lanes of the lane store within the window, checked against their roots', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-lanes-'));
    const db = new ChainDb({ path: dir });
    await db.open();
    try {
      const g = miningGenesis([miner], [miner]);
      const own = [await mineLane(g.state, g.header, key, 0), await mineLane(g.state, g.header, key, 2)];
      const store = new LaneStore({ db });
      const base = readRound(g.state)!.checkpointRoot;
      await store.put(own.map((w) => ({ round: 0, lane: w.contribution.lane, baseRoot: base, roots: w.contribution.steps.map((s) => s.weightsRoot) })));
      const chain = { state: () => g.state } as unknown as Chain;
      const lines: string[] = [];
      const svc = new MiningService(
        { miner, key, backend: 'js', params: MINING_PARAMS },
        { chain, mempool: {} as Mempool, contributions: new ContributionPool(), lanes: store, logger: createLogger({ level: 'info', format: 'json' }, (l) => lines.push(l)) },
      );
      // a fresh worker's loop: it trained nothing since the restart
      const loop = new MinerLoop(
        { task: TINY_TASK, pouw: TINY_TRAINING.pouw, miner, keepRounds: 2 },
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
      expect(await svc.getStepData(0, 1, 0)).toBeUndefined(); // not an own landed lane
      expect(loop.stats.stepsKept).toBe(2);
      // rounds behind the window leave the store
      await store.pruneBelow(1);
      expect(await store.from(0)).toEqual([]);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
