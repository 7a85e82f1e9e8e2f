import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keystore, KeystoreErrorCode, addressOfSecret, decryptKey, type KeyFile } from '../../../node/keystore/keystore.ts';
import { to0x } from '../../../consensus/bytes.ts';

const FAST = { N: 1 << 10, r: 8, p: 1 };

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-ks-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('keystore', () => {
  it('round-trips a key through an encrypted file', () =>
    withDir(async (dir) => {
      const ks = new Keystore(dir, FAST);
      const secret = new Uint8Array(32).fill(7);
      const { address, path } = await ks.create('correct horse', secret);
      expect(address).toBe(to0x(addressOfSecret(secret)));
      expect(await ks.list()).toEqual([address]);
      const text = await readFile(path, 'utf8');
      expect(text).not.toContain(Buffer.from(secret).toString('hex'));
      const un = await ks.unlock(address, 'correct horse');
      expect(un.secret).toEqual(secret);
      const byPath = await ks.unlock(path, 'correct horse');
      expect(byPath.address).toBe(address);
    }));

  it('rejects a wrong passphrase with a typed error', () =>
    withDir(async (dir) => {
      const ks = new Keystore(dir, FAST);
      const { address } = await ks.create('right');
      await expect(ks.unlock(address, 'wrong')).rejects.toMatchObject({ code: KeystoreErrorCode.WRONG_PASSPHRASE });
    }));

  it('rejects a file whose address was edited (address is authenticated)', () =>
    withDir(async (dir) => {
      const ks = new Keystore(dir, FAST);
      const { path } = await ks.create('pw', new Uint8Array(32).fill(9));
      const file = JSON.parse(await readFile(path, 'utf8')) as KeyFile;
      file.address = to0x(addressOfSecret(new Uint8Array(32).fill(8)));
      await expect(decryptKey(file, 'pw')).rejects.toMatchObject({ code: KeystoreErrorCode.WRONG_PASSPHRASE });
    }));

  it('reports missing and malformed files', () =>
    withDir(async (dir) => {
      const ks = new Keystore(dir, FAST);
      expect(await ks.list()).toEqual([]);
      await expect(ks.unlock('0x' + '11'.repeat(20), 'pw')).rejects.toMatchObject({ code: KeystoreErrorCode.NOT_FOUND });
      const p = join(dir, 'junk.json');
      await writeFile(p, '{not json');
      await expect(ks.unlock(p, 'pw')).rejects.toMatchObject({ code: KeystoreErrorCode.BAD_FILE });
      await expect(ks.create('')).rejects.toMatchObject({ code: KeystoreErrorCode.EMPTY_PASSPHRASE });
    }));
});
