// The per-step data store: from W_R of the round, a lane's committed step roots and (optionally)
// every k-th step's weights, it regenerates W_{R,m,s} of any step exactly (the weights the lane
// computed, matching its commitment), drops rounds that left the challenge window, and stays
// servable when the byte cap drops kept steps.
import { describe, expect, it } from 'vitest';
import { matmulPlain } from '../../../consensus/matmul.ts';
import { initCheckpoint, weightsRoot, type Checkpoint } from '../../../consensus/training/checkpoint.ts';
import type { TrainingTask } from '../../../consensus/training/spec.ts';
import { makeDataset } from '../../../consensus/training/dataset.ts';
import { runLane, type LaneResult } from '../../../miner/lane.ts';
import { StepStore, type StepStoreOpts } from '../../../miner/step-store.ts';
import { TINY_TASK, tinyDataset } from '../../fixtures/mining.ts';

const H = 8;
const TASK: TrainingTask = Object.freeze({ ...TINY_TASK, localSteps: H }) as TrainingTask;
const miner = new Uint8Array(20).fill(9);
const data = tinyDataset();
const ck0 = initCheckpoint(TASK);

/** A lane run keeping every step's weights: the ground truth. */
async function lane(round: number, l: number, ck: Checkpoint = ck0): Promise<LaneResult> {
  const r = await runLane(TASK, data, ck, { round, miner, lane: l }, matmulPlain, () => false, () => true);
  return r!;
}

const rootsOf = (r: LaneResult): Uint8Array[] => r.contribution.steps.map((s) => s.weightsRoot);
const truth = (r: LaneResult, s: number): readonly Int32Array[] => (s === 0 ? ck0.weights : r.kept.get(s)!);

function store(opts: Partial<StepStoreOpts> = {}): StepStore {
  return new StepStore({ task: TASK, miner, keepRounds: 1, ...opts }, { data, matmul: matmulPlain });
}

/** What the store would keep of a lane computed with its keepsStep. */
const keptFor = (st: StepStore, r: LaneResult): Map<number, readonly Int32Array[]> => new Map([...r.kept].filter(([s]) => st.keepsStep(s)));

