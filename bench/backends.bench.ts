// Per backend: noised product + transcript throughput (GOPS, 2 ops per MAC) at the default training
// shapes and 1024^3, and the fraction of the 156 GOPS int16 SIMD peak of this machine (2 cores).
// All numbers of one run are measured in the same process, one after another.
import { createBackend, type TileBackend } from '../miner/backends/index.ts';
import { testMatrix } from '../miner/backends/selftest.ts';

export const PEAK_GOPS = 156;

export const SHAPES: { name: string; m: number; k: number; n: number }[] = [
  { name: 'X·W1 (B=256)', m: 256, k: 784, n: 128 },
  { name: 'X^T·dZ1 (B=256)', m: 784, k: 256, n: 128 },
  { name: 'X·W1 (B=128)', m: 128, k: 784, n: 128 },
  { name: 'X^T·dZ1 (B=128)', m: 784, k: 128, n: 128 },
  { name: 'H^T·dZ2 (B=256)', m: 128, k: 256, n: 10 },
  { name: '1024^3', m: 1024, k: 1024, n: 1024 },
];

/** Median seconds of `reps` runs after one warm-up. */
export async function timeIt(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)]!;
}

export async function gops(be: TileBackend, m: number, k: number, n: number, r: number, budgetS = 1.5): Promise<number> {
  const a = testMatrix('ba', m * k), b = testMatrix('bb', k * n);
  const t0 = performance.now();
  await be.noisedProduct(a, b, m, k, n, r);
  const once = (performance.now() - t0) / 1000;
  const reps = Math.max(3, Math.min(50, Math.floor(budgetS / Math.max(once, 1e-4))));
  const s = await timeIt(() => be.noisedProduct(a, b, m, k, n, r), reps);
  return (2 * m * k * n) / s / 1e9;
}

export default async function (): Promise<void> {
  const r = 16;
  for (const name of ['wasm', 'gpujs', 'js'] as const) {
    let be: TileBackend;
    try {
      be = await createBackend(name);
    } catch (e) {
      console.log(`${name}: unavailable (${(e as Error).message})`);
      continue;
    }
    for (const s of SHAPES) {
      if (name === 'js' && s.m * s.k * s.n > 3e7) continue;
      // headless gl on a machine without a GPU is Mesa's software renderer: 1024^3 takes minutes there
      if (name === 'gpujs' && s.m * s.k * s.n > 3e7 && !process.env.TESSERA_BENCH_GPU_BIG) {
        console.log(`gpujs ${s.name}: skipped (set TESSERA_BENCH_GPU_BIG=1 on a real GPU)`);
        continue;
      }
      const g = await gops(be, s.m, s.k, s.n, r, name === 'js' ? 0.5 : 1.5);
      console.log(`${name.padEnd(5)} ${be.detail.padEnd(28)} ${s.name.padEnd(18)} ${s.m}x${s.k}x${s.n} r=${r}: ${g.toFixed(2)} GOPS = ${((100 * g) / PEAK_GOPS).toFixed(1)}% of ${PEAK_GOPS} peak`);
    }
    await be.close();
  }
}
