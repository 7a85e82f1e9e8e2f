// `tessera keys new|list|show|import`: the encrypted keystore in <datadir>/keystore.
import { join, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fromHex, to0x } from '../../../consensus/bytes.ts';
import { PrivateKey } from '../../../consensus/crypto/index.ts';
import { Keystore } from '../../keystore/keystore.ts';
import { getPassphrase } from '../passphrase.ts';
import { CliError, EXIT_FAIL, EXIT_OK, EXIT_USAGE, parseFlags, toJson, usageError, type Io } from '../util.ts';

export const KEYS_HELP = `Usage: tessera keys <new | list | show | import> [options]

  keys new               create a key, encrypted with a passphrase (scrypt + XChaCha20-Poly1305)
  keys list              list the addresses in the keystore
  keys show <address>    show a key's address, public key and file (never the secret)
  keys import <file>     encrypt an existing secret key (file: 0x + 64 hex digits) into the keystore;
                         refuses to replace a key already there unless --force is given

Options:
  --datadir <dir>           the keystore is <dir>/keystore (default ./data)
  --keystore <dir>          use this keystore directory instead
  --passphrase-file <file>  read the passphrase from the file's first line
                            (else the env var TESSERA_PASSPHRASE, else a prompt)
  --force                   (import) replace a key file of the same address (its old passphrase
                            then no longer opens it)
  --json                    machine-readable output
  -h, --help                this help`;

const FLAGS = {
  datadir: { type: 'string' },
  keystore: { type: 'string' },
  'passphrase-file': { type: 'string' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export function keystoreDir(values: { datadir?: string; keystore?: string }): string {
  return resolve(values.keystore ?? join(values.datadir ?? './data', 'keystore'));
}

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    if (sub === undefined) throw usageError('missing subcommand', KEYS_HELP);
    io.out(KEYS_HELP);
    return EXIT_OK;
  }
  switch (sub) {
    case 'new': {
      const { values } = parseFlags(rest, FLAGS, KEYS_HELP);
      const passphrase = await getPassphrase({ file: values['passphrase-file'], confirm: true, purpose: 'encrypt the new key' });
      const ks = new Keystore(keystoreDir(values));
      const { address, path } = await ks.create(passphrase);
      io.out(values.json ? toJson({ address, path }) : `created ${address}\nfile    ${path}`);
      return EXIT_OK;
    }
    case 'list': {
      const { values } = parseFlags(rest, FLAGS, KEYS_HELP);
      const list = await new Keystore(keystoreDir(values)).list();
      if (values.json) io.out(toJson(list));
      else if (list.length === 0) io.out(`no keys in ${keystoreDir(values)} (create one with: tessera keys new)`);
      else for (const a of list) io.out(a);
      return EXIT_OK;
    }
    case 'show': {
      const { values, positionals } = parseFlags(rest, FLAGS, KEYS_HELP, { min: 1, max: 1 });
      const ks = new Keystore(keystoreDir(values));
      const { file, path } = await ks.read(positionals[0]!);
      const info = { address: file.address, publicKey: file.publicKey, path, kdf: `scrypt N=${file.kdf.N} r=${file.kdf.r} p=${file.kdf.p}`, cipher: file.cipher.name };
      io.out(values.json ? toJson(info) : Object.entries(info).map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n'));
      return EXIT_OK;
    }
    case 'import': {
      const { values, positionals } = parseFlags(rest, FLAGS, KEYS_HELP, { min: 1, max: 1 });
      let secret: Uint8Array;
      try {
        const text = (await readFile(positionals[0]!, 'utf8')).trim();
        if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) throw new Error('expected 0x and 64 hex digits');
        secret = PrivateKey.fromBytes(fromHex(text)).bytes;
      } catch (e) {
        throw new CliError(`cannot import ${positionals[0]}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT_USAGE);
      }
      const ks = new Keystore(keystoreDir(values));
      const target = to0x(PrivateKey.fromBytes(secret).address());
      if (!values.force && (await ks.list()).includes(target))
        throw new CliError(`${target} is already in the keystore ${ks.dir}: not replaced (its passphrase stays the one it has); give --force to replace it`, EXIT_FAIL);
      const passphrase = await getPassphrase({ file: values['passphrase-file'], confirm: true, purpose: 'encrypt the imported key' });
      const { address, path } = await ks.create(passphrase, secret);
      io.out(values.json ? toJson({ address, path }) : `imported ${address}\nfile     ${path}`);
      return EXIT_OK;
    }
    default:
      throw new CliError(`unknown keys subcommand "${sub}"\n\n${KEYS_HELP}`, EXIT_USAGE);
  }
}
