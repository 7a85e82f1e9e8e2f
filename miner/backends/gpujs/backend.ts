// gpu.js backend: per-block partial sums on the GPU (GLSL through headless gl), fold on the CPU.
// gpu.js computes in float32, exact while every value stays below 2^24: a block partial sum is at most
// r·127·127 <= 32·16129 < 2^19, so each depth-r block is computed exactly as one float32 sum and the
// running sums and the fold are done exactly in int32 on the CPU. (The plain product, with no fold,
// uses blocks of 1024 inner steps: 1024·127·127 < 2^24.)
// Without a GL context gpu.js silently falls back to its own slow CPU kernel: that mode is refused
// unless forced (tests), so 'auto' never mines on it.
import { createRequire } from 'node:module';
import { foldStep, type NoisedResult } from '../../../consensus/pouw/transcript.ts';
import { BackendError, BackendErrorCode } from '../errors.ts';
import type { BackendOptions, TileBackend } from '../types.ts';

const require = createRequire(import.meta.url);

/** Largest inner block summed in float32 exactly: 1024·127·127 < 2^24. */
export const FLOAT32_EXACT_K = 1024;

interface GpuLike {
  createKernel(fn: unknown, settings?: Record<string, unknown>): GpuKernel;
  destroy(): void;
  mode?: string;
}
type GpuKernel = ((...args: unknown[]) => unknown) & { setOutput(o: number[]): GpuKernel; destroy?(): void };

export function gpujsStatus(): { headlessGL: boolean; reason?: string } {
  try {
    const { GPU } = require('gpu.js') as { GPU: { isHeadlessGLSupported: boolean } };
    return GPU.isHeadlessGLSupported ? { headlessGL: true } : { headlessGL: false, reason: 'no headless GL context (run scripts/setup-gl.sh; on a machine without a display use xvfb-run)' };
  } catch (e) {
    return { headlessGL: false, reason: `gpu.js failed to load: ${(e as Error).message}` };
  }
}

export class GpujsBackend implements TileBackend {
  readonly name = 'gpujs' as const;
  readonly detail: string;
  private readonly kernel: GpuKernel;

  private constructor(private readonly gpu: GpuLike, mode: string) {
    this.detail = `gpu.js ${mode}`;
    // partial[i*nb + b][j] = sum over l in block b of a[i][l]·b[l][j]
    this.kernel = gpu.createKernel(
      function (this: { thread: { x: number; y: number }; constants: Record<string, number> }, a: number[], b: number[], k: number, n: number, nb: number, blk: number) {
        const i = Math.floor(this.thread.y / nb);
        const bi = this.thread.y - i * nb;
        const l0 = bi * blk;
        let s = 0;
        for (let t = 0; t < 1024; t++) {
          const l = l0 + t;
          if (t >= blk || l >= k) break;
          s += a[i * k + l]! * b[l * n + this.thread.x]!;
        }
        return s;
      },
      { dynamicOutput: true, dynamicArguments: true, precision: 'single', tactic: 'precision' },
    );
  }

  static async create(opts: BackendOptions = {}): Promise<GpujsBackend> {
    const st = gpujsStatus();
    if (!st.headlessGL && !opts.forceGpujsFallback) throw new BackendError(BackendErrorCode.UNAVAILABLE, { backend: 'gpujs', reason: st.reason });
    const { GPU } = require('gpu.js') as { GPU: new (s: Record<string, unknown>) => GpuLike };
    const mode = st.headlessGL ? 'headlessgl' : 'cpu';
    return new GpujsBackend(new GPU({ mode }), st.headlessGL ? 'GLSL (headless gl)' : 'CPU fallback (forced; never for mining)');
  }

  private partials(a: Int8Array, b: Int8Array, m: number, k: number, n: number, blk: number): { p: Float32Array[]; nb: number } {
    const nb = Math.ceil(k / blk);
    this.kernel.setOutput([n, m * nb]);
    const out = this.kernel(Array.from(a), Array.from(b), k, n, nb, blk) as Float32Array[];
    return { p: out, nb };
  }

  async noisedProduct(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number): Promise<NoisedResult> {
    if (r > 32) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'gpujs', reason: 'r > 32' });
    const { p, nb } = this.partials(aP, bP, m, k, n, r);
    const c = new Int32Array(m * n);
    const fold = new Int32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let bi = 0; bi < nb; bi++) {
        const row = p[i * nb + bi]!;
        for (let j = 0; j < n; j++) {
          const s = (c[i * n + j]! + row[j]!) | 0;
          c[i * n + j] = s;
          fold[i * n + j] = foldStep(fold[i * n + j]!, s);
        }
      }
    return { c, fold };
  }

  async matmul(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Promise<Int32Array> {
    const { p, nb } = this.partials(a, b, m, k, n, FLOAT32_EXACT_K);
    const c = new Int32Array(m * n);
    for (let i = 0; i < m; i++)
      for (let bi = 0; bi < nb; bi++) {
        const row = p[i * nb + bi]!;
        for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j]! + row[j]!) | 0;
      }
    return c;
  }

  async close(): Promise<void> {
    this.kernel.destroy?.();
    this.gpu.destroy();
  }
}
