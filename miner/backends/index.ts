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
  // gpu.js first only when it has a real GL context (its fallback refuses itself); wasm next.
  for (const cand of ['gpujs', 'wasm'] as const) {
    try {
      return await createBackend(cand, { ...opts, forceGpujsFallback: false });
    } catch (e) {
      errors.push(`${cand}: ${(e as Error).message}`);
    }
  }
  const js = await createBackend('js', opts);
  if (errors.length && process.env.TESSERA_DEBUG) console.warn(`backend auto: using js (${errors.join('; ')})`);
  return js;
}

export function unavailable(backend: string, reason: string): never {
  throw new BackendError(BackendErrorCode.UNAVAILABLE, { backend, reason });
}
