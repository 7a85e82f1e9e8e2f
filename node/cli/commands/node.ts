// `tessera node`: runs a full node until SIGINT / SIGTERM.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BOOTNODE_MULTIADDR, loadDevnetSpec, loadGenesisFile, type GenesisSpec } from '../../../genesis/index.ts';
import { createLogger, isLogLevel, LOG_LEVELS, type Logger, type LogFormat } from '../../log/logger.ts';
import { bytesEqual, fromHex, to0x } from '../../../consensus/bytes.ts';
import { PrivateKey } from '../../../consensus/crypto/index.ts';
import { isTesseraError } from '../../../consensus/errors.ts';
import { Keystore, KeystoreErrorCode } from '../../keystore/keystore.ts';
import { TesseraNode, type NodeOpts } from '../../node.ts';
import { getPassphrase } from '../passphrase.ts';
import { parseFault, type FaultSpec } from '../../../miner/faults.ts';
import { CliError, EXIT_OK, EXIT_USAGE, parseFlags, parseHostPort, readConfig, usageError, type Io } from '../util.ts';

export const NODE_HELP = `Usage: tessera node [options]

Runs a full node: stores the chain in --datadir, validates and imports blocks one at a time,
keeps a mempool, and serves JSON-RPC 2.0 over HTTP.

Options:
  --config <file>        read options from a TOML (.toml) or JSON file whose keys are these flags'
                         names without the dashes (datadir = "./data", mine = true, log-level =
                         "debug"); flags given on the command line override it
  --datadir <dir>        where the chain and keystore live (default ./data)
  --genesis <file>       genesis JSON (default: the embedded devnet genesis)
  --rpc <host:port>      JSON-RPC address (default 127.0.0.1:8545; port 0 picks a free one);
                         http://host:port/ is accepted too
  --http <host:port>     the explorer page (/) and Prometheus metrics (/metrics); default: the RPC
                         host and the RPC port + 1 (127.0.0.1:8546), port 0 when the RPC's is 0;
                         "off" to run none
  --log-level <level>    ${LOG_LEVELS.join(' | ')} (default info)
  --log-format <format>  text | json (default text: time, level, module, message, key=value)
  --mine                 mine: train the open round's shards, every product a lottery ticket;
                         a winning ticket becomes a block (needs a genesis with training)
  --miner-address <0x..> address credited for mined blocks and contributions (it needs a bond).
                         The node signs the miner's contributions with its key, so the key must
                         be had at start: unlocked from <datadir>/keystore (see tessera keys),
                         else, on a devnet, the genesis dev key of that address (public)
  --miner-key-file <f>   take the miner's secret key from this file (0x + 64 hex digits)
                         instead; the address is the key's (--miner-address, if given, must match)
  --passphrase-file <f>  passphrase of the keystore key (first line); else TESSERA_PASSPHRASE,
                         else a prompt on a terminal
                         With neither --miner-address nor --miner-key-file: the genesis's dev key 0
                         (devnets only; its private key is public), logged at start. A miner key
                         that cannot be had is a startup error (exit 2).
  --backend <name>       compute backend: auto | js | wasm | gpujs (default auto: the fastest
                         that passes its bit-exactness self-test)
  --threads <n>          worker threads of the wasm backend (default: all cores)
  --p2p <host:port>      join the peer-to-peer network, listening here (127.0.0.1:0: loopback, a
                         port the OS picks; 0.0.0.0:<port> takes peers from other machines).
                         Without --p2p, --bootnodes and genesis bootnodes the node runs alone
  --bootnodes <list>     comma-separated multiaddrs with /p2p/<peer id> to connect to and keep
                         connected (e.g. /ip4/127.0.0.1/tcp/9333/p2p/12D3KooW...); alone, it
                         implies --p2p 127.0.0.1:0. Default: the genesis's "bootnodes" (which
                         likewise turn P2P on); --bootnodes "" ignores them
  --max-peers <n>        most peer connections (default 32)
  --no-p2p               run alone (the default without --p2p, --bootnodes or genesis bootnodes)
  --archive              keep contribution part bodies for good (default: pruned once their
                         round's challenge window has closed; part headers are always kept)
  --validate             validate: re-execute sampled steps and aggregates of landed contribution
                         parts (served data from the miners, else recomputed from W_R), gossip a
                         signed attestation per check (needs training and --p2p / --bootnodes)
  --validator-key <f>    the validator's secret key file (0x + 64 hex digits) that signs its
                         attestations; default on a devnet: the genesis's last dev key (public)
  --sample <p>           probability of checking each landed lane (one random step) and each
                         part's aggregate, in (0, 1] (default 0.6: see docs/validators.md)
  --fault <kind>         tests only, with --mine: cheat in one way (wrong-weights:S,
                         wrong-aggregate, junk-lane:J, synthetic-operands, withheld); refused
                         unless the genesis is marked "testOnly": true
  -h, --help             this help

Stop it with Ctrl-C (SIGINT) or SIGTERM; a kill -9 loses nothing that was imported.`;

