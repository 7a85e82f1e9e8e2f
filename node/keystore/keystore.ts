// Encrypted key files. One JSON file per key in <datadir>/keystore/<address>.json:
//   { version: 1, address, kdf: { name: 'scrypt', N, r, p, dkLen, salt }, cipher: { name:
//     'xchacha20poly1305', nonce, ciphertext } }
// The 32-byte secret key is sealed with XChaCha20-Poly1305 (@noble/ciphers) under a key derived
// from the passphrase by scrypt (@noble/hashes); the address is the cipher's associated data,
// so a file whose address was edited fails to open. A wrong passphrase fails the Poly1305 tag
// check: KeystoreError WRONG_PASSPHRASE, never a garbage key.
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrivateKey } from '../../consensus/crypto/index.ts';
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { TesseraError } from '../../consensus/errors.ts';

export enum KeystoreErrorCode {
  WRONG_PASSPHRASE = 'KEYSTORE_WRONG_PASSPHRASE',
  NOT_FOUND = 'KEYSTORE_NOT_FOUND',
  BAD_FILE = 'KEYSTORE_BAD_FILE',
  EMPTY_PASSPHRASE = 'KEYSTORE_EMPTY_PASSPHRASE',
}
export class KeystoreError extends TesseraError<KeystoreErrorCode, { path?: string; address?: string; reason?: string }> {}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}
/** ~0.45 s on one core of the reference machine with noble's scrypt. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 1 << 17, r: 8, p: 1 };

export interface KeyFile {
  version: 1;
  address: string;
  publicKey: string;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; dkLen: 32; salt: string };
  cipher: { name: 'xchacha20poly1305'; nonce: string; ciphertext: string };
}

/** Address: the first 20 bytes of SHA-256 of the compressed public key. */
export function addressOfSecret(secret: Uint8Array): Uint8Array {
  return PrivateKey.fromBytes(secret).address();
}

export async function encryptKey(secret: Uint8Array, passphrase: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<KeyFile> {
  if (passphrase.length === 0) throw new KeystoreError(KeystoreErrorCode.EMPTY_PASSPHRASE, {});
  const address = addressOfSecret(secret);
  const salt = new Uint8Array(randomBytes(32));
  const nonce = new Uint8Array(randomBytes(24));
  const key = await scryptAsync(passphrase, salt, { ...params, dkLen: 32 });
  const ciphertext = xchacha20poly1305(key, nonce, address).encrypt(secret);
  return {
    version: 1,
    address: to0x(address),
    publicKey: to0x(PrivateKey.fromBytes(secret).publicKey()),
    kdf: { name: 'scrypt', ...params, dkLen: 32, salt: to0x(salt) },
    cipher: { name: 'xchacha20poly1305', nonce: to0x(nonce), ciphertext: to0x(ciphertext) },
  };
}

export async function decryptKey(file: KeyFile, passphrase: string, path?: string): Promise<Uint8Array> {
  checkShape(file, path);
  const address = fromHex(file.address);
  const key = await scryptAsync(passphrase, fromHex(file.kdf.salt), { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p, dkLen: 32 });
  let secret: Uint8Array;
  try {
    secret = xchacha20poly1305(key, fromHex(file.cipher.nonce), address).decrypt(fromHex(file.cipher.ciphertext));
  } catch {
    throw new KeystoreError(KeystoreErrorCode.WRONG_PASSPHRASE, { address: file.address, ...(path ? { path } : {}) }, `wrong passphrase for ${file.address} (${KeystoreErrorCode.WRONG_PASSPHRASE})`);
  }
  if (to0x(addressOfSecret(secret)) !== file.address.toLowerCase())
    throw new KeystoreError(KeystoreErrorCode.BAD_FILE, { address: file.address, reason: 'key does not match address' });
  return secret;
}

function checkShape(f: KeyFile, path?: string): void {
  const bad = (reason: string): never => {
    throw new KeystoreError(KeystoreErrorCode.BAD_FILE, { ...(path ? { path } : {}), reason });
  };
  if (typeof f !== 'object' || f === null || f.version !== 1) bad('unknown version');
  if (typeof f.address !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(f.address)) bad('bad address');
  if (f.kdf?.name !== 'scrypt' || !Number.isSafeInteger(f.kdf.N) || !Number.isSafeInteger(f.kdf.r) || !Number.isSafeInteger(f.kdf.p)) bad('bad kdf');
  if (f.kdf.N > 1 << 22 || f.kdf.r > 32 || f.kdf.p > 16) bad('kdf parameters too large');
  if (f.cipher?.name !== 'xchacha20poly1305' || typeof f.cipher.nonce !== 'string' || typeof f.cipher.ciphertext !== 'string') bad('bad cipher');
  try {
    fromHex(f.kdf.salt);
    fromHex(f.cipher.nonce);
    fromHex(f.cipher.ciphertext);
  } catch {
    bad('bad hex');
  }
}

/** A directory of key files. */
export class Keystore {
  constructor(
    readonly dir: string,
    private readonly params: ScryptParams = DEFAULT_SCRYPT,
  ) {}

  /** Creates a fresh random key, writes its file (atomically: temp file + rename), returns its address. */
  async create(passphrase: string, secret: Uint8Array = PrivateKey.random().bytes): Promise<{ address: string; path: string }> {
    const file = await encryptKey(secret, passphrase, this.params);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, `${file.address}.json`);
    const tmp = path + '.tmp';
    await writeFile(tmp, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, path);
    return { address: file.address, path };
  }

  /** Addresses of the key files in the directory, sorted. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    return names
      .filter((n) => /^0x[0-9a-f]{40}\.json$/.test(n))
      .map((n) => n.slice(0, -5))
      .sort();
  }

  /** The key file of `address` (0x hex), or of the file at `pathOrAddress` if it is a path. */
  async read(pathOrAddress: string): Promise<{ file: KeyFile; path: string }> {
    const path = /^0x[0-9a-fA-F]{40}$/.test(pathOrAddress) ? join(this.dir, `${pathOrAddress.toLowerCase()}.json`) : pathOrAddress;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      throw new KeystoreError(KeystoreErrorCode.NOT_FOUND, { path }, `no key file at ${path} (${KeystoreErrorCode.NOT_FOUND})`);
    }
    let file: KeyFile;
    try {
      file = JSON.parse(text) as KeyFile;
    } catch {
      throw new KeystoreError(KeystoreErrorCode.BAD_FILE, { path, reason: 'not JSON' });
    }
    checkShape(file, path);
    return { file, path };
  }

  async unlock(pathOrAddress: string, passphrase: string): Promise<{ address: string; secret: Uint8Array }> {
    const { file, path } = await this.read(pathOrAddress);
    return { address: file.address, secret: await decryptKey(file, passphrase, path) };
  }
}
