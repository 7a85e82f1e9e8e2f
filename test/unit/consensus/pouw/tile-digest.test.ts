// The tile digest (rule: every fold state of a tile feeds its HMAC through a non-linear fold chain)
// and the tile hash built on it.
import { describe, expect, it } from 'vitest';
import { foldStep, tileDigest, tileDigestWords, tileHash, tileHashOfDigest } from '../../../../consensus/pouw/transcript.ts';
import { hmacSha256 } from '../../../../consensus/hash.ts';
import { pouwSeed } from '../../../../consensus/pouw/seed.ts';
import { MINER, PARENT, ROOTS } from './helpers.ts';

const seed = pouwSeed({ parent: PARENT, miner: MINER, round: 1, lane: 0, step: 0, jobId: 0, ...ROOTS });
const shape = { m: 100, k: 64, n: 70 };
const states = (th: number, tw: number, salt = 1) => {
  const s = new Int32Array(th * tw);
  for (let i = 0; i < s.length; i++) s[i] = Math.imul(i + salt, 0x9e3779b1) ^ (i << 7);
  return s;
};
const hex = (x: Uint8Array) => Buffer.from(x).toString('hex');

describe('tile digest', () => {
  it('is the fold chain over rows, columns 8g+q then 8g+4+q, per lane word (by hand)', () => {
    const th = 3, tw = 13;
    const s = states(th, tw);
    const d = tileDigest(s, th, tw);
    expect(d.length).toBe(tileDigestWords(tw));
    expect(d.length).toBe(8);
    // word 4·1 + 0: strip 1, lane 0 -> columns 8 and 12
    let u = 0;
    for (let i = 0; i < th; i++) u = foldStep(foldStep(u, s[i * tw + 8]!), s[i * tw + 12]!);
    expect(d[4]).toBe(u);
    // word 4·1 + 1: columns 9 and 13 (past tw: left out)
    u = 0;
    for (let i = 0; i < th; i++) u = foldStep(u, s[i * tw + 9]!);
    expect(d[5]).toBe(u);
    // lanes 2 and 3 of a 2-wide tile have no column at all: they stay 0
    expect([...tileDigest(states(2, 2), 2, 2).subarray(2)]).toEqual([0, 0]);
  });

  for (const [th, tw] of [[16, 16], [5, 13], [16, 8], [1, 1]] as const)
    it(`every single fold state changes the tile hash (${th}x${tw})`, () => {
      const s = states(th, tw);
      const base = hex(tileHash(seed, shape, 2, 3, s, tw));
      const seen = new Set([base]);
      for (let i = 0; i < s.length; i++)
        for (const flip of [1, 1 << 31, 0x10000]) {
          const t = s.slice();
          t[i] = t[i]! ^ flip;
          seen.add(hex(tileHash(seed, shape, 2, 3, t, tw)));
        }
      expect(seen.size).toBe(1 + 3 * s.length);
    });

  it('binds the position of every state: swapping two states (same or other row) changes the hash', () => {
    const th = 16, tw = 16;
    const s = states(th, tw);
    const base = hex(tileHash(seed, shape, 0, 0, s, tw));
    for (const [x, y] of [[0, 4], [0, 1], [0, 16], [17, 200], [255, 3]] as const) {
      const t = s.slice();
      [t[x], t[y]] = [t[y]!, t[x]!];
      expect(hex(tileHash(seed, shape, 0, 0, t, tw))).not.toBe(base);
    }
  });

  it('is not XOR-linear in the states (a plain XOR fold would commute with the product)', () => {
    const th = 16, tw = 16;
    const a = states(th, tw, 1), b = states(th, tw, 2);
    const ab = a.map((x, i) => x ^ b[i]!);
    const z = new Int32Array(th * tw);
    const [da, db, dab, dz] = [a, b, ab, z].map((x) => tileDigest(x, th, tw));
    expect(dab).not.toEqual(da!.map((x, i) => x ^ db![i]! ^ dz![i]!));
  });

  it('the tile hash is HMAC-SHA256(seed, ti, tj, m, k, n || digest), and depends on seed, position and shape', () => {
    const s = states(16, 16);
    const d = tileDigest(s, 16, 16);
    const pos = new Uint8Array(20);
    new DataView(pos.buffer).setUint32(0, 2, true);
    new DataView(pos.buffer).setUint32(4, 3, true);
    new DataView(pos.buffer).setUint32(8, 100, true);
    new DataView(pos.buffer).setUint32(12, 64, true);
    new DataView(pos.buffer).setUint32(16, 70, true);
    const want = hmacSha256(seed, pos, new Uint8Array(d.buffer));
    expect(tileHash(seed, shape, 2, 3, s, 16)).toEqual(want);
    expect(tileHashOfDigest(seed, shape, 2, 3, d)).toEqual(want);
    expect(tileHash(seed, shape, 3, 2, s, 16)).not.toEqual(want);
    expect(tileHash(seed, { ...shape, m: 101 }, 2, 3, s, 16)).not.toEqual(want);
    expect(tileHash(pouwSeed({ parent: PARENT, miner: MINER, round: 2, lane: 0, step: 0, jobId: 0, ...ROOTS }), shape, 2, 3, s, 16)).not.toEqual(want);
    expect(() => tileHash(seed, shape, 2, 3, s, 15)).toThrow(RangeError);
  });
});
