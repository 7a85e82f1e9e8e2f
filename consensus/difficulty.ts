// ASERT difficulty (Bitcoin Cash aserti3-2d) in exact integer arithmetic.
//   target = anchorTarget * 2^((timeDelta - T*(heightDelta + 1)) / halfLife)
// with timeDelta = parentTime - anchor.parentTime and heightDelta = parentHeight - anchor.height.
// 2^x for the fractional part uses aserti3-2d's fixed-point cubic (error < 0.013%); the result
// is clamped to [1, maxTarget]. Division truncates toward zero and shifts floor, as in the
// reference C++ (BigInt `/` truncates and `>>` floors, like int64 `/` and arithmetic `>>`).
import type { ChainParams } from './params.ts';
import { workFromTarget } from './work.ts';

export interface AsertAnchor {
  readonly height: number;
  /** Time of the anchor block's parent (for genesis: genesis time - blockTimeSeconds). */
  readonly parentTime: number;
  readonly target: bigint;
}

/** The chain's anchor: block 0, its target the initial target; block 1 on schedule keeps it. */
export function genesisAnchor(genesisTime: number, p: Pick<ChainParams, 'blockTimeSeconds' | 'initialTarget'>): AsertAnchor {
  return { height: 0, parentTime: genesisTime - p.blockTimeSeconds, target: p.initialTarget };
}

/**
 * The chain's anchor is block 1, the first block after genesis, and block 1 itself takes the initial
 * target. Anchoring at genesis would make a chain whose genesis was written long before mining
 * starts (the embedded devnet genesis) begin far behind schedule, at maxTarget, for as many blocks
 * as the gap is long. Block 1 is placed on schedule (its parent one block time before it), so block
 * 2 on schedule keeps the initial target.
 */
export function block1Anchor(block1Time: number, p: Pick<ChainParams, 'blockTimeSeconds' | 'initialTarget'>): AsertAnchor {
  return { height: 1, parentTime: block1Time - p.blockTimeSeconds, target: p.initialTarget };
}

/**
 * Target required of the child of `parent`. `block1Time` is the time of the chain's block 1 (the
 * ancestor of `parent` at height 1; unused when the parent is genesis).
 */
export function expectedTarget(
  parent: { readonly height: number; readonly time: number },
  block1Time: number | undefined,
  p: Pick<ChainParams, 'blockTimeSeconds' | 'asertHalfLifeSeconds' | 'maxTarget' | 'initialTarget'>,
): bigint {
  if (parent.height === 0) return p.initialTarget;
  if (block1Time === undefined) throw new RangeError('expectedTarget: the time of block 1 is needed above height 0');
  return asertTarget(block1Anchor(block1Time, p), parent.height, parent.time, p);
}

/** Target required of the child of a block at (parentHeight, parentTime). */
export function asertTarget(
  anchor: AsertAnchor,
  parentHeight: number,
  parentTime: number,
  p: Pick<ChainParams, 'blockTimeSeconds' | 'asertHalfLifeSeconds' | 'maxTarget'>,
): bigint {
  if (parentHeight < anchor.height) throw new RangeError('parent below the anchor');
  if (p.asertHalfLifeSeconds <= 0 || p.blockTimeSeconds <= 0) throw new RangeError('bad ASERT parameters');
  const timeDelta = BigInt(parentTime - anchor.parentTime);
  const heightDelta = BigInt(parentHeight - anchor.height);
  const T = BigInt(p.blockTimeSeconds);
  const exponent = ((timeDelta - T * (heightDelta + 1n)) * 65536n) / BigInt(p.asertHalfLifeSeconds);
  let shifts = exponent >> 16n;
  const frac = exponent - (shifts << 16n); // in [0, 65536)
  const factor =
    65536n + ((195766423245049n * frac + 971821376n * frac * frac + 5127n * frac * frac * frac + (1n << 47n)) >> 48n);
  let next = anchor.target * factor;
  shifts -= 16n;
  next = shifts <= 0n ? next >> -shifts : next << shifts;
  if (next === 0n) return 1n;
  if (next > p.maxTarget) return p.maxTarget;
  return next;
}

/** Work of a block at `target`: expected MACs per winning ticket. */
export function blockWork(target: bigint): bigint {
  return workFromTarget(target);
}
