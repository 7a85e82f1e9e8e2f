// `tessera node --fault` is refused unless the genesis is a devnet marked for tests: the embedded
// devnet genesis of `npm start` refuses it, a copy marked "testOnly": true passes the check (and is
// then stopped by its next flag error, so no node starts here). --sample / --validator-key apply
// with --validate only; bad values are usage errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runCli } from '../../../helpers/cli.ts';
import { parseGenesis } from '../../../../genesis/spec.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-fault-cli-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('--fault and the validator flags', () => {
  // each case starts the CLI (a Node process loading the node's modules): limits that fit a loaded 2-core machine
  it('the embedded devnet genesis refuses --fault (exit 2, nothing started)', { timeout: 150_000 }, async () => {
    const r = await runCli(['node', '--datadir', join(dir, 'a'), '--mine', '--fault', 'withheld', '--rpc', '127.0.0.1:0', '--http', 'off'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--fault withheld: refused, the genesis tessera-devnet is not a devnet marked for tests/);
  });

  it('a genesis file without the marker refuses it too; the marker parses as a boolean only', { timeout: 150_000 }, async () => {
    const g = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8'));
    await writeFile(join(dir, 'plain.json'), JSON.stringify(g));
    const r = await runCli(['node', '--datadir', join(dir, 'b'), '--genesis', join(dir, 'plain.json'), '--mine', '--fault', 'junk-lane:1', '--rpc', '127.0.0.1:0', '--http', 'off'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a devnet marked for tests/);
    expect(parseGenesis({ ...g, testOnly: true }).testOnly).toBe(true);
    expect(parseGenesis(g).testOnly).toBeUndefined();
    expect(() => parseGenesis({ ...g, testOnly: 'yes' })).toThrow(/testOnly/);
  });

  it('flag errors: unknown fault kinds, --sample without --validate, --validate alone', { timeout: 240_000 }, async () => {
    const bad = async (args: string[], re: RegExp) => {
      const r = await runCli(['node', '--datadir', join(dir, 'c'), ...args], { timeoutMs: 60_000 });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    };
    await bad(['--mine', '--fault', 'lazy'], /unknown fault "lazy"/);
    await bad(['--sample', '0.5'], /--sample applies with --validate/);
    await bad(['--validate'], /--validate needs the P2P network/);
  });
});
