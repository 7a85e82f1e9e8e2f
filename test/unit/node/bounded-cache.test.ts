import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../node/chain/bounded-cache.ts';

describe('BoundedCache', () => {
  it('holds at most maxEntries, forgetting the oldest insertion first', () => {
    const c = new BoundedCache<number>(3);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, i);
    expect(c.size).toBe(3);
    expect(c.values()).toEqual([7, 8, 9]);
    expect(c.has('k6')).toBe(false);
    c.set('k7', 70); // re-set moves to the newest place
    c.set('k10', 10);
    expect(c.values()).toEqual([9, 70, 10]);
  });

  it('holds at most maxBytes of values by the size function (one oversized value alone is kept)', () => {
    const c = new BoundedCache<Uint8Array>(100, (v) => v.length, 1000);
    for (let i = 0; i < 10; i++) c.set(`k${i}`, new Uint8Array(300));
    expect(c.size).toBe(3);
    expect(c.byteSize).toBe(900);
    c.set('big', new Uint8Array(5000));
    expect(c.size).toBe(1);
    expect(c.byteSize).toBe(5000);
    c.set('small', new Uint8Array(10));
    expect(c.values().map((v) => v.length)).toEqual([10]);
  });
});
