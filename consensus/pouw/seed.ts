// The job seed: SHA-256("pouw/v1" || parent(32) || miner(20) || u32 round || u32 lane || u32 step || u32 jobId),
// integers big-endian. Everything random about a ticket job (its noise, the tile hash key) derives from it,
// so a tile gets a new ticket only when the parent changes.
import { u32be, utf8Bytes } from '../bytes.ts';
import { sha256 } from '../hash.ts';

const TAG = utf8Bytes('pouw/v1');

export interface SeedInput {
  readonly parent: Uint8Array;
  readonly miner: Uint8Array;
  readonly round: number;
  readonly lane: number;
  readonly step: number;
  readonly jobId: number;
}

export function pouwSeed(x: SeedInput): Uint8Array {
  if (x.parent.length !== 32) throw new RangeError('parent must be 32 bytes');
  if (x.miner.length !== 20) throw new RangeError('miner must be 20 bytes');
  return sha256(TAG, x.parent, x.miner, u32be(x.round), u32be(x.lane), u32be(x.step), u32be(x.jobId));
}
