// `tessera devnet --nodes N [--miners M] [--dir D]`: a local network of N full nodes on 127.0.0.1.
// Writes a fresh devnet genesis (the embedded devnet, starting now) and the miners' key files
// into D, gives every node its peer key (<datadir>/p2p/key) and a free P2P port, lists all N as
// the genesis's bootnodes (outside the hashed genesis: the chain is the same whatever they are, so
// a second run on D rewrites them and the chain continues), starts N `tessera node` processes
// (own datadir, RPC port and P2P port each; their peers come from the genesis, no --bootnodes),
// mines on the first M (genesis dev keys 0..M-1, which the genesis bonds), prints one status line
// per node every few seconds until Ctrl-C, and then stops every node by its pid and waits for it.
// Node logs go to D/node-<i>/node.log.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadOrCreatePeerKey } from '../../network/peer-key.ts';
import { RpcClient } from '../../rpc/client.ts';
import { EXIT_OK, parseFlags, usageError, type Io } from '../util.ts';

export const DEVNET_HELP = `Usage: tessera devnet [options]

Starts a local devnet: N mining and non-mining nodes on 127.0.0.1, connected to each other,
with a fresh genesis whose "bootnodes" list every node (each node's peer id and P2P port; the
genesis hash does not cover them). Prints one status line per node (height, head, peers, round,
held-out accuracy) until Ctrl-C, then stops them all.

Options:
  --nodes <n>          nodes to start (default 3, at most 16)
  --miners <m>         how many of them mine (default 2; at most 4, the genesis's bonded dev keys)
  --dir <dir>          where genesis, keys and the nodes' datadirs go (default ./devnet; reused
                       when it already holds a devnet: the chain continues, the genesis's
                       bootnodes are rewritten with this run's ports)
  --threads <n>        worker threads per miner (default 1)
  --interval <s>       seconds between status lines (default 5)
  -h, --help           this help`;

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
const DEVNET_JSON = fileURLToPath(new URL('../../../genesis/devnet.json', import.meta.url));

interface DevNode {
  index: number;
  child: ChildProcess;
  rpc: string;
  p2p: string;
}

