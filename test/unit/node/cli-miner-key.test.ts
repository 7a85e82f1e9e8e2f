// `tessera node --mine`: the node signs its miner's contributions, so it needs the miner's key at
// start. The real binary, spawned: a miner address whose key the node cannot have is a startup
// error (exit 2) that says what to do; a key file of another address, a bad key file and a wrong
// keystore passphrase likewise; a keystore key with the right passphrase gets past the key step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../../helpers/cli.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { to0x, utf8Bytes } from '../../../consensus/bytes.ts';
import { PrivateKey } from '../../../consensus/crypto/index.ts';
import { sha256 } from '../../../consensus/hash.ts';

const DEVNET = join(ROOT, 'genesis', 'devnet.json');


const key = PrivateKey.fromBytes(sha256(utf8Bytes('cli miner key test')));
const address = to0x(key.address());
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-miner-key-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('tessera node --mine: the miner key', () => {
  it('--help documents where the key comes from', async () => {
    const r = await runCli(['node', '--help']);
    expect(r.code).toBe(0);
    for (const s of ['--miner-key-file', '--passphrase-file', 'TESSERA_PASSPHRASE', 'keystore', 'exit 2']) expect(r.out).toContain(s);
  });

  it('a miner address with no key in the keystore, no key file and no dev key is a startup error (exit 2)', async () => {
    const datadir = join(dir, 'empty');
    const [missing, notMining] = await Promise.all([
      runCli(['node', '--mine', '--miner-address', address, '--datadir', datadir, '--genesis', DEVNET, '--rpc', '127.0.0.1:0']),
      runCli(['node', '--miner-key-file', join(dir, 'x'), '--datadir', datadir]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`no key for the miner address ${address}`);
    expect(missing.err).toContain('--miner-key-file');
    expect(missing.out).not.toContain('ready');
    expect(notMining.code).toBe(2);
    expect(notMining.err).toContain('only apply with --mine');
  });

  it('a bad key file, or one holding another address\'s key, is refused (exit 2)', async () => {
    const good = join(dir, 'miner.key');
    const junk = join(dir, 'junk.key');
    await writeFile(good, to0x(key.bytes) + '\n');
    await writeFile(junk, 'not a key\n');
    const other = '0x' + '11'.repeat(20);
    const [bad, absent, mismatch] = await Promise.all([
      runCli(['node', '--mine', '--miner-key-file', junk, '--datadir', join(dir, 'd1'), '--genesis', DEVNET]),
      runCli(['node', '--mine', '--miner-key-file', join(dir, 'nope.key'), '--datadir', join(dir, 'd1'), '--genesis', DEVNET]),
      runCli(['node', '--mine', '--miner-key-file', good, '--miner-address', other, '--datadir', join(dir, 'd1'), '--genesis', DEVNET]),
    ]);
    expect([bad.code, absent.code, mismatch.code]).toEqual([2, 2, 2]);
    expect(bad.err).toContain('expected 0x and 64 hex digits');
    expect(absent.err).toContain('ENOENT');
    expect(mismatch.err).toContain(`holds the key of ${address}, not of --miner-address ${other}`);
  });

  it('a keystore key is unlocked with --passphrase-file or TESSERA_PASSPHRASE; a wrong or missing passphrase is exit 2', async () => {
    const datadir = join(dir, 'ks');
    const keyFile = join(dir, 'import.key');
    const pw = join(dir, 'pw');
    const wrong = join(dir, 'wrong-pw');
    await writeFile(keyFile, to0x(key.bytes) + '\n');
    await writeFile(pw, 'correct horse\n');
    await writeFile(wrong, 'battery staple\n');
    const imported = await runCli(['keys', 'import', keyFile, '--datadir', datadir, '--passphrase-file', pw]);
    expect(imported.code).toBe(0);
    // a genesis the node refuses at start (test seal): reaching that error means the key step passed
    const testSeal = join(dir, 'test-seal.json');
    const devnet = JSON.parse(await readFile(DEVNET, 'utf8')) as { params: { sealName: string } };
    devnet.params.sealName = 'test';
    await writeFile(testSeal, JSON.stringify(devnet));
    const base = ['node', '--mine', '--miner-address', address, '--datadir', datadir, '--rpc', '127.0.0.1:0'];
    const [wrongPw, noPw, rightPw, envPw] = await Promise.all([
      runCli([...base, '--genesis', DEVNET, '--passphrase-file', wrong]),
      runCli([...base, '--genesis', DEVNET]),
      runCli([...base, '--genesis', testSeal, '--passphrase-file', pw]),
      runCli([...base, '--genesis', testSeal], { env: { TESSERA_PASSPHRASE: 'correct horse' }, timeoutMs: 60_000 }),
    ]);
    expect(wrongPw.code).toBe(2);
    expect(wrongPw.err).toContain(`cannot unlock the miner key ${address}`);
    expect(wrongPw.err).toContain('wrong passphrase');
    expect(noPw.code).toBe(2);
    expect(noPw.err).toContain('no passphrase');
    for (const r of [rightPw, envPw]) {
      expect(r.code).toBe(1);
      expect(r.err).toContain('test-only seal');
      expect(r.err).not.toContain('miner key');
    }
  }, 90_000);
});
