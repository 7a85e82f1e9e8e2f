// The rough edges a new operator hit, each through the real binary against a real node (devnet
// genesis, not mining, 127.0.0.1 with OS-assigned ports): a pending tx survives a clean restart,
// `keys import` does not silently replace a key, `tx send --from` takes the plain key file README
// tells users to write, `--rpc` takes host:port and URL alike, `query block` summarises the seal
// with ISO 8601 times, the node reads a config file that flags override, `--help` lists every
// command, `--version` answers, and npm on the system Node runs `tessera` without engine warnings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ROOT, runCli } from '../helpers/cli.ts';
import { rpcCall, startNode, stopNode, type NodeProcess } from './helpers/node-process.ts';

let dir: string;
let node: NodeProcess | undefined;
let dev: { privateKey: string; address: string }[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-operator-'));
  dev = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8')).devKeys;
  await writeFile(join(dir, 'pass'), 'first passphrase\n');
  await writeFile(join(dir, 'pass2'), 'second passphrase\n');
  await writeFile(join(dir, 'key.txt'), dev[2]!.privateKey + '\n'); // as README says: the private key in a file
});

afterAll(async () => {
  if (node) await stopNode(node);
  await rm(dir, { recursive: true, force: true });
});

describe('tessera for an operator', () => {
  it('keeps a pending tx across a clean restart, takes a plain key file, and --rpc as host:port or URL', async () => {
    const datadir = join(dir, 'data');
    // a config file gives the datadir and the log format; the command line's --rpc/--http override it
    await writeFile(join(dir, 'tessera.toml'), `datadir = "${datadir}"\nlog-format = "json"\nrpc = "127.0.0.1:1"\nhttp = "off"\n`);
    node = await startNode(['--config', join(dir, 'tessera.toml'), '--rpc', '127.0.0.1:0']);
    expect(node.explorer).toBeUndefined(); // http = "off" from the file
    expect(() => JSON.parse(node!.log().trim().split('\n')[0]!)).not.toThrow(); // log-format from the file
    const hostPort = new URL(node.rpc).host;

    const send = await runCli(['tx', 'send', '--from', join(dir, 'key.txt'), '--to', dev[3]!.address, '--amount', '777', '--fee', '1000', '--rpc', node.rpc, '--json']);
    expect(send.code, send.err).toBe(0);
    const sent = JSON.parse(send.out) as { hash: string; from: string; nonce: number };
    expect(sent).toMatchObject({ from: dev[2]!.address, nonce: 0 });
    const pool = await runCli(['query', 'mempool', '--rpc', hostPort]);
    expect(pool.code, pool.err).toBe(0);
    expect(pool.out).toContain('mempool: 1 transaction');
    expect(pool.out).toContain(sent.hash.slice(0, 18));

    // query block: the seal summarised (genesis has none), times as ISO 8601, raw bytes only on request
    const block = await runCli(['query', 'block', '0', '--rpc', node.rpc]);
    expect(block.code, block.err).toBe(0);
    expect(block.out).toMatch(/^time\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/m);
    expect(block.out).not.toMatch(/^seal\s/m);
    expect(block.out).toMatch(/^sealBytes\s+0 \(show them with --seal or --json\)/m);
    const withSeal = await runCli(['query', 'block', '0', '--seal', '--rpc', hostPort]);
    expect(withSeal.out).toMatch(/^seal\s+0x/m);

    expect(await stopNode(node)).toBe(0);
    const log1 = node.log();
    expect(log1).toContain('mempool journal: saved the pooled txs for the next start');
    node = await startNode(['--config', join(dir, 'tessera.toml'), '--rpc', '127.0.0.1:0']);
    const tx = await rpcCall(node.rpc, 'chain_getTx', [sent.hash]);
    expect(tx).toMatchObject({ status: 'pending', tx: { from: dev[2]!.address, amount: '777' } });
    const restored = node.log().trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.msg === 'mempool journal: restored the txs pooled at the last stop');
    expect(restored).toMatchObject({ restored: 1, dropped: 0 });
    expect(await stopNode(node)).toBe(0);
    node = undefined;
  }, 120_000);

  it('refuses to overwrite a key on import unless --force is given', async () => {
    const ks = ['--keystore', join(dir, 'ks')];
    const first = await runCli(['keys', 'import', join(dir, 'key.txt'), ...ks, '--passphrase-file', join(dir, 'pass'), '--json']);
    expect(first.code, first.err).toBe(0);
    const again = await runCli(['keys', 'import', join(dir, 'key.txt'), ...ks, '--passphrase-file', join(dir, 'pass2')]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already in the keystore');
    expect(again.err).toContain('--force');
    // the old passphrase still opens the key: tx send gets as far as the (absent) node
    const stillOld = await runCli(['tx', 'send', '--from', dev[2]!.address, '--to', dev[3]!.address, '--amount', '1', '--fee', '1000', ...ks, '--passphrase-file', join(dir, 'pass'), '--rpc', 'http://127.0.0.1:1/']);
    expect(stillOld.err).toContain('cannot reach the node');
    const forced = await runCli(['keys', 'import', join(dir, 'key.txt'), ...ks, '--passphrase-file', join(dir, 'pass2'), '--force']);
    expect(forced.code, forced.err).toBe(0);
    const oldNow = await runCli(['tx', 'send', '--from', dev[2]!.address, '--to', dev[3]!.address, '--amount', '1', '--fee', '1000', ...ks, '--passphrase-file', join(dir, 'pass'), '--rpc', '127.0.0.1:1']);
    expect(oldNow.err).toContain('KEYSTORE_WRONG_PASSPHRASE');
  }, 60_000);

  it('lists every command in --help and answers --version', async () => {
    const [help, version, badConfig] = await Promise.all([
      runCli(['--help']),
      runCli(['--version']),
      (async () => {
        await writeFile(join(dir, 'bad.json'), JSON.stringify({ datadir: join(dir, 'x'), minee: true }));
        return runCli(['node', '--config', join(dir, 'bad.json')]);
      })(),
    ]);
    for (const c of ['node', 'keys new|list|show|import', 'tx send|bond|unbond', 'query head|block|account|tx|training|mempool', 'model export|eval', '--version'])
      expect(help.out).toContain(c);
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(version.code).toBe(0);
    expect(version.out.trim()).toBe(`tessera ${pkg.version} (node ${process.version})`);
    expect(badConfig.code).toBe(2);
    expect(badConfig.err).toContain('unknown option "minee"');
  }, 60_000);

  it('runs under npm on the system Node without EBADENGINE warnings', async (ctx) => {
    // The Node that runs npm: the first `node` on PATH outside the project (node_modules/.bin holds node@24).
    const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules'));
    const systemNode = dirs.map((d) => join(d, 'node')).find((p) => existsSync(p));
    const npmCli = ['/usr/lib/node_modules/npm/bin/npm-cli.js', '/usr/local/lib/node_modules/npm/bin/npm-cli.js'].find((p) => existsSync(p));
    if (!systemNode || !npmCli) {
      console.warn('EBADENGINE check SKIPPED: no system node/npm found outside the project');
      ctx.skip();
      return;
    }
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const c = spawn(systemNode, [npmCli, 'exec', '--offline', '--', 'tessera', '--version'], {
        cwd: ROOT,
        env: { ...process.env, PATH: dirs.join(delimiter), npm_config_update_notifier: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr.on('data', (d: Buffer) => (err += d.toString()));
      c.on('exit', (code) => resolve({ code, out, err }));
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^tessera \S+ \(node v24\./);
    expect(r.err).not.toContain('EBADENGINE');
  }, 60_000);
});
