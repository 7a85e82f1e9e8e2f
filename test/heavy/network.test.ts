// Real nodes as separate processes on 127.0.0.1, joined by libp2p (TCP, noise, yamux, gossipsub):
// two miners and a non-mining node converge on the same head and checkpoint root; a transaction
// sent to the non-miner is mined and seen by every node; both miners' contributions land in the
// same round; a node started late syncs to the head from a bootnode; the stored chain of a node
// replays from genesis to its head state. Scaled down (2 s blocks, 3-block rounds, one worker
// thread per miner). Three nodes, two of them mining: `npm run test:heavy`, not part of `npm test`
// (on the shared 2-core machine its miners starved the CLI tests running beside it).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { PrivateKey, signTx } from '../../consensus/crypto/index.ts';
import { TypeTag } from '../../consensus/types.ts';
import { encodeTx } from '../../consensus/encoding/index.ts';
import { replayDatadir, rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../integration/helpers/nodes.ts';

const running: RunningNode[] = [];
let dir: string;
afterAll(async () => {
  await Promise.all(running.map(stopNode));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function heads(nodes: RunningNode[]): Promise<{ hash: string; height: number }[]> {
  return Promise.all(nodes.map((n) => rpc(n.rpc, 'chain_head')));
}

/** Waits until every node reports the same head at height >= min; returns it. */
async function converged(nodes: RunningNode[], min: number, timeoutMs: number): Promise<{ hash: string; height: number }> {
  return until(
    `${nodes.length} nodes on one head at height >= ${min}`,
    async () => {
      const hs = await heads(nodes);
      return hs.every((h) => h.hash === hs[0]!.hash) && hs[0]!.height >= min ? hs[0] : undefined;
    },
    timeoutMs,
  );
}

describe('a devnet of separate node processes', () => {
  it('converges, gossips a tx to the miners, lands two miners in one round, and syncs a late node', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-net-'));
    const { file, json } = await writeTestGenesis(dir);
    const common = ['--genesis', file, '--rpc', '127.0.0.1:0', '--p2p', '127.0.0.1:0', '--log-format', 'json'];
    const miners = [0, 1].map((i) => json.devKeys[i].address.toLowerCase() as string);
    const k0 = await writeKey(dir, 'k0', json.devKeys[0].privateKey);
    const k1 = await writeKey(dir, 'k1', json.devKeys[1].privateKey);

    const a = await startNode([...common, '--datadir', join(dir, 'a'), '--mine', '--miner-key-file', k0, '--threads', '1']);
    running.push(a);
    const b = await startNode([...common, '--datadir', join(dir, 'b'), '--mine', '--miner-key-file', k1, '--threads', '1', '--bootnodes', a.p2p]);
    running.push(b);
    const c = await startNode([...common, '--datadir', join(dir, 'c'), '--bootnodes', `${a.p2p},${b.p2p}`]);
    running.push(c);
    const three = [a, b, c];

    // every node sees the other two
    await until('full mesh', async () => ((await Promise.all(three.map((n) => rpc(n.rpc, 'net_peers')))).every((p) => p.length >= 2) ? true : undefined), 30_000);

    // a transfer sent to the non-mining node is mined and seen by all, in the same block
    const from = PrivateKey.fromBytes(fromHex(json.devKeys[3].privateKey));
    const to = fromHex('0x00000000000000000000000000000000000000aa');
    const tx = signTx({ type: TypeTag.Transfer, chainId: json.chainId, nonce: 0, fee: 1000n, to, amount: 12345n, sig: new Uint8Array(0) }, from);
    const sent = await rpc(c.rpc, 'tx_send', [to0x(encodeTx(tx))]);
    const included = await until(
      'the tx included on every node',
      async () => {
        const r = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_getTx', [sent.hash])));
        return r.every((x) => x?.status === 'included' && x.blockHash === r[0].blockHash) ? r[0] : undefined;
      },
      90_000,
    );
    expect(included.tx.to).toBe('0x00000000000000000000000000000000000000aa');

    // both miners' contributions (parts) land in one round: read from the blocks of the canonical
    // chain on the non-mining node (each part names its miner and round); then the three nodes
    // share head, state root and checkpoint root
    const scanned = new Map<number, Set<string>>();
    let next = 1;
    const bothInOneRound = async (): Promise<number | undefined> => {
      const top = (await rpc(c.rpc, 'chain_head')).height;
      for (; next <= top; next++) {
        const blk = await rpc(c.rpc, 'chain_getBlock', [next]);
        for (const part of blk.contributions as { miner?: string; round?: number }[]) {
          if (part.miner === undefined || part.round === undefined) continue;
          scanned.set(part.round, (scanned.get(part.round) ?? new Set()).add(part.miner));
        }
      }
      return [...scanned].find(([, m]) => miners.every((x) => m.has(x)))?.[0];
    };
    const round = await until("a round holding both miners' parts", bothInOneRound, 480_000);
    expect(round).toBeGreaterThanOrEqual(0);
    const head = await converged(three, 6, 120_000);
    const roots = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_getBlock', [head.hash])));
    expect(new Set(roots.map((r) => r.checkpointRoot)).size).toBe(1);
    expect(new Set(roots.map((r) => r.stateRoot)).size).toBe(1);

    // a node started late syncs to the head from one bootnode
    const d = await startNode([...common, '--datadir', join(dir, 'd'), '--bootnodes', c.p2p]);
    running.push(d);
    const all = await converged([a, b, c, d], head.height, 180_000);
    expect(all.height).toBeGreaterThanOrEqual(head.height);
    expect(d.log()).toContain('"sync done"');
    const status = await rpc(d.rpc, 'net_status');
    expect(status.syncedBlocks).toBeGreaterThanOrEqual(head.height);

    for (const n of running) await stopNode(n);

    // the late node's stored chain replays from genesis (every seal re-verified) to its head state,
    // and some round holds contributions of both miners
    const replay = await replayDatadir(join(dir, 'd'), file);
    expect(replay.stateMatches, replay.why).toBe(true);
    expect(replay.height).toBeGreaterThanOrEqual(all.height);
    expect([...replay.minersByRound.values()].some((s) => miners.every((m) => s.has(m)))).toBe(true);
  }, 900_000);
});