describe('StepStore', () => {
  it('replays each round with the task and training set it was opened with (a task switch, data registered)', async () => {
    const other: TrainingTask = Object.freeze({ ...TASK, localSteps: 4, initSeed: 'tessera/test/other-task' }) as TrainingTask;
    const ckOther = initCheckpoint(other);
    const more = makeDataset(new Int8Array([...data.x, ...data.x.map((v) => 63 - v)]), new Uint8Array([...data.y, ...data.y]), data.dim, 4);
    const r0 = (await runLane(TASK, data, ck0, { round: 0, miner, lane: 2 }, matmulPlain, () => false, () => true))!;
    const r1 = (await runLane(other, more, ckOther, { round: 1, miner, lane: 2 }, matmulPlain, () => false, () => true))!;
    const st = store({ keepRounds: 2 });
    st.openRound(0, ck0);
    st.put(0, 2, rootsOf(r0));
    st.openRound(1, ckOther, { task: other, data: more });
    expect(() => st.put(1, 2, rootsOf(r0))).toThrow(RangeError); // H = 8 roots for a task of 4 steps
    st.put(1, 2, rootsOf(r1));
    expect(await st.get(1, 2, 3)).toEqual(r1.kept.get(3));
    expect(await st.get(1, 2, 4)).toBeUndefined(); // past the round's H
    expect(await st.get(0, 2, 7)).toEqual(r0.kept.get(7)); // the earlier round keeps its own
  });


  it('regenerates W_{R,m,s} of every step from W_R alone, equal to the lane\'s and matching its committed roots', async () => {
    const r = await lane(0, 3);
    const st = store();
    expect(st.interval).toBe(H);
    st.openRound(0, ck0);
    st.put(0, 3, rootsOf(r), keptFor(st, r));
    for (const s of [5, 0, 7, 2, 3]) {
      const w = await st.get(0, 3, s);
      expect(w).toEqual(truth(r, s));
      expect(Buffer.from(weightsRoot(TASK, w!)).equals(Buffer.from(r.contribution.steps[s]!.weightsRoot))).toBe(true);
    }
    // the lane keeps no weights of its own: W_R of the round (+ its root), the replay cursor, H step roots
    const wBytes = ck0.weights.reduce((a, t) => a + t.byteLength, 0);
    expect(st.bytes).toBe(wBytes + 32 + wBytes + H * 32);
    expect(st.stats()).toMatchObject({ rounds: 1, oldestRound: 0, lanes: 1, checkpointInterval: H, served: 5 });
    expect(await st.get(0, 3, H)).toBeUndefined();
    expect(await st.get(0, 4, 1)).toBeUndefined();
  });

  it('replays from the nearest kept step, and sequential requests replay each step once', async () => {
    const r = await lane(0, 1);
    const st = store({ checkpointInterval: 3 });
    st.openRound(0, ck0);
    st.put(0, 1, rootsOf(r), keptFor(st, r));
    expect([...keptFor(st, r).keys()]).toEqual([3, 6]);
    expect(await st.get(0, 1, 7)).toEqual(truth(r, 7));
    expect(st.stats().replayedSteps).toBe(1); // from W_6
    expect(await st.get(0, 1, 5)).toEqual(truth(r, 5));
    expect(st.stats().replayedSteps).toBe(3); // from W_3
    const st2 = store();
    st2.openRound(0, ck0);
    st2.put(0, 1, rootsOf(r));
    for (let s = 0; s < H; s++) expect(await st2.get(0, 1, s)).toEqual(truth(r, s));
    expect(st2.stats().replayedSteps).toBe(H - 1);
  });

  it('refuses to serve weights that do not match the committed root', async () => {
    const r = await lane(0, 0);
    const st = store();
    st.openRound(0, ck0);
    const roots = rootsOf(r);
    roots[4] = new Uint8Array(32);
    st.put(0, 0, roots);
    await expect(st.get(0, 0, 4)).rejects.toThrow(/committed root/);
    expect(await st.get(0, 0, 3)).toEqual(truth(r, 3)); // the store still answers the next request
  });

  it('drops rounds older than keepRounds behind the open round', async () => {
    const r = await lane(0, 0);
    const st = store({ keepRounds: 1 });
    st.openRound(0, ck0);
    st.put(0, 0, rootsOf(r));
    st.openRound(1, ck0);
    expect(st.has(0, 0)).toBe(true);
    expect(await st.get(0, 0, 2)).toEqual(truth(r, 2));
    st.openRound(2, ck0);
    expect(st.has(0, 0)).toBe(false);
    expect(await st.get(0, 0, 2)).toBeUndefined();
    expect(st.stats()).toMatchObject({ rounds: 2, oldestRound: 1, lanes: 0 });
    expect(() => st.put(0, 0, rootsOf(r))).toThrow(/not open/);
  });

  it('past the byte cap drops the oldest lanes\' kept steps, which stay servable from W_R', async () => {
    const a = await lane(0, 0);
    const b = await lane(0, 1);
    const perStep = ck0.weights.reduce((x, t) => x + t.byteLength, 0);
    const st = store({ checkpointInterval: 2, maxBytes: 3 * perStep }); // one lane keeps W_2, W_4, W_6
    st.openRound(0, ck0);
    st.put(0, 0, rootsOf(a), keptFor(st, a));
    st.put(0, 1, rootsOf(b), keptFor(st, b));
    expect(st.stats()).toMatchObject({ lanes: 2, evicted: 1 });
    expect(await st.get(0, 0, 7)).toEqual(truth(a, 7));
    expect(st.stats().replayedSteps).toBe(7); // lane 0 lost its kept steps: replayed from W_R
    expect(await st.get(0, 1, 7)).toEqual(truth(b, 7));
    expect(st.stats().replayedSteps).toBe(8); // lane 1 still has W_6
  });

  it('a new W_R for a round (reorg) drops the lanes trained on the old one', async () => {
    const r = await lane(0, 0);
    const st = store();
    st.openRound(0, ck0);
    st.put(0, 0, rootsOf(r));
    const other: Checkpoint = { weights: ck0.weights.map((t) => t.map((x) => x + 1)), momentum: ck0.momentum };
    st.openRound(0, other);
    expect(st.has(0, 0)).toBe(false);
  });
});
