// Block work. A ticket wins when its 256-bit hash, as a number, is at most target·h·w·k, so
// the chance of a win per multiply-accumulate is target / 2^256 whatever the tile shape.
// A block's work is the expected number of MACs per winning ticket at its target.

export const TWO_256 = 1n << 256n;

/** Expected MACs per win at `target`: floor(2^256 / (target + 1)), at least 1. */
export function workFromTarget(target: bigint): bigint {
  if (target < 0n) throw new RangeError('negative target');
  const w = TWO_256 / (target + 1n);
  return w > 0n ? w : 1n;
}