function intFlag(v: string | undefined, name: string, def: number, min: number, max: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${name} must be an integer in [${min}, ${max}], got "${v}"`, DEVNET_HELP);
  return n;
}

export async function devnetCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, { nodes: { type: 'string' }, miners: { type: 'string' }, dir: { type: 'string' }, threads: { type: 'string' }, interval: { type: 'string' } }, DEVNET_HELP);
  const n = intFlag(values.nodes, 'nodes', 3, 1, 16);
  const m = intFlag(values.miners, 'miners', Math.min(2, n), 0, Math.min(4, n));
  const threads = intFlag(values.threads, 'threads', 1, 1, 64);
  const interval = intFlag(values.interval, 'interval', 5, 1, 3600);
  const dir = resolve(values.dir ?? './devnet');
  await mkdir(join(dir, 'keys'), { recursive: true });

  // every node's peer id (its datadir's key) and a free P2P port: the genesis lists them all as bootnodes
  const datadirs = Array.from({ length: n }, (_, i) => join(dir, `node-${i}`));
  const ports = await freePorts(n);
  const bootnodes: string[] = [];
  for (let i = 0; i < n; i++) {
    await mkdir(datadirs[i]!, { recursive: true });
    const { key } = await loadOrCreatePeerKey(datadirs[i]!);
    bootnodes.push(`/ip4/127.0.0.1/tcp/${ports[i]}/p2p/${peerIdFromPrivateKey(key as never).toString()}`);
  }

  const genesisFile = join(dir, 'genesis.json');
  let genesis: { devKeys: { privateKey: string; address: string }[]; bootnodes?: string[] };
  try {
    genesis = JSON.parse(await readFile(genesisFile, 'utf8'));
    io.err(`devnet: reusing ${genesisFile} (its bootnodes rewritten; the genesis hash does not cover them)`);
  } catch {
    const g = JSON.parse(await readFile(DEVNET_JSON, 'utf8'));
    g.time = Math.floor(Date.now() / 1000) - 1;
    g.name = 'tessera-local-devnet';
    genesis = g;
    io.err(`devnet: wrote ${genesisFile}`);
  }
  genesis.bootnodes = bootnodes;
  await writeFile(genesisFile, JSON.stringify(genesis, null, 2));
  const keyFiles: string[] = [];
  for (let i = 0; i < m; i++) {
    const f = join(dir, 'keys', `miner-${i}.key`);
    await writeFile(f, `${genesis.devKeys[i]!.privateKey}\n`, { mode: 0o600 });
    keyFiles.push(f);
  }

  const nodes: DevNode[] = [];
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    await Promise.all(nodes.map((d) => stopChild(d.child)));
  };
  try {
    for (let i = 0; i < n; i++) {
      const datadir = datadirs[i]!;
      // peers from the genesis's bootnodes (a node skips its own address)
      const args = ['node', '--datadir', datadir, '--genesis', genesisFile, '--rpc', '127.0.0.1:0', '--p2p', `127.0.0.1:${ports[i]}`, '--log-format', 'json'];
      if (i < m) args.push('--mine', '--miner-key-file', keyFiles[i]!, '--threads', String(threads));
      const d = await startChild(i, args, join(datadir, 'node.log'));
      nodes.push(d);
      io.err(`devnet: node ${i}${i < m ? ' (miner)' : ''} rpc=${d.rpc} p2p=${d.p2p}`);
    }
  } catch (e) {
    await stopAll();
    throw e;
  }

  const done = new Promise<void>((r) => {
    const onSig = (): void => {
      process.off('SIGINT', onSig);
      process.off('SIGTERM', onSig);
      r();
    };
    process.on('SIGINT', onSig);
    process.on('SIGTERM', onSig);
    for (const d of nodes)
      d.child.on('exit', (code) => {
        if (!stopping) {
          io.err(`devnet: node ${d.index} exited (${code}); stopping the devnet (see ${join(dir, `node-${d.index}`, 'node.log')})`);
          onSig();
        }
      });
  });
  const timer = setInterval(() => void printStatus(nodes, io), interval * 1000);
  await printStatus(nodes, io);
  await done;
  clearInterval(timer);
  io.err('devnet: stopping');
  await stopAll();
  return EXIT_OK;
}

async function printStatus(nodes: DevNode[], io: Io): Promise<void> {
  const lines = await Promise.all(
    nodes.map(async (d) => {
      try {
        const c = new RpcClient(d.rpc);
        const [head, net, tr] = await Promise.all([c.call('chain_head', []), c.call('net_status', []), c.call('training_status', []).catch(() => null)]);
        const h = head as { height: number; hash: string };
        const t = tr as { round: number; heldOutAccuracy: number | null } | null;
        const acc = t?.heldOutAccuracy != null ? `${(t.heldOutAccuracy * 100).toFixed(1)}%` : '-';
        return `node ${d.index}  height ${h.height}  head ${h.hash.slice(0, 12)}  peers ${(net as { peers: number }).peers}  round ${t?.round ?? '-'}  accuracy ${acc}`;
      } catch (e) {
        return `node ${d.index}  (no answer: ${(e as Error).message})`;
      }
    }),
  );
  io.out(`${new Date().toISOString().slice(11, 19)}\n${lines.join('\n')}`);
}

/** `count` distinct ports the OS has free on 127.0.0.1 now (held open together, then released for the nodes). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((res, rej) => {
        srv.once('error', rej);
        srv.listen(0, '127.0.0.1', () => res());
      });
    }
    return servers.map((srv) => (srv.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise<void>((res) => srv.close(() => res()))));
  }
}

function startChild(index: number, args: string[], logFile: string): Promise<DevNode> {
  return new Promise((resolveNode, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stderr!.pipe(log);
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${index} did not start in 120 s (see ${logFile})`));
    }, 120_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const mm = /ready rpc=(\S+).* p2p=(\S+)/.exec(out);
      if (mm) {
        clearTimeout(timer);
        resolveNode({ index, child, rpc: mm[1]!, p2p: mm[2]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${index} exited (${code}) before it was ready (see ${logFile})`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}
