// End to end through the binary: `tessera node` in a child process on 127.0.0.1 (port 0), then
// `tessera keys import`, `tx send`, `query ...` against it, then SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_MAIN, ROOT, TSX_LOADER, runCli } from '../helpers/cli.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';



let dir: string;
let node: ChildProcess;
let nodeLog = '';
let rpc: string;
let devKey: { privateKey: string; address: string };
let devTo: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-e2e-'));
  const devnet = JSON.parse(await readFile(join(ROOT, 'genesis', 'devnet.json'), 'utf8')) as { devKeys: { privateKey: string; address: string }[] };
  devKey = devnet.devKeys[0]!;
  devTo = devnet.devKeys[1]!.address;
  node = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, 'node', '--datadir', join(dir, 'data'), '--rpc', '127.0.0.1:0', '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  node.stderr!.on('data', (d: Buffer) => (nodeLog += d.toString()));
  rpc = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`node did not start: ${nodeLog}`)), 30_000);
    node.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready rpc=http:\/\/([^/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    node.on('exit', (code) => reject(new Error(`node exited early (${code}): ${nodeLog}`)));
  });
  await writeFile(join(dir, 'pass'), 'correct horse battery\n');
  await writeFile(join(dir, 'key'), devKey.privateKey + '\n');
});

