import { describe, expect, it } from 'vitest';
import { matmulRef } from '../../../../consensus/matmul.ts';
import { BackendErrorCode, createBackend } from '../../../../miner/backends/index.ts';
import { JsBackend } from '../../../../miner/backends/js.ts';
import { selfTest } from '../../../../miner/backends/selftest.ts';
import { ticketMatmul } from '../../../../miner/ticket-matmul.ts';
import { DEFAULT_POUW_SPEC } from '../../../../consensus/pouw/spec.ts';
import { job, MINER, PARENT } from '../../consensus/pouw/helpers.ts';

class OffByOne extends JsBackend {
  override async noisedProduct(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number) {
    const res = await super.noisedProduct(aP, bP, m, k, n, r);
    res.fold[res.fold.length - 1] ^= 1;
    return res;
  }
}

describe('backend selection', () => {
  it('a backend with one wrong bit fails the self-test and refuses to run', async () => {
    await expect(selfTest(new OffByOne())).rejects.toMatchObject({ code: BackendErrorCode.NOT_EXACT });
    await expect(selfTest(new JsBackend())).resolves.toBeUndefined();
  });

  it('auto picks a backend that passed the self-test, and the ticket path on it returns A·B exactly', async () => {
    const be = await createBackend('auto', { threads: 2 });
    try {
      expect(['wasm', 'gpujs', 'js']).toContain(be.name);
      expect(be.name).not.toBe('js'); // WebAssembly SIMD exists on every Node 24
      const mm = ticketMatmul({ parent: PARENT, miner: MINER, round: 0, lane: 0, target: 0n, spec: DEFAULT_POUW_SPEC }, be);
      for (const [m, k, n] of [[64, 784, 128], [784, 64, 128], [64, 10, 128]] as const) {
        const j = job(m, k, n, `auto${m}${k}`);
        expect(await mm(j)).toEqual(matmulRef(j));
      }
    } finally {
      await be.close();
    }
  });
});
