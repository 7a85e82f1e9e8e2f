// `tessera query head|block|account|tx|training|mempool|peers|attribution|attestations`: reads from a node over JSON-RPC.
import { RpcClient } from '../../rpc/client.ts';
import { CliError, EXIT_FAIL, EXIT_OK, isoTime, parseFlags, rpcUrl, toJson, usageError, type Io } from '../util.ts';

export const QUERY_HELP = `Usage: tessera query <what> [options]

  query head                    the node's head block
  query block <height | hash>   a canonical block by height, or any stored block by hash; the seal
                                is summarised (its winning ticket), its bytes shown with --seal or --json
  query account <address>       balance, bond (chains that train) and nonce in the head state
  query tx <hash>               a transaction, included or pending
  query training                the model's training: open round, held-out accuracy and loss per round
  query mempool                 the transactions waiting in the node's mempool
  query peers                   the node's peers (id, address, height, scores) and network status
  query attribution <address>   a data contributor's samples registered and used, the rounds
                                and blocks that used them, its data earnings and royalties
  query attestations --round N  validators' attestations the node keeps for round N: one line per
                                check (validator, miner, lane, step or aggregate, verdict)

Options:
  --rpc <host:port | url>   the node's JSON-RPC address (default 127.0.0.1:8545)
  --txs                     (block) list full transactions instead of hashes
  --seal                    (block) print the seal's bytes as hex too
  --json                    machine-readable output (everything the node returned)
  -h, --help                this help

Times are shown as ISO 8601 (UTC); --json gives the unix seconds the chain stores.`;

const FLAGS = { rpc: { type: 'string' }, json: { type: 'boolean' }, txs: { type: 'boolean' }, seal: { type: 'boolean' }, round: { type: 'string' } } as const;

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
    case 'training':
      parsed = parseFlags(rest, FLAGS, QUERY_HELP);
      method = 'training_status';
      params = [];
      break;
    case 'mempool':
      parsed = parseFlags(rest, FLAGS, QUERY_HELP);
      method = 'mempool_list';
      params = [];
      break;
    case 'peers': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP);
      const client = new RpcClient(rpcUrl(parsed.values.rpc, QUERY_HELP));
      const status = (await client.call('net_status', [])) as Record<string, unknown>;
      const peers = (await client.call('net_peers', [])) as Record<string, unknown>[];
      if (parsed.values.json) io.out(toJson({ status, peers }));
      else {
        io.out(status.enabled ? `peer id ${String(status.peerId)}, ${peers.length} peer(s), height ${String(status.height)}${status.syncing ? ` (syncing to ${String(status.syncTarget)})` : ''}` : 'the node runs without P2P (--no-p2p)');
        for (const p of peers)
          io.out(`${String(p.id)}  ${String((p.addresses as string[])[0] ?? '-')}  height ${String(p.height ?? '?')}  score ${String(p.score)}  gossip ${String(p.gossipScore)}`);
      }
      return EXIT_OK;
    }
    case 'attribution': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, one);
      const a = parsed.positionals[0]!;
      if (!/^0x[0-9a-fA-F]{40}$/.test(a)) throw usageError(`address must be 0x and 40 hex digits, got "${a}"`, QUERY_HELP);
      method = 'attribution_get';
      params = [a];
      break;
    }
    case 'attestations': {
      parsed = parseFlags(rest, FLAGS, QUERY_HELP, { min: 0, max: 0 });
      const r = Number(parsed.values.round);
      if (parsed.values.round === undefined || !Number.isSafeInteger(r) || r < 0) throw usageError('query attestations needs --round N (a non-negative integer)', QUERY_HELP);
      method = 'training_attestations';
      params = [r];
      break;
    }
    default:
      throw usageError(what === undefined ? 'missing what to query' : `unknown query "${what}"`, QUERY_HELP);
  }
  if (parsed.values.round !== undefined && what !== 'attestations') throw usageError('--round is for query attestations', QUERY_HELP);
  if (parsed.values.seal && what !== 'block') throw usageError('--seal is for query block', QUERY_HELP);
  if (parsed.values.txs && what !== 'block') throw usageError('--txs is for query block', QUERY_HELP);
  const url = rpcUrl(parsed.values.rpc, QUERY_HELP);
  const result = await new RpcClient(url).call(method, params);
  if (result === null) throw new CliError(`${what} ${parsed.positionals[0]} not found`, EXIT_FAIL);
  if (parsed.values.json) io.out(toJson(result));
  else if (what === 'training') io.out(trainingText(result as TrainingStatus));
  else if (what === 'mempool') io.out(mempoolText(result as { size: number; txs: Record<string, unknown>[] }));
  else if (what === 'attestations') io.out(attestationsText(result as { round: number; count: number; attestations: Record<string, unknown>[] }));
  else io.out(pretty(humanise(result as Record<string, unknown>, what === 'block' && parsed.values.seal === true)));
  return EXIT_OK;
}

