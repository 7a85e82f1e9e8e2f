// `tessera query head|block|account|tx|attribution`: reads from a node over JSON-RPC.
import { RpcClient } from '../../rpc/client.ts';
import { CliError, EXIT_FAIL, EXIT_OK, parseFlags, parseHostPort, toJson, usageError, type Io } from '../util.ts';

export const QUERY_HELP = `Usage: tessera query <what> [options]

  query head                    the node's head block
  query block <height | hash>   a canonical block by height, or any stored block by hash
  query account <address>       balance, bond (chains that train) and nonce in the head state
  query tx <hash>               a transaction, included or pending
  query attribution <address>   a data contributor's samples registered and used, the rounds
                                and blocks that used them, its data earnings and royalties

Options:
  --rpc <host:port>   the node's JSON-RPC address (default 127.0.0.1:8545)
  --txs               (block) list full transactions instead of hashes
  --json              machine-readable output
  -h, --help          this help`;

const FLAGS = { rpc: { type: 'string' }, json: { type: 'boolean' }, txs: { type: 'boolean' } } as const;

export async function queryCommand(argv: string[], io: Io): Promise<number> {
  const [what, ...rest] = argv;
  if (what === '--help' || what === '-h') {
    io.out(QUERY_HELP);
    return EXIT_OK;
  }
  const one = { min: 1, max: 1 };
  let method: string;
  let params: unknown[];
  let parsed;
  switch (what) {
    case 'head':
      parsed = parseFlags(rest, FLAGS, QUERY_HELP);
      method = 'chain_head';
      params = [];
      break;
    case 'block': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, one);
      const id = parsed.positionals[0]!;
      if (/^[0-9]+$/.test(id)) params = [Number(id), parsed.values.txs === true];
      else if (/^0x[0-9a-fA-F]{64}$/.test(id)) params = [id, parsed.values.txs === true];
      else throw usageError(`block must be a height or a 0x block hash, got "${id}"`, QUERY_HELP);
      method = 'chain_getBlock';
      break;
    }
    case 'account': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, one);
      const a = parsed.positionals[0]!;
      if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw usageError(`address must be 0x and 40 hex digits, got "${a}"`, QUERY_HELP);
      method = 'state_getAccount';
      params = [a];
      break;
    }
    case 'tx': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, one);
      const h = parsed.positionals[0]!;
      if (!/^0x[0-9a-fA-F]{64}$/.test(h)) throw usageError(`tx hash must be 0x and 64 hex digits, got "${h}"`, QUERY_HELP);
      method = 'chain_getTx';
      params = [h];
      break;
    }
    case 'attribution': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, one);
      const a = parsed.positionals[0]!;
      if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw usageError(`address must be 0x and 40 hex digits, got "${a}"`, QUERY_HELP);
      method = 'attribution_get';
      params = [a];
      break;
    }
    default:
      throw usageError(what === undefined ? 'missing what to query' : `unknown query "${what}"`, QUERY_HELP);
  }
  const addr = parsed.values.rpc ?? '127.0.0.1:8545';
  parseHostPort(addr, '--rpc', QUERY_HELP);
  const result = await new RpcClient(addr).call(method, params);
  if (result === null) throw new CliError(`${what} ${parsed.positionals[0]} not found`, EXIT_FAIL);
  io.out(parsed.values.json ? toJson(result) : pretty(result));
  return EXIT_OK;
}

export function pretty(v: unknown, indent = ''): string {
  if (v === null || typeof v !== 'object') return String(v);
  const lines: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (Array.isArray(x)) {
      lines.push(`${indent}${k}: ${x.length === 0 ? '(none)' : ''}`);
      for (const item of x) lines.push(typeof item === 'object' && item ? `${indent}  -\n${pretty(item, indent + '    ')}` : `${indent}  - ${String(item)}`);
    } else if (x && typeof x === 'object') lines.push(`${indent}${k}:\n${pretty(x, indent + '  ')}`);
    else lines.push(`${indent}${k.padEnd(18)} ${String(x)}`);
  }
  return lines.join('\n');
}
