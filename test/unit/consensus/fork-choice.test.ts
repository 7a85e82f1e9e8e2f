import { describe, expect, it } from 'vitest';
import { ForkChoice, isBetterChain } from '../../../consensus/fork-choice.ts';
import { blockWork } from '../../../consensus/difficulty.ts';
import { sha256 } from '../../../consensus/hash.ts';
import { toHex } from '../../../consensus/bytes.ts';

const h = (s: string) => sha256(new TextEncoder().encode(s));
const T = 1n << 240n;

describe('fork choice', () => {
  it('prefers strictly more work; a tie keeps the first seen', () => {
    expect(isBetterChain(11n, 10n)).toBe(true);
    expect(isBetterChain(10n, 10n)).toBe(false);
    expect(isBetterChain(9n, 10n)).toBe(false);
  });

  it('follows the most cumulative work, not the greatest height', () => {
    const fc = new ForkChoice(h('g'), T);
    expect(fc.add(h('a1'), h('g'), 1, T).headChanged).toBe(true);
    expect(fc.add(h('a2'), h('a1'), 2, T).headChanged).toBe(true);
    expect(fc.add(h('a3'), h('a2'), 3, T).headChanged).toBe(true);
    // A shorter branch with harder blocks: 2 blocks at target T/2 (work 2W each) outweigh 3 at T.
    expect(fc.add(h('b1'), h('g'), 1, T / 2n).headChanged).toBe(false);
    expect(fc.add(h('b2'), h('b1'), 2, T / 2n).headChanged).toBe(true);
    expect(toHex(fc.head().hash)).toBe(toHex(h('b2')));
    expect(fc.head().totalWork).toBe(blockWork(T) + 2n * blockWork(T / 2n));
    const path = fc.reorgPath(h('a3'), h('b2'));
    expect(toHex(path.ancestor)).toBe(toHex(h('g')));
    expect(path.undo.map(toHex)).toEqual(['a3', 'a2', 'a1'].map((x) => toHex(h(x))));
    expect(path.apply.map(toHex)).toEqual(['b1', 'b2'].map((x) => toHex(h(x))));
  });

  it('on equal work keeps the branch seen first', () => {
    const fc = new ForkChoice(h('g'), T);
    fc.add(h('a1'), h('g'), 1, T);
    expect(fc.add(h('b1'), h('g'), 1, T).headChanged).toBe(false);
    expect(toHex(fc.head().hash)).toBe(toHex(h('a1')));
    expect(fc.add(h('b2'), h('b1'), 2, T).headChanged).toBe(true);
  });

  it('refuses blocks with unknown parents or wrong heights; re-adding is a no-op', () => {
    const fc = new ForkChoice(h('g'), T);
    expect(() => fc.add(h('x'), h('nope'), 1, T)).toThrow(/unknown parent/);
    expect(() => fc.add(h('x'), h('g'), 2, T)).toThrow(/height/);
    fc.add(h('a1'), h('g'), 1, T);
    expect(fc.add(h('a1'), h('g'), 1, T).headChanged).toBe(false);
  });
});
