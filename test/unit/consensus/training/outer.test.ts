import { describe, expect, it } from 'vitest';
import { initCheckpoint, type Checkpoint } from '../../../../consensus/training/checkpoint.ts';
import { meanDelta, outerUpdate } from '../../../../consensus/training/outer.ts';
import type { TrainingTask } from '../../../../consensus/training/spec.ts';
import { SMALL } from './fixtures.ts';

const MEAN: TrainingTask = { ...SMALL, outer: { kind: 'mean', lr: { num: 1, shift: 0 }, momentum: { num: 0, shift: 0 } } };
const NEST: TrainingTask = { ...SMALL, outer: { kind: 'nesterov', lr: { num: 3, shift: 2 }, momentum: { num: 7, shift: 3 } } };

function deltaOf(v: (l: number, i: number) => number): Int32Array[] {
  return SMALL.layers.slice(0, -1).map((din, l) => Int32Array.from({ length: din * SMALL.layers[l + 1]! }, (_, i) => v(l, i)));
}

describe('outer update', () => {
  it('mean of deltas, rounded to nearest with ties up, added to W_R', () => {
    const ck = initCheckpoint(MEAN);
    const d1 = deltaOf((l, i) => (i % 7) - 3);
    const d2 = deltaOf((l, i) => (i % 5) * 2);
    const d3 = deltaOf(() => 1);
    const out = outerUpdate(MEAN, ck, [d1, d2, d3]);
    for (const l of [0, 1])
      for (const i of [0, 1, 2, 3, 4, 5, 6, 11, 100]) {
        const s = d1[l]![i]! + d2[l]![i]! + d3[l]![i]!;
        const mean = Math.floor((2 * s + 3) / 6); // nearest, ties up
        expect(out.weights[l]![i]).toBe(ck.weights[l]![i]! + mean);
      }
    // the one-contribution round adds the delta exactly
    expect(outerUpdate(MEAN, ck, [d1]).weights[0]![5]).toBe(ck.weights[0]![5]! + d1[0]![5]!);
  });

  it('does not depend on the order of the contributions', () => {
    const ck = initCheckpoint(NEST);
    const ds = [deltaOf((l, i) => i % 13), deltaOf((l, i) => -(i % 11)), deltaOf((l, i) => (i * 7) % 17 - 8)];
    const a = outerUpdate(NEST, ck, ds);
    const b = outerUpdate(NEST, ck, [ds[2]!, ds[0]!, ds[1]!]);
    expect(b).toEqual(a);
  });

  it('Nesterov: v = mu v + mean, W += lr (mean + mu v), momentum carried into the next round', () => {
    const ck0 = initCheckpoint(NEST);
    const d = deltaOf(() => 1000);
    const ck1 = outerUpdate(NEST, ck0, [d, d]);
    // round 1: v = 1000, u = 1000 + 7/8·1000 = 1875, W += 3/4·1875 = 1406.25 -> 1406
    expect(ck1.momentum[0]![0]).toBe(1000);
    expect(ck1.weights[0]![0]).toBe(ck0.weights[0]![0]! + 1406);
    const ck2: Checkpoint = outerUpdate(NEST, ck1, [d]);
    // round 2: v = 875 + 1000 = 1875, u = 1000 + round(7/8·1875 = 1640.625) = 2641, W += round(1980.75) = 1981
    expect(ck2.momentum[1]![3]).toBe(1875);
    expect(ck2.weights[1]![3]).toBe(ck1.weights[1]![3]! + 1981);
  });

  it('rejects an empty round and deltas of the wrong shape', () => {
    const ck = initCheckpoint(MEAN);
    expect(() => meanDelta(MEAN, [])).toThrow(/TRAINING_BAD_OUTER/);
    expect(() => outerUpdate(MEAN, ck, [[new Int32Array(3), new Int32Array(3)]])).toThrow(/TRAINING_BAD_SHAPE/);
  });
});
