// The network, measured on real node processes on 127.0.0.1 (this machine's cores are shared by
// all of them, so the numbers are a floor for real machines):
//  1. block propagation across a 5-node devnet (one miner; every other node bootstraps from the
//     node before it, so blocks travel up to 4 gossip hops): for each mined block, the time from
//     the miner's "mined block" log line to each other node's "block imported" line (one clock:
//     every process logs this machine's time). Median and p95. Goal: p95 < 1 s.
//  2. a fresh node's sync from a peer (headers first, seals checked, then bodies, imported) against
//     importing the same blocks from local storage (read from a stopped node's LevelDB, imported
//     through the same Chain with the same seal), blocks/s of each and their ratio. Goal >= 0.5x.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../node/db/db.ts';
import { Chain } from '../node/chain/chain.ts';
import { sealForChain } from '../node/chain/seals.ts';
import { silentLogger } from '../node/log/logger.ts';
import { buildGenesis, loadGenesisFile } from '../genesis/index.ts';
import { rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../test/integration/helpers/nodes.ts';

const NODES = 5;
const BLOCKS = 20;

function lines(log: string, msg: string): { time: number; hash?: string; [k: string]: unknown }[] {
  return log
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => {
      const j = JSON.parse(l) as { time: string; hash?: string };
      return { ...j, time: Date.parse(j.time) };
    });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export default async function (): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-netbench-'));
  const nodes: RunningNode[] = [];
  try {
    const { file, json } = await writeTestGenesis(dir, (g) => {
      g.params.blockTimeSeconds = 1;
      g.params.initialTarget = '0x' + (1n << 228n).toString(16).padStart(64, '0');
    });
    const common = ['--genesis', file, '--rpc', '127.0.0.1:0', '--p2p', '127.0.0.1:0', '--log-format', 'json'];
    const key = await writeKey(dir, 'k0', json.devKeys[0].privateKey);
    for (let i = 0; i < NODES; i++) {
      const args = [...common, '--datadir', join(dir, `n${i}`)];
      if (i === 0) args.push('--mine', '--miner-key-file', key, '--threads', '1');
      else args.push('--bootnodes', nodes[i - 1]!.p2p);
      nodes.push(await startNode(args));
    }
    // only blocks mined once every node is up and on the miner's head count (earlier ones reach
    // late starters by sync, long after they were mined)
    const h0 = await until('all nodes on one head', async () => {
      const hs = await Promise.all(nodes.map((n) => rpc(n.rpc, 'chain_head')));
      return hs.every((h) => h.hash === hs[0].hash) ? (hs[0].height as number) : undefined;
    }, 900_000);
    await until(`${BLOCKS} more blocks on every node`, async () => {
      const hs = await Promise.all(nodes.map((n) => rpc(n.rpc, 'chain_head')));
      return hs.every((h) => h.height >= h0 + BLOCKS) ? true : undefined;
    }, 900_000);
    const load = loadavg()[0]!.toFixed(1);
    // the miner logs a block's hash short (0x + 8 hex digits + …), the chain's import line in full
    const short = (h: string): string => (h.endsWith('…') ? h : `${h.slice(0, 10)}…`);
    const mined = new Map(lines(nodes[0]!.log(), 'mined block').filter((l) => (l.height as number) > h0).map((l) => [short(l.hash!), l.time]));
    const lat: number[] = [];
    for (const n of nodes.slice(1))
      for (const l of lines(n.log(), 'block imported')) {
        const t0 = mined.get(short(l.hash!));
        if (t0 !== undefined) lat.push(l.time - t0);
      }
    if (lat.length === 0) throw new Error('no mined block was matched to an import on another node: the log lines changed');
    console.log(`block propagation, ${NODES} nodes in a line (up to ${NODES - 1} hops), ${mined.size} blocks, ${lat.length} arrivals: median ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms, max ${Math.max(...lat)} ms; goal p95 < 1000 ms: ${pct(lat, 95) < 1000 ? 'met' : 'missed'} (p95/goal ${(pct(lat, 95) / 1000).toFixed(2)}); load average ${load}`);

    // 2. sync from a peer vs import from local storage (the miner stopped: a chain that holds still)
    await stopNode(nodes[0]!);
    await new Promise((r) => setTimeout(r, 2000));
    const height = (await rpc(nodes[1]!.rpc, 'chain_head')).height as number;
    const fresh = await startNode([...common, '--datadir', join(dir, 'fresh'), '--bootnodes', nodes[1]!.p2p]);
    nodes.push(fresh);
    await until('the fresh node synced', async () => (lines(fresh.log(), 'sync done').some((l) => (l.height as number) >= height) ? true : undefined), 600_000);
    const started = lines(fresh.log(), 'sync started')[0]!;
    const done = lines(fresh.log(), 'sync done').find((l) => (l.height as number) >= height)!;
    const syncRate = (done.height as number) / ((done.time - started.time) / 1000);
    for (const n of nodes) await stopNode(n);

    const spec = loadGenesisFile(file);
    const src = new ChainDb({ path: join(dir, 'n1', 'chain') });
    await src.open();
    const blocks: Uint8Array[] = [];
    for (let h = 1; h <= (done.height as number); h++) blocks.push((await src.getBlock((await src.getCanonical(h))!))!);
    await src.close();
    const db = new ChainDb({ path: join(dir, 'local', 'chain') });
    await db.open();
    const chain = await Chain.open({ params: spec.params, genesis: buildGenesis(spec) }, { db, logger: silentLogger, seal: sealForChain(spec.params) });
    const t0 = performance.now();
    for (const b of blocks) await chain.importBlock(b);
    const localRate = blocks.length / ((performance.now() - t0) / 1000);
    await chain.close();
    await db.close();
    const ratio = syncRate / localRate;
    console.log(`sync of ${blocks.length} blocks from a peer: ${syncRate.toFixed(1)} blocks/s; import of the same blocks from local storage: ${localRate.toFixed(1)} blocks/s; ratio ${ratio.toFixed(2)}x, goal >= 0.5x: ${ratio >= 0.5 ? 'met' : 'missed'}; load average ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    for (const n of nodes) await stopNode(n);
    await rm(dir, { recursive: true, force: true });
  }
}
