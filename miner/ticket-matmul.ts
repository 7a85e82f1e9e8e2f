// The ticket path: a MatmulFn that computes every ticket job as noised product + transcript on a
// backend, tests every tile against the target, reports winners and returns the exact useful product.
// Other jobs (too small to carry tickets) are computed plainly.
import { bytesToBigInt } from '../consensus/bytes.ts';
import type { MatmulFn, MatmulJob } from '../consensus/matmul.ts';
import { decodeFromParts } from '../consensus/pouw/decode.ts';
import { noiseFactors, type NoiseFactors } from '../consensus/pouw/noise.ts';
import { jobRoots } from '../consensus/pouw/operands.ts';
import { pouwSeed } from '../consensus/pouw/seed.ts';
import { checkSpec, isTicketJob, type PouwSpec } from '../consensus/pouw/spec.ts';
import { buildTicketProof, type TicketProof } from '../consensus/pouw/ticket.ts';
import { ticketBound } from '../consensus/pouw/transcript.ts';
import type { TileBackend } from './backends/types.ts';
import { TileHasher } from './tile-hasher.ts';

export interface TicketContext {
  parent: Uint8Array;
  miner: Uint8Array;
  round: number;
  lane: number;
  target: bigint;
  spec: PouwSpec;
}

export interface WinningTicket {
  proof: TicketProof;
  hash: Uint8Array;
  step: number;
  jobId: number;
  ti: number;
  tj: number;
}

export interface TicketStats {
  /** MACs of ticket jobs (the noised product only). */
  ticketMacs: number;
  /** MACs of plain jobs. */
  plainMacs: number;
  /** MACs spent on noise and decode (overhead of the ticket path). */
  overheadMacs: number;
  ticketJobs: number;
  plainJobs: number;
  tiles: number;
  wins: number;
}

export function newTicketStats(): TicketStats {
  return { ticketMacs: 0, plainMacs: 0, overheadMacs: 0, ticketJobs: 0, plainJobs: 0, tiles: 0, wins: 0 };
}

/** A + P·Q with P·Q given as int32 (the backend computed it); asserts the int8 bound of noise.ts. */
function addNoise(x: Int8Array, e: Int32Array): Int8Array {
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! + e[i]!;
    if (v > 127 || v < -127) throw new RangeError(`noised entry ${v} outside int8 (operand not int7?)`);
    out[i] = v;
  }
  return out;
}

export interface NoisedJob {
  readonly seed: Uint8Array;
  readonly factors: NoiseFactors;
  readonly aP: Int8Array;
  readonly bP: Int8Array;
}

/** Seed, noise factors and noised operands of a ticket job, the low-rank products on the backend. */
export async function noiseJob(ctx: TicketContext, job: MatmulJob, backend: TileBackend): Promise<NoisedJob> {
  const { m, k, n } = job;
  const r = ctx.spec.r;
  const seed = jobSeed(ctx, job);
  const factors = noiseFactors(seed, r, m, k, n);
  const e = await backend.matmul(factors.eL, factors.eR, m, r, k);
  const f = await backend.matmul(factors.fL, factors.fR, k, r, n);
  return { seed, factors, aP: addNoise(job.a, e), bP: addNoise(job.b, f) };
}

/** The job's seed (pouw/v2): the context's fields with the job's operand roots (given with the job, else computed). */
export function jobSeed(ctx: TicketContext, job: MatmulJob, roots: { rootA: Uint8Array; rootB: Uint8Array } = job.roots ?? jobRoots(job)): Uint8Array {
  return pouwSeed({ parent: ctx.parent, miner: ctx.miner, round: ctx.round, lane: ctx.lane, step: job.step, jobId: job.jobId, rootA: roots.rootA, rootB: roots.rootB });
}

/**
 * Quick reject: a hash whose top 48 bits (topWord) exceed floor(bound / 2^208) (topWordOfBound) is larger
 * than the bound; otherwise the full comparison decides. A bound of 2^256 or more never rejects (Infinity).
 */
function topWordOfBound(bound: bigint): number {
  const top = bound >> 208n;
  return top >= 1n << 48n ? Infinity : Number(top);
}

