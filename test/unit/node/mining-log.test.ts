import { describe, expect, it } from 'vitest';

describe('laneRanges (mined-block log)', () => {
  it('writes runs of lanes as ranges', async () => {
    const { laneRanges } = await import('../../../node/mining/service.ts');
    expect(laneRanges([3, 0, 1, 2, 7, 9, 10])).toBe('0-3,7,9-10');
    expect(laneRanges([])).toBe('-');
  });
});
