// The block-at-a-time noise generators give exactly the entries of the per-entry definitions (noiseRef),
// at every rank, offset and length, including ranges that start and end inside a 256-bit block.
import { describe, expect, it } from 'vitest';
import { noiseEL, noiseER, noiseFactors, noiseFL, noiseFR, noiseRef, type BlockHasher } from '../../../../consensus/pouw/noise.ts';
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
  it('with a BlockHasher (pre-padded one-block messages) gives the same factors', () => {
    let calls = 0;
    // a hasher that checks the padding and hashes the message it encodes
    const hasher: BlockHasher = (blocks, count) => {
      calls++;
      const out = new Uint8Array(count * 32);
      for (let x = 0; x < count; x++) {
        const blk = blocks.subarray(x * 64, x * 64 + 64);
        const bits = new DataView(blk.buffer, blk.byteOffset).getUint32(60, false);
        const len = bits / 8;
        expect(blk[len]).toBe(0x80);
        expect([...blk.subarray(len + 1, 60)].every((v) => v === 0)).toBe(true);
        out.set(sha256(blk.subarray(0, len)), x * 32);
      }
      return out;
    };
    for (const r of [2, 16, 17, 32])
      for (const [m, k, n] of [[1, 1, 1], [37, 83, 29], [256, 784, 128]] as const) {
        const f = noiseFactors(seed, r, m, k, n, hasher);
        expect(f.eL).toEqual(noiseRef.eL(seed, r, 0, m));
        expect(f.eR).toEqual(noiseRef.eR(seed, r, k));
        expect(f.fL).toEqual(noiseRef.fL(seed, r, k));
        expect(f.fR).toEqual(noiseRef.fR(seed, r, 0, n));
      }
    expect(noiseEL(seed, 16, 17, 100, hasher)).toEqual(noiseRef.eL(seed, 16, 17, 100));
    expect(noiseFR(seed, 3, 255, 3, hasher)).toEqual(noiseRef.fR(seed, 3, 255, 3));
    expect(calls).toBeGreaterThan(0);
  });

  it('a different seed gives different factors', () => {
    expect(noiseER(seed, 16, 64)).not.toEqual(noiseER(sha256(seed), 16, 64));
  });
});
