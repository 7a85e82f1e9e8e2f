// The fused wasm ticket job (noise add + pack, noised product + transcript, decode) against the plain-JS
// reference of every stage, and the fast tile hasher against consensus tileHash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmulRef, rootByCols, rootByRows } from '../../../../consensus/matmul.ts';
import { noiseFactors, noisedOperands } from '../../../../consensus/pouw/noise.ts';
import { pouwSeed } from '../../../../consensus/pouw/seed.ts';
import { noisedProductRef, tileHash, tileStates } from '../../../../consensus/pouw/transcript.ts';
import { WasmBackend } from '../../../../miner/backends/wasm/backend.ts';
import { TileHasher } from '../../../../miner/tile-hasher.ts';
import { int7, job, MINER, PARENT, ROOTS } from '../../consensus/pouw/helpers.ts';

let be: WasmBackend;
beforeAll(async () => {
  be = await WasmBackend.create({ threads: 2 });
});
afterAll(async () => be?.close());

const seedOf = (jobId: number) => pouwSeed({ parent: PARENT, miner: MINER, round: 1, lane: 0, step: 2, jobId, ...ROOTS });

const cases: [string, number, number, number, number][] = [
  ['odd shapes, r = 16', 37, 83, 29, 16],
  ['k not a multiple of r, r = 8', 64, 200, 48, 8],
  ['r = 2', 9, 70, 10, 2],
  ['r = 6 (not a multiple of 4 or 8)', 30, 50, 22, 6],
  ['r = 32, k above 1024', 12, 1100, 17, 32],
  ['training X·W1 shape', 64, 784, 128, 16],
  ['training X^T·dZ1 shape', 784, 64, 128, 16],
];

