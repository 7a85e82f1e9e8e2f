// The job seed (PoUW rule v2):
//   SHA-256("pouw/v2" || parent(32) || miner(20) || u32 round || u32 lane || u32 step || u32 jobId
//           || rootA(32) || rootB(32)),
// integers big-endian; rootA = rootByRows(A), rootB = rootByCols(B) of the job (consensus/matmul.ts).
// Everything random about a ticket job (its noise, the tile hash key) derives from it, so a tile gets a
// new ticket only when the parent changes. The operand roots bind the noise to the operands: under v1
// (no roots) a miner read E from the seed and set A := -E, so every running sum was 0 and each tile
// cost one HMAC instead of h·w·k MACs. Now E is a function of A, so A := -E is a fixed point of
// SHA-256, and any other choice of operands (or of miner, lane, step, job) is a new seed whose tiles
// each cost their whole product (docs/pouw.md, "What a miner may choose").
import { u32be, utf8Bytes } from '../bytes.ts';
import { sha256 } from '../hash.ts';

const TAG = utf8Bytes('pouw/v2');

export interface SeedInput {
  readonly parent: Uint8Array;
  readonly miner: Uint8Array;
  readonly round: number;
  readonly lane: number;
  readonly step: number;
  readonly jobId: number;
  /** rootByRows(A) of the job (m x k). */
  readonly rootA: Uint8Array;
  /** rootByCols(B) of the job (k x n). */
  readonly rootB: Uint8Array;
}

export function pouwSeed(x: SeedInput): Uint8Array {
  if (x.parent.length !== 32) throw new RangeError('parent must be 32 bytes');
  if (x.miner.length !== 20) throw new RangeError('miner must be 20 bytes');
  if (x.rootA.length !== 32 || x.rootB.length !== 32) throw new RangeError('operand roots must be 32 bytes');
  return sha256(TAG, x.parent, x.miner, u32be(x.round), u32be(x.lane), u32be(x.step), u32be(x.jobId), x.rootA, x.rootB);
}
