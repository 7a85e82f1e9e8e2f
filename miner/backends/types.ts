// The compute-backend contract: one kernel, "noised product plus transcript", and a plain int8 product
// (used for the noise, the decode and the non-ticket jobs). Every backend is bit-identical to the
// plain-JS reference (consensus/pouw/transcript.ts noisedProductRef), proven by a self-test at start.
import type { NoisedResult } from '../../consensus/pouw/transcript.ts';

export type BackendName = 'js' | 'wasm' | 'gpujs';

export interface TileBackend {
  readonly name: BackendName;
  /** Human-readable detail (threads, gpu.js mode, ...). */
  readonly detail: string;
  /** A' (m x k int8, entries in [-127, 127]) · B' (k x n int8) -> C' and the fold state per element. */
  noisedProduct(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number): Promise<NoisedResult>;
  /** Plain int8 product, int32 result (wrapping). Entries in [-127, 127]. */
  matmul(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Promise<Int32Array>;
  /** Releases workers / GPU contexts. */
  close(): Promise<void>;
}

export interface BackendOptions {
  /** Worker threads (wasm). Default: available parallelism. */
  readonly threads?: number;
  /** gpujs: allow gpu.js's slow CPU/WebAssembly fallback (never picked for mining otherwise). */
  readonly forceGpujsFallback?: boolean;
}

export enum BackendErrorCode {
  /** The backend gave a result that is not bit-identical to the reference: refuses to run. */
  NOT_EXACT = 'BACKEND_NOT_EXACT',
  /** The backend cannot run here (no WebAssembly SIMD, no GL context, ...). */
  UNAVAILABLE = 'BACKEND_UNAVAILABLE',
  /** Operand shapes or ranges the backend does not accept. */
  BAD_INPUT = 'BACKEND_BAD_INPUT',
}
