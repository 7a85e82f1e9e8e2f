// The compute-backend contract: one kernel, "noised product plus transcript", and a plain int8 product
// (used for the noise, the decode and the non-ticket jobs). Every backend is bit-identical to the
// plain-JS reference (consensus/pouw/transcript.ts noisedProductRef), proven by a self-test at start.
import type { NoiseFactors } from '../../consensus/pouw/noise.ts';
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
  /**
   * Optional fused ticket job: noise add, noised product with transcript and decode in one call.
   * Returns c = A·B (the decoded useful product, m x n) and the transcript of C' = (A + E_L·E_R)(B + F_L·F_R):
   * its fold states (bit-identical to noisedProductRef on the noised operands), or with `tiles` the
   * consensus tileHash of every tile (bit-identical to tileHash over those states).
   * Throws RangeError when a noised entry leaves [-127, 127].
   */
  ticketJob?(a: Int8Array, b: Int8Array, m: number, k: number, n: number, f: NoiseFactors, tiles?: TileHashRequest): Promise<TicketJobResult>;
  /**
   * Optional: the job's noise factors, bit-identical to consensus noiseFactors (faster SHA-256 of the
   * sign streams).
   */
  noiseFactors?(seed: Uint8Array, r: number, m: number, k: number, n: number): Promise<NoiseFactors>;
  /** Releases workers / GPU contexts. */
  close(): Promise<void>;
}

/** Ask ticketJob for the tile hashes too (consensus tileHash of every h x w tile, keyed by seed). */
export interface TileHashRequest {
  readonly seed: Uint8Array;
  readonly h: number;
  readonly w: number;
}

export interface TicketJobResult {
  /** C = A·B, the decoded useful product, m x n. */
  readonly c: Int32Array;
  /** Without a TileHashRequest: the fold states of C' (m x n); with one they stay in the backend. */
  readonly fold?: Int32Array;
  /** With a TileHashRequest: 32 bytes per tile, tile (ti, tj) at (ti·ceil(n/w) + tj)·32. */
  readonly tileHashes?: Uint8Array;
}

export interface BackendOptions {
  /** Worker threads (wasm). Default: available parallelism. */
  readonly threads?: number;
  /** gpujs: allow gpu.js's slow CPU/WebAssembly fallback (never picked for mining otherwise). */
  readonly forceGpujsFallback?: boolean;
  /** wasm: products of fewer multiply-adds run on the calling thread alone (default 2^21; 0: never). */
  readonly localMacs?: number;
}

export enum BackendErrorCode {
  /** The backend gave a result that is not bit-identical to the reference: refuses to run. */
  NOT_EXACT = 'BACKEND_NOT_EXACT',
  /** The backend cannot run here (no WebAssembly SIMD, no GL context, ...). */
  UNAVAILABLE = 'BACKEND_UNAVAILABLE',
  /** Operand shapes or ranges the backend does not accept. */
  BAD_INPUT = 'BACKEND_BAD_INPUT',
}
