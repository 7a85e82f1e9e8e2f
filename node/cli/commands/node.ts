// `tessera node`: runs a full node until SIGINT / SIGTERM.
import { resolve } from 'node:path';
import { loadDevnetSpec, loadGenesisFile, type GenesisSpec } from '../../../genesis/index.ts';
import { createLogger, isLogLevel, LOG_LEVELS, type LogFormat } from '../../log/logger.ts';
import { fromHex, to0x } from '../../../consensus/bytes.ts';
import { TesseraNode, type NodeOpts } from '../../node.ts';
import { CliError, EXIT_OK, EXIT_USAGE, parseFlags, parseHostPort, usageError, type Io } from '../util.ts';

export const NODE_HELP = `Usage: tessera node [options]

Runs a full node: stores the chain in --datadir, validates and imports blocks one at a time,
keeps a mempool, and serves JSON-RPC 2.0 over HTTP.

Options:
  --datadir <dir>        where the chain and keystore live (default ./data)
  --genesis <file>       genesis JSON (default: the embedded devnet genesis)
  --rpc <host:port>      JSON-RPC address (default 127.0.0.1:8545; port 0 picks a free one)
  --log-level <level>    ${LOG_LEVELS.join(' | ')} (default info)
  --log-format <format>  pretty | json (default pretty)
  --mine                 mine: train the open round's shards, every product a lottery ticket;
                         a winning ticket becomes a block (needs a genesis with training)
  --miner-address <0x..> address credited for mined blocks and contributions (it needs a bond);
                         default: the genesis's first dev key (devnets only), logged at start
  --backend <name>       compute backend: auto | js | wasm | gpujs (default auto: the fastest
                         that passes its bit-exactness self-test)
  --threads <n>          worker threads of the wasm backend (default: all cores)
  -h, --help             this help

Stop it with Ctrl-C (SIGINT) or SIGTERM; a kill -9 loses nothing that was imported.`;

export async function nodeCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      datadir: { type: 'string' },
      genesis: { type: 'string' },
      rpc: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      mine: { type: 'boolean' },
      'miner-address': { type: 'string' },
      backend: { type: 'string' },
      threads: { type: 'string' },
    },
    NODE_HELP,
  );
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`, NODE_HELP);
  const format = (values['log-format'] ?? 'pretty') as LogFormat;
  if (format !== 'pretty' && format !== 'json') throw usageError(`--log-format must be pretty or json, got "${format}"`, NODE_HELP);
  const rpc = parseHostPort(values.rpc ?? '127.0.0.1:8545', '--rpc', NODE_HELP);
  let mining: NodeOpts['mining'];
  if (values.mine) {
    const backend = values.backend ?? 'auto';
    if (!['auto', 'js', 'wasm', 'gpujs'].includes(backend)) throw usageError(`--backend must be auto, js, wasm or gpujs, got "${backend}"`, NODE_HELP);
    let threads: number | undefined;
    if (values.threads !== undefined) {
      threads = Number(values.threads);
      if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw usageError(`--threads must be an integer in [1, 256], got "${values.threads}"`, NODE_HELP);
    }
    const address = values['miner-address'];
    if (address !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(address)) throw usageError(`--miner-address must be 0x and 40 hex digits, got "${address}"`, NODE_HELP);
    mining = { miner: address !== undefined ? fromHex(address) : new Uint8Array(0), backend: backend as 'auto', ...(threads ? { threads } : {}) };
  } else if (values['miner-address'] !== undefined || values.backend !== undefined || values.threads !== undefined) {
    throw usageError('--miner-address, --backend and --threads only apply with --mine', NODE_HELP);
  }
  const datadir = resolve(values.datadir ?? './data');
  const logger = createLogger({ level, format });
  let spec: GenesisSpec;
  try {
    if (values.genesis) spec = loadGenesisFile(values.genesis);
    else spec = loadDevnetSpec();
  } catch (e) {
    throw new CliError(`bad genesis ${values.genesis ?? '(devnet)'}: ${(e as Error).message}`, EXIT_USAGE);
  }
  if (mining) {
    if (!spec.params.training) throw new CliError(`--mine: the genesis ${spec.name} has no training section, so there is nothing to mine (proof of useful work trains its task)`, EXIT_USAGE);
    if (mining.miner.length === 0) {
      const dev = spec.devKeys[0];
      if (!dev) throw usageError('--mine needs --miner-address on a genesis without dev keys', NODE_HELP);
      mining.miner = dev.address;
      logger.warn('no --miner-address given: mining to the genesis dev key 0, whose private key is public (fine for a devnet only)', { miner: to0x(mining.miner) });
    }
  }
  const node = new TesseraNode({ datadir, genesis: spec, rpc, ...(mining ? { mining } : {}) }, { logger });
  try {
    await node.start();
  } catch (e) {
    await node.stop().catch(() => {});
    throw e;
  }
  io.out(`ready rpc=http://${node.rpcAddress}/`);
  await new Promise<void>((done) => {
    const stop = (sig: string): void => {
      logger.info('shutting down', { signal: sig });
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done();
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  await node.stop();
  return EXIT_OK;
}