function topWord(hash: Uint8Array, at: number): number {
  return hash[at]! * 2 ** 40 + hash[at + 1]! * 2 ** 32 + hash[at + 2]! * 2 ** 24 + hash[at + 3]! * 2 ** 16 + hash[at + 4]! * 2 ** 8 + hash[at + 5]!;
}

export function ticketMatmul(ctx: TicketContext, backend: TileBackend, onTicket?: (t: WinningTicket) => void, stats?: TicketStats): MatmulFn {
  checkSpec(ctx.spec);
  const { spec } = ctx;
  return async (job: MatmulJob): Promise<Int32Array> => {
    const { m, k, n } = job;
    if (job.a.length !== m * k || job.b.length !== k * n) throw new RangeError(`job ${job.step}/${job.jobId}: operand sizes do not match ${m}x${k}x${n}`);
    if (!isTicketJob(spec, m, k, n)) {
      if (stats) {
        stats.plainMacs += m * k * n;
        stats.plainJobs++;
      }
      return backend.matmul(job.a, job.b, m, k, n);
    }
    const r = spec.r;
    // the operand roots first: the seed (and so the noise) depends on them. A training step hands them
    // over (it commits to them anyway); other jobs (filler, tests) compute them here.
    const seed = jobSeed(ctx, job);
    const factors = backend.noiseFactors ? await backend.noiseFactors(seed, r, m, k, n) : noiseFactors(seed, r, m, k, n);
    let fold: Int32Array | undefined;
    let c: Int32Array;
    let hashes: Uint8Array | undefined;
    if (backend.ticketJob && r % 2 === 0) {
      // fused: noise add, noised product + transcript, decode and tile hashes in one backend call
      ({ c, fold, tileHashes: hashes } = await backend.ticketJob(job.a, job.b, m, k, n, factors, { seed, h: spec.h, w: spec.w }));
      if (!hashes && !fold) throw new RangeError(`backend ${backend.name}: ticketJob returned neither tile hashes nor fold states`);
    } else {
      const e = await backend.matmul(factors.eL, factors.eR, m, r, k);
      const f = await backend.matmul(factors.fL, factors.fR, k, r, n);
      const aP = addNoise(job.a, e), bP = addNoise(job.b, f);
      const res = await backend.noisedProduct(aP, bP, m, k, n, r);
      fold = res.fold;
      const x = await backend.matmul(job.a, factors.fL, m, k, r);
      const y = await backend.matmul(factors.eR, bP, r, k, n);
      c = decodeFromParts(res.c, x, y, factors, m, n);
    }
    // every tile is a ticket
    let tiles = 0;
    let wins = 0;
    const tilesN = Math.ceil(n / spec.w);
    const bounds = new Map<number, { bound: bigint; top: number }>();
    const hasher = hashes ? undefined : new TileHasher(seed, job, spec.w);
    for (let i0 = 0, ti = 0; i0 < m; i0 += spec.h, ti++) {
      const th = Math.min(spec.h, m - i0);
      for (let j0 = 0, tj = 0; j0 < n; j0 += spec.w, tj++) {
        const tw = Math.min(spec.w, n - j0);
        tiles++;
        let b = bounds.get(th * 65536 + tw);
        if (b === undefined) {
          const bound = ticketBound(ctx.target, th, tw, k);
          bounds.set(th * 65536 + tw, (b = { bound, top: topWordOfBound(bound) }));
        }
        // quick reject on the hash's top 48 bits, read in place (most tiles end here)
        const at = (ti * tilesN + tj) * 32;
        if (hashes && topWord(hashes, at) > b.top) continue;
        const hash = hashes ? hashes.subarray(at, at + 32) : hasher!.hash(fold!, n, ti, tj, i0, j0, th, tw);
        if (!hashes && topWord(hash, 0) > b.top) continue;
        if (bytesToBigInt(hash) <= b.bound) {
          wins++;
          if (onTicket) {
            const own = hash.slice();
            const proof = buildTicketProof(ctx, job, spec, ti, tj, own);
            onTicket({ proof, hash: own, step: job.step, jobId: job.jobId, ti, tj });
          }
        }
      }
    }
    if (stats) {
      stats.ticketMacs += m * k * n;
      stats.overheadMacs += r * (m * k + k * n) + r * (m * k + k * n) + 2 * r * m * n;
      stats.ticketJobs++;
      stats.tiles += tiles;
      stats.wins += wins;
    }
    return c;
  };
}
