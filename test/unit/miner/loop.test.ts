// The miner loop on the tiny task (test/fixtures/mining.ts) with the plain-JS backend: lanes in
// order (as many as the compute allows) with leaves and deltas equal to the consensus trajectory,
// tickets only for the current head, filler only when no task is open, and the per-step data it keeps.
import { describe, expect, it } from 'vitest';
import { verifyTicket } from '../../../consensus/pouw/verify.ts';
import { checkpointRoot, initCheckpoint, weightsRoot } from '../../../consensus/training/checkpoint.ts';
import { contributionOf, laneLeafOf } from '../../../consensus/training/contribution.ts';
import { FILLER_LANE } from '../../../miner/filler.ts';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { runTrajectory } from '../../../consensus/training/trajectory.ts';
import { JsBackend } from '../../../miner/backends/js.ts';
import { runLane } from '../../../miner/lane.ts';
import { MinerLoop, MAX_REPORTS_PER_PARENT, type MinedContribution, type MinedTicket, type MinerWork } from '../../../miner/loop.ts';
import { EASY_TARGET, TINY_TASK, TINY_TRAINING, tinyDataset } from '../../fixtures/mining.ts';

const miner = new Uint8Array(20).fill(7);

function setup() {
  const tickets: MinedTicket[] = [];
  const contributions: MinedContribution[] = [];
  const loop = new MinerLoop(
    { task: TINY_TASK, pouw: TINY_TRAINING.pouw, miner, keepRounds: 1 },
    { backend: new JsBackend(), data: tinyDataset(), events: { ticket: (t) => tickets.push(t), contribution: (c) => contributions.push(c) } },
  );
  return { loop, tickets, contributions };
}

async function runUntil(loop: MinerLoop, cond: () => boolean, maxMs = 20_000): Promise<void> {
  const done = loop.run();
  const end = Date.now() + maxMs;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  loop.stop();
  await done;
}

const parentA = new Uint8Array(32).fill(1);
const parentB = new Uint8Array(32).fill(2);

