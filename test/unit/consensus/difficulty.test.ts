import { describe, expect, it } from 'vitest';
import { asertTarget, blockWork, expectedTarget, genesisAnchor } from '../../../consensus/difficulty.ts';
import { workFromTarget } from '../../../consensus/work.ts';
import { TEST_PARAMS as P } from '../../fixtures/chain.ts';

const T0 = 1_700_000_000;
const anchor = genesisAnchor(T0, P); // target 2^240, blocks every 10 s, half-life 600 s
const at = (parentHeight: number, parentTime: number) => asertTarget(anchor, parentHeight, parentTime, P);

describe('ASERT (aserti3-2d)', () => {
  it('keeps the target for blocks on schedule, at any height (no drift)', () => {
    for (const h of [0, 1, 2, 100, 12345, 1_000_000]) expect(at(h, T0 + h * 10)).toBe(P.initialTarget);
  });

  it('doubles the target when the chain is one half-life late, halves it when one early', () => {
    expect(at(100, T0 + 1000 + 600)).toBe(P.initialTarget * 2n);
    expect(at(100, T0 + 1000 - 600)).toBe(P.initialTarget / 2n);
    expect(at(100, T0 + 1000 + 3 * 600)).toBe(P.initialTarget * 8n);
    expect(at(100, T0 + 1000 - 4 * 600)).toBe(P.initialTarget / 16n);
  });

  it('matches the cubic approximation of 2^x at half a half-life (hand-checked)', () => {
    // exponent = 300 * 65536 / 600 = 32768; factor = 65536 + ((195766423245049*32768 +
    // 971821376*32768^2 + 5127*32768^3 + 2^47) >> 48) = 65536 + 27138 = 92674
    // (exact: 2^0.5 * 65536 = 92681.9; the cubic's error here is 0.009%, within its 0.013% bound)
    expect(at(100, T0 + 1000 + 300)).toBe((P.initialTarget * 92674n) >> 16n);
    // 1 s late: exponent = 65536/600 = 109 (truncated); factor = 65536 + 76 = 65612
    expect(at(100, T0 + 1001)).toBe((P.initialTarget * 65612n) >> 16n);
    // 1 s early: exponent = -109 -> shifts -1, frac 65427 -> factor 131 022 (rounded cubic), / 2^17
    const frac = 65536n - 109n;
    const f = 65536n + ((195766423245049n * frac + 971821376n * frac * frac + 5127n * frac ** 3n + (1n << 47n)) >> 48n);
    expect(at(100, T0 + 999)).toBe((P.initialTarget * f) >> 17n);
    expect(f).toBeLessThan(131072n);
  });

  it('is monotonic in the parent time', () => {
    let prev = 0n;
    for (let dt = -3000; dt <= 3000; dt += 7) {
      const t = at(100, T0 + 1000 + dt);
      expect(t >= prev).toBe(true);
      prev = t;
    }
  });

  it('clamps to [1, maxTarget]', () => {
    expect(at(10, T0 + 100 + 600 * 100)).toBe(P.maxTarget);
    expect(at(100_000, T0)).toBe(1n);
  });

  it('block work is expected MACs per win', () => {
    expect(blockWork(P.initialTarget)).toBe(workFromTarget(P.initialTarget));
    expect(blockWork((1n << 255n) - 1n)).toBe(2n);
    expect(blockWork(P.initialTarget / 2n)).toBeGreaterThan(blockWork(P.initialTarget));
  });

  it('anchors at block 1: a chain whose block 1 comes long after genesis starts at the initial target', () => {
    const genesisTime = 1_700_000_000;
    const block1Time = genesisTime + 300 * 24 * 3600; // mining starts ten months after genesis
    // block 1 and block 2 (on schedule after block 1) both take the initial target
    expect(expectedTarget({ height: 0, time: genesisTime }, undefined, P)).toBe(P.initialTarget);
    expect(expectedTarget({ height: 1, time: block1Time }, block1Time, P)).toBe(P.initialTarget);
    expect(expectedTarget({ height: 5, time: block1Time + 4 * P.blockTimeSeconds }, block1Time, P)).toBe(P.initialTarget);
    // anchored at genesis instead, the same block 2 would be at maxTarget
    expect(asertTarget(genesisAnchor(genesisTime, P), 1, block1Time, P)).toBe(P.maxTarget);
    // and it still retargets: one half-life late after block 1 doubles the target
    expect(expectedTarget({ height: 2, time: block1Time + P.blockTimeSeconds + P.asertHalfLifeSeconds }, block1Time, P)).toBe(P.initialTarget * 2n);
  });

  it('needs the time of block 1 above height 0', () => {
    expect(() => expectedTarget({ height: 3, time: 1 }, undefined, P)).toThrow(RangeError);
  });
});
