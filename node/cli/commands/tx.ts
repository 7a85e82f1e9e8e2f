// `tessera tx send | bond | unbond`: signs a transaction with a keystore key and sends it over JSON-RPC.
import { parseAddress } from '../../../consensus/crypto/index.ts';
import { TypeTag } from '../../../consensus/types.ts';
import { signAndSend, SIGNER_FLAGS } from './sign-send.ts';
import { EXIT_OK, parseAmount, parseFlags, toJson, usageError, type Io } from '../util.ts';

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
  const { values } = parseFlags(rest, { ...SIGNER_FLAGS, to: { type: 'string' }, amount: { type: 'string' } }, TX_HELP);
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
  const r = await signAndSend(values, TX_HELP, (common) =>
    sub === 'send' ? { type: TypeTag.Transfer, ...common, to: to!, amount } : { type: sub === 'bond' ? TypeTag.Bond : TypeTag.Unbond, ...common, amount },
  );
  const what = sub === 'send' ? { to: values.to!.toLowerCase() } : { type: sub };
  io.out(values.json ? toJson({ hash: r.hash, from: r.from, ...what, amount, fee: r.fee, nonce: r.nonce }) : `sent ${r.hash} (nonce ${r.nonce})`);
  return EXIT_OK;
}
