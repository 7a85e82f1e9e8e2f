// CLI smoke tests: the real `tessera` binary spawned as a child process.
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../helpers/cli.ts';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';



describe('tessera CLI', () => {
  it('--help exits 0 for the binary and every command', async () => {
    const results = await Promise.all([[], ['node'], ['keys'], ['tx'], ['query']].map((c) => runCli([...c, '--help'])));
    for (const r of results) {
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^Usage: tessera/);
    }
    expect(results[1]!.out).toContain('--datadir');
    expect(results[2]!.out).toContain('--passphrase-file');
  });

  it('bin/tessera.js launches the CLI', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const c = spawn(process.execPath, [join(ROOT, 'bin', 'tessera.js'), '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.on('exit', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: tessera <command>');
  });

  it('bad input gives a clear error and a non-zero exit code', async () => {
    const [badFlag, unknownCmd, mine, badRpc, badAmount, noCmd] = await Promise.all([
      runCli(['node', '--bogus']),
      runCli(['frobnicate']),
      runCli(['node', '--mine', '--backend', 'quantum']),
      runCli(['query', 'head', '--rpc', 'nowhere']),
      runCli(['tx', 'send', '--from', '0x' + '11'.repeat(20), '--to', '0x' + '22'.repeat(20), '--amount', '1.5', '--fee', '1']),
      runCli([]),
    ]);
    expect(badFlag).toMatchObject({ code: 2 });
    expect(badFlag.err).toContain("Unknown option '--bogus'");
    expect(unknownCmd).toMatchObject({ code: 2 });
    expect(unknownCmd.err).toContain('unknown command "frobnicate"');
    expect(mine).toMatchObject({ code: 2 });
    expect(mine.err).toContain('--backend must be auto, js, wasm or gpujs');
    expect(badRpc).toMatchObject({ code: 2 });
    expect(badRpc.err).toContain('--rpc must be host:port');
    expect(badAmount).toMatchObject({ code: 2 });
    expect(badAmount.err).toContain('--amount must be a whole number');
    expect(noCmd.code).toBe(2);
  });

  it('reports an unreachable node and refuses a test-seal genesis', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
    try {
      const genesisPath = join(dir, 'test-seal.json');
      const { readFile } = await import('node:fs/promises');
      const devnet = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8')) as { params: { sealName: string } };
      devnet.params.sealName = 'test';
      await writeFile(genesisPath, JSON.stringify(devnet));
      const [down, testSeal] = await Promise.all([
        runCli(['query', 'head', '--rpc', '127.0.0.1:1']),
        runCli(['node', '--genesis', genesisPath, '--datadir', join(dir, 'data'), '--rpc', '127.0.0.1:0']),
      ]);
      expect(down.code).toBe(1);
      expect(down.err).toContain('cannot reach the node');
      expect(testSeal.code).toBe(1);
      expect(testSeal.err).toContain('test-only seal');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
