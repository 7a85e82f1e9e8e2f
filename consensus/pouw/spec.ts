// Parameters of the ticket rule, part of the training task spec (genesis, later governance).
// Defaults chosen by measurement, see docs/pouw.md.

export interface PouwSpec {
  /** Noise rank and transcript block depth: the running sums are folded after every r inner steps. */
  readonly r: number;
  /** Output tile height (rows of A per ticket). */
  readonly h: number;
  /** Output tile width (columns of B per ticket). */
  readonly w: number;
  /** A job is a ticket job when each of m, k, n is at least minDimFactor·r. */
  readonly minDimFactor: number;
}

/** Largest r the noise bound allows: |E|, |F| <= 2r - 1 <= 63, so A + E stays in int8. */
export const MAX_RANK = 32;

export const DEFAULT_POUW_SPEC: PouwSpec = Object.freeze({ r: 16, h: 16, w: 16, minDimFactor: 4 });

export function checkSpec(spec: PouwSpec): void {
  const { r, h, w, minDimFactor } = spec;
  const ok = (x: number, lo: number, hi: number) => Number.isInteger(x) && x >= lo && x <= hi;
  if (!ok(r, 2, MAX_RANK)) throw new RangeError(`pouw spec: r = ${r} outside [2, ${MAX_RANK}]`);
  if (!ok(h, 1, 256) || !ok(w, 1, 256)) throw new RangeError(`pouw spec: tile ${h}x${w} outside [1, 256]`);
  if (!ok(minDimFactor, 1, 64)) throw new RangeError(`pouw spec: minDimFactor = ${minDimFactor}`);
}

/** Which jobs carry tickets: every dimension at least minDimFactor·r. Others are computed plainly. */
export function isTicketJob(spec: PouwSpec, m: number, k: number, n: number): boolean {
  const min = spec.minDimFactor * spec.r;
  return m >= min && k >= min && n >= min;
}

export function tileCounts(spec: PouwSpec, m: number, n: number): { tilesI: number; tilesJ: number } {
  return { tilesI: Math.ceil(m / spec.h), tilesJ: Math.ceil(n / spec.w) };
}