/** Times as ISO 8601, the seal as its ticket (its bytes only when asked). */
function humanise(v: Record<string, unknown>, showSeal: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if ((k === 'time' || k === 'roundOpenedAt') && typeof x === 'number') out[k] = isoTime(x);
    else if (k === 'seal' && typeof x === 'string') {
      if (showSeal) out[k] = x;
    } else if (k === 'ticket' && x && typeof x === 'object') {
      const t = x as { round: number; lane: number; step: number; jobId: number; tile: { i: number; j: number; h: number; w: number }; m: number; k: number; n: number; tileHash: string };
      out.ticket = `round ${t.round} lane ${t.lane} step ${t.step} job ${t.jobId}, tile (${t.tile.i},${t.tile.j}) of ${t.tile.h}x${t.tile.w} in a ${t.m}x${t.k}x${t.n} product, tile hash ${t.tileHash}`;
    } else if (k === 'contributions' && Array.isArray(x)) {
      out[k] = x.map((c: { miner?: string; round?: number; lane?: number; bytes: number }) => (c.miner ? `${c.miner} round ${c.round} lane ${c.lane} (${c.bytes} bytes)` : `undecodable (${c.bytes} bytes)`));
    } else out[k] = x;
  }
  if (typeof v.sealBytes === 'number' && !showSeal) out.sealBytes = `${v.sealBytes} (show them with --seal or --json)`;
  return out;
}

interface TrainingStatus {
  task: string;
  round: number;
  roundOpenedAt: number;
  roundBlocks: number;
  height: number;
  history: { round: number; heldOutAccuracyBp: number; heldOutLossMilli: number; contributions: number; checkpointRoot: string }[];
  mining: { blocksMined: number; contributionsLanded: number; usefulWorkFraction: number | null } | null;
}

function trainingText(s: TrainingStatus): string {
  const lines = [
    `task ${s.task}: round ${s.round} open since block ${s.roundOpenedAt} (rounds of ${s.roundBlocks} blocks; head ${s.height})`,
    'round N = the model W_N that round N starts from (N rounds closed); accuracy and loss on the held-out split',
    'round  accuracy    loss  contributions  checkpoint',
  ];
  for (const h of s.history)
    lines.push(`${String(h.round).padStart(5)}  ${(h.heldOutAccuracyBp / 100).toFixed(2).padStart(7)}%  ${(h.heldOutLossMilli / 1000).toFixed(3).padStart(6)}  ${String(h.contributions).padStart(13)}  ${h.checkpointRoot.slice(0, 18)}…`);
  if (s.history.length === 0) lines.push('  (no round evaluated yet)');
  if (s.mining)
    lines.push(`this node mines: ${s.mining.blocksMined} blocks, ${s.mining.contributionsLanded} contributions landed, useful work ${s.mining.usefulWorkFraction === null ? '-' : (100 * s.mining.usefulWorkFraction).toFixed(1) + '%'}`);
  return lines.join('\n');
}

function attestationsText(r: { round: number; count: number; attestations: Record<string, unknown>[] }): string {
  if (r.count === 0) return `round ${r.round}: no attestations`;
  const lines = [`round ${r.round}: ${r.count} attestation${r.count === 1 ? '' : 's'}`, 'validator    miner        lanes from  lane  check      verdict      data'];
  for (const a of r.attestations)
    lines.push(`${String(a.validator).slice(0, 12)} ${String(a.miner).slice(0, 12)} ${String(a.laneStart).padStart(10)}  ${String(a.lane).padStart(4)}  ${(a.check === 'aggregate' ? 'aggregate' : `step ${a.step}`).padEnd(9)}  ${String(a.verdict).padEnd(11)}  ${a.served ? 'served' : 'recomputed'}`);
  return lines.join('\n');
}

function mempoolText(m: { size: number; txs: Record<string, unknown>[] }): string {
  if (m.size === 0) return 'mempool: empty';
  const lines = [`mempool: ${m.size} transaction${m.size === 1 ? '' : 's'}`, 'hash                type      from                                        nonce  fee  amount  to'];
  for (const t of m.txs)
    lines.push(`${String(t.hash).slice(0, 18)}  ${String(t.type).padEnd(8)}  ${String(t.from)}  ${String(t.nonce).padStart(5)}  ${String(t.fee)}  ${String(t.amount ?? '-')}  ${String(t.to ?? '-')}`);
  return lines.join('\n');
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
