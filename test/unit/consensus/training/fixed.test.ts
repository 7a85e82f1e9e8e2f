import { describe, expect, it } from 'vitest';
import { floorDiv, floorShift, int7Shift, quantizeNearest, quantizeStochastic, roundDiv, roundShift } from '../../../../consensus/training/fixed.ts';
import { prfWords } from '../../../../consensus/training/prf.ts';
import { EXP_TABLE, EXP_TABLE_LEN, lnRatioIndex, softmaxXent } from '../../../../consensus/training/softmax.ts';

// An independent BigInt model of the stated rounding rules.
const bigFloorShift = (x: number, s: number) => Number(BigInt(x) >> BigInt(s));
const bigRoundShift = (x: number, s: number) => Number((BigInt(x) + (1n << BigInt(s - 1))) >> BigInt(s));

describe('fixed-point rounding rules', () => {
  const words = prfWords(new Uint8Array(32), 4000);
  const samples: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const big = words[2 * i]! * 2 ** 21 + (words[2 * i + 1]! >>> 11); // up to 2^53
    const v = i % 3 === 0 ? (words[2 * i]! | 0) : (i % 3 === 1 ? big : -big);
    samples.push(v);
  }
  samples.push(0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 31 - 1, -(2 ** 31), 7, -7);

  it('floorShift and roundShift equal the BigInt definitions for every shift', () => {
    for (const x of samples)
      for (const s of [1, 2, 5, 13, 24, 31, 33, 40]) {
        expect(floorShift(x, s)).toBe(bigFloorShift(x, s));
        expect(roundShift(x, s)).toBe(bigRoundShift(x, s));
      }
  });

  it('roundShift rounds ties up and scales exactly for s <= 0', () => {
    expect(roundShift(3, 1)).toBe(2); // 1.5 -> 2
    expect(roundShift(-3, 1)).toBe(-1); // -1.5 -> -1
    expect(roundShift(5, -3)).toBe(40);
  });

  it('floorDiv and roundDiv are floor and nearest (ties up) for negative numbers too', () => {
    expect(floorDiv(-7, 2)).toBe(-4);
    expect(floorDiv(7, 2)).toBe(3);
    expect(roundDiv(-5, 2)).toBe(-2); // -2.5 -> -2
    expect(roundDiv(5, 3)).toBe(2);
    expect(roundDiv(-5, 3)).toBe(-2);
  });

  it('int7 quantization keeps every entry in [-63, 63] and uses the smallest shift', () => {
    const x = Int32Array.from([1000, -999, 5, 0, 63 * 16]);
    const q = quantizeNearest(x, -10);
    expect(int7Shift(1008)).toBe(4);
    expect(q.exp).toBe(-10 + 4);
    expect(Array.from(q.q)).toEqual([63, -62, 0, 0, 63]);
    const st = quantizeStochastic(x, 0, prfWords(new Uint8Array(32).fill(1), x.length));
    for (const v of st.q) expect(Math.abs(v)).toBeLessThanOrEqual(63);
    expect(quantizeNearest(Int32Array.from([3, -2]), 0).exp).toBe(0); // small tensors are not scaled
  });

  it('stochastic rounding is unbiased: the mean of many roundings of 1/3 of a step is 1/3', () => {
    const n = 30000;
    const x = new Int32Array(n).fill(21); // with max 63·64 below, shift 6: 21/64 ~ 0.328
    x[0] = 63 * 64;
    const q = quantizeStochastic(x, 0, prfWords(new Uint8Array(32).fill(7), n));
    let sum = 0;
    for (let i = 1; i < n; i++) sum += q.q[i]!;
    expect(q.exp).toBe(6);
    expect(Math.abs(sum / (n - 1) - 21 / 64)).toBeLessThan(0.02);
    expect(new Set(Array.from(q.q.subarray(1))).size).toBe(2); // only 0 and 1
  });
});

describe('integer softmax', () => {
  it('the exp table is 2^16 e^(-i/256), built without floats', () => {
    expect(EXP_TABLE[0]).toBe(65536);
    // spot values computed independently: 65536·e^-1 = 24109.27, 65536·e^-2 = 8869.18, 65536·e^-0.5 = 39749.98
    expect(EXP_TABLE[256]).toBe(24109);
    expect(EXP_TABLE[512]).toBe(8869);
    expect(EXP_TABLE[128]).toBe(39750);
    for (let i = 1; i < EXP_TABLE_LEN; i++) expect(EXP_TABLE[i]!).toBeLessThanOrEqual(EXP_TABLE[i - 1]!);
    expect(lnRatioIndex(65536)).toBe(0);
    expect(lnRatioIndex(65536 * 10)).toBe(590); // ln 10 · 256 = 589.5
  });

  it('gives uniform probabilities for equal logits and a gradient that sums to ~0', () => {
    const z = new Int32Array(10).fill(1234);
    const r = softmaxXent(z, 1, 10, -8, [3], 15);
    const g = Array.from(r.grad);
    expect(g[0]).toBe(3276); // floor(32768 / 10)
    expect(g[3]).toBe(3276 - 32768);
    expect(Math.abs(g.reduce((a, b) => a + b, 0))).toBeLessThan(10);
    expect(r.lossSum).toBe(590); // ln 10 in 2^-8 nats
    expect(r.correct).toBe(0); // ties go to the lowest index (0), label is 3
  });

  it('a confident right logit gives a small loss and counts as correct', () => {
    const z = Int32Array.from([0, 0, 10 * 256, 0, 0, 0, 0, 0, 0, 0]);
    const r = softmaxXent(z, 1, 10, -8, [2], 15);
    expect(r.correct).toBe(1);
    expect(r.lossSum).toBeLessThan(3); // ~9 e^-10 nats
    expect(r.grad[2]).toBeLessThan(0);
  });
});
