// A node's own requests keep under the rate every node serves (REQUEST_RATE): two libp2p nodes over
// TCP on 127.0.0.1, each with the real ReqResp and PeerManager. Many callers at once (an ancestor
// walk per orphan after a partition heals) queue behind the pace instead of meeting RATE_LIMITED,
// so the serving peer charges nothing and bans nobody. Before, 8 walks of up to 16 requests each
// flooded the peer they healed to: it banned them (NET_RATE_LIMITED) and the partition never healed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLibp2p, type Libp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { ChainDb } from '../../../../node/db/db.ts';
import { silentLogger } from '../../../../node/log/logger.ts';
import { PeerManager, REQUEST_RATE } from '../../../../node/network/peers.ts';
import { ReqResp } from '../../../../node/network/reqresp.ts';
import type { Chain } from '../../../../node/chain/chain.ts';
import type { StatusMsg } from '../../../../node/network/messages.ts';

const genesis = new Uint8Array(32).fill(4);
const status: StatusMsg = { chainId: 1, genesis, head: genesis, height: 0, totalWork: 1n };
let dir: string;
const dbs: ChainDb[] = [];
const nodes: Libp2p[] = [];

async function side(name: string): Promise<{ node: Libp2p; rr: ReqResp; peers: PeerManager }> {
  const db = new ChainDb({ path: join(dir, name) });
  await db.open();
  dbs.push(db);
  const peers = new PeerManager({}, { db, logger: silentLogger });
  const node = await createLibp2p({ addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] }, transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()] });
  nodes.push(node as unknown as Libp2p);
  // the status protocol needs no chain
  const rr = new ReqResp({ genesis, maxFrameBytes: 1 << 20 }, { chain: undefined as unknown as Chain, peers, logger: silentLogger, status: () => status, onStatus: () => {} });
  await rr.register(node as unknown as Libp2p);
  return { node: node as unknown as Libp2p, rr, peers };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-pace-'));
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all(dbs.map((d) => d.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('request pacing', () => {
  it('40 requests at once to one peer all get answers, none RATE_LIMITED, and the peer charges nothing', async () => {
    const server = await side('s');
    const client = await side('c');
    await client.node.dial(server.node.getMultiaddrs()[0]!);
    const n = 2 * REQUEST_RATE.burst; // twice what the server lets through at once
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: n }, () => client.rr.request(client.node, server.node.peerId, 'status', status, 1).then((f) => f.length, (e: Error) => e.message)));
    const secs = (performance.now() - t0) / 1000;
    expect(results).toEqual(Array.from({ length: n }, () => 1));
    const clientId = client.node.peerId.toString();
    expect(server.peers.score(clientId)).toBe(0);
    expect(server.peers.offences(clientId)).toEqual({});
    expect(server.peers.isBanned(clientId)).toBe(false);
    // the pace itself: after its burst the client sent at most 0.8 of the served rate
    expect(secs).toBeGreaterThanOrEqual((n - REQUEST_RATE.burst / 2) / (0.8 * REQUEST_RATE.perSecond) - 0.2);
  }, 30_000);
});
