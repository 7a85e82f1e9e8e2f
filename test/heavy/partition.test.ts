// A 2+2 partition heals to the heaviest chain. Four node processes on 127.0.0.1: A (miner) and B
// know only each other, C (miner) and D only each other, so both sides mine their own branch of
// the same genesis. Then B is told of C (net_addPeer): status exchange shows each side the other's
// work, the lighter side syncs the heavier branch headers-first and reorganises, and every node
// settles on one head whose work is at least that of every branch before the heal; the stored
// chain of every node (those that reorganised among them) replays from genesis to its head state. Heavy (four nodes,
// two miners): `npm run test:heavy`, not part of `npm test`.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayDatadir, rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../integration/helpers/nodes.ts';

const running: RunningNode[] = [];
let dir: string;
afterAll(async () => {
  await Promise.all(running.map(stopNode));
  // every node's log, for a failure to be read after the run (test-output/ is not committed)
  const out = join(import.meta.dirname, '..', '..', 'test-output', 'partition-heavy');
  await mkdir(out, { recursive: true });
  await Promise.all(running.map((n, i) => writeFile(join(out, `${'acbd'[i]}.log`), n.log())));
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a partitioned devnet', () => {
  it('mines on both sides, then heals to the heaviest chain with state equal to a replay', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-partition-'));
    const { file, json } = await writeTestGenesis(dir);
    const common = ['--genesis', file, '--rpc', '127.0.0.1:0', '--p2p', '127.0.0.1:0', '--log-format', 'json'];
    const k0 = await writeKey(dir, 'k0', json.devKeys[0].privateKey);
    const k1 = await writeKey(dir, 'k1', json.devKeys[1].privateKey);
    const a = await startNode([...common, '--datadir', join(dir, 'a'), '--mine', '--miner-key-file', k0, '--threads', '1']);
    running.push(a);
    const c = await startNode([...common, '--datadir', join(dir, 'c'), '--mine', '--miner-key-file', k1, '--threads', '1']);
    running.push(c);
    const b = await startNode([...common, '--datadir', join(dir, 'b'), '--bootnodes', a.p2p]);
    running.push(b);
    const d = await startNode([...common, '--datadir', join(dir, 'd'), '--bootnodes', c.p2p]);
    running.push(d);
    const names = new Map([[a, 'a'], [b, 'b'], [c, 'c'], [d, 'd']]);

    // both sides mine their own branch
    const split = await until(
      'two branches of height >= 4',
      async () => {
        const [ha, hb, hc, hd] = await Promise.all([a, b, c, d].map((n) => rpc(n.rpc, 'chain_head')));
        return ha.hash === hb.hash && hc.hash === hd.hash && ha.hash !== hc.hash && ha.height >= 4 && hc.height >= 4 ? { left: ha, right: hc } : undefined;
      },
      300_000,
    );
    const peersB = await rpc(b.rpc, 'net_peers');
    expect(peersB.map((p: { id: string }) => p.id)).toEqual([a.p2p.split('/p2p/')[1]]);

    // heal
    await rpc(b.rpc, 'net_addPeer', [c.p2p]);
    const final = await until(
      'one head on all four nodes',
      async () => {
        const hs = await Promise.all([a, b, c, d].map((n) => rpc(n.rpc, 'chain_head')));
        return hs.every((h) => h.hash === hs[0].hash) ? hs[0] : undefined;
      },
      480_000,
    );
    expect(BigInt(final.totalWork)).toBeGreaterThanOrEqual(BigInt(split.left.totalWork));
    expect(BigInt(final.totalWork)).toBeGreaterThanOrEqual(BigInt(split.right.totalWork));
    const reorged = [a, b, c, d].filter((n) => n.log().includes('"msg":"reorg"'));
    expect(reorged.length).toBeGreaterThan(0);

    for (const n of running) await stopNode(n);
    // every node's stored chain replays from genesis to its head state (the reorganised ones included)
    for (const n of [a, b, c, d]) {
      const r = await replayDatadir(join(dir, names.get(n)!), file);
      expect(r.stateMatches, `${names.get(n)}: ${r.why}`).toBe(true);
      expect(r.height).toBeGreaterThanOrEqual(final.height);
    }
  }, 1_200_000);
});