describe('MinerLoop', () => {
  it('restarts its lanes when a reorg reopens the same round on another W_R: every lane it hands over trained from the base it names', async () => {
    const { loop, contributions } = setup();
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: parentA, height: 5, target: EASY_TARGET, round: 0, checkpoint: ck });
    await runUntil(loop, () => contributions.length >= 2);
    // the same round number, another base (the weights of the branch the node moved to)
    const other = { weights: ck.weights.map((w) => w.map((x, i) => (i === 0 ? x + 1 : x))), momentum: ck.momentum };
    loop.setWork({ parent: parentB, height: 6, target: EASY_TARGET, round: 0, checkpoint: other });
    const before = contributions.length;
    await runUntil(loop, () => contributions.length >= before + 2);
    const after = contributions.slice(before);
    const root = checkpointRoot(TINY_TASK, other);
    expect(after.every((c) => Buffer.from(c.baseRoot).equals(Buffer.from(root)))).toBe(true);
    expect(after[0]!.lane).toBe(0); // lanes start over on the new base
    for (const c of after) {
      const t = await runTrajectory(TINY_TASK, tinyDataset(), other, { round: 0, miner, lane: c.lane }, matmulPlain);
      expect(c.leaf).toEqual(laneLeafOf(TINY_TASK, other.weights, contributionOf(t)));
    }
  });

  it('trains lanes 0, 1, 2, ... with no cap, each bit-identical to the consensus trajectory, and no filler while a task is open', async () => {
    const { loop, contributions, tickets } = setup();
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: parentA, height: 5, target: EASY_TARGET, round: 0, checkpoint: ck });
    await runUntil(loop, () => contributions.length >= 5);
    loop.stop();
    const lanes = contributions.length;
    expect(contributions.map((c) => c.lane)).toEqual(Array.from({ length: lanes }, (_, i) => i));
    for (const c of contributions) {
      const t = await runTrajectory(TINY_TASK, tinyDataset(), ck, { round: 0, miner, lane: c.lane }, matmulPlain);
      expect(c.delta).toEqual(t.delta);
      expect(c.leaf).toEqual(laneLeafOf(TINY_TASK, ck.weights, contributionOf(t)));
      expect(c.macs).toBeGreaterThan(0);
    }
    // every tile wins at EASY_TARGET: reported tickets are capped per parent and verify against it
    expect(tickets.length).toBe(MAX_REPORTS_PER_PARENT);
    for (const t of tickets) {
      expect(Buffer.from(t.parent).equals(Buffer.from(parentA))).toBe(true);
      expect(() => verifyTicket(t.proof, parentA, EASY_TARGET, TINY_TRAINING.pouw)).not.toThrow();
    }
    // a task is open: no filler, every MAC went into lanes
    expect(loop.stats.lanesDone).toBe(lanes);
    expect(loop.stats.fillerMacs).toBe(0);
    expect(loop.stats.laneMacs).toBe(contributions.reduce((a, c) => a + c.macs, 0));
    // per-step data of every finished lane can be served: W_s of each of the H steps, regenerated
    // exactly (equal to the consensus trajectory's weights, matching the lane's committed roots)
    expect(loop.stats.stepsKept).toBe(lanes);
    for (const c of contributions.slice(0, 3)) {
      const full = await runLane(TINY_TASK, tinyDataset(), ck, { round: 0, miner, lane: c.lane }, matmulPlain, () => false, () => true);
      const committed = c.leaf.steps;
      for (let s = 0; s < TINY_TASK.localSteps; s++) {
        const w = await loop.getStepData(0, c.lane, s);
        expect(w).toEqual(full!.kept.get(s));
        expect(Buffer.from(weightsRoot(TINY_TASK, w!)).equals(Buffer.from(committed[s]!.weightsRoot))).toBe(true);
      }
    }
    // step H: the lane's final weights, matching the leaf's final root; nothing after it
    const c2 = contributions.find((c) => c.lane === 2)!;
    const final = await loop.getStepData(0, 2, TINY_TASK.localSteps);
    expect(Buffer.from(weightsRoot(TINY_TASK, final!)).equals(Buffer.from(c2.leaf.finalRoot))).toBe(true);
    expect(await loop.getStepData(0, 2, TINY_TASK.localSteps + 1)).toBeUndefined();
    expect(await loop.getStepData(0, lanes + 5, 0)).toBeUndefined(); // a lane not trained
  });

  it('mines tickets on the new head after a head change, and filler tickets (no task open) carry the filler lane', async () => {
    const { loop, tickets } = setup();
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: parentA, height: 1, target: EASY_TARGET, round: 0, checkpoint: ck });
    await runUntil(loop, () => tickets.length >= MAX_REPORTS_PER_PARENT);
    expect(tickets.every((t) => !t.filler)).toBe(true);
    const w: MinerWork = { parent: parentB, height: 2, target: EASY_TARGET, round: 0, noTask: true };
    loop.setWork(w);
    await runUntil(loop, () => tickets.some((t) => t.parent[0] === 2));
    const onB = tickets.filter((t) => t.parent[0] === 2);
    expect(onB.length).toBeGreaterThan(0);
    for (const t of onB) expect(() => verifyTicket(t.proof, parentB, EASY_TARGET, TINY_TRAINING.pouw)).not.toThrow();
    expect(onB.every((t) => t.filler && t.proof.lane === FILLER_LANE)).toBe(true);
  });

  it('trains only the lanes its bond backs (laneCap), then the filler job; more bond, more lanes', async () => {
    const { loop, contributions } = setup();
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: parentA, height: 1, target: EASY_TARGET, round: 0, checkpoint: ck, laneCap: 2 });
    await runUntil(loop, () => loop.stats.fillerMacs > 0);
    expect(contributions.map((c) => c.lane)).toEqual([0, 1]);
    expect([loop.stats.lanesDone, loop.stats.fillerMacs > 0]).toEqual([2, true]);
    loop.setWork({ parent: parentB, height: 2, target: EASY_TARGET, round: 0, laneCap: 4 });
    await runUntil(loop, () => contributions.length >= 4);
    expect(contributions.map((c) => c.lane)).toEqual([0, 1, 2, 3]);
  });

  it('skips lanes already contributed, and starts over at lane 0 in a new round', async () => {
    const { loop, contributions } = setup();
    const ck = initCheckpoint(TINY_TASK);
    loop.setWork({ parent: parentA, height: 1, target: 1n, round: 0, checkpoint: ck, doneLanes: [0, 2] });
    await runUntil(loop, () => contributions.length >= 2);
    expect(contributions.map((c) => c.lane).slice(0, 2)).toEqual([1, 3]); // lanes 0 and 2 were done
    // a new round resets the lanes and takes its own checkpoint
    loop.setWork({ parent: parentB, height: 2, target: 1n, round: 1, checkpoint: ck });
    await runUntil(loop, () => contributions.some((c) => c.round === 1));
    expect(contributions.find((c) => c.round === 1)!.lane).toBe(0);
    // per-step data: keepRounds 1 keeps round 0 while round 1 is open, and drops it when round 2 opens
    expect(await loop.getStepData(0, 1, 1)).toBeDefined();
    loop.setWork({ parent: parentA, height: 3, target: 1n, round: 2, checkpoint: ck });
    expect(await loop.getStepData(0, 1, 1)).toBeUndefined();
    expect(await loop.getStepData(1, 0, 1)).toBeDefined();
    expect(loop.steps.stats()).toMatchObject({ oldestRound: 1, rounds: 2 });
    expect(() => loop.setWork({ parent: parentA, height: 4, target: 1n, round: 3 })).toThrow(/checkpoint/);
  });
});

