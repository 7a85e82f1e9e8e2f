// WebAssembly SIMD backend: kernel.wat assembled with wabt at start, run on worker threads over one
// shared WasmMemory; the calling thread computes a share of the rows too.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import wabtInit from 'wabt';
import { FREIVALDS_BITS, FREIVALDS_ROUNDS, freivalds as freivaldsJs, type RandomBytes } from '../../../consensus/pouw/freivalds.ts';
import { noiseFactors as noiseFactorsJs, type NoiseFactors } from '../../../consensus/pouw/noise.ts';
import { tileDigestWords, type NoisedResult } from '../../../consensus/pouw/transcript.ts';
import { BackendError, BackendErrorCode } from '../errors.ts';
import { sha256x4Wat } from './sha256x4.ts';
import { TileHasher } from '../../tile-hasher.ts';
import type { BackendOptions, TicketJobResult, TileBackend, TileHashRequest } from '../types.ts';

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
/** The kernel exports a job may call, by index in the shared job buffer (the same list in every thread). */
const FNS = ['pack_a', 'pack_b', 'kernel', 'decode', 'hmac_tiles4', 'mv4', 'noise_add_a', 'noise_add_b'] as const;
const FN_INDEX = new Map<string, number>(FNS.map((f, i) => [f, i]));
/** Int32 words of one worker's slot in the job buffer (a 1024^3 job's calls take a few hundred). */
const SLOT_INTS = 16384;
/** Control words (see WasmBackend.ctl): workers that left the current job; per phase p (< MAX_PHASES)
 *  the next task (NEXT + p) and the tasks done (DONE + p). */
const FINISHED = 4;
const NEXT = 8;
const DONE = 16;
const MAX_PHASES = 8;
/** Products of fewer multiply-adds than this run on the calling thread alone (WasmBackend.localPhases). */
const LOCAL_MACS = 1 << 21;
const CTL_BYTES = 128;
const MAX_PAGES = 32768; // 2 GiB of address space reserved, committed on demand

let modulePromise: Promise<WasmModule> | undefined;