describe('wasm fused ticket job', () => {
  for (const [name, m, k, n, r] of cases)
    it(`decodes A·B and gives the reference transcript: ${name} (${m}x${k}x${n})`, async () => {
      const j = job(m, k, n, `tj${m}x${k}`);
      const f = noiseFactors(seedOf(m), r, m, k, n);
      const { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
      const want = noisedProductRef(aP, bP, m, k, n, r);
      const got = await be.ticketJob(j.a, j.b, m, k, n, f);
      expect(got.fold).toEqual(want.fold);
      expect(got.c).toEqual(matmulRef(j));
    });

  it('extreme int7 operands (all +63 against all -63) stay exact', async () => {
    const m = 20, k = 96, n = 24, r = 32;
    const a = new Int8Array(m * k).fill(63), b = new Int8Array(k * n).fill(-63);
    const f = noiseFactors(seedOf(99), r, m, k, n);
    const { aP, bP } = noisedOperands(a, b, m, k, n, f);
    const got = await be.ticketJob(a, b, m, k, n, f);
    expect(got.fold).toEqual(noisedProductRef(aP, bP, m, k, n, r).fold);
    expect(got.c).toEqual(matmulRef({ m, k, n, a, b }));
  });

  it('refuses an operand that is not int7 (noised entry outside int8), then keeps working', async () => {
    const m = 16, k = 64, n = 16, r = 16;
    const f = noiseFactors(seedOf(7), r, m, k, n);
    const a = new Int8Array(m * k).fill(127);
    const b = int7('ok-b', k * n);
    await expect(be.ticketJob(a, b, m, k, n, f)).rejects.toThrow(RangeError);
    const bad = int7('ok-a', m * k);
    await expect(be.ticketJob(bad, new Int8Array(k * n).fill(-127), m, k, n, f)).rejects.toThrow(RangeError);
    expect((await be.ticketJob(bad, b, m, k, n, f)).c).toEqual(matmulRef({ m, k, n, a: bad, b }));
  });
});

describe('TileHasher', () => {
  it('gives consensus tileHash for every tile, edge tiles included', () => {
    const m = 37, n = 29, k = 83, h = 16, w = 8;
    const fold = new Int32Array(m * n);
    for (let i = 0; i < fold.length; i++) fold[i] = Math.imul(i + 1, 0x9e3779b1);
    const seed = seedOf(1);
    const th = new TileHasher(seed, { m, k, n }, h * w);
    for (let i0 = 0, ti = 0; i0 < m; i0 += h, ti++)
      for (let j0 = 0, tj = 0; j0 < n; j0 += w, tj++) {
        const hh = Math.min(h, m - i0), ww = Math.min(w, n - j0);
        expect(th.hash(fold, n, ti, tj, i0, j0, hh, ww)).toEqual(tileHash(seed, { m, k, n }, ti, tj, tileStates(fold, n, i0, j0, hh, ww), ww));
      }
  });
});

describe('wasm fused ticket job, tile hashes on every thread', () => {
  it('gives consensus tileHash for every tile, edge tiles included', async () => {
    // in-kernel digests (h % 4 = 0, w % 8 = 0, w <= 16) and tiles the kernel cannot digest (fold states
    // out, TileHasher): h = 6, w = 32, w = 24
    for (const [m, k, n, h, w] of [[37, 83, 29, 16, 8], [64, 784, 128, 16, 16], [100, 64, 70, 16, 16], [50, 40, 33, 4, 8], [50, 40, 33, 6, 32], [20, 30, 40, 16, 24], [9, 20, 70, 12, 16]] as const) {
      const j = job(m, k, n, `th${m}`);
      const seed = seedOf(m + 1);
      const f = noiseFactors(seed, 16, m, k, n);
      const got = await be.ticketJob(j.a, j.b, m, k, n, f, { seed, h, w });
      const { fold } = await be.ticketJob(j.a, j.b, m, k, n, f);
      expect(got.fold).toBeUndefined();
      const tilesN = Math.ceil(n / w);
      expect(got.tileHashes!.length).toBe(Math.ceil(m / h) * tilesN * 32);
      for (let i0 = 0, ti = 0; i0 < m; i0 += h, ti++)
        for (let j0 = 0, tj = 0; j0 < n; j0 += w, tj++) {
          const want = tileHash(seed, { m, k, n }, ti, tj, tileStates(fold!, n, i0, j0, Math.min(h, m - i0), Math.min(w, n - j0)), Math.min(w, n - j0));
          expect(got.tileHashes!.subarray((ti * tilesN + tj) * 32, (ti * tilesN + tj + 1) * 32)).toEqual(want);
        }
    }
  });
});

describe('wasm noise factors', () => {
  it('are the consensus factors, bit for bit (SHA-256 blocks 4 at a time in wasm)', async () => {
    const { noiseRef } = await import('../../../../consensus/pouw/noise.ts');
    for (const r of [2, 16, 17, 32])
      for (const [m, k, n] of [[1, 1, 1], [5, 9, 3], [37, 83, 29], [256, 784, 128]] as const) {
        const seed = seedOf(m * 7 + r);
        const got = await be.noiseFactors(seed, r, m, k, n);
        expect(got).toEqual(noiseFactors(seed, r, m, k, n));
        expect(got.eR).toEqual(noiseRef.eR(seed, r, k));
        expect(got.fR).toEqual(noiseRef.fR(seed, r, 0, n));
      }
  });
});

describe('wasm Freivalds', () => {
  it('accepts the true product and rejects a product with one wrong entry, as the JS check does', async () => {
    const { freivalds } = await import('../../../../consensus/pouw/freivalds.ts');
    const { testRandom } = await import('../../consensus/pouw/helpers.ts');
    for (const [m, k, n] of [[37, 83, 29], [64, 784, 128], [1, 5, 1], [130, 40, 3]] as const) {
      const j = job(m, k, n, `fv${m}`);
      const c = matmulRef(j);
      expect(await be.freivalds(j, c, testRandom(`x${m}`))).toBe(true);
      for (const at of [0, Math.floor((m * n) / 2), m * n - 1]) {
        const bad = c.slice();
        bad[at] = bad[at]! + 1;
        expect(await be.freivalds(j, bad, testRandom(`y${m}${at}`))).toBe(false);
        expect(freivalds(j, bad, testRandom(`y${m}${at}`))).toBe(false);
      }
      // extreme values: all entries +-63 / int32 extremes stay exact
      const big = { m, k, n, a: new Int8Array(m * k).fill(63), b: new Int8Array(k * n).fill(-63) };
      const cb = matmulRef(big);
      expect(await be.freivalds(big, cb, testRandom('z'))).toBe(true);
      const cw = cb.slice();
      cw[0] = 2147483647;
      expect(await be.freivalds(big, cw, testRandom('z'))).toBe(freivalds(big, cw, testRandom('z')));
    }
  });
});

describe('ticketMatmul on wasm picks exactly the winning tiles', () => {
  it('the winners are the tiles whose consensus hash is <= target·th·tw·k, no more, no fewer', async () => {
    const { ticketMatmul, newTicketStats } = await import('../../../../miner/ticket-matmul.ts');
    const { hashWins } = await import('../../../../consensus/pouw/transcript.ts');
    const { DEFAULT_POUW_SPEC } = await import('../../../../consensus/pouw/spec.ts');
    const { easyTarget } = await import('../../consensus/pouw/helpers.ts');
    const spec = { ...DEFAULT_POUW_SPEC, r: 16, h: 16, w: 16 };
    const m = 100, k = 96, n = 70;
    const j = job(m, k, n, 'winners', 1, 3);
    for (const odds of [1, 3, 50]) {
      const target = easyTarget(16 * 16 * k, odds);
      const ctx = { parent: PARENT, miner: MINER, round: 4, lane: 1, target, spec };
      const got: string[] = [];
      const stats = newTicketStats();
      const c = await ticketMatmul(ctx, be, (t) => got.push(`${t.ti},${t.tj}`), stats)(j);
      expect(c).toEqual(matmulRef(j));
      const seed = pouwSeed({ parent: PARENT, miner: MINER, round: 4, lane: 1, step: 1, jobId: 3, rootA: rootByRows(j.a, m, k), rootB: rootByCols(j.b, k, n) });
      const f = noiseFactors(seed, 16, m, k, n);
      const { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
      const { fold } = noisedProductRef(aP, bP, m, k, n, 16);
      const want: string[] = [];
      for (let i0 = 0, ti = 0; i0 < m; i0 += 16, ti++)
        for (let j0 = 0, tj = 0; j0 < n; j0 += 16, tj++) {
          const th = Math.min(16, m - i0), tw = Math.min(16, n - j0);
          if (hashWins(tileHash(seed, { m, k, n }, ti, tj, tileStates(fold, n, i0, j0, th, tw), tw), target, th, tw, k)) want.push(`${ti},${tj}`);
        }
      expect(got).toEqual(want);
      expect(stats.wins).toBe(want.length);
      if (odds === 1) expect(want.length).toBeGreaterThan(0);
    }
  });
});

describe('wasm fused ticket job with 1 and 3 threads (other row splits)', () => {
  for (const threads of [1, 3])
    it(`is exact with ${threads} thread(s)`, async () => {
      const be2 = await WasmBackend.create({ threads });
      try {
        for (const [m, k, n, r] of [[8, 70, 9, 16], [37, 83, 29, 32], [130, 96, 40, 8]] as const) {
          const j = job(m, k, n, `t${threads}-${m}`);
          const seed = seedOf(m + threads);
          const f = noiseFactors(seed, r, m, k, n);
          const { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
          const want = noisedProductRef(aP, bP, m, k, n, r);
          const got = await be2.ticketJob(j.a, j.b, m, k, n, f);
          expect(got.fold).toEqual(want.fold);
          expect(got.c).toEqual(matmulRef(j));
          const hashed = await be2.ticketJob(j.a, j.b, m, k, n, f, { seed, h: 16, w: 8 });
          const tilesN = Math.ceil(n / 8);
          for (let i0 = 0, ti = 0; i0 < m; i0 += 16, ti++)
            for (let j0 = 0, tj = 0; j0 < n; j0 += 8, tj++)
              expect(hashed.tileHashes!.subarray((ti * tilesN + tj) * 32, (ti * tilesN + tj + 1) * 32)).toEqual(
                tileHash(seed, { m, k, n }, ti, tj, tileStates(want.fold, n, i0, j0, Math.min(16, m - i0), Math.min(8, n - j0)), Math.min(8, n - j0)),
              );
          expect(await be2.freivalds(j, matmulRef(j), () => new Uint8Array(n * 8).fill(7))).toBe(true);
        }
      } finally {
        await be2.close();
      }
    });
});

describe('wasm one-dispatch phases (barriers on shared memory), 3 threads', () => {
  it('noise added straight into the packing is exact for r = 2 .. 32 and odd shapes; products and noised products too', async () => {
    const be3 = await WasmBackend.create({ threads: 3, localMacs: 0 }); // small products shared too
    try {
      for (const [m, k, n, r] of [[13, 41, 11, 2], [29, 66, 17, 6], [67, 130, 35, 32], [4, 8, 8, 4]] as const) {
        const j = job(m, k, n, `d3-${m}`);
        const f = noiseFactors(seedOf(m * 7 + r), r, m, k, n);
        const { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
        const got = await be3.ticketJob(j.a, j.b, m, k, n, f);
        expect(got.fold).toEqual(noisedProductRef(aP, bP, m, k, n, r).fold);
        expect(got.c).toEqual(matmulRef(j));
        expect(await be3.matmul(j.a, j.b, m, k, n)).toEqual(matmulRef(j));
        expect((await be3.noisedProduct(aP, bP, m, k, n, r)).fold).toEqual(noisedProductRef(aP, bP, m, k, n, r).fold);
      }
    } finally {
      await be3.close();
    }
  });

  it('an out-of-range operand in the last thread\'s rows of A or of B is refused, then the backend keeps working', async () => {
    const be3 = await WasmBackend.create({ threads: 3 });
    try {
      const m = 48, k = 96, n = 24, r = 16;
      const f = noiseFactors(seedOf(5), r, m, k, n);
      const a = int7('l-a', m * k), b = int7('l-b', k * n);
      const badA = a.slice();
      badA.fill(127, (m - 1) * k);
      await expect(be3.ticketJob(badA, b, m, k, n, f)).rejects.toThrow(RangeError);
      const badB = b.slice();
      badB.fill(-127, (k - 1) * n);
      await expect(be3.ticketJob(a, badB, m, k, n, f)).rejects.toThrow(RangeError);
      expect((await be3.ticketJob(a, b, m, k, n, f)).c).toEqual(matmulRef({ m, k, n, a, b }));
    } finally {
      await be3.close();
    }
  });
});
