// `tessera node`: runs a full node until SIGINT / SIGTERM.
import { resolve } from 'node:path';
import { loadDevnetSpec, loadGenesisFile, type GenesisSpec } from '../../../genesis/index.ts';
import { createLogger, isLogLevel, LOG_LEVELS, type LogFormat } from '../../log/logger.ts';
import { TesseraNode } from '../../node.ts';
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
  --mine                 mine blocks: NOT AVAILABLE YET (arrives with the mining issue)
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
    },
    NODE_HELP,
  );
  if (values.mine) throw new CliError('--mine: mining is not available yet; it arrives with the mining issue. Run the node without --mine.', EXIT_USAGE);
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`, NODE_HELP);
  const format = (values['log-format'] ?? 'pretty') as LogFormat;
  if (format !== 'pretty' && format !== 'json') throw usageError(`--log-format must be pretty or json, got "${format}"`, NODE_HELP);
  const rpc = parseHostPort(values.rpc ?? '127.0.0.1:8545', '--rpc', NODE_HELP);
  let spec: GenesisSpec;
  try {
    spec = values.genesis ? loadGenesisFile(values.genesis) : loadDevnetSpec();
  } catch (e) {
    throw new CliError(`bad genesis ${values.genesis ?? '(embedded devnet)'}: ${(e as Error).message}`, EXIT_USAGE);
  }
  const logger = createLogger({ level, format });
  const node = new TesseraNode({ datadir: resolve(values.datadir ?? './data'), genesis: spec, rpc }, { logger });
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
