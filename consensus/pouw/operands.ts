// A ticket job's operand roots, what its seed binds (seed.ts): rootByRows(A) and rootByCols(B), the
// same commitment a training step makes for its contribution (consensus/training/step.ts), so a
// training job hands them over and only other jobs (filler, tests) compute them here. A ticket
// carries the line roots they are derived from (matRootFromLines) and proves its tile's lines under
// them (ticket.ts). Cost: SHA-256 over m·k + k·n bytes, against m·k·n MACs of the product.
import { rootByCols, rootByRows, type MatmulJob } from '../matmul.ts';

export interface JobRoots {
  /** rootByRows(A), A m x k. */
  readonly rootA: Uint8Array;
  /** rootByCols(B), B k x n. */
  readonly rootB: Uint8Array;
}

export function jobRoots(job: Pick<MatmulJob, 'm' | 'k' | 'n' | 'a' | 'b'>): JobRoots {
  return { rootA: rootByRows(job.a, job.m, job.k), rootB: rootByCols(job.b, job.k, job.n) };
}
