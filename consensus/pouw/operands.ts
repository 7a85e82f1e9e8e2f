// A ticket job's operand commitment: A's rows and B's columns as Merkle leaves, their line roots
// (what a ticket carries) and the matrix roots (what the seed binds, seed.ts). The miner computes
// this once per job, before the noise (the noise depends on it), and reuses the lines for the proof
// of a winning tile. Cost: SHA-256 over m·k + k·n bytes, against m·k·n MACs of the product.
import { colsOf, matRootFromLines, MatRootKind, rowsOf, type MatmulJob } from '../matmul.ts';
import { merkleRoot } from '../merkle.ts';

export interface JobOperands {
  readonly rowsA: Uint8Array[];
  readonly colsB: Uint8Array[];
  readonly linesRootA: Uint8Array;
  readonly linesRootB: Uint8Array;
  /** rootByRows(A): matRootFromLines(Rows, m, k, linesRootA). */
  readonly rootA: Uint8Array;
  /** rootByCols(B): matRootFromLines(Cols, k, n, linesRootB). */
  readonly rootB: Uint8Array;
}

export function jobOperands(job: Pick<MatmulJob, 'm' | 'k' | 'n' | 'a' | 'b'>): JobOperands {
  const { m, k, n } = job;
  const rowsA = rowsOf(job.a, m, k);
  const colsB = colsOf(job.b, k, n);
  const linesRootA = merkleRoot(rowsA);
  const linesRootB = merkleRoot(colsB);
  return {
    rowsA, colsB, linesRootA, linesRootB,
    rootA: matRootFromLines(MatRootKind.Rows, m, k, linesRootA),
    rootB: matRootFromLines(MatRootKind.Cols, k, n, linesRootB),
  };
}
