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