afterAll(async () => {
  if (node.exitCode === null) {
    const exited = new Promise((r) => node.once('exit', r));
    node.kill('SIGKILL');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('tessera node + CLI', () => {
  it('logs its signature path, genesis, head and RPC address as structured JSON', () => {
    const lines = nodeLog.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'signature verification path')?.backend).toMatch(/^(native|noble)$/);
    expect(lines.find((l) => l.msg === 'chain')).toMatchObject({ genesis: expect.stringMatching(/^0x[0-9a-f]{64}$/), height: 0 });
    expect(lines.find((l) => l.msg === 'JSON-RPC listening')?.address).toBe(`http://${rpc}/`);
  });

  it('imports a key, sends a transfer, and queries it back', async () => {
    const ks = ['--datadir', join(dir, 'data'), '--passphrase-file', join(dir, 'pass')];
    const imp = await runCli(['keys', 'import', join(dir, 'key'), ...ks, '--json']);
    expect(imp.code, imp.err).toBe(0);
    expect(JSON.parse(imp.out).address).toBe(devKey.address);
    const list = await runCli(['keys', 'list', '--datadir', join(dir, 'data'), '--json']);
    expect(JSON.parse(list.out)).toEqual([devKey.address]);

    const send = await runCli(['tx', 'send', '--from', devKey.address, '--to', devTo, '--amount', '12345', '--fee', '1000', '--rpc', rpc, ...ks, '--json']);
    expect(send.code, send.err).toBe(0);
    const sent = JSON.parse(send.out) as { hash: string; nonce: number; amount: string };
    expect(sent).toMatchObject({ nonce: 0, amount: '12345' });

    const tx = await runCli(['query', 'tx', sent.hash, '--rpc', rpc, '--json']);
    expect(JSON.parse(tx.out)).toMatchObject({ status: 'pending', tx: { from: devKey.address, to: devTo, amount: '12345', fee: '1000' } });
    const acct = await runCli(['query', 'account', devKey.address, '--rpc', rpc, '--json']);
    expect(JSON.parse(acct.out)).toMatchObject({ balance: '1000000000000000', nonce: 0, pendingNonce: 1 });
    const head = await runCli(['query', 'head', '--rpc', rpc, '--json']);
    expect(JSON.parse(head.out)).toMatchObject({ height: 0, chainId: 7001 });
    const block = await runCli(['query', 'block', '0', '--rpc', rpc]);
    expect(block.code).toBe(0);
    expect(block.out).toContain('height');
    // --from may also be a key file path; the nonce comes from the node (pending included)
    const keyFile = JSON.parse(imp.out).path as string;
    const second = await runCli(['tx', 'send', '--from', keyFile, '--to', devTo, '--amount', '1', '--fee', '1000', '--rpc', rpc, ...ks, '--json']);
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ nonce: 1 });
    const pool = await runCli(['query', 'account', devKey.address, '--rpc', rpc, '--json']);
    // the devnet bonds its dev keys at genesis, so they can mine at once
    expect(JSON.parse(pool.out)).toMatchObject({ pendingNonce: 2, bond: '10000000000000' });
    // a miner adds to its bond with `tx bond`; it waits in the mempool with its type
    const bond = await runCli(['tx', 'bond', '--from', devKey.address, '--amount', '5000', '--fee', '1000', '--rpc', rpc, ...ks, '--json']);
    expect(bond.code, bond.err).toBe(0);
    const bonded = JSON.parse(bond.out) as { hash: string; nonce: number; type: string };
    expect(bonded).toMatchObject({ nonce: 2, type: 'bond', amount: '5000' });
    const bondTx = await runCli(['query', 'tx', bonded.hash, '--rpc', rpc, '--json']);
    expect(JSON.parse(bondTx.out)).toMatchObject({ status: 'pending', tx: { type: 'bond', from: devKey.address, amount: '5000' } });
    const misuse = await runCli(['tx', 'unbond', '--from', devKey.address, '--to', devTo, '--amount', '1', '--fee', '1000', '--rpc', rpc, ...ks]);
    expect(misuse.code).toBe(2);
    expect(misuse.err).toContain('--to is for tx send only');
    const missing = await runCli(['query', 'block', '5', '--rpc', rpc]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('not found');
  }, 120_000); // a dozen CLI processes, each a fresh Node start: slow on a loaded 2-core machine

  it('refuses a wrong passphrase and reports typed errors from the node', async () => {
    await writeFile(join(dir, 'wrong'), 'nope\n');
    const wrong = await runCli(['tx', 'send', '--from', devKey.address, '--to', devTo, '--amount', '1', '--fee', '1000', '--rpc', rpc, '--datadir', join(dir, 'data'), '--passphrase-file', join(dir, 'wrong')]);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('KEYSTORE_WRONG_PASSPHRASE');
    // the pending nonce 0 is taken: an explicit replay of nonce 0 at the same fee is refused
    const replay = await runCli(
      ['tx', 'send', '--from', devKey.address, '--to', devTo, '--amount', '1', '--fee', '1000', '--nonce', '0', '--rpc', rpc, '--datadir', join(dir, 'data')],
      { env: { TESSERA_PASSPHRASE: 'correct horse battery' } },
    );
    expect(replay.code).toBe(1);
    expect(replay.err).toContain('MEMPOOL_FEE_TOO_LOW_TO_REPLACE');
  });

  it('lists the genesis data registry, a contributor\'s attribution and governance; sends proposals and votes', async () => {
    const ks = ['--datadir', join(dir, 'data'), '--passphrase-file', join(dir, 'pass')];
    const data = await runCli(['data', 'list', '--rpc', rpc, '--json']);
    expect(data.code, data.err).toBe(0);
    const reg = JSON.parse(data.out) as { samples: number; active: number; registrations: { contributor: string; count: number; source: string }[] };
    expect(reg).toMatchObject({ samples: 8004, active: 8004 });
    expect(reg.registrations.map((r) => [r.count, r.source])).toEqual([0, 1, 2, 3].map((i) => [2001, `mnist-train:${i * 2001}-${(i + 1) * 2001}`]));
    const attr = await runCli(['query', 'attribution', reg.registrations[1]!.contributor, '--rpc', rpc, '--json']);
    expect(JSON.parse(attr.out)).toMatchObject({ registeredSamples: 2001, samplesUsed: '0', dataEarnings: '0', royalties: '0', rounds: [] });
    const prop = await runCli(['gov', 'propose', '--from', devKey.address, '--deposit', '1000000000000', '--param', 'dataShareBps', '--value', '1500', '--fee', '1000', '--rpc', rpc, ...ks, '--json']);
    expect(prop.code, prop.err).toBe(0);
    const sent = JSON.parse(prop.out) as { hash: string };
    expect(sent.hash).toMatch(/^0x[0-9a-f]{64}$/);
    const vote = await runCli(['gov', 'vote', '--from', devKey.address, '--proposal', '0', '--option', 'veto', '--fee', '1000', '--rpc', rpc, ...ks, '--json']);
    expect(vote.code, vote.err).toBe(0);
    expect(JSON.parse(vote.out)).toMatchObject({ type: 'vote', proposal: 0, option: 'veto' });
    const gov = await runCli(['gov', 'list', '--rpc', rpc, '--json']);
    expect(JSON.parse(gov.out)).toMatchObject({ treasury: '0', params: { dataShareBps: '1000', treasuryShareBps: '500' }, proposals: [] });
  }, 180_000);

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => node.once('exit', (code) => r(code)));
    node.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
