// Contribution parts (v2): the canonical encoding round-trips and rejects what is not canonical, D's
// varints are exact up to 2^53, openings prove a lane's leaf, the mean over lanes from a sum of parts
// is exactly the lane-by-lane reference, and honest training stays far inside the bound on D.
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../helpers/errors.ts';
import { PrivateKey } from '../../../../consensus/crypto/index.ts';
import { initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import { contributionOf, partOfLanes } from '../../../../consensus/training/contribution.ts';
import { TrainingError } from '../../../../consensus/training/errors.ts';
import { outerUpdate, outerUpdateFromSum } from '../../../../consensus/training/outer.ts';
import {
  decodeAggDelta, decodePart, decodeSignedPart, deltaBound, encodeAggDelta, encodePart, encodeSignedPart, partSigner, signPart, sumDeltas, verifyOpening,
} from '../../../../consensus/training/part.ts';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { runTrajectory } from '../../../../consensus/training/trajectory.ts';
import { stepClip } from '../../../../consensus/training/spec.ts';
import { mnist, SMALL, miner } from './fixtures.ts';
import { mulberry32 } from '../../../helpers/prng.ts';

const task = SMALL;
const data = mnist().train;
const ck = initCheckpoint(task);
const lanes = (m: number, n: number, round = 0) =>
  Promise.all(Array.from({ length: n }, (_, lane) => runTrajectory(task, data, ck, { round, miner: miner(m), lane }, matmulPlain).then(contributionOf)));

describe('contribution part encoding', () => {
  it('round-trips, signed and unsigned; the signature recovers to the miner and binds the chain', async () => {
    const key = PrivateKey.fromBytes(new Uint8Array(32).fill(5));
    const ls = (await lanes(1, 3)).map((c) => ({ ...c, miner: key.address() }));
    const part = partOfLanes(task, ck.weights, ls, [1]);
    expect(decodePart(task, encodePart(part))).toEqual(part);
    const signed = signPart(part, key, 7);
    const bytes = encodeSignedPart(signed);
    const back = decodeSignedPart(task, bytes);
    expect(encodeSignedPart(back)).toEqual(bytes);
    expect(partSigner(back, 7)).toEqual(key.address());
    expect(partSigner(back, 8)).not.toEqual(key.address()); // another chain: another signer
    expect(verifyOpening(part, part.openings[0]!)).toBe(true);
    expect(verifyOpening(part, { ...part.openings[0]!, lane: 2 })).toBe(false);
    expect(verifyOpening({ ...part, lanesRoot: new Uint8Array(32) }, part.openings[0]!)).toBe(false);
    // truncated or with trailing bytes: a typed error
    expect(thrown(TrainingError, () => decodeAggDelta(task, encodeAggDelta(part.delta).slice(0, -1))).code).toBe('TRAINING_BAD_CONTRIBUTION');
    expect(() => decodeSignedPart(task, bytes.slice(0, -1))).toThrow();
  });

  it('D varints are exact up to ±(2^52 - 1), minimal, at most 8 bytes', () => {
    const rnd = mulberry32(3);
    const n = task.layers[0]! * task.layers[1]!;
    const m = task.layers[1]! * task.layers[2]!;
    const vals = [0, 1, -1, 63, -64, 64, 2 ** 31 - 1, -(2 ** 31), 2 ** 40 + 3, -(2 ** 52) + 1, 2 ** 52 - 1, -(2 ** 51) - 7];
    const d0 = new Float64Array(n).map((_, i) => vals[i] ?? Math.floor((rnd() - 0.5) * 2 ** 30));
    const d = [d0, new Float64Array(m).fill(-5)];
    expect(decodeAggDelta(task, encodeAggDelta(d))).toEqual(d);
    expect(() => decodeAggDelta(task, new Uint8Array([0x80, 0x00]))).toThrow(/non-minimal/);
    expect(() => decodeAggDelta(task, new Uint8Array(9).fill(0xff))).toThrow(/longer than 8/);
    expect(() => encodeAggDelta([new Float64Array(n).fill(2 ** 52), new Float64Array(m)])).toThrow(RangeError);
  });
});

describe('the outer update from parts', () => {
  it('equals the lane-by-lane reference, however the lanes are split into parts', async () => {
    const all = [...(await lanes(1, 3)), ...(await lanes(2, 2))];
    const reference = outerUpdate(task, ck, all.map((c) => c.delta));
    // parts [0,3) of miner 1 and [0,2) of miner 2, or one lane per part: the same W_{R+1}
    for (const split of [[3, 2], [1, 1, 1, 1, 1], [5]]) {
      let at = 0;
      const parts = split.map((n) => {
        const p = sumDeltas(task, all.slice(at, at + n).map((c) => c.delta));
        at += n;
        return p;
      });
      const total = sumDeltas(task, []);
      for (const p of parts) p.forEach((l, i) => l.forEach((v, j) => (total[i]![j] = total[i]![j]! + v)));
      expect(outerUpdateFromSum(task, ck, total, all.length)).toEqual(reference);
    }
    // 4 lanes (a power of two: the shift path) as well
    expect(outerUpdateFromSum(task, ck, sumDeltas(task, all.slice(0, 4).map((c) => c.delta)), 4)).toEqual(outerUpdate(task, ck, all.slice(0, 4).map((c) => c.delta)));
  });

  it('honest lanes stay far inside the bound on D (H clipped steps per lane), and the bound rejects 2^31 - 1 for any one lane', async () => {
    const ls = await lanes(3, 4);
    const D = sumDeltas(task, ls.map((c) => c.delta));
    let max = 0;
    for (const l of D) for (const v of l) max = Math.max(max, Math.abs(v));
    expect(max).toBeGreaterThan(0);
    expect(max * 4).toBeLessThan(deltaBound(task, 4));
    for (const c of ls) for (const l of c.delta) for (const v of l) expect(Math.abs(v) * 4).toBeLessThan(deltaBound(task, 1));
    expect(deltaBound(task, 1)).toBe(task.localSteps * stepClip(task));
    expect(deltaBound(task, 1)).toBeLessThan(2 ** 31 - 1);
  });
});
