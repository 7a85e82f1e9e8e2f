// The ticket path: a MatmulFn that computes every ticket job as noised product + transcript on a
// backend, tests every tile against the target, reports winners and returns the exact useful product.
// Other jobs (too small to carry tickets) are computed plainly.
import { bytesToBigInt } from '../consensus/bytes.ts';
import { colsOf, rowsOf, type MatmulFn, type MatmulJob } from '../consensus/matmul.ts';
import { decodeFromParts } from '../consensus/pouw/decode.ts';
import { noiseFactors, type NoiseFactors } from '../consensus/pouw/noise.ts';
import { pouwSeed } from '../consensus/pouw/seed.ts';
import { checkSpec, isTicketJob, type PouwSpec } from '../consensus/pouw/spec.ts';
import { buildTicketProof, type TicketProof } from '../consensus/pouw/ticket.ts';
import { ticketBound, tileHash, tileStates } from '../consensus/pouw/transcript.ts';
import type { TileBackend } from './backends/types.ts';

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
  const seed = pouwSeed({ parent: ctx.parent, miner: ctx.miner, round: ctx.round, lane: ctx.lane, step: job.step, jobId: job.jobId });
  const factors = noiseFactors(seed, r, m, k, n);
  const e = await backend.matmul(factors.eL, factors.eR, m, r, k);
  const f = await backend.matmul(factors.fL, factors.fR, k, r, n);
  return { seed, factors, aP: addNoise(job.a, e), bP: addNoise(job.b, f) };
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
    const nj = await noiseJob(ctx, job, backend);
    const { c: cP, fold } = await backend.noisedProduct(nj.aP, nj.bP, m, k, n, r);
    // every tile is a ticket
    let lines: { rowsA: Uint8Array[]; colsB: Uint8Array[] } | undefined;
    let tiles = 0;
    let wins = 0;
    for (let i0 = 0, ti = 0; i0 < m; i0 += spec.h, ti++) {
      const th = Math.min(spec.h, m - i0);
      for (let j0 = 0, tj = 0; j0 < n; j0 += spec.w, tj++) {
        const tw = Math.min(spec.w, n - j0);
        const hash = tileHash(nj.seed, job, ti, tj, tileStates(fold, n, i0, j0, th, tw));
        tiles++;
        if (bytesToBigInt(hash) <= ticketBound(ctx.target, th, tw, k)) {
          wins++;
          if (onTicket) {
            lines ??= { rowsA: rowsOf(job.a, m, k), colsB: colsOf(job.b, k, n) };
            const proof = buildTicketProof(ctx, job, spec, ti, tj, hash, lines);
            onTicket({ proof, hash, step: job.step, jobId: job.jobId, ti, tj });
          }
        }
      }
    }
    // decode the useful product
    const x = await backend.matmul(job.a, nj.factors.fL, m, k, r);
    const y = await backend.matmul(nj.factors.eR, nj.bP, r, k, n);
    const c = decodeFromParts(cP, x, y, nj.factors, m, n);
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