/** Assembles kernel.wat (SIMD + threads features) once per process. */
export function kernelModule(): Promise<WasmModule> {
  modulePromise ??= (async () => {
    const wabt = await wabtInit();
    const hand = readFileSync(new URL('./kernel.wat', import.meta.url), 'utf8').trimEnd();
    if (!hand.endsWith(')')) throw new Error('kernel.wat: expected the module to end with ")"');
    const src = `${hand.slice(0, -1)}${sha256x4Wat()})\n`;
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

/** Bytes of packed A (int16) one kernel call keeps hot: the rows of a call are read once per 8-column
 *  strip of B, so a call's rows should stay in L2 (row chunking; 1024^3 streamed A from L3 before). */
const A_CHUNK_BYTES = 96 * 1024;

/** Shared tasks per thread a phase is cut into: a thread that runs late (the machine is shared, or the
 *  node's own thread wants the core) leaves its rows to the others instead of holding up the phase. */
const TASKS_PER_THREAD = 4;

/** Row ranges [r0, r1) of [i0, i1) for shared tasks: L2-sized at most, ~TASKS_PER_THREAD per thread, multiples of `step`. */
function taskRows(i0: number, i1: number, kPad: number, threads: number, step = 4): [number, number][] {
  const l2 = Math.max(step, Math.floor(A_CHUNK_BYTES / (2 * kPad) / step) * step);
  const even = Math.max(step, Math.ceil((i1 - i0) / (threads * TASKS_PER_THREAD) / step) * step);
  const rows = Math.min(l2, even);
  const out: [number, number][] = [];
  for (let r0 = i0; r0 < i1; r0 += rows) out.push([r0, Math.min(i1, r0 + rows)]);
  return out;
}

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

interface JobLayout extends Layout {
  rPad: number; rA: number; threads: number;
  el: number; el32: number; el8: number; elp: number; er8: number; erp: number; erbp: number;
  fl8: number; flp: number; flpa: number; fr8: number; frbp: number; fr32: number;
  xp: number; g: number; y: number; err: number; blocks: number; hashes: number; keys: number; mids: number;
}

/**
 * Regions of a fused ticket job (rPad = r rounded up to 8: the inner dimension of the noise products;
 * erbp and frbp hold one private copy per thread, so no thread waits for another's packing).
 */
function jobLayout(m: number, k: number, n: number, r: number, threads: number, tiles = 0): JobLayout {
  tiles = align(tiles, 4);
  const base = layout(m, k, n);
  const { mPad, kPad, nPad } = base;
  const rPad = align(r, 8), rA = align(r, 4);
  let off = base.end;
  const take = (bytes: number) => { const o = off; off = align(off + bytes, 64); return o; };
  const el = take(mPad * r), el32 = take(mPad * r * 4), el8 = take(mPad * rPad), elp = take(mPad * rPad * 2);
  const er8 = take(rPad * kPad), erp = take(rPad * kPad * 2), erbp = take(threads * rPad * kPad * 2);
  const fl8 = take(kPad * rPad), flp = take(kPad * rPad * 2), flpa = take(kPad * rPad * 2);
  const fr8 = take(rPad * nPad), frbp = take(threads * rPad * nPad * 2), fr32 = take(r * nPad * 4);
  const xp = take(mPad * rPad * 4), g = take(rA * rPad * 4), y = take(rA * nPad * 4);
  const err = take(64), blocks = take(tiles * 64), hashes = take(tiles * 32), keys = take(128), mids = take(256);
  return { ...base, rPad, rA, threads, el, el32, el8, elp, er8, erp, erbp, fl8, flp, flpa, fr8, frbp, fr32, xp, g, y, err, blocks, hashes, keys, mids, end: off };
}

export class WasmBackend implements TileBackend {
  readonly name = 'wasm' as const;
  readonly detail: string;
  private nextId = 1;
  private errors = new Map<number, string>();
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Shared control words: [1] a call failed, [2] the job counter the workers wait on, [3] quit,
   * [FINISHED] workers that left the current job, [NEXT + p] the next task of phase p, [DONE + p] its
   * tasks done.
   */
  private readonly ctl: Int32Array;
  /** One slot of SLOT_INTS words per worker: its calls of the current job (see worker.mjs). */
  private readonly jobs: Int32Array;
  /**
   * When set, runTicketJob pushes its phase timings here (ms): noise factors are not included;
   * [setup (tile blocks, copies in, layouts), phase 1, phase 2, phase 3, copy out].
   */
  profile?: number[][];

  private constructor(
    private readonly memory: WasmMemory,
    private readonly ex: Exports,
    private readonly workers: Worker[],
    ctl: SharedArrayBuffer,
    jobs: SharedArrayBuffer,
    private readonly localMacs: number,
  ) {
    this.ctl = new Int32Array(ctl);
    this.jobs = new Int32Array(jobs);
    this.detail = `WebAssembly SIMD, ${workers.length + 1} threads`;
    for (const w of workers)
      w.on('message', (msg: { id: number; error?: string }) => {
        if (msg.error && !this.errors.has(msg.id)) this.errors.set(msg.id, msg.error);
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
    const ctl = new SharedArrayBuffer(CTL_BYTES);
    // no job yet: every worker counts as having left the previous one
    Atomics.store(new Int32Array(ctl), FINISHED, threads - 1);
    const jobs = new SharedArrayBuffer(Math.max(1, threads - 1) * SLOT_INTS * 4);
    const workers: Worker[] = [];
    for (let t = 1; t < threads; t++) {
      const w = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: { module, memory, ctl, jobs, slot: t - 1, slotInts: SLOT_INTS, fns: FNS } });
      w.unref();
      workers.push(w);
    }
    return new WasmBackend(memory, instance.exports as unknown as Exports, workers, ctl, jobs, opts.localMacs ?? LOCAL_MACS);
  }

  /**
   * Runs phases of shared tasks (phases[p][x]: the calls of task x of phase p) on every thread with no
   * message: the tasks go into each worker's slot of the shared job buffer and the job counter wakes the
   * workers (they wait on it, not in their event loop). Every thread takes the next task of the phase
   * (an atomic counter) until none is left; a phase starts when every task of the one before is done
   * (a count of done tasks, not of arrived threads), so a thread that runs late (a shared machine, the
   * node's own thread) only misses tasks and holds nobody up. The next job waits until every worker
   * has left this one (then the counters and slots are rewritten). `marks` gets this thread's time at the
   * end of each phase. A failed call (any thread) skips that thread's remaining calls, its tasks still
   * count as done, and the job then throws.
   */
  private async phases(phases: Call[][][], marks?: number[]): Promise<void> {
    const workers = this.workers.length;
    const nPhases = phases.length;
    if (nPhases > MAX_PHASES) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: `${nPhases} phases` });
    const ctl = this.ctl;
    const id = this.nextId++;
    if (workers > 0) {
      this.waitFor(FINISHED, workers); // every worker has left the previous job
      for (let t = 0; t < workers; t++) this.writeSlot(t, id, phases);
    }
    Atomics.store(ctl, 1, 0);
    for (let p = 0; p < MAX_PHASES; p++) {
      Atomics.store(ctl, NEXT + p, 0);
      Atomics.store(ctl, DONE + p, 0);
    }
    if (workers > 0) {
      Atomics.store(ctl, FINISHED, 0);
      Atomics.add(ctl, 2, 1);
      Atomics.notify(ctl, 2);
    }
    let error: unknown;
    for (let p = 0; p < nPhases; p++) {
      const tasks = phases[p]!;
      for (let x = Atomics.add(ctl, NEXT + p, 1); x < tasks.length; x = Atomics.add(ctl, NEXT + p, 1)) {
        if (error === undefined)
          try {
            for (const [fn, ...args] of tasks[x]!) this.ex[fn]!(...args);
          } catch (e) {
            error = e;
            Atomics.store(ctl, 1, 1);
          }
        if (Atomics.add(ctl, DONE + p, 1) + 1 === tasks.length) Atomics.notify(ctl, DONE + p);
      }
      this.waitFor(DONE + p, tasks.length);
      marks?.push(performance.now());
    }
    if (error !== undefined) throw new BackendError(BackendErrorCode.NOT_EXACT, { backend: 'wasm', reason: String((error as Error).stack ?? error) });
    if (Atomics.load(ctl, 1) !== 0) {
      // the worker posted its error before counting its task done: it is on its way through this
      // thread's event loop
      for (let i = 0; i < 1000 && !this.errors.has(id); i++) await new Promise((r) => setTimeout(r, 1));
      const reason = this.errors.get(id) ?? 'a worker call failed';
      this.errors.clear();
      throw new BackendError(BackendErrorCode.NOT_EXACT, { backend: 'wasm', reason });
    }
    this.errors.clear();
  }

  /**
   * A small job on this thread alone: waking a worker (and, on a busy machine, waiting for it to be
   * scheduled) costs more than its share of the work. The workers are not told: the previous job's
   * tasks are all done (its last phase was waited for), so they touch no data, and the next shared
   * job still waits until they have left it.
   */
  private localPhases(phases: Call[][][]): void {
    try {
      for (const tasks of phases) for (const calls of tasks) for (const [fn, ...args] of calls) this.ex[fn]!(...args);
    } catch (e) {
      throw new BackendError(BackendErrorCode.NOT_EXACT, { backend: 'wasm', reason: String((e as Error).stack ?? e) });
    }
  }

  /** Encodes the job into a worker's slot: [id, phases, then per phase: tasks, per task: calls, per call: fn, argc, args...]. */
  private writeSlot(slot: number, id: number, phases: Call[][][]): void {
    const w = this.jobs.subarray(slot * SLOT_INTS, (slot + 1) * SLOT_INTS);
    let at = 0;
    const put = (x: number) => {
      if (at >= SLOT_INTS) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: 'job too large for a worker slot' });
      w[at++] = x;
    };
    put(id);
    put(phases.length);
    for (const tasks of phases) {
      put(tasks.length);
      for (const calls of tasks) {
        put(calls.length);
        for (const [fn, ...args] of calls) {
          const f = FN_INDEX.get(fn);
          if (f === undefined) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: `unknown kernel export ${fn}` });
          put(f);
          put(args.length);
          for (const a of args) put(a);
        }
      }
    }
  }

  /** Waits until ctl[word] >= target (a short spin, then Atomics.wait; at most ~60 s). */
  private waitFor(word: number, target: number): void {
    const ctl = this.ctl;
    let spins = 0;
    const SPIN = 100;
    for (;;) {
      const v = Atomics.load(ctl, word);
      if (v >= target) return;
      if (++spins > SPIN) {
        Atomics.wait(ctl, word, v, 50);
        if (spins > SPIN + 1200) throw new BackendError(BackendErrorCode.UNAVAILABLE, { backend: 'wasm', reason: 'worker threads did not finish a phase within 60 s' });
      }
    }
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
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
    // a small product (the 10-wide layer's jobs: ~0.3 M MACs) runs on this thread alone
    const local = m * k * n < this.localMacs;
    const threads = local ? 1 : this.workers.length + 1;
    // packing: row chunks of A and pair chunks of B; the kernel: row chunks
    const pack: Call[][] = taskRows(0, L.mPad, L.kPad, threads).map(([i0, i1]): Call[] => [['pack_a', L.a8, L.ap, L.kPad, i0, i1]]);
    for (const [p0, p1] of taskRows(0, L.kPad / 2, L.nPad * 2, threads, 1)) pack.push([['pack_b', L.b8, L.bp, L.nPad, L.kPad, p0, p1]]);
    const kernel = taskRows(0, L.mPad, L.kPad, threads).map(([c0, c1]): Call[] => [['kernel', L.ap, L.bp, L.c, L.f, k, L.kPad, L.nPad, fold ? r : L.kPad + 2, c0, c1, fold ? 1 : 0]]);
    if (local) this.localPhases([pack, kernel]);
    else await this.phases([pack, kernel]);
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

  /**
   * The whole ticket job in wasm, one shared-memory session: A' = A + E and B' = B + F fused into the
   * int16 packing (with the int8 range check), C' and its transcript, X' = A'·F_L, Y = E_R·B',
   * G = E_R·F_L, and the decode C = C' - (X' - E_L·G)·F_R - E_L·Y as an int32 SIMD pass. Three
   * parallel phases; the calling thread takes a share of each.
   */
  private async runTicketJob(a: Int8Array, b: Int8Array, m: number, k: number, n: number, f: NoiseFactors, tiles?: TileHashRequest): Promise<TicketJobResult> {
    const r = f.r;
    const tilesM = tiles ? Math.ceil(m / tiles.h) : 0, tilesN = tiles ? Math.ceil(n / tiles.w) : 0;
    if (tiles && (tiles.seed.length > 64 || tiles.h < 1 || tiles.w < 1)) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: 'tile hash request' });
    if (a.length !== m * k || b.length !== k * n) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: 'operand sizes' });
    if (r < 2 || r % 2 !== 0) throw new BackendError(BackendErrorCode.BAD_INPUT, { backend: 'wasm', reason: `r = ${r} must be even` });
    const t0 = performance.now();
    const threads = this.workers.length + 1;
    // tile digests in the kernel and whole HMACs in wasm when a tile's message fits one SHA-256 block
    // and its rows and strips line up with the kernel's 4 x 8 register blocks; else fold states out and
    // TileHasher
    const inKernel = tiles !== undefined && tiles.h % 4 === 0 && tiles.w % 8 === 0 && tiles.w <= 16 && tiles.h <= 256;
    const nTiles = tilesM * tilesN;
    const L = jobLayout(m, k, n, r, threads, inKernel ? nTiles : 0);
    this.ensure(L.end);
    const buf = this.memory.buffer;
    const mem = new Int8Array(buf);
    if (inKernel) this.tileBlocks(L, tiles, m, k, n, tilesM, tilesN);
    const { mPad, kPad, nPad, rPad, rA } = L;
    const a8 = mem.subarray(L.a8, L.a8 + mPad * kPad);
    if (kPad === k && mPad === m) a8.set(a);
    else {
      a8.fill(0);
      for (let i = 0; i < m; i++) a8.set(a.subarray(i * k, i * k + k), i * kPad);
    }
    const b8 = mem.subarray(L.b8, L.b8 + kPad * nPad);
    if (nPad === n && kPad === k) b8.set(b);
    else {
      b8.fill(0);
      for (let l = 0; l < k; l++) b8.set(b.subarray(l * n, l * n + n), l * nPad);
    }
    // noise factors in the layouts the kernels read, zero padded: E_L (m x r) as int8 rows of r (decode),
    // int32 (decode) and rows of rPad (E = E_L·E_R); E_R and F_R as rPad rows; F_L as rows of rPad
    mem.fill(0, L.el, L.el + mPad * r);
    mem.set(f.eL, L.el);
    const el32 = new Int32Array(buf, L.el32, mPad * r);
    el32.fill(0);
    el32.set(f.eL);
    const el8 = mem.subarray(L.el8, L.el8 + mPad * rPad);
    if (rPad === r && mPad === m) el8.set(f.eL);
    else {
      el8.fill(0);
      for (let i = 0; i < m; i++) el8.set(f.eL.subarray(i * r, i * r + r), i * rPad);
    }
    const er8 = mem.subarray(L.er8, L.er8 + rPad * kPad);
    if (kPad === k && rPad === r) er8.set(f.eR);
    else {
      er8.fill(0);
      for (let t = 0; t < r; t++) er8.set(f.eR.subarray(t * k, t * k + k), t * kPad);
    }
    const fl8 = mem.subarray(L.fl8, L.fl8 + kPad * rPad);
    if (rPad === r && kPad === k) fl8.set(f.fL);
    else {
      fl8.fill(0);
      for (let l = 0; l < k; l++) fl8.set(f.fL.subarray(l * r, l * r + r), l * rPad);
    }
    const fr8 = mem.subarray(L.fr8, L.fr8 + rPad * nPad);
    const fr32 = new Int32Array(buf, L.fr32, r * nPad);
    if (nPad === n && rPad === r) fr8.set(f.fR);
    else {
      fr8.fill(0);
      for (let t = 0; t < r; t++) fr8.set(f.fR.subarray(t * n, t * n + n), t * nPad);
    }
    if (nPad !== n) fr32.fill(0);
    for (let t = 0; t < r; t++) fr32.set(f.fR.subarray(t * n, t * n + n), t * nPad);
    const err = new Int32Array(buf, L.err, 1);
    err[0] = 0;
    // phase 1: the small noise panels in the kernels' layouts (E_L rows, E_R and F_R pair strips, F_L
    // both ways, E_R rows for Y and G); phase 2: E = E_L·E_R and F = F_L·F_R on the dot kernel (inner
    // dimension rPad), each added to its operand while packing it (A' rows, B' row pairs), in chunks
    const panels: Call[][] = [
      [['pack_b', L.er8, L.erbp, kPad, rPad, 0, rPad / 2], ['pack_a', L.el8, L.elp, rPad, 0, mPad], ['pack_a', L.er8, L.erp, kPad, 0, rA]],
      [['pack_b', L.fr8, L.frbp, nPad, rPad, 0, rPad / 2], ['pack_a', L.fl8, L.flpa, rPad, 0, kPad], ['pack_b', L.fl8, L.flp, rPad, kPad, 0, kPad / 2]],
    ];
    const noiseAdd: Call[][] = taskRows(0, mPad, kPad, threads).map(([i0, i1]): Call[] => [['noise_add_a', L.elp, L.erbp, L.a8, L.ap, rPad, kPad, i0, i1, L.err]]);
    for (const [q0, q1] of taskRows(0, kPad, nPad, threads)) noiseAdd.push([['noise_add_b', L.flpa, L.frbp, L.b8, L.bp, rPad, nPad, kPad, q0, q1, L.err]]);
    // (the int8 range check is read after the job: a bad entry only makes the later phases compute
    // garbage in their own regions, and the job throws)
    // phase 3: Y and G first (rA rows of E_R against B' and F_L), then row chunks of C'
    // (with its transcript and digests) each with its rows of X' = A'·F_L; with digests, C' rows are cut
    // at tile rows (a tile's digest chain runs in one call)
    const step = inKernel ? tiles.h : 4;
    const dig = inKernel ? [L.blocks, m, n, tiles.h, tiles.w, tilesN] : [];
    const phase2: Call[][] = [[['kernel', L.erp, L.bp, L.y, 0, k, kPad, nPad, kPad + 2, 0, rA, 0], ['kernel', L.erp, L.flp, L.g, 0, k, kPad, rPad, kPad + 2, 0, rA, 0]]];
    for (const [c0, c1] of taskRows(0, mPad, kPad, threads, step))
      phase2.push([['kernel', L.ap, L.bp, L.c, L.f, k, kPad, nPad, r, c0, c1, 1, ...dig], ['kernel', L.ap, L.flp, L.xp, 0, k, kPad, rPad, kPad + 2, c0, c1, 0]]);
    // phase 4: decode row chunks, then tile HMACs 64 at a time
    const phase3: Call[][] = taskRows(0, mPad, 64, threads).map(([i0, i1]): Call[] => [['decode', L.c, L.xp, L.g, L.y, L.el, L.el32, L.fr32, nPad, rPad, r, i0, i1]]);
    if (inKernel) for (let s0 = 0; s0 < nTiles; s0 += 64) phase3.push([['hmac_tiles4', L.mids, L.mids + 128, L.blocks + 64 * s0, L.hashes + 32 * s0, Math.min(64, nTiles - s0)]]);
    // one dispatch; a phase starts when every task of the one before is done
    const marks = this.profile ? [performance.now()] : undefined;
    await this.phases([panels, noiseAdd, phase2, phase3], marks);
    if (marks) marks.splice(1, 1); // profile: panels and noise add as one phase
    if (err[0] !== 0) throw new RangeError('noised entry outside int8 (operand not int7?)');
    const c = new Int32Array(m * n);
    const cm = new Int32Array(buf, L.c, mPad * nPad);
    if (nPad === n) c.set(cm.subarray(0, m * n));
    else for (let i = 0; i < m; i++) c.set(cm.subarray(i * nPad, i * nPad + n), i * n);
    if (inKernel) {
      const tileHashes = new Uint8Array(buf, L.hashes, nTiles * 32).slice();
      if (marks) {
        const t = performance.now();
        this.profile!.push([marks[0]! - t0, marks[1]! - marks[0]!, marks[2]! - marks[1]!, marks[3]! - marks[2]!, t - marks[3]!]);
      }
      return { c, tileHashes };
    }
    const fo = new Int32Array(m * n);
    const fm = new Int32Array(buf, L.f, mPad * nPad);
    if (nPad === n) fo.set(fm.subarray(0, m * n));
    else for (let i = 0; i < m; i++) fo.set(fm.subarray(i * nPad, i * nPad + n), i * n);
    if (!tiles) return { c, fold: fo };
    const hasher = new TileHasher(tiles.seed, { m, k, n }, tiles.w);
    const out = new Uint8Array(nTiles * 32);
    for (let ti = 0; ti < tilesM; ti++)
      for (let tj = 0; tj < tilesN; tj++) {
        const i0 = ti * tiles.h, j0 = tj * tiles.w;
        out.set(hasher.hash(fo, n, ti, tj, i0, j0, Math.min(tiles.h, m - i0), Math.min(tiles.w, n - j0)), (ti * tilesN + tj) * 32);
      }
    return { c, tileHashes: out };
  }

  /**
   * The 64-byte SHA-256 block of every tile's inner HMAC message (what follows K0 ^ ipad): u32le ti, tj,
   * m, k, n, the digest words (written by the kernel), the 0x80 byte and the bit length; and the two
   * midstates (after K0 ^ ipad, K0 ^ opad) at L.mids.
   */
  private tileBlocks(L: JobLayout, tiles: TileHashRequest, m: number, k: number, n: number, tilesM: number, tilesN: number): void {
    const buf = this.memory.buffer;
    const bytes = new Uint8Array(buf);
    const slots = align(tilesM * tilesN, 4);
    bytes.fill(0, L.blocks, L.blocks + slots * 64);
    const dv = new DataView(buf);
    for (let tj = 0; tj < tilesN; tj++) {
      const len = 20 + 4 * tileDigestWords(Math.min(tiles.w, n - tj * tiles.w));
      for (let ti = 0; ti < tilesM; ti++) {
        const o = L.blocks + (ti * tilesN + tj) * 64;
        dv.setUint32(o, ti, true);
        dv.setUint32(o + 4, tj, true);
        dv.setUint32(o + 8, m, true);
        dv.setUint32(o + 12, k, true);
        dv.setUint32(o + 16, n, true);
        bytes[o + len] = 0x80;
        dv.setUint32(o + 60, (64 + len) * 8, false);
      }
    }
    bytes.fill(0x36, L.keys, L.keys + 64);
    bytes.fill(0x5c, L.keys + 64, L.keys + 128);
    for (let i = 0; i < tiles.seed.length; i++) {
      bytes[L.keys + i]! ^= tiles.seed[i]!;
      bytes[L.keys + 64 + i]! ^= tiles.seed[i]!;
    }
    this.ex.hmac_outer_init!(L.keys, L.mids);
    this.ex.hmac_outer_init!(L.keys + 64, L.mids + 128);
  }

  /** Decoded product C = A·B and the transcript fold states of C' = (A + E)(B + F), for a ticket job. */
  ticketJob(a: Int8Array, b: Int8Array, m: number, k: number, n: number, f: NoiseFactors, tiles?: TileHashRequest): Promise<TicketJobResult> {
    return this.serial(() => this.runTicketJob(a, b, m, k, n, f, tiles));
  }

  /**
   * Freivalds' check C == A·B with the 4 rounds of consensus/pouw/freivalds.ts as one 4-wide f64x2
   * mat-vec per matrix on every thread: the same x from the same random bytes and the same exact
   * integers (every intermediate < 2^53), so the same answer; other round counts use the JS version.
   */
  freivalds(job: { m: number; k: number; n: number; a: Int8Array; b: Int8Array }, c: Int32Array, randomBytes: RandomBytes, rounds = FREIVALDS_ROUNDS): Promise<boolean> {
    const { m, k, n, a, b } = job;
    if (rounds !== 4 || k > 4096 || n > 4096 || c.length !== m * n || a.length !== m * k || b.length !== k * n)
      return Promise.resolve(freivaldsJs(job, c, randomBytes, rounds));
    return this.serial(async () => {
      const raw = randomBytes(n * 4 * 2);
      if (raw.length < n * 4 * 2) throw new RangeError('randomBytes returned too few bytes');
      let off = 64;
      const take = (bytes: number) => { const o = off; off = align(off + bytes, 64); return o; };
      const oa = take(m * k), ob = take(k * n), oc = take(m * n * 4), ox = take(n * 32), obx = take(k * 32), oabx = take(m * 32), ocx = take(m * 32);
      this.ensure(off);
      const buf = this.memory.buffer;
      new Int8Array(buf, oa, m * k).set(a);
      new Int8Array(buf, ob, k * n).set(b);
      new Int32Array(buf, oc, m * n).set(c);
      const x = new Float64Array(buf, ox, n * 4);
      for (let i = 0; i < n * 4; i++) x[i] = (raw[2 * i]! | (raw[2 * i + 1]! << 8)) & ((1 << FREIVALDS_BITS) - 1);
      const threads = this.workers.length + 1;
      await this.phases([
        taskRows(0, k, n, threads, 2).map(([i0, i1]): Call[] => [['mv4', ob, 0, n, ox, obx, i0, i1]]),
        taskRows(0, m, k + 4 * n, threads, 2).map(([i0, i1]): Call[] => [['mv4', oa, 0, k, obx, oabx, i0, i1], ['mv4', oc, 1, n, ox, ocx, i0, i1]]),
      ]);
      const abx = new Float64Array(buf, oabx, m * 4), cx = new Float64Array(buf, ocx, m * 4);
      for (let i = 0; i < m * 4; i++) if (abx[i] !== cx[i]) return false;
      return true;
    });
  }

  /**
   * consensus noiseFactors with its SHA-256 blocks hashed 4 at a time in wasm (sha256_blocks4) on this
   * thread: the same bits (tested), 0.136 -> 0.072 ms at 256x784x128, r = 16 (one
   * node:crypto call per block before).
   */
  noiseFactors(seed: Uint8Array, r: number, m: number, k: number, n: number): Promise<NoiseFactors> {
    return this.serial(async () =>
      noiseFactorsJs(seed, r, m, k, n, (blocks, count) => {
        const slots = align(count, 4);
        const src = 64, dst = align(src + slots * 64, 64);
        this.ensure(dst + slots * 32);
        const mem = new Uint8Array(this.memory.buffer);
        mem.set(blocks, src);
        this.ex.sha256_blocks4!(src, dst, count);
        return mem.slice(dst, dst + count * 32);
      }),
    );
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
    Atomics.store(this.ctl, 3, 1);
    Atomics.add(this.ctl, 2, 1);
    Atomics.notify(this.ctl, 2);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
