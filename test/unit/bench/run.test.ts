// `npm run bench -- --quick <suite>`: the smoke run prints every timed figure as median (min-max), the
// goal against the median and the load average, and the shared repetition helpers compute what they say.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratioStats, repeatEach, stats } from '../../../bench/lib/repeat.ts';
import { ROOT, TSX_LOADER } from '../../helpers/cli.ts';

function bench(args: string[], timeoutMs = 50_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX_LOADER, join(ROOT, 'bench', 'run.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench ${args.join(' ')} did not exit in time:\n${out}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('bench repetition helpers', () => {
  it('stats: min, median (mean of the middle two for an even count), max; samples kept in run order', () => {
    const s = stats([5, 1, 4, 2]);
    expect([s.min, s.median, s.max]).toEqual([1, 3, 5]);
    expect(s.runs).toEqual([5, 1, 4, 2]);
    expect(stats([3, 9, 1]).median).toBe(3);
    expect(() => stats([])).toThrow(RangeError);
  });

  it('repeatEach times each figure once per run, in order, so ratios pair runs', async () => {
    const order: string[] = [];
    const [a, b] = await repeatEach([() => order.push('a'), () => order.push('b')], { runs: 5, warmup: 1 });
    expect(order.join('')).toBe('ab' + 'ab'.repeat(5));
    expect(a!.runs.length).toBe(5);
    const r = ratioStats(stats([1, 2, 4]), stats([2, 2, 2]), (x, y) => y / x);
    expect(r.runs).toEqual([2, 1, 0.5]);
  });
});

describe('npm run bench -- --quick pouw', () => {
  it('prints the ticket path figures as median (min-max), the goal against the median and the load', async () => {
    const { code, out } = await bench(['--quick', 'pouw']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/tessera bench --quick/);
    expect(out).toMatch(/== pouw ==/);
    for (const r of [8, 16]) {
      const line = out.split('\n').find((l) => l.startsWith(`r=${r} `) && l.includes('256x784x128'));
      expect(line, out).toBeDefined();
      expect(line).toMatch(/bare \d+\.\d+ ms \(\d+\.\d+-\d+\.\d+\)/);
      expect(line).toMatch(/full ticket path \d+\.\d+ ms \(\d+\.\d+-\d+\.\d+\): \+-?\d+\.\d% \(-?\d+\.\d to -?\d+\.\d\) over bare/);
      expect(line).toMatch(/goal <= floor \+ 10 = \d+\.\d%: (met|NOT met) \(median\)/);
    }
    expect(out).toMatch(/-- pouw: load average \(1 min\) while it ran: median \d+\.\d+ \(\d+\.\d+-\d+\.\d+\), \d+ cores/);
  }, 60_000);

  it('names the suites it has when none matches', async () => {
    const { code, out } = await bench(['--quick', 'no-such-suite'], 20_000);
    expect(code).toBe(2);
    expect(out).toMatch(/no bench suite matches no-such-suite; have: .*pouw\.bench\.ts/);
  }, 30_000);
});
