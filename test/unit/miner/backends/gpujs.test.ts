// GLSL path: needs headless gl (scripts/setup-gl.sh) and, without a display, Xvfb:
//   xvfb-run -a npx vitest run test/unit/miner/backends/gpujs
// Without a GL context the GLSL tests skip with the reason, and gpu.js's CPU fallback is tested
// (forced: it is refused for mining).
import { describe, expect, it } from 'vitest';
import { int8MatmulRef } from '../../../../consensus/pouw/decode.ts';
import { noisedProductRef } from '../../../../consensus/pouw/transcript.ts';
import { BackendErrorCode, createBackend } from '../../../../miner/backends/index.ts';
import { gpujsStatus } from '../../../../miner/backends/gpujs/backend.ts';
import { testMatrix } from '../../../../miner/backends/selftest.ts';

const st = gpujsStatus();
const cases: [string, number, number, number, number, number?][] = [
  ['random odd shapes', 13, 83, 11, 16],
  ['all +127', 8, 64, 8, 16, 127],
  ['all -127 (k at the split limit)', 4, 1024, 4, 32, -127],
  ['k above the split limit', 3, 1030, 5, 8],
];

async function checkExact(force: boolean) {
  const be = await createBackend('gpujs', { forceGpujsFallback: force });
  try {
    for (const [, m, k, n, r, fill] of cases) {
      const a = fill !== undefined ? new Int8Array(m * k).fill(fill) : testMatrix(`ga${m}`, m * k);
      const b = fill !== undefined ? new Int8Array(k * n).fill(fill) : testMatrix(`gb${m}`, k * n);
      const got = await be.noisedProduct(a, b, m, k, n, r);
      expect(got).toEqual(noisedProductRef(a, b, m, k, n, r));
      expect(await be.matmul(a, b, m, k, n)).toEqual(int8MatmulRef(a, b, m, k, n));
    }
  } finally {
    await be.close();
  }
}

describe('gpu.js backend', () => {
  it.skipIf(!st.headlessGL)(`GLSL is bit-identical to the reference${st.headlessGL ? '' : ` (skipped: ${st.reason})`}`, () => checkExact(false));

  it.skipIf(st.headlessGL)('without GL, the fallback is refused unless forced', async () => {
    await expect(createBackend('gpujs')).rejects.toMatchObject({ code: BackendErrorCode.UNAVAILABLE });
  });

  it('the forced CPU fallback is bit-identical too (self-test passed, edge cases)', () => checkExact(true));
});