const NODE_FLAGS = {
  config: { type: 'string' },
  datadir: { type: 'string' },
  genesis: { type: 'string' },
  rpc: { type: 'string' },
  http: { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  mine: { type: 'boolean' },
  'miner-address': { type: 'string' },
  'miner-key-file': { type: 'string' },
  'passphrase-file': { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  p2p: { type: 'string' },
  bootnodes: { type: 'string' },
  'max-peers': { type: 'string' },
  'no-p2p': { type: 'boolean' },
  archive: { type: 'boolean' },
  validate: { type: 'boolean' },
  'validator-key': { type: 'string' },
  sample: { type: 'string' },
  fault: { type: 'string' },
} as const;

export async function nodeCommand(argv: string[], io: Io): Promise<number> {
  const parsed = parseFlags(argv, NODE_FLAGS, NODE_HELP);
  const values = parsed.values.config !== undefined ? { ...((await readConfig(parsed.values.config, NODE_FLAGS, NODE_HELP)) as typeof parsed.values), ...parsed.values } : parsed.values;
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw usageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`, NODE_HELP);
  const format = (values['log-format'] ?? 'text') as LogFormat;
  if (format !== 'text' && format !== 'pretty' && format !== 'json') throw usageError(`--log-format must be text or json, got "${format}"`, NODE_HELP);
  const rpc = parseHostPort(values.rpc ?? '127.0.0.1:8545', '--rpc', NODE_HELP);
  const http =
    values.http === 'off'
      ? undefined
      : values.http !== undefined
        ? parseHostPort(values.http, '--http', NODE_HELP)
        : { host: rpc.host, port: rpc.port === 0 ? 0 : rpc.port + 1 };
  if (http && rpc.port !== 0 && http.port === rpc.port && http.host === rpc.host) throw usageError('--http must differ from --rpc', NODE_HELP);
  const datadir = resolve(values.datadir ?? './data');
  let mining: (Omit<NonNullable<NodeOpts['mining']>, 'key' | 'miner'> & { key?: PrivateKey; miner?: Uint8Array }) | undefined;
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
    const key = await minerKeyFromFlags(values['miner-key-file'], address, values['passphrase-file'], datadir);
    let fault: FaultSpec | undefined;
    if (values.fault !== undefined) {
      try {
        fault = parseFault(values.fault);
      } catch (e) {
        throw usageError(`--fault: ${(e as Error).message}`, NODE_HELP);
      }
    }
    mining = { ...(address !== undefined ? { miner: fromHex(address) } : {}), ...(key ? { key } : {}), backend: backend as 'auto', ...(threads ? { threads } : {}), ...(fault ? { fault } : {}) };
  } else if (['miner-address', 'miner-key-file', 'passphrase-file', 'backend', 'threads', 'fault'].some((f) => values[f as keyof typeof values] !== undefined)) {
    throw usageError('--miner-address, --miner-key-file, --passphrase-file, --backend, --threads and --fault only apply with --mine', NODE_HELP);
  }
  let sample = 0.6;
  if (values.sample !== undefined) {
    sample = Number(values.sample);
    if (!values.validate) throw usageError('--sample applies with --validate', NODE_HELP);
    if (!(sample > 0 && sample <= 1)) throw usageError(`--sample must be a probability in (0, 1], got "${values.sample}"`, NODE_HELP);
  }
  if (values['validator-key'] !== undefined && !values.validate) throw usageError('--validator-key applies with --validate', NODE_HELP);
  // P2P: --bootnodes, else the genesis's bootnodes (loaded below); either turns P2P on
  let flagBootnodes: string[] | undefined;
  let maxPeers: number | undefined;
  if (values['no-p2p']) {
    if (values.p2p !== undefined || values.bootnodes !== undefined || values['max-peers'] !== undefined)
      throw usageError('--p2p, --bootnodes and --max-peers do not apply with --no-p2p', NODE_HELP);
  } else {
    if (values.bootnodes !== undefined) {
      flagBootnodes = values.bootnodes.split(',').map((b) => b.trim()).filter(Boolean);
      for (const b of flagBootnodes)
        if (!BOOTNODE_MULTIADDR.test(b)) throw usageError(`--bootnodes: "${b}" is not a multiaddr like /ip4/127.0.0.1/tcp/9333/p2p/<peer id>`, NODE_HELP);
    }
    if (values['max-peers'] !== undefined) {
      maxPeers = Number(values['max-peers']);
      if (!Number.isInteger(maxPeers) || maxPeers < 1 || maxPeers > 1000) throw usageError(`--max-peers must be an integer in [1, 1000], got "${values['max-peers']}"`, NODE_HELP);
    }
  }
  const logger = createLogger({ level, format });
  let spec: GenesisSpec;
  try {
    if (values.genesis) spec = loadGenesisFile(values.genesis);
    else spec = loadDevnetSpec();
  } catch (e) {
    throw new CliError(`bad genesis ${values.genesis ?? '(devnet)'}: ${(e as Error).message}`, EXIT_USAGE);
  }
  let p2p: NodeOpts['p2p'];
  if (!values['no-p2p']) {
    const bootnodes = flagBootnodes ?? [...(spec.bootnodes ?? [])];
    if (values.p2p === undefined && flagBootnodes === undefined && bootnodes.length === 0) {
      if (maxPeers !== undefined) throw usageError('--max-peers applies with --p2p, --bootnodes or a genesis that lists bootnodes', NODE_HELP);
    } else {
      const listen = parseHostPort(values.p2p ?? '127.0.0.1:0', '--p2p', NODE_HELP);
      p2p = { listen, bootnodes, ...(maxPeers ? { maxPeers } : {}) };
      if (flagBootnodes === undefined && bootnodes.length > 0) logger.info('bootnodes from the genesis', { bootnodes: bootnodes.length });
    }
  }
  let miningOpts: NodeOpts['mining'];
  if (mining) {
    if (!spec.params.training) throw new CliError(`--mine: the genesis ${spec.name} has no training section, so there is nothing to mine (proof of useful work trains its task)`, EXIT_USAGE);
    const key = mining.key ?? devKeyFor(spec, mining.miner, datadir, logger);
    miningOpts = { ...mining, key, miner: key.address() };
  }
  if (miningOpts?.fault && !spec.testOnly)
    throw new CliError(`--fault ${miningOpts.fault.kind}: refused, the genesis ${spec.name} is not a devnet marked for tests ("testOnly": true)`, EXIT_USAGE);
  let validate: NodeOpts['validate'];
  if (values.validate) {
    if (!spec.params.training) throw new CliError(`--validate: the genesis ${spec.name} has no training section, so there is nothing to validate`, EXIT_USAGE);
    if (!p2p) throw usageError('--validate needs the P2P network (--p2p or --bootnodes): it asks miners for their served data', NODE_HELP);
    validate = { key: await validatorKey(values['validator-key'], spec, logger), sample };
  }
  const node = new TesseraNode({ datadir, genesis: spec, rpc, ...(http ? { http } : {}), ...(values.archive ? { archive: true } : {}), ...(miningOpts ? { mining: miningOpts } : {}), ...(p2p ? { p2p } : {}), ...(validate ? { validate } : {}) }, { logger });
  try {
    await node.start();
  } catch (e) {
    await node.stop().catch(() => {});
    throw e;
  }
  io.out(`ready rpc=http://${node.rpcAddress}/${node.httpAddress ? ` explorer=http://${node.httpAddress}/` : ''}${node.network ? ` p2p=${node.network.addresses()[0] ?? ''}` : ''}`);
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

/** The validator's key: --validator-key, else on a devnet the genesis's last dev key (public). */
async function validatorKey(file: string | undefined, spec: GenesisSpec, logger: Logger): Promise<PrivateKey> {
  if (file !== undefined) {
    try {
      const text = (await readFile(file, 'utf8')).trim();
      if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new Error('expected 0x and 64 hex digits');
      return PrivateKey.fromBytes(fromHex(text));
    } catch (e) {
      throw new CliError(`--validator-key ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT_USAGE);
    }
  }
  const dev = spec.devKeys[spec.devKeys.length - 1];
  if (!dev) throw usageError('--validate needs --validator-key on a genesis without dev keys', NODE_HELP);
  logger.warn('no --validator-key given: attesting with the genesis dev key whose private key is public (fine for a devnet only)', { validator: to0x(dev.address), devKey: dev.index });
  return PrivateKey.fromBytes(dev.privateKey);
}

/**
 * The miner's key from --miner-key-file, or from the keystore for --miner-address; undefined when
 * neither has it (the genesis dev keys are tried once the genesis is loaded: devKeyFor).
 */
async function minerKeyFromFlags(keyFile: string | undefined, address: string | undefined, passphraseFile: string | undefined, datadir: string): Promise<PrivateKey | undefined> {
  if (keyFile !== undefined) {
    let key: PrivateKey;
    try {
      const text = (await readFile(keyFile, 'utf8')).trim();
      if (!/^0x[0-9a-fA-F]{64}$/.test(text)) throw new Error('expected 0x and 64 hex digits');
      key = PrivateKey.fromBytes(fromHex(text));
    } catch (e) {
      throw new CliError(`--miner-key-file ${keyFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT_USAGE);
    }
    if (address !== undefined && !bytesEqual(key.address(), fromHex(address)))
      throw new CliError(`--miner-key-file ${keyFile} holds the key of ${to0x(key.address())}, not of --miner-address ${address.toLowerCase()}`, EXIT_USAGE);
    return key;
  }
  if (address === undefined) return undefined;
  const ks = new Keystore(join(datadir, 'keystore'));
  try {
    await ks.read(address);
  } catch (e) {
    if (isTesseraError(e) && e.code === KeystoreErrorCode.NOT_FOUND) return undefined;
    throw new CliError(`the miner key ${address}: ${(e as Error).message}`, EXIT_USAGE);
  }
  const passphrase = await getPassphrase({ file: passphraseFile, purpose: `unlock the miner key ${address}` });
  try {
    return PrivateKey.fromBytes((await ks.unlock(address, passphrase)).secret);
  } catch (e) {
    throw new CliError(`cannot unlock the miner key ${address}: ${(e as Error).message}`, EXIT_USAGE);
  }
}

/** The genesis dev key of `miner` (dev key 0 when no address was given), or a startup error (exit 2). */
function devKeyFor(spec: GenesisSpec, miner: Uint8Array | undefined, datadir: string, logger: Logger): PrivateKey {
  if (miner === undefined) {
    const dev = spec.devKeys[0];
    if (!dev) throw usageError('--mine needs --miner-address (a key in the keystore) or --miner-key-file on a genesis without dev keys', NODE_HELP);
    logger.warn('no --miner-address given: mining to the genesis dev key 0, whose private key is public (fine for a devnet only)', { miner: to0x(dev.address) });
    return PrivateKey.fromBytes(dev.privateKey);
  }
  const dev = spec.devKeys.find((d) => bytesEqual(d.address, miner));
  if (!dev)
    throw new CliError(
      `no key for the miner address ${to0x(miner)}: it is not in the keystore ${join(datadir, 'keystore')} (add it with tessera keys import) ` +
        'and not a dev key of the genesis; give --miner-key-file, or mine to an address whose key the node has (the node signs its contributions)',
      EXIT_USAGE,
    );
  logger.warn('mining with a genesis dev key, whose private key is public (fine for a devnet only)', { miner: to0x(miner), devKey: dev.index });
  return PrivateKey.fromBytes(dev.privateKey);
}
