// A step fraud proof re-executes the step on the training set of the challenged round: the samples
// registered up to its open (0x2e keeps the count per round), not the genesis set. Through whole
// blocks: a RegisterData adds 32 samples, an honest part of the next round (its shard draws some of
// them) is challenged at a step whose batch holds a new sample: the claim is false before and after
// the round closes, the challenge lands and burns its bond, the miner keeps everything; on the
// genesis samples alone the same step would have passed for fraud.
import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { weightsRoot } from '../../../consensus/training/checkpoint.ts';
import { laneLeafOf } from '../../../consensus/training/contribution.ts';
import { checkLaneStep } from '../../../consensus/training/fraud.ts';
import { decodeSignedPart } from '../../../consensus/training/part.ts';
import { shardIndices, shardSeed } from '../../../consensus/training/shard.ts';
import { runStep } from '../../../consensus/training/step.ts';
import { stepBatch } from '../../../consensus/training/trajectory.ts';
import { readRegistry } from '../../../vm/data/registry.ts';
import { activeOfRound } from '../../../vm/data/training-set.ts';
import { judge, partVoidOf, stepChallenge } from '../../../vm/fraud-proofs.ts';
import { readBond, readCheckpoint, readRound } from '../../../vm/round/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { concat, rows, synthDataset, TrainChain } from '../../fixtures/data.ts';
import { FRAUD_PARAMS, TINY_DATA } from '../../fixtures/fraud.ts';
import { TEST_GOVERNANCE } from '../../fixtures/gov.ts';
import { mineLane } from '../../fixtures/mining.ts';

const [A, B, V] = [1, 2, 6].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];
const P = { ...FRAUD_PARAMS, governance: TEST_GOVERNANCE };
const t = P.training!;
const task = t.task;

describe('a step challenge on a round with registered data', () => {
  it('re-executes on the round\'s registered samples: an honest part stays honest', async () => {
    const data = concat(TINY_DATA, synthDataset(32, 'registered later'), synthDataset(8, 'even later'));
    const ch = new TrainChain(P, [A.address(), B.address(), V.address()], [A.address(), B.address()], [{ contributor: testKey(11).address(), royaltyBps: 10_000, from: 0, to: 64 }], data);
    const late = rows(data, 64, 96);
    await ch.mine(A, 0, [], [ch.register(V, testKey(12).address(), 10_000, 16, late.pixels, late.labels)]);
    while (readRegistry(ch.state)!.active !== 96) await ch.mine(A, ch.height % 3);
    const open = readRound(ch.state)!;
    expect(activeOfRound(ch.state, open.round)).toBe(96);
    expect(activeOfRound(ch.state, 0)).toBe(64);

    // B's honest lane 0 of this round, trained on all 96 samples, lands in the next block
    const pre = ch.state;
    const base = readCheckpoint(pre, task);
    const w = await mineLane(pre, ch.header, B, 0, undefined, ch.next, ch.activeData());
    await ch.mine(A, 1, [[B, 0]]);
    const seed = shardSeed(open.checkpointRoot, { round: open.round, miner: B.address(), lane: 0 });
    const idx = shardIndices(task, 96, seed);
    const s = [...Array(task.localSteps).keys()].find((k) => [...stepBatch(task, idx, k)].some((i) => i >= 64));
    expect(s).toBeDefined();
    let ws: readonly Int32Array[] = base.weights;
    for (let k = 0; k < s!; k++) ws = (await runStep(task, ch.activeData(), ws, k, stepBatch(task, idx, k), seed, matmulPlain)).weights;
    const leaf = laneLeafOf(task, base.weights, w.contribution);
    const tx = () => stepChallenge({ part: w.bytes, lane: 0, step: s!, leaf, siblings: [], weights: ws }, { chainId: P.chainId, nonce: ch.state.getAccount(V.address()).nonce, fee: P.minFee }, V);
    expect(judge(ch.state, P, tx(), ch.height + 1)).toEqual({ fraud: false });
    // on the genesis samples alone the same honest step looks like a fraud
    const rb = { checkpointRoot: open.checkpointRoot, weightsRoot: weightsRoot(task, base.weights) };
    expect(checkLaneStep(task, TINY_DATA, rb, decodeSignedPart(task, w.bytes), 0, leaf, s!, ws).fraud).toBe(true);

    // after the round closed (more data may be registered by then): still its own samples
    const r2 = rows(data, 96, 104);
    await ch.mine(A, 2, [], [ch.register(V, testKey(13).address(), 10_000, 16, r2.pixels, r2.labels)]);
    let lane = 3;
    while (readRound(ch.state)!.round === open.round) await ch.mine(A, lane++);
    expect(readRegistry(ch.state)!.total).toBe(104);
    expect(judge(ch.state, P, tx(), ch.height + 1)).toEqual({ fraud: false });
    const bond = readBond(ch.state, B.address());
    const v0 = ch.state.getAccount(V.address()).balance;
    const challenge = tx();
    await ch.mine(A, 0, [], [challenge]);
    expect(ch.state.getAccount(V.address()).balance).toBe(v0 - challenge.fee - t.challengeBond!);
    expect(readBond(ch.state, B.address())).toBe(bond);
    expect(partVoidOf(ch.state, open.round, B.address(), 0)).toBeUndefined();
  });
});
