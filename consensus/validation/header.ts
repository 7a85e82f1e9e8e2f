// Header-vs-parent validation, cheapest checks first: fields, time, target, then the miner's
// signature over the whole header, the seal last. `now` is the only
// wall-clock input of the chain core (the future-time rule).
import { bytesEqual } from '../bytes.ts';
import { BlockError, BlockErrorCode } from '../errors.ts';
import { blockHash } from '../encoding/header.ts';
import { expectedTarget } from '../difficulty.ts';
import { verifyHeaderSignature } from '../crypto/header-signature.ts';
import type { ChainParams } from '../params.ts';
import type { Seal } from '../seal.ts';
import type { BlockHeader } from '../types.ts';

export interface HeaderContext {
  /** The parent header, or undefined when it is not known (UNKNOWN_PARENT). */
  readonly parent: BlockHeader | undefined;
  /** Times of up to `medianTimeSpan` ancestors, oldest first, ending with the parent's. */
  readonly ancestorTimes: readonly number[];
  /** Current Unix time in seconds, passed in by the node. */
  readonly now: number;
  /**
   * Time of block 1 on the parent's branch (the ASERT anchor, see consensus/difficulty.ts);
   * undefined when the parent is genesis.
   */
  readonly block1Time: number | undefined;
  readonly seal: Seal;
}

/** Median of the given times (the upper median for an even count, as Bitcoin's sorted[n/2]). */
export function medianTimePast(times: readonly number[]): number {
  if (times.length === 0) throw new RangeError('no times');
  const s = [...times].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function validateHeader(h: BlockHeader, ctx: HeaderContext, p: ChainParams): void {
  const parent = ctx.parent;
  if (!parent) throw new BlockError(BlockErrorCode.UNKNOWN_PARENT, { height: h.height, got: h.parent });
  if (h.version !== p.version) throw new BlockError(BlockErrorCode.BAD_VERSION, { expected: p.version, got: h.version });
  if (h.chainId !== p.chainId) throw new BlockError(BlockErrorCode.WRONG_CHAIN, { expected: p.chainId, got: h.chainId });
  if (h.height !== parent.height + 1) throw new BlockError(BlockErrorCode.BAD_HEIGHT, { expected: parent.height + 1, got: h.height });
  const parentHash = blockHash(parent);
  if (!bytesEqual(h.parent, parentHash)) throw new BlockError(BlockErrorCode.BAD_PARENT_HASH, { expected: parentHash, got: h.parent });
  const times = ctx.ancestorTimes.slice(-p.medianTimeSpan);
  if (times.length === 0 || times[times.length - 1] !== parent.time)
    throw new RangeError('ancestorTimes must end with the parent time');
  const mtp = medianTimePast(times);
  if (h.time <= mtp) throw new BlockError(BlockErrorCode.TIME_TOO_OLD, { height: h.height, expected: `> ${mtp}`, got: h.time });
  const limit = ctx.now + p.maxFutureSeconds;
  if (h.time > limit) throw new BlockError(BlockErrorCode.TIME_TOO_NEW, { height: h.height, expected: `<= ${limit}`, got: h.time });
  const target = expectedTarget(parent, ctx.block1Time, p);
  if (h.target !== target) throw new BlockError(BlockErrorCode.BAD_TARGET, { height: h.height, expected: target, got: h.target });
  if (ctx.seal.name !== p.sealName)
    throw new BlockError(BlockErrorCode.WRONG_SEAL, { expected: p.sealName, got: ctx.seal.name });
  // one signature recovery before the seal (a PoUW seal recomputes a tile's transcript)
  verifyHeaderSignature(h);
  ctx.seal.verify(h, parent);
}
