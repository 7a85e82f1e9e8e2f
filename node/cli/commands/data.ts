// `tessera data register | list`: the data registry over JSON-RPC.
import { readFileSync } from 'node:fs';
import { parseAddress } from '../../../consensus/crypto/index.ts';
import { TypeTag } from '../../../consensus/types.ts';
import { RpcClient } from '../../rpc/client.ts';
import { CliError, EXIT_FAIL, EXIT_OK, parseFlags, rpcUrl, toJson, usageError, type Io } from '../util.ts';
import { pretty } from './query.ts';
import { SIGNER_FLAGS, SIGNER_HELP, signAndSend } from './sign-send.ts';

export const DATA_HELP = `Usage: tessera data register --from <signer> --file <samples.json> --fee <n> [--contributor <address>] [--royalty-bps <n>] [options]
       tessera data list [--rpc <host:port>] [--json]

register  registers labelled training samples for --contributor (default: the signer). The file is
          JSON: {"dim": 784, "samples": [[pixel, ...], ...], "labels": [digit, ...]}, pixels int7
          (0..63), at most 160 samples per tx, none registered before (by its pixels' hash). They
          join the training set at the next round boundary; the contributor earns the data share
          of round rewards pro rata the samples that finalized lanes train on, and royalties.
          --royalty-bps: the part of those earnings the contributor claims (default 10000; the
          rest goes to the treasury).
list      the registry: every registration, samples registered, active and attributed.

Options:
  --file <file>             the samples
  --contributor <address>   who is credited (0x + 40 hex digits)
  --royalty-bps <n>         0..10000
${SIGNER_HELP}
  -h, --help                this help`;

const FLAGS = { ...SIGNER_FLAGS, file: { type: 'string' }, contributor: { type: 'string' }, 'royalty-bps': { type: 'string' } } as const;

export async function dataCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.out(DATA_HELP);
    return EXIT_OK;
  }
  if (sub === 'list') {
    const { values } = parseFlags(rest, { rpc: { type: 'string' }, json: { type: 'boolean' } }, DATA_HELP);
    const addr = rpcUrl(values.rpc, DATA_HELP);
    const result = await new RpcClient(addr).call('data_list', []);
    if (result === null) throw new CliError('this chain has no data registry', EXIT_FAIL);
    io.out(values.json ? toJson(result) : pretty(result));
    return EXIT_OK;
  }
  if (sub !== 'register') throw usageError(sub === undefined ? 'missing subcommand' : `unknown data subcommand "${sub}"`, DATA_HELP);
  const { values } = parseFlags(rest, FLAGS, DATA_HELP);
  if (!values.file) throw usageError('missing --file', DATA_HELP);
  const bpsText = values['royalty-bps'] ?? '10000';
  if (!/^[0-9]+$/.test(bpsText) || Number(bpsText) > 10_000) throw usageError(`--royalty-bps must be 0..10000, got "${bpsText}"`, DATA_HELP);
  let doc: { dim: number; samples: number[][]; labels: number[] };
  try {
    doc = JSON.parse(readFileSync(values.file, 'utf8')) as typeof doc;
  } catch (e) {
    throw new CliError(`cannot read ${values.file}: ${(e as Error).message}`, EXIT_FAIL);
  }
  if (!Number.isInteger(doc.dim) || !Array.isArray(doc.samples) || !Array.isArray(doc.labels) || doc.samples.length !== doc.labels.length)
    throw new CliError(`${values.file}: expected {"dim", "samples": [[...]], "labels": [...]} with one label per sample`, EXIT_FAIL);
  const pixels = new Uint8Array(doc.samples.length * doc.dim);
  doc.samples.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== doc.dim) throw new CliError(`${values.file}: sample ${i} does not have ${doc.dim} pixels`, EXIT_FAIL);
    pixels.set(row, i * doc.dim);
  });
  const labels = Uint8Array.from(doc.labels);
  let contributor: Uint8Array | undefined;
  if (values.contributor) {
    try {
      contributor = parseAddress(values.contributor);
    } catch {
      throw usageError(`--contributor must be 0x and 40 hex digits, got "${values.contributor}"`, DATA_HELP);
    }
  }
  const r = await signAndSend(values, DATA_HELP, (c, signer) => ({
    type: TypeTag.RegisterData, ...c, contributor: contributor ?? parseAddress(signer), royaltyBps: Number(bpsText), dim: doc.dim, samples: pixels, labels,
  }));
  io.out(values.json ? toJson({ ...r, type: 'registerData', samples: labels.length }) : `sent ${r.hash} (nonce ${r.nonce}): ${labels.length} samples`);
  return EXIT_OK;
}
