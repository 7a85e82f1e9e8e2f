// The mining service signs what its (keyless) miner worker hands it: finished lanes are summed into
// one contribution part signed by the miner's key for this chain (lanes [a, b) not yet in a landed
// part, openings for the lanes the miner won tickets on), and a worker message that is not a lane
// of the task is logged and never signed. No worker thread is started: the test feeds the service
// the worker's messages directly.
import { describe, expect, it } from 'vitest';
import { to0x } from '../../../consensus/bytes.ts';
import { laneLeafOf } from '../../../consensus/training/contribution.ts';
import { decodeSignedPart, lanesRoot, partSigner, sumDeltas } from '../../../consensus/training/part.ts';
import type { Chain } from '../../../node/chain/chain.ts';
import { createLogger } from '../../../node/log/logger.ts';
import { ContributionPool } from '../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../node/mempool/mempool.ts';
import type { FromMiner } from '../../../node/mining/messages.ts';
import { MiningService } from '../../../node/mining/service.ts';
import { readRound } from '../../../vm/round/state.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS, TINY_TASK, mineLane, minedBlock, miningGenesis, partBytes } from '../../fixtures/mining.ts';

const key = testKey(1);
const A = key.address();
const B = testKey(2).address();
const p = MINING_PARAMS;

function service(state: State) {
  const lines: string[] = [];
  const svc = new MiningService(
    { miner: A, key, backend: 'js', params: p },
    { chain: { state: () => state } as unknown as Chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: createLogger({ level: 'debug', format: 'json' }, (l) => lines.push(l)) },
  );
  const fromWorker = (m: FromMiner) => (svc as unknown as { onMessage(m: FromMiner): void }).onMessage(m);
  return { svc, fromWorker, lines };
}

describe('MiningService aggregates and signs its miner worker\'s lanes', () => {
  it('one part per block: the finished lanes not yet landed, D their sum, signed by the miner for this chain', async () => {
    const g = miningGenesis([A, B], [A, B]);
    const lanes = await Promise.all([0, 1, 2].map((l) => mineLane(g.state, g.header, A, l)));
    const { svc, fromWorker } = service(g.state);
    for (const w of [lanes[0]!, lanes[1]!, lanes[2]!])
      fromWorker({ type: 'contribution', round: 0, lane: w.contribution.lane, baseRoot: w.contribution.baseRoot, leaf: laneLeafOf(TINY_TASK, w.base.weights, w.contribution), delta: w.contribution.delta as Int32Array[], macs: 1, lossMilli: 0, accuracyBp: 0 });
    const round = readRound(g.state)!;
    const own = svc.ownPart(g.state, round)!;
    expect([own.laneStart, own.laneCount]).toEqual([0, 3]);
    const part = decodeSignedPart(TINY_TASK, own.bytes);
    expect(to0x(partSigner(part, p.chainId))).toBe(to0x(A));
    expect(part.delta).toEqual(sumDeltas(TINY_TASK, lanes.map((w) => w.contribution.delta)));
    expect(part.lanesRoot).toEqual(lanesRoot(0, lanes.map((w) => laneLeafOf(TINY_TASK, w.base.weights, w.contribution))));
    // once lanes 0..1 landed (in another part), the next part covers lane 2 only
    const wb = await mineLane(g.state, g.header, B, 0);
    const b1 = minedBlock(g.state, g.header, wb.tickets[0]!, { contributions: [partBytes([lanes[0]!, lanes[1]!])] });
    const s1 = importMined(g.state, g.header, b1.block).state;
    const next = svc.ownPart(s1, round)!;
    expect([next.laneStart, next.laneCount]).toEqual([2, 1]);
  });

  it('signs nothing that is not a lane of the task', async () => {
    const g = miningGenesis([A, B], [A, B]);
    const w = await mineLane(g.state, g.header, A, 0);
    const { svc, fromWorker, lines } = service(g.state);
    const leaf = laneLeafOf(TINY_TASK, w.base.weights, w.contribution);
    fromWorker({ type: 'contribution', round: 0, lane: 0, baseRoot: w.contribution.baseRoot, leaf, delta: [w.contribution.delta[0] as Int32Array], macs: 1, lossMilli: 0, accuracyBp: 0 });
    fromWorker({ type: 'contribution', round: 0, lane: 1, baseRoot: w.contribution.baseRoot, leaf: { ...leaf, steps: leaf.steps.slice(1) }, delta: w.contribution.delta as Int32Array[], macs: 1, lossMilli: 0, accuracyBp: 0 });
    expect(svc.ownPart(g.state, readRound(g.state)!)).toBeUndefined();
    expect(lines.filter((l) => l.includes('will not sign')).length).toBe(2);
  });

  it('never signs a lane trained from another W_R of the same round number (a reorg reopened the round on another base)', async () => {
    const g = miningGenesis([A, B], [A, B]);
    const w = await mineLane(g.state, g.header, A, 0);
    const { svc, fromWorker } = service(g.state);
    const leaf = laneLeafOf(TINY_TASK, w.base.weights, w.contribution);
    const otherBase = new Uint8Array(32).fill(7); // the lane's W_R on the branch the node left
    fromWorker({ type: 'contribution', round: 0, lane: 0, baseRoot: otherBase, leaf, delta: w.contribution.delta as Int32Array[], macs: 1, lossMilli: 0, accuracyBp: 0 });
    expect(svc.ownPart(g.state, readRound(g.state)!)).toBeUndefined();
    // the same lane from the open round's own base is signed
    fromWorker({ type: 'contribution', round: 0, lane: 0, baseRoot: w.contribution.baseRoot, leaf, delta: w.contribution.delta as Int32Array[], macs: 1, lossMilli: 0, accuracyBp: 0 });
    expect(svc.ownPart(g.state, readRound(g.state)!)?.laneCount).toBe(1);
    // and a round reopened on another base drops what was finished on the old one
    const moved = { ...readRound(g.state)!, checkpointRoot: otherBase };
    expect(svc.ownPart(g.state, moved)).toBeUndefined();
  });
});
