// The network as a user runs it, in `npm test`: real `tessera node` processes on 127.0.0.1 (OS-
// assigned RPC and P2P ports), one of them mining, on a scaled-down test genesis (2 s blocks,
// 3-block rounds). The first node is the bootnode; the others get no --bootnodes: they find it in
// the genesis file's "bootnodes" list, which is outside the hashed genesis (the nodes agree on one
// genesis hash, or their status exchange would ban each other). Three nodes converge on one head,
// state root and checkpoint root, past a round whose training moved the checkpoint; a transfer
// sent to a non-mining node is mined and seen by all in one block; a node started late syncs to
// the head (headers first) from the genesis's bootnode; the stored chains replay to the nodes'
// states. One miner and few nodes keep it cheap; two
// miners in one round and the 2+2 partition are in test/heavy (npm run test:heavy).
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { PrivateKey, signTx } from '../../consensus/crypto/index.ts';
import { TypeTag } from '../../consensus/types.ts';
import { encodeTx } from '../../consensus/encoding/index.ts';
import { replayDatadir, rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from './helpers/nodes.ts';

const running: RunningNode[] = [];
let dir: string;
afterAll(async () => {
  await Promise.all(running.map(stopNode));
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

/** Waits until every node reports the same head at height >= min; returns it. */
function converged(nodes: RunningNode[], min: number, timeoutMs: number): Promise<{ hash: string; height: number }> {
  return until(
    `${nodes.length} nodes on one head at height >= ${min}`,
    async () => {
      const hs = await Promise.all(nodes.map((n) => rpc(n.rpc, 'chain_head')));
      return hs.every((h) => h.hash === hs[0]!.hash) && hs[0]!.height >= min ? hs[0] : undefined;
    },
    timeoutMs,
  );
}

describe('nodes on 127.0.0.1 that find each other through the genesis', () => {
  it('converge on head and checkpoint root, carry a tx to every node, and sync a late node', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-net-light-'));
    const { file, json } = await writeTestGenesis(dir);
    const opts = ['--rpc', '127.0.0.1:0', '--log-format', 'json'];
    const k0 = await writeKey(dir, 'k0', json.devKeys[0].privateKey);
    const a = await startNode([...opts, '--genesis', file, '--p2p', '127.0.0.1:0', '--datadir', join(dir, 'a'), '--mine', '--miner-key-file', k0, '--threads', '1']);
    running.push(a);

    // the same genesis, now listing the bootnode: what a network's published genesis file holds
    const booted = join(dir, 'genesis-bootnodes.json');
    await writeFile(booted, JSON.stringify({ ...json, bootnodes: [a.p2p] }));
    const [b, c] = await Promise.all(['b', 'c'].map((n) => startNode([...opts, '--genesis', booted, '--datadir', join(dir, n)])));
    running.push(b!, c!);
    const three = [a, b!, c!];
    expect(b!.log()).toContain('"bootnodes from the genesis"');
    expect(b!.p2p).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//); // P2P on, from the genesis's bootnodes alone
    const genesisHashes = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_head').then((h) => h.genesis)));
    expect(new Set(genesisHashes).size).toBe(1);

    // a transfer sent to a non-mining node is mined, and every node has it in the same block
    const from = PrivateKey.fromBytes(fromHex(json.devKeys[3].privateKey));
    const to = fromHex('0x00000000000000000000000000000000000000aa');
    const tx = signTx({ type: TypeTag.Transfer, chainId: json.chainId, nonce: 0, fee: 1000n, to, amount: 12345n, sig: new Uint8Array(0) }, from);
    const sent = await rpc(c!.rpc, 'tx_send', [to0x(encodeTx(tx))]);
    const included = await until(
      'the tx included on every node',
      async () => {
        const r = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_getTx', [sent.hash])));
        return r.every((x) => x?.status === 'included' && x.blockHash === r[0].blockHash) ? r[0] : undefined;
      },
      120_000,
    );
    expect(included.tx.to).toBe('0x00000000000000000000000000000000000000aa');

    // training moved the checkpoint (a round closed with the miner's parts), and all three agree on it
    const genesisCheckpoint = (await rpc(b!.rpc, 'chain_getBlock', [genesisHashes[0]])).checkpointRoot;
    await until('a round closed with a new checkpoint', async () => ((await rpc(c!.rpc, 'training_status')).round >= 1 ? true : undefined), 120_000);
    const head = await converged(three, 4, 120_000);
    const blocks = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_getBlock', [head.hash])));
    expect(new Set(blocks.map((x) => x.checkpointRoot)).size).toBe(1);
    expect(new Set(blocks.map((x) => x.stateRoot)).size).toBe(1);
    const trained = await until(
      'the three nodes on a checkpoint other than W_0',
      async () => {
        const h = await converged(three, head.height, 60_000);
        const bs = await Promise.all(three.map((n) => rpc(n.rpc, 'chain_getBlock', [h.hash])));
        return bs.every((x) => x.checkpointRoot === bs[0].checkpointRoot) && bs[0].checkpointRoot !== genesisCheckpoint ? bs[0] : undefined;
      },
      120_000,
    );
    expect(trained.checkpointRoot).not.toBe(genesisCheckpoint);

    // a node started late syncs to the head, from the bootnode the genesis names
    const d = await startNode([...opts, '--genesis', booted, '--datadir', join(dir, 'd')]);
    running.push(d);
    const all = await converged([a, b!, c!, d], trained.height, 180_000);
    expect(all.height).toBeGreaterThanOrEqual(trained.height);
    expect(d.log()).toContain('"sync done"');
    expect((await rpc(d.rpc, 'net_status')).syncedBlocks).toBeGreaterThanOrEqual(trained.height);
    expect((await rpc(d.rpc, 'chain_getTx', [sent.hash]))?.blockHash).toBe(included.blockHash);

    // the miner's and the late node's stored chains replay from genesis (every seal re-verified) to their head states
    for (const n of running) await stopNode(n);
    for (const name of ['a', 'd']) {
      const replay = await replayDatadir(join(dir, name), file);
      expect(replay.stateMatches, `${name}: ${replay.why}`).toBe(true);
      expect(replay.height).toBeGreaterThanOrEqual(all.height);
    }
  }, 420_000);
});
