// The block-at-a-time noise generators give exactly the entries of the per-entry definitions (noiseRef),
// at every rank, offset and length, including ranges that start and end inside a 256-bit block.
import { describe, expect, it } from 'vitest';
import { noiseEL, noiseER, noiseFL, noiseFR, noiseRef } from '../../../../consensus/pouw/noise.ts';
import { sha256 } from '../../../../consensus/hash.ts';

const seed = sha256(new TextEncoder().encode('noise-fast'));

describe('fast noise factors', () => {
  for (const r of [2, 3, 8, 16, 17, 32])
    it(`match the per-entry definition at r = ${r}`, () => {
      for (const k of [1, 7, 64, 83, 300]) {
        expect(noiseER(seed, r, k)).toEqual(noiseRef.eR(seed, r, k));
        expect(noiseFL(seed, r, k)).toEqual(noiseRef.fL(seed, r, k));
      }
      for (const [i0, count] of [[0, 1], [0, 50], [3, 29], [17, 100], [255, 3]] as const) {
        expect(noiseEL(seed, r, i0, count)).toEqual(noiseRef.eL(seed, r, i0, count));
        expect(noiseFR(seed, r, i0, count)).toEqual(noiseRef.fR(seed, r, i0, count));
      }
    });
  it('a different seed gives different factors', () => {
    expect(noiseER(seed, 16, 64)).not.toEqual(noiseER(sha256(seed), 16, 64));
  });
});
