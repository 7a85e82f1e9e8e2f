// `tessera gov` and `tessera data` in-process: help and usage errors (exit 2) before any key or
// node is touched.
import { describe, expect, it } from 'vitest';
import { main } from '../../../node/cli/main.ts';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (l) => (out += l + '\n'), err: (l) => (err += l + '\n') });
  return { code, out, err };
}

describe('tessera gov / data', () => {
  it('print their help', async () => {
    for (const c of ['gov', 'data']) {
      const r = await run([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: tessera /);
    }
    expect((await run(['--help'])).out).toContain('gov propose|deposit|vote|list|show');
    expect((await run(['query', '--help'])).out).toContain('query attribution <address>');
  });

  it('refuse bad usage with exit 2', async () => {
    const cases: [string[], string][] = [
      [['gov', 'frobnicate'], 'unknown gov subcommand'],
      [['gov', 'propose', '--from', '0x' + '11'.repeat(20), '--deposit', '5', '--fee', '1'], 'exactly one of --text, --param, --spend, --task-file'],
      [['gov', 'propose', '--from', '0x' + '11'.repeat(20), '--deposit', '5', '--fee', '1', '--spend', '9'], 'missing --to'],
      [['gov', 'vote', '--from', '0x' + '11'.repeat(20), '--proposal', 'x', '--option', 'yes', '--fee', '1'], '--proposal must be a whole number'],
      [['gov', 'vote', '--from', '0x' + '11'.repeat(20), '--proposal', '1', '--option', 'maybe', '--fee', '1'], '--option must be yes, no, abstain or veto'],
      [['data', 'register', '--from', '0x' + '11'.repeat(20), '--fee', '1'], 'missing --file'],
      [['data', 'register', '--from', '0x' + '11'.repeat(20), '--fee', '1', '--file', 'x.json', '--royalty-bps', '20000'], '--royalty-bps must be 0..10000'],
      [['query', 'attribution', 'nope'], 'address must be 0x and 40 hex digits'],
    ];
    for (const [argv, msg] of cases) {
      const r = await run(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(msg);
    }
  });
});
