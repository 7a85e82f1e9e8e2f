// createBackend('auto' | 'js' | 'wasm' | 'gpujs', opts): every backend passes a bit-exactness self-test
// against the plain-JS reference before it is returned; one that gives any non-identical result refuses
// to run (BackendError NOT_EXACT). 'auto' tries the fast ones first and falls back to 'js'.
import { BackendError, BackendErrorCode } from './errors.ts';
import { JsBackend } from './js.ts';
import { selfTest } from './selftest.ts';
import type { BackendName, BackendOptions, TileBackend } from './types.ts';

export type { TileBackend, BackendName, BackendOptions } from './types.ts';
export { BackendError, BackendErrorCode } from './errors.ts';

async function construct(name: BackendName, opts: BackendOptions): Promise<TileBackend> {
  switch (name) {
    case 'js':
      return new JsBackend();
    case 'wasm': {
      const { WasmBackend } = await import('./wasm/backend.ts');
      return WasmBackend.create(opts);
    }
    case 'gpujs': {
      const { GpujsBackend } = await import('./gpujs/backend.ts');
      return GpujsBackend.create(opts);
    }
  }
}

/** A backend that passed its self-test. */
export async function createBackend(name: BackendName | 'auto', opts: BackendOptions = {}): Promise<TileBackend> {
  if (name !== 'auto') {
    const be = await construct(name, opts);
    try {
      await selfTest(be);
    } catch (e) {
      await be.close();
      throw e;
    }
    return be;
  }
  const errors: string[] = [];
  // Every fast backend that passes its self-test is a candidate (gpu.js only with a real GL context: its
  // CPU fallback refuses itself); the fastest on a probe product wins. The probe matters: headless gl
  // on a machine without a GPU is Mesa's software renderer, hundreds of times slower than wasm.
  const ok: TileBackend[] = [];
  for (const cand of ['gpujs', 'wasm'] as const) {
    try {
      ok.push(await createBackend(cand, { ...opts, forceGpujsFallback: false }));
    } catch (e) {
      errors.push(`${cand}: ${(e as Error).message}`);
    }
  }
  if (ok.length === 1) return ok[0]!;
  if (ok.length > 1) {
    const timed: [number, TileBackend][] = [];
    for (const be of ok) timed.push([await probeSeconds(be), be]);
    timed.sort((x, y) => x[0] - y[0]);
    for (const [, be] of timed.slice(1)) await be.close();
    if (process.env.TESSERA_DEBUG) console.warn(`backend auto: ${timed.map(([t, be]) => `${be.name} ${(t * 1e3).toFixed(2)} ms`).join(', ')}`);
    return timed[0]![1];
  }
  const js = await createBackend('js', opts);
  if (errors.length && process.env.TESSERA_DEBUG) console.warn(`backend auto: using js (${errors.join('; ')})`);
  return js;
}

/** Best of 3 runs of a small training-shaped noised product (backend choice only; nothing consensus). */
async function probeSeconds(be: TileBackend): Promise<number> {
  const m = 64, k = 256, n = 64;
  const a = new Int8Array(m * k), b = new Int8Array(k * n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 37) % 255) - 127;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 91) % 255) - 127;
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    await be.noisedProduct(a, b, m, k, n, 16);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

export function unavailable(backend: string, reason: string): never {
  throw new BackendError(BackendErrorCode.UNAVAILABLE, { backend, reason });
}
