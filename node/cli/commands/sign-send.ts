// Shared by the commands that sign a tx and send it (tx, gov, data): read a plain key file or unlock
// the keystore key, ask the node for the chain id and the pending nonce, sign, send.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fromHex, to0x } from '../../../consensus/bytes.ts';
import { PrivateKey, signTx } from '../../../consensus/crypto/index.ts';
import { encodeTx } from '../../../consensus/encoding/index.ts';
import type { Tx } from '../../../consensus/types.ts';
import { Keystore } from '../../keystore/keystore.ts';
import { RpcClient } from '../../rpc/client.ts';
import { getPassphrase } from '../passphrase.ts';
import { keystoreDir } from './keys.ts';
import { parseAmount, rpcUrl, usageError, type Options } from '../util.ts';

export const SIGNER_FLAGS = {
  from: { type: 'string' },
  fee: { type: 'string' },
  nonce: { type: 'string' },
  rpc: { type: 'string' },
  datadir: { type: 'string' },
  keystore: { type: 'string' },
  'passphrase-file': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Options;

export const SIGNER_HELP = `  --from <address|file>     signer: an address in the keystore, a keystore file, or a plain key
                            file (0x + 64 hex digits: no passphrase asked; keep it private)
  --fee <n>                 fee (at least the chain's minimum fee)
  --nonce <n>               signer nonce (default: asked from the node, pending txs included)
  --rpc <host:port>         the node's JSON-RPC address (default 127.0.0.1:8545)
  --datadir <dir>           keystore is <dir>/keystore (default ./data)
  --keystore <dir>          keystore directory
  --passphrase-file <file>  passphrase (else TESSERA_PASSPHRASE, else a prompt)
  --json                    machine-readable output`;

type SignerValues = { [K in keyof typeof SIGNER_FLAGS]?: (typeof SIGNER_FLAGS)[K]['type'] extends 'boolean' ? boolean : string };

export interface Common {
  chainId: number;
  nonce: number;
  fee: bigint;
  sig: Uint8Array;
}

/** The flags every signed tx takes: --fee, --nonce (optional), --rpc, --from (a keystore address or a key file). */
export function parseSignerFlags(values: Pick<SignerValues, 'from' | 'fee' | 'nonce' | 'rpc'>, help: string): { fee: bigint; nonce?: number; rpcAddr: string; from: string } {
  if (!values.from) throw usageError('missing --from', help);
  const fee = parseAmount(values.fee, '--fee', help);
  let nonce: number | undefined;
  if (values.nonce !== undefined) {
    if (!/^[0-9]+$/.test(values.nonce) || !Number.isSafeInteger(Number(values.nonce))) throw usageError(`--nonce must be a whole number, got "${values.nonce}"`, help);
    nonce = Number(values.nonce);
  }
  const rpcAddr = rpcUrl(values.rpc, help);
  const from = values.from;
  if (!/^0x[0-9a-fA-F]{40}$/.test(from) && !existsSync(from)) throw usageError(`--from must be a keystore address or an existing key file, got "${from}"`, help);
  return { fee, ...(nonce !== undefined ? { nonce } : {}), rpcAddr, from };
}

/** Checks the signer flags, unlocks the key, builds the tx with `build`, signs and sends it. */
export async function signAndSend(values: SignerValues, help: string, build: (c: Common, signer: string) => Tx): Promise<{ hash: string; from: string; nonce: number; fee: bigint }> {
  const signer = parseSignerFlags(values, help);
  const { fee, rpcAddr, from } = signer;
  let nonce = signer.nonce;
  let key = await plainKeyFile(from, help);
  if (!key) {
    const ks = new Keystore(keystoreDir(values));
    await ks.read(from); // fail on a missing key before asking for a passphrase
    const passphrase = await getPassphrase({ file: values['passphrase-file'], purpose: `unlock ${from}` });
    key = PrivateKey.fromBytes((await ks.unlock(from, passphrase)).secret);
  }
  const address = to0x(key.address());
  const rpc = new RpcClient(rpcAddr);
  const head = await rpc.call<{ chainId: number }>('chain_head');
  if (nonce === undefined) nonce = (await rpc.call<{ pendingNonce: number }>('state_getAccount', [address])).pendingNonce;
  const tx = signTx(build({ chainId: head.chainId, nonce, fee, sig: new Uint8Array(0) }, address), key);
  const r = await rpc.call<{ hash: string }>('tx_send', [to0x(encodeTx(tx))]);
  return { hash: r.hash, from: address, nonce, fee };
}

/** The key of a plain key file (one line: 0x and 64 hex digits, as for keys import); undefined for anything else. */
async function plainKeyFile(from: string, help: string): Promise<PrivateKey | undefined> {
  if (/^0x[0-9a-fA-F]{40}$/.test(from) && !existsSync(from)) return undefined;
  const text = (await readFile(from, 'utf8')).trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) return undefined;
  try {
    return PrivateKey.fromBytes(fromHex(text.startsWith('0x') ? text : '0x' + text));
  } catch {
    throw usageError(`--from ${from}: not a valid secp256k1 secret key`, help);
  }
}
