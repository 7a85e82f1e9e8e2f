import { describe, expect, it } from 'vitest';
import { matmulRef } from '../../../../consensus/matmul.ts';
import { foldStep, noisedProductRef, tileFoldRef, tileStates } from '../../../../consensus/pouw/transcript.ts';
import { decodeProduct } from '../../../../consensus/pouw/decode.ts';
import { noiseFactors, noisedOperands } from '../../../../consensus/pouw/noise.ts';
import { pouwSeed } from '../../../../consensus/pouw/seed.ts';
import { freivalds } from '../../../../consensus/pouw/freivalds.ts';
import { int7, job, MINER, PARENT, ROOTS, testRandom } from './helpers.ts';

describe('transcript', () => {
  it('is the product plus the fold of running sums after every r steps (last block shorter)', () => {
    const m = 3, k = 37, n = 4, r = 8;
    const a = int7('a', m * k, 127), b = int7('b', k * n, 127);
    const { c, fold } = noisedProductRef(a, b, m, k, n, r);
    expect(c).toEqual(matmulRef({ m, k, n, a, b }));
    // element (1, 2) by hand
    let s = 0, t = 0;
    for (let l = 0; l < k; l++) {
      s += a[1 * k + l]! * b[l * n + 2]!;
      if ((l + 1) % r === 0 || l === k - 1) t = foldStep(t, s);
    }
    expect(fold[1 * n + 2]).toBe(t);
  });

  it('the fold is not linear: fold of a sum differs from combining folds', () => {
    const x = 123456789, y = -987654;
    expect(foldStep(0, x + y)).not.toBe(foldStep(0, x) ^ foldStep(0, y));
    expect(foldStep(0, x + y)).not.toBe((foldStep(0, x) + foldStep(0, y)) | 0);
  });

  it('tile fold from rows and columns equals the cut of the full transcript', () => {
    const m = 20, k = 50, n = 18, r = 16;
    const a = int7('ta', m * k, 127), b = int7('tb', k * n, 127);
    const { fold } = noisedProductRef(a, b, m, k, n, r);
    const rows = a.slice(8 * k, 16 * k);
    const cols = new Int8Array(6 * k);
    for (let j = 0; j < 6; j++) for (let l = 0; l < k; l++) cols[j * k + l] = b[l * n + 12 + j]!;
    expect(tileFoldRef(rows, cols, 8, 6, k, r)).toEqual(tileStates(fold, n, 8, 12, 8, 6));
  });
});

describe('decode and Freivalds', () => {
  it('decode recovers A·B exactly', () => {
    for (const [m, k, n, r] of [[64, 100, 72, 16], [33, 129, 40, 8], [128, 64, 64, 32]] as const) {
      const j = job(m, k, n, `d${m}`);
      const seed = pouwSeed({ parent: PARENT, miner: MINER, round: 0, lane: 0, step: 0, jobId: m, ...ROOTS });
      const f = noiseFactors(seed, r, m, k, n);
      const { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
      const { c: cP } = noisedProductRef(aP, bP, m, k, n, r);
      const want = matmulRef(j);
      expect(cP).not.toEqual(want);
      expect(decodeProduct(cP, j.a, bP, m, k, n, f)).toEqual(want);
    }
  });

  it('Freivalds accepts the right product and rejects a single wrong entry', () => {
    const j = job(48, 70, 52, 'fr');
    const c = matmulRef(j);
    expect(freivalds(j, c, testRandom('x1'))).toBe(true);
    for (const [idx, delta] of [[0, 1], [17 * 52 + 3, -1], [48 * 52 - 1, 1 << 30]] as const) {
      const bad = new Int32Array(c);
      bad[idx] = (bad[idx]! + delta) | 0;
      expect(freivalds(j, bad, testRandom(`x${idx}`))).toBe(false);
    }
  });
});
