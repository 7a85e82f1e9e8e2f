import { describe, expect, it } from 'vitest';
import { noiseFactors, noisedOperands, noiseEL, noiseER, noiseFR } from '../../../../consensus/pouw/noise.ts';
import { pouwSeed } from '../../../../consensus/pouw/seed.ts';
import { PARENT, MINER, ROOTS } from './helpers.ts';

const seed = pouwSeed({ parent: PARENT, miner: MINER, round: 1, lane: 0, step: 2, jobId: 3, ...ROOTS });

/** Rank over the rationals by fraction-free Gaussian elimination with bigint. */
function rank(rows: bigint[][]): number {
  const a = rows.map((r) => r.slice());
  let rk = 0;
  const cols = a[0]?.length ?? 0;
  for (let c = 0; c < cols && rk < a.length; c++) {
    const p = a.findIndex((r, i) => i >= rk && r[c] !== 0n);
    if (p < 0) continue;
    [a[rk], a[p]] = [a[p]!, a[rk]!];
    for (let i = rk + 1; i < a.length; i++) {
      const f = a[i]![c]!, g = a[rk]![c]!;
      a[i] = a[i]!.map((v, j) => v * g - a[rk]![j]! * f);
    }
    rk++;
  }
  return rk;
}

describe('pouw noise', () => {
  it('the seed binds every field', () => {
    const base = { parent: PARENT, miner: MINER, round: 1, lane: 0, step: 2, jobId: 3, ...ROOTS };
    const seeds = new Set([
      base, { ...base, round: 2 }, { ...base, lane: 1 }, { ...base, step: 3 }, { ...base, jobId: 4 },
      { ...base, parent: new Uint8Array(32) }, { ...base, miner: new Uint8Array(20) },
      { ...base, rootA: new Uint8Array(32) }, { ...base, rootB: new Uint8Array(32) }, { ...base, rootA: ROOTS.rootB, rootB: ROOTS.rootA },
    ].map((x) => Buffer.from(pouwSeed(x)).toString('hex')));
    expect(seeds.size).toBe(10);
  });

  it('keeps A + E and B + F inside int8 for extreme int7 operands, for every allowed r', () => {
    for (const r of [2, 8, 16, 32]) {
      const m = 40, k = 3 * r + 5, n = 36;
      const f = noiseFactors(seed, r, m, k, n);
      for (const fill of [63, -63]) {
        const { aP, bP } = noisedOperands(new Int8Array(m * k).fill(fill), new Int8Array(k * n).fill(fill), m, k, n, f);
        let maxA = 0;
        for (const v of aP) maxA = Math.max(maxA, Math.abs(v - fill));
        for (const v of [...aP, ...bP]) expect(Math.abs(v)).toBeLessThanOrEqual(127);
        expect(maxA).toBeLessThanOrEqual(2 * r - 1);
        expect(maxA).toBeGreaterThan(0);
      }
    }
  });

  it('rejects operands outside int7', () => {
    const f = noiseFactors(seed, 16, 64, 64, 64);
    const a = new Int8Array(64 * 64);
    a[5] = 64;
    expect(() => noisedOperands(a, new Int8Array(64 * 64), 64, 64, 64, f)).toThrow(/not int7/);
  });

  it('every depth-r slice of E_R has full rank (also the shorter last one)', () => {
    const r = 8, k = 3 * r + 3;
    const er = noiseER(seed, r, k);
    for (let l0 = 0; l0 < k; l0 += r) {
      const L = Math.min(r, k - l0);
      const slice: bigint[][] = [];
      for (let t = 0; t < r; t++) slice.push(Array.from({ length: L }, (_, u) => BigInt(er[t * k + l0 + u]!)));
      expect(rank(slice)).toBe(L);
    }
  });

  it('partial noise rows and columns equal the corresponding part of the full factors', () => {
    const r = 16, m = 70, n = 50;
    const f = noiseFactors(seed, r, m, 64, n);
    expect(noiseEL(seed, r, 32, 16)).toEqual(f.eL.slice(32 * r, 48 * r));
    const part = noiseFR(seed, r, 16, 16);
    for (let t = 0; t < r; t++) for (let j = 0; j < 16; j++) expect(part[t * 16 + j]).toBe(f.fR[t * n + 16 + j]);
  });

  it('is dense: no zero entries, both signs present', () => {
    const f = noiseFactors(seed, 16, 64, 64, 64);
    for (const x of [f.eL, f.eR, f.fL, f.fR]) {
      expect(x.includes(0)).toBe(false);
      expect(x.some((v) => v < 0) && x.some((v) => v > 0)).toBe(true);
    }
  });
});
