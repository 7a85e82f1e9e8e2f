// The declared filler job (DESIGN.md: "when no task is open ... miners fall back to a declared
// filler job derived from the parent hash"): when a miner has no useful lane left in the round it
// keeps the chain secure by multiplying matrices derived from the parent hash alone, in the shape
// of the task's first ticket job, on a lane it reserves for that (FILLER_LANE, 2^32 - 1), which
// no contribution part can cover. Filler wins are valid blocks; their ticket rewards are
// burned at the round's close (no contribution for the lane), and their MACs count as not useful.
import { u32be, utf8Bytes } from '../consensus/bytes.ts';
import { sha256 } from '../consensus/hash.ts';
import type { MatmulJob } from '../consensus/matmul.ts';
import { prfWords } from '../consensus/training/prf.ts';

export const FILLER_TAG = 'tessera/filler/v1';

/** The lane of filler tickets: above the last lane a part may cover (consensus/training/part.ts MAX_LANE). */
export const FILLER_LANE = 0xffff_ffff;

/** Operands of filler job number `index` (at `step`, `jobId`) on `parent`: int7 entries (in [-63, 63]) from a SHA-256 stream. */
export function fillerJob(parent: Uint8Array, step: number, jobId: number, m: number, k: number, n: number, index = 0): MatmulJob {
  const seed = sha256(utf8Bytes(FILLER_TAG), parent, u32be(index), u32be(step), u32be(jobId));
  const words = prfWords(seed, Math.ceil((m * k + k * n) / 4));
  const byte = (i: number): number => (words[i >>> 2]! >>> (8 * (i & 3))) & 0xff;
  const a = new Int8Array(m * k);
  const b = new Int8Array(k * n);
  for (let i = 0; i < a.length; i++) a[i] = (byte(i) % 127) - 63;
  for (let i = 0; i < b.length; i++) b[i] = (byte(a.length + i) % 127) - 63;
  return { step, jobId, m, k, n, a, b };
}
