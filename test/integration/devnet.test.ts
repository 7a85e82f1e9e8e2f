// `tessera devnet` as a developer runs it (a child process, stopped by its pid): two non-mining
// nodes on 127.0.0.1. The genesis it writes lists both nodes as bootnodes (their peer ids from
// their datadirs' keys, their P2P ports), the nodes get no --bootnodes and still connect to each
// other through it, the genesis hash is that of the same genesis without bootnodes, and on SIGTERM
// the devnet stops its nodes.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../consensus/bytes.ts';
import { buildGenesis, parseGenesis } from '../../genesis/index.ts';
import { CLI_MAIN, TSX_LOADER } from '../helpers/cli.ts';
import { rpc, until } from './helpers/nodes.ts';

let dir: string;
let devnet: ChildProcess | undefined;
afterAll(async () => {
  if (devnet && devnet.exitCode === null && devnet.signalCode === null) {
    const exited = new Promise((r) => devnet!.once('exit', r));
    devnet.kill('SIGTERM');
    const t = setTimeout(() => devnet!.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(t);
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('tessera devnet', () => {
  it('writes every node as a genesis bootnode (hash unchanged), and the nodes connect through it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-devnet-'));
    const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, 'devnet', '--nodes', '2', '--miners', '0', '--dir', dir, '--interval', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    devnet = child;
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));

    const nodes = await until(
      'both nodes started',
      async () => {
        if (child.exitCode !== null) throw new Error(`devnet exited (${child.exitCode}):\n${err}`);
        const m = [...err.matchAll(/devnet: node (\d) rpc=(\S+) p2p=(\S+)/g)];
        return m.length === 2 ? m.map((x) => ({ rpc: x[2]!, p2p: x[3]! })) : undefined;
      },
      240_000,
    );
    const json = JSON.parse(await readFile(join(dir, 'genesis.json'), 'utf8'));
    expect(json.bootnodes).toEqual(nodes.map((n) => n.p2p));
    const { bootnodes: _, ...withoutBootnodes } = json;
    const hash = `0x${toHex(buildGenesis(parseGenesis(withoutBootnodes)).hash)}`;
    for (const n of nodes) expect((await rpc(n.rpc, 'chain_head')).genesis).toBe(hash);

    // no --bootnodes on the nodes: they found each other in the genesis
    await until('each node sees the other', async () => ((await Promise.all(nodes.map((n) => rpc(n.rpc, 'net_peers')))).every((p) => p.length === 1) ? true : undefined), 60_000);
    await until('a status line with both nodes and their peer', async () => (/node 0 .*peers 1/.test(out) && /node 1 .*peers 1/.test(out) ? true : undefined), 30_000);
    const node0Log = await readFile(join(dir, 'node-0', 'node.log'), 'utf8');
    expect(node0Log).toContain('"bootnodes from the genesis"');

    // SIGTERM: the devnet stops its nodes and exits
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const n of nodes) await expect(rpc(n.rpc, 'chain_head')).rejects.toThrow();
  }, 300_000);
});
