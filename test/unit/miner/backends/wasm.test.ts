import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int8MatmulRef } from '../../../../consensus/pouw/decode.ts';
import { noisedProductRef } from '../../../../consensus/pouw/transcript.ts';
import { createBackend, type TileBackend } from '../../../../miner/backends/index.ts';
import { testMatrix } from '../../../../miner/backends/selftest.ts';

let be: TileBackend;
beforeAll(async () => {
  be = await createBackend('wasm', { threads: 2 }); // runs the self-test
});
afterAll(async () => be?.close());

const cases: [string, number, number, number, number, number?][] = [
  ['random odd shapes', 37, 83, 29, 16],
  ['random, k not a multiple of r', 64, 200, 48, 8],
  ['all +127', 16, 64, 16, 16, 127],
  ['all -127', 16, 64, 16, 16, -127],
  ['all -63 / +63 like int7 with noise off', 20, 96, 24, 16, 63],
  ['k at the gpu.js split limit', 8, 1024, 8, 32],
  ['k above it, r = 2', 9, 1100, 10, 2],
  ['training X·W1 shape', 64, 784, 128, 16],
];

describe('wasm SIMD backend', () => {
  it('reports its threads', () => expect(be.detail).toMatch(/2 threads/));
  for (const [name, m, k, n, r, fill] of cases)
    it(`is bit-identical to the reference: ${name} (${m}x${k}x${n}, r=${r})`, async () => {
      const a = fill !== undefined ? new Int8Array(m * k).fill(fill) : testMatrix(`wa${m}`, m * k);
      const b = fill !== undefined ? new Int8Array(k * n).fill(fill < 0 ? fill : -fill) : testMatrix(`wb${m}`, k * n);
      const want = noisedProductRef(a, b, m, k, n, r);
      const got = await be.noisedProduct(a, b, m, k, n, r);
      expect(got.c).toEqual(want.c);
      expect(got.fold).toEqual(want.fold);
      expect(await be.matmul(a, b, m, k, n)).toEqual(int8MatmulRef(a, b, m, k, n));
    });
  it('small products run on the calling thread alone, interleaved with shared ones, and stay exact', async () => {
    // 128x256x10 (the 10-wide layer's job) is below the local threshold, 64x784x128 above it
    const small = [testMatrix('sa', 128 * 256), testMatrix('sb', 256 * 10)] as const;
    const big = [testMatrix('ba', 64 * 784), testMatrix('bb', 784 * 128)] as const;
    for (let i = 0; i < 4; i++) {
      expect(await be.matmul(small[0], small[1], 128, 256, 10)).toEqual(int8MatmulRef(small[0], small[1], 128, 256, 10));
      expect(await be.matmul(big[0], big[1], 64, 784, 128)).toEqual(int8MatmulRef(big[0], big[1], 64, 784, 128));
      const nf = await be.noisedProduct(small[0], small[1], 128, 256, 10, 16);
      expect(nf).toEqual(noisedProductRef(small[0], small[1], 128, 256, 10, 16));
    }
  });
  it('concurrent calls are serialized and stay exact', async () => {
    const a = testMatrix('ca', 32 * 64), b = testMatrix('cb', 64 * 40);
    const [x, y] = await Promise.all([be.noisedProduct(a, b, 32, 64, 40, 16), be.matmul(b, a, 40, 64, 32)]);
    expect(x).toEqual(noisedProductRef(a, b, 32, 64, 40, 16));
    expect(y).toEqual(int8MatmulRef(b, a, 40, 64, 32));
  });
});
