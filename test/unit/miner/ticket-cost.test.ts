import { describe, expect, it } from 'vitest';
import { DEFAULT_POUW_SPEC } from '../../../consensus/pouw/spec.ts';
import { stepJobShapes } from '../../../consensus/training/step.ts';
import { taskByName } from '../../../genesis/tasks.ts';
import { ticketCost } from '../../../miner/ticket-cost.ts';

const spec = (r: number) => ({ ...DEFAULT_POUW_SPEC, r });

describe('ticketCost: the ticket path floor by the rule arithmetic', () => {
  it('one ticket job: floor r/n + r/m + 2r/k, noise add r/n + r/m', () => {
    const c = ticketCost(spec(16), [[256, 784, 128]]);
    expect(c.ticketShare).toBe(1);
    expect(c.floor).toBeCloseTo(16 / 128 + 16 / 256 + 32 / 784, 12);
    expect(c.noiseAdd).toBeCloseTo(16 / 128 + 16 / 256, 12);
  });

  it('plain jobs (a dimension under minDimFactor·r) count as MACs but carry no floor', () => {
    const c = ticketCost(spec(16), [[256, 784, 128], [256, 128, 10]]);
    const t = 256 * 784 * 128, p = 256 * 128 * 10;
    expect(c.macs).toBe(t + p);
    expect(c.ticketShare).toBeCloseTo(t / (t + p), 12);
    expect(c.floor).toBeCloseTo(((16 / 128 + 16 / 256 + 32 / 784) * t) / (t + p), 12);
    // at r = 8 the bound is 32: 128x256x10 is still plain, a 40-wide job now carries tickets
    expect(ticketCost(spec(8), [[64, 40, 64]]).ticketShare).toBe(1);
    expect(ticketCost(spec(16), [[64, 40, 64]]).ticketShare).toBe(0);
  });

  it('the hidden-512 task halves the floor and noise add of the devnet task at r = 8 and 16', () => {
    for (const r of [8, 16]) {
      const base = ticketCost(spec(r), stepJobShapes(taskByName('mnist-mlp-784-128-10/h32')));
      const wide = ticketCost(spec(r), stepJobShapes(taskByName('mnist-mlp-784-512-10/h32')));
      expect(wide.macs).toBeGreaterThan(3.9 * base.macs);
      expect(wide.floor + wide.noiseAdd).toBeLessThan(0.6 * (base.floor + base.noiseAdd));
      expect(wide.ticketShare).toBeGreaterThanOrEqual(base.ticketShare);
    }
  });
});
