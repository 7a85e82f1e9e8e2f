// `tessera tx send | bond | unbond`: signs a transaction with a keystore key and sends it over JSON-RPC.
import { parseSignerFlags } from './sign-send.ts';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fromHex, to0x } from '../../../consensus/bytes.ts';
import { PrivateKey, parseAddress, signTx } from '../../../consensus/crypto/index.ts';
import { encodeTx } from '../../../consensus/encoding/index.ts';
import { TypeTag, type Tx } from '../../../consensus/types.ts';
import { Keystore } from '../../keystore/keystore.ts';
import { RpcClient } from '../../rpc/client.ts';
import { getPassphrase } from '../passphrase.ts';
import { keystoreDir } from './keys.ts';
import { EXIT_OK, parseAmount, parseFlags, rpcUrl, toJson, usageError, type Io } from '../util.ts';

export const TX_HELP = `Usage: tessera tx send   --from <address | keyfile> --to <address> --amount <n> --fee <n> [options]
       tessera tx bond   --from <address | keyfile> --amount <n> --fee <n> [options]
       tessera tx unbond --from <address | keyfile> --amount <n> --fee <n> [options]

Signs a transaction with a key of the keystore and sends it to a node over JSON-RPC.
  send    transfers --amount to --to
  bond    moves --amount of the sender's balance into its mining bond (a miner's contributions
          count only while its bond is at least the chain's minimum bond)
  unbond  takes --amount out of the bond; it returns to the balance after the chain's unbond delay
Amounts and fees are whole numbers of base units.

Options:
  --from <address|file>     sender: an address in the keystore, a keystore file, or a plain key
                            file (0x + 64 hex digits: no passphrase asked; keep it private)
  --to <address>            recipient (0x + 40 hex digits; send only)
  --amount <n>              amount to transfer, bond or unbond
  --fee <n>                 fee (at least the chain's minimum fee)
  --nonce <n>               sender nonce (default: asked from the node, pending txs included)
  --rpc <host:port | url>   the node's JSON-RPC address (default 127.0.0.1:8545)
  --datadir <dir>           keystore is <dir>/keystore (default ./data)
  --keystore <dir>          keystore directory
  --passphrase-file <file>  passphrase (else TESSERA_PASSPHRASE, else a prompt)
  --json                    machine-readable output
  -h, --help                this help`;

export async function txCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.out(TX_HELP);
    return EXIT_OK;
  }
  if (sub !== 'send' && sub !== 'bond' && sub !== 'unbond') throw usageError(sub === undefined ? 'missing subcommand' : `unknown tx subcommand "${sub}"`, TX_HELP);
  const { values } = parseFlags(
    rest,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      amount: { type: 'string' },
      fee: { type: 'string' },
      nonce: { type: 'string' },
      rpc: { type: 'string' },
      datadir: { type: 'string' },
      keystore: { type: 'string' },
      'passphrase-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    TX_HELP,
  );
  if (!values.from) throw usageError('missing --from', TX_HELP);
  let to: Uint8Array | undefined;
  if (sub === 'send') {
    if (!values.to) throw usageError('missing --to', TX_HELP);
    try {
      to = parseAddress(values.to);
    } catch {
      throw usageError(`--to must be 0x and 40 hex digits, got "${values.to}"`, TX_HELP);
    }
  } else if (values.to !== undefined) throw usageError(`--to is for tx send only (tx ${sub} moves the sender's own funds)`, TX_HELP);
  const amount = parseAmount(values.amount, '--amount', TX_HELP);
  if (amount === 0n) throw usageError('--amount must be more than 0', TX_HELP);
  const signer = parseSignerFlags(values, TX_HELP);
  const { fee, rpcAddr: url, from } = signer;
  let nonce = signer.nonce;

  let key = await plainKeyFile(from);
  if (!key) {
    const ks = new Keystore(keystoreDir(values));
    await ks.read(from); // fail on a missing key before asking for a passphrase
    const passphrase = await getPassphrase({ file: values['passphrase-file'], purpose: `unlock ${from}` });
    key = PrivateKey.fromBytes((await ks.unlock(from, passphrase)).secret);
  }
  const address = to0x(key.address());

  const rpc = new RpcClient(url);
  const head = await rpc.call<{ chainId: number }>('chain_head');
  if (nonce === undefined) nonce = (await rpc.call<{ pendingNonce: number }>('state_getAccount', [address])).pendingNonce;
  const common = { chainId: head.chainId, nonce, fee, sig: new Uint8Array(0) };
  const tx: Tx =
    sub === 'send'
      ? signTx({ type: TypeTag.Transfer, ...common, to: to!, amount }, key)
      : signTx({ type: sub === 'bond' ? TypeTag.Bond : TypeTag.Unbond, ...common, amount }, key);
  const r = await rpc.call<{ hash: string }>('tx_send', [to0x(encodeTx(tx))]);
  const what = sub === 'send' ? { to: values.to!.toLowerCase() } : { type: sub };
  io.out(values.json ? toJson({ hash: r.hash, from: address, ...what, amount, fee, nonce }) : `sent ${r.hash} (nonce ${nonce})`);
  return EXIT_OK;
}


/** The key of a plain key file (one line: 0x and 64 hex digits, as for keys import); undefined for anything else. */
async function plainKeyFile(from: string): Promise<PrivateKey | undefined> {
  if (/^0x[0-9a-fA-F]{40}$/.test(from) && !existsSync(from)) return undefined;
  const text = (await readFile(from, 'utf8')).trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(text)) return undefined;
  try {
    return PrivateKey.fromBytes(fromHex(text.startsWith('0x') ? text : '0x' + text));
  } catch {
    throw usageError(`--from ${from}: not a valid secp256k1 secret key`, TX_HELP);
  }
}
