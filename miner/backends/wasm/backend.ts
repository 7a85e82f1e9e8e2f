// WebAssembly SIMD backend: kernel.wat assembled with wabt at start, run on worker threads over one
// shared WasmMemory; the calling thread computes a share of the rows too.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import wabtInit from 'wabt';
import type { NoisedResult } from '../../../consensus/pouw/transcript.ts';
import { BackendError, BackendErrorCode } from '../errors.ts';
import type { BackendOptions, TileBackend } from '../types.ts';

type Call = [string, ...number[]];

// The project compiles with lib ES2023 (no DOM), which has no WebAssembly declarations: the few
// members used here, typed locally.
interface WasmMemory { readonly buffer: ArrayBufferLike; grow(pages: number): number }
type WasmModule = object;
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (m: WasmModule, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
type Exports = Record<string, (...args: number[]) => void>;

const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB of address space reserved, committed on demand

let modulePromise: Promise<WasmModule> | undefined;

/** Assembles kernel.wat (SIMD + threads features) once per process. */
export function kernelModule(): Promise<WasmModule> {
  modulePromise ??= (async () => {
    const wabt = await wabtInit();
    const src = readFileSync(new URL('./kernel.wat', import.meta.url), 'utf8');
    const parsed = wabt.parseWat('kernel.wat', src, { simd: true, threads: true });
    try {
      const { buffer } = parsed.toBinary({});
      return new WA.Module(buffer);
    } finally {
      parsed.destroy();
    }
  })();
  return modulePromise;
}

const align = (x: number, a: number) => Math.ceil(x / a) * a;

interface Layout {
  mPad: number; kPad: number; nPad: number;
  a8: number; b8: number; ap: number; bp: number; c: number; f: number; end: number;
}

function layout(m: number, k: number, n: number): Layout {
  const mPad = align(m, 4), kPad = align(k, 8), nPad = align(n, 8);
  let off = 64;
  const take = (bytes: number) => { const o = off; off = align(off + bytes, 64); return o; };
  const a8 = take(mPad * kPad), b8 = take(kPad * nPad), ap = take(mPad * kPad * 2), bp = take(kPad * nPad * 2);
  const c = take(mPad * nPad * 4), f = take(mPad * nPad * 4);
  return { mPad, kPad, nPad, a8, b8, ap, bp, c, f, end: off };
}

export class WasmBackend implements TileBackend {
  readonly name = 'wasm' as const;
  readonly detail: string;
  private nextId = 1;
  private pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly memory: WasmMemory,
    private readonly ex: Exports,
    private readonly workers: Worker[],
  ) {
    this.detail = `WebAssembly SIMD, ${workers.length + 1} threads`;
    for (const w of workers)
      w.on('message', (msg: { id: number; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new BackendError(BackendErrorCode.NOT_EXACT, { backend: 'wasm', reason: msg.error }));
        else p.resolve();
      });
  }

  static async create(opts: BackendOptions = {}): Promise<WasmBackend> {
    const threads = Math.max(1, Math.min(64, opts.threads ?? availableParallelism()));
    let module: WasmModule;
    let memory: WasmMemory;
    try {
      module = await kernelModule();
      memory = new WA.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    } catch (e) {
      throw new BackendError(BackendErrorCode.UNAVAILABLE, { backend: 'wasm', reason: (e as Error).message });
    }
    const instance = new WA.Instance(module, { env: { memory } });
    const workers: Worker[] = [];
    for (let t = 1; t < threads; t++) {
      const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { module, memory } });
      w.unref();
      workers.push(w);
    }
    return new WasmBackend(memory, instance.exports as unknown as Exports, workers);
  }

  /** Runs one call list per thread (index 0 on this thread) and waits for all. */
  private async parallel(perThread: Call[][]): Promise<void> {
    const waits: Promise<void>[] = [];
    for (let t = 1; t < perThread.length; t++) {
      const calls = perThread[t]!;
      if (calls.length === 0) continue;
      const id = this.nextId++;
      waits.push(new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject })));
      this.workers[t - 1]!.postMessage({ id, calls });
    }
    for (const [fn, ...args] of perThread[0] ?? []) this.ex[fn]!(...args);
    await Promise.all(waits);
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** Splits [0, count) into per-thread ranges, multiples of `step`. */
  private split(count: number, step: number): [number, number][] {
    const threads = this.workers.length + 1;
    const units = Math.ceil(count / step);
    const out: [number, number][] = [];
    for (let t = 0; t < threads; t++) {
      const u0 = Math.floor((units * t) / threads), u1 = Math.floor((units * (t + 1)) / threads);
      out.push([Math.min(count, u0 * step), Math.min(count, u1 * step)]);
    }
    return out;
  }

  private async run(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number, fold: boolean): Promise<NoisedResult> {
    if (aP.length !== m * k || bP.length !== k * n) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: 'operand sizes' });
    if (r < 2 || r % 2 !== 0) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: `r = ${r} must be even` });
    const L = layout(m, k, n);
    this.ensure(L.end);
    const mem = new Int8Array(this.memory.buffer);
    // copy the int8 operands in, zero padded
    const a8 = mem.subarray(L.a8, L.a8 + L.mPad * L.kPad);
    if (L.kPad === k && L.mPad === m) a8.set(aP);
    else {
      a8.fill(0);
      for (let i = 0; i < m; i++) a8.set(aP.subarray(i * k, i * k + k), i * L.kPad);
    }
    const b8 = mem.subarray(L.b8, L.b8 + L.kPad * L.nPad);
    if (L.nPad === n && L.kPad === k) b8.set(bP);
    else {
      b8.fill(0);
      for (let l = 0; l < k; l++) b8.set(bP.subarray(l * n, l * n + n), l * L.nPad);
    }
    const rows = this.split(L.mPad, 4);
    const pairs = this.split(L.kPad / 2, 1);
    await this.parallel(rows.map(([i0, i1], t) => [
      ['pack_a', L.a8, L.ap, L.kPad, i0, i1],
      ['pack_b', L.b8, L.bp, L.nPad, L.kPad, pairs[t]![0], pairs[t]![1]],
    ]));
    await this.parallel(rows.map(([i0, i1]) => [['kernel', L.ap, L.bp, L.c, L.f, k, L.kPad, L.nPad, fold ? r : L.kPad + 2, i0, i1, fold ? 1 : 0]]));
    const buf = this.memory.buffer;
    const c = new Int32Array(m * n);
    const f = fold ? new Int32Array(m * n) : c;
    const cm = new Int32Array(buf, L.c, L.mPad * L.nPad);
    const fm = new Int32Array(buf, L.f, L.mPad * L.nPad);
    if (L.nPad === n) {
      c.set(cm.subarray(0, m * n));
      if (fold) f.set(fm.subarray(0, m * n));
    } else
      for (let i = 0; i < m; i++) {
        c.set(cm.subarray(i * L.nPad, i * L.nPad + n), i * n);
        if (fold) f.set(fm.subarray(i * L.nPad, i * L.nPad + n), i * n);
      }
    return { c, fold: f };
  }

  /** Calls are serialized: one product at a time uses the shared memory. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }

  noisedProduct(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number): Promise<NoisedResult> {
    return this.serial(() => this.run(aP, bP, m, k, n, r, true));
  }

  async matmul(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Promise<Int32Array> {
    return (await this.serial(() => this.run(a, b, m, k, n, 2, false))).c;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
