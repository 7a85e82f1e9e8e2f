// Per backend: noised product + transcript throughput (GOPS, 2 ops per MAC; the call copies the
// operands in and C' and the fold states out) at the default training shapes and 1024^3, and the
// fraction of the 156 GOPS int16 SIMD peak of this machine (2 cores). Goal (wasm): >= 50% of peak at
// the devnet task's ticket shapes, stated against the median of the repeated runs (bench/lib/repeat.ts).
import { createBackend, type TileBackend } from '../miner/backends/index.ts';
import { testMatrix } from '../miner/backends/selftest.ts';
import { fmt, goal, mapStats, quick, repeatEach, RUNS, type Stats } from './lib/repeat.ts';

export const PEAK_GOPS = 156;

export const SHAPES: { name: string; m: number; k: number; n: number }[] = [
  { name: 'X·W1 (B=256)', m: 256, k: 784, n: 128 },
  { name: 'X^T·dZ1 (B=256)', m: 784, k: 256, n: 128 },
  { name: 'X·W1 (B=128)', m: 128, k: 784, n: 128 },
  { name: 'X^T·dZ1 (B=128)', m: 784, k: 128, n: 128 },
  { name: 'H^T·dZ2 (B=256)', m: 128, k: 256, n: 10 },
  { name: '1024^3', m: 1024, k: 1024, n: 1024 },
];
const DEVNET = new Set(['256x784x128', '784x256x128']);

/** GOPS of `be.noisedProduct` at one shape, repeated (each run the mean of enough calls for ~budget). */
export async function gops(be: TileBackend, m: number, k: number, n: number, r: number, budgetMs = 150): Promise<Stats> {
  const a = testMatrix('ba', m * k), b = testMatrix('bb', k * n);
  const t0 = performance.now();
  await be.noisedProduct(a, b, m, k, n, r);
  const once = performance.now() - t0;
  const inner = Math.max(1, Math.min(50, Math.floor(budgetMs / Math.max(once, 1e-3))));
  const [t] = await repeatEach([() => be.noisedProduct(a, b, m, k, n, r)], { inner });
  return mapStats(t!, (ms) => (2 * m * k * n) / ms / 1e6);
}

export default async function (): Promise<void> {
  console.log(`figures: GOPS median (min-max) of ${quick ? 'a quick run' : `${RUNS} runs after a warm-up`}`);
  for (const name of quick ? (['wasm'] as const) : (['wasm', 'gpujs', 'js'] as const)) {
    let be: TileBackend;
    try {
      be = await createBackend(name);
    } catch (e) {
      console.log(`${name}: unavailable (${(e as Error).message})`);
      continue;
    }
    for (const r of name === 'wasm' ? [8, 16] : [16]) {
      for (const s of quick ? SHAPES.slice(0, 1) : SHAPES) {
        if (name === 'js' && s.m * s.k * s.n > 3e7) continue;
        // headless gl on a machine without a GPU is Mesa's software renderer: 1024^3 takes minutes there
        if (name === 'gpujs' && s.m * s.k * s.n > 3e7 && !process.env.TESSERA_BENCH_GPU_BIG) {
          console.log(`gpujs ${s.name}: skipped (set TESSERA_BENCH_GPU_BIG=1 on a real GPU)`);
          continue;
        }
        const g = await gops(be, s.m, s.k, s.n, r, name === 'wasm' ? 150 : 50);
        const key = `${s.m}x${s.k}x${s.n}`;
        const frac = (100 * g.median) / PEAK_GOPS;
        const gl = name === 'wasm' && DEVNET.has(key) ? `; ${goal('>= 50% of peak', frac >= 50)}` : '';
        console.log(`${name.padEnd(5)} ${be.detail.padEnd(28)} ${s.name.padEnd(16)} ${key} r=${r}: ${fmt(g, 'GOPS', 1)} = ${frac.toFixed(1)}% of ${PEAK_GOPS} peak${gl}`);
      }
    }
    await be.close();
  }
}
