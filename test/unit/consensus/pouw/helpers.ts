import { sha256 } from '../../../../consensus/hash.ts';
import { u32be } from '../../../../consensus/bytes.ts';
import type { MatmulJob } from '../../../../consensus/matmul.ts';
import { testMatrix } from '../../../../miner/backends/selftest.ts';

/** Deterministic int7 matrix from a label. */
export function int7(label: string, len: number, lim = 63): Int8Array {
  return testMatrix(label, len, lim);
}

export function job(m: number, k: number, n: number, label = 'j', step = 0, jobId = 0): MatmulJob {
  return { step, jobId, m, k, n, a: int7(`${label}-a`, m * k), b: int7(`${label}-b`, k * n) };
}

export const PARENT = sha256(new TextEncoder().encode('parent'));
export const MINER = sha256(new TextEncoder().encode('miner')).slice(0, 20);
/** Stand-in operand roots for tests that only need some seed (no product of their own). */
export const ROOTS = { rootA: sha256(new TextEncoder().encode('root A')), rootB: sha256(new TextEncoder().encode('root B')) };
/** A target so high that about one tile in `odds` wins, for a tile of h·w·k MACs. */
export function easyTarget(macsPerTile: number, odds: number): bigint {
  return (1n << 256n) / BigInt(macsPerTile) / BigInt(odds);
}

/** Deterministic "CSPRNG" for tests. */
export function testRandom(label: string): (len: number) => Uint8Array {
  let ctr = 0;
  return (len) => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i += 32) out.set(sha256(new TextEncoder().encode(label), u32be(ctr++)).subarray(0, Math.min(32, len - i)), i);
    return out;
  };
}
