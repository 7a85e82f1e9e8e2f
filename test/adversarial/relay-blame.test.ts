// Blocks are relayed on their prechecks (header against its parent, seal, signature, body roots) and
// imported after. A bonded miner that spends real tickets on blocks whose state transition fails has
// every honest node relay them. If a node charged
// the peer it got such a block from, an honest relayer would pay for the miner's blocks: 4 of them cut
// the link (the ban threshold). Here the miner signs headers with a state root the transition does not
// give (the seal does not cover it; the import's last check does). Two real Network instances over TCP on 127.0.0.1, each on its own
// Chain over LevelDB of the same genesis: the relayer R publishes what it relays, the node V prechecks,
// relays and fails the import; V keeps R connected and uncharged, counts the failures, keeps its head,
// and refuses each block again as known invalid; each ticket is spent (used on its parent).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { signHeader } from '../../consensus/crypto/header-signature.ts';
import { pouwSeal } from '../../consensus/seal-pouw.ts';
import { blockHash } from '../../consensus/encoding/header.ts';
import { encodeBlock } from '../../consensus/encoding/index.ts';
import { bytesEqual } from '../../consensus/bytes.ts';
import { ChainDb } from '../../node/db/db.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { ContributionPool } from '../../node/mempool/contributions.ts';
import { Mempool } from '../../node/mempool/mempool.ts';
import { Network } from '../../node/network/network.ts';
import { BAN_SCORE, PENALTY } from '../../node/network/peers.ts';
import { testKey } from '../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain } from '../fixtures/fraud.ts';
import { until } from '../integration/helpers/node-process.ts';

const kA = testKey(1);
let dir: string;
let r: { fc: FraudChain; net: Network };
let v: { fc: FraudChain; net: Network };
const dbs: ChainDb[] = [];

async function side(name: string, bootnodes: string[] = []): Promise<{ fc: FraudChain; net: Network }> {
  const fc = await FraudChain.open([kA.address()], [kA.address()]);
  const db = new ChainDb({ path: join(dir, name) }); // the network's own (peer key, bans)
  await db.open();
  dbs.push(db);
  const mempool = new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true }, { logger: silentLogger });
  const net = new Network({ datadir: join(dir, name), listen: { host: '127.0.0.1', port: 0 }, bootnodes }, { chain: fc.chain, mempool, contributions: new ContributionPool(), db, seal: pouwSeal(p), logger: silentLogger });
  await net.start();
  return { fc, net };
}

/** The project's poll (helpers/node-process.ts) over a synchronous condition, every 50 ms. */
const when = (what: string, f: () => boolean, ms = 30_000): Promise<true> => until(what, async () => (f() ? true : undefined), ms, 50);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-relay-blame-'));
  r = await side('r');
  v = await side('v', [r.net.addresses()[0]!]);
  await when('the link', () => v.net.peerList().some((x) => x.id === r.net.peerId));
  // the gossip mesh carries a valid block first (R mined it): V imports it
  const b = await r.fc.mine();
  await when('the first block on V', () => {
    if (!bytesEqual(v.fc.chain.head().hash, blockHash(b.header))) void r.net.publishBlock(b);
    return bytesEqual(v.fc.chain.head().hash, blockHash(b.header));
  }, 60_000);
}, 120_000);

afterAll(async () => {
  for (const x of [v, r]) {
    await x?.net.stop();
    await x?.fc.close();
  }
  await Promise.all(dbs.map((d) => d.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('a miner\'s state-invalid blocks relayed by an honest node', () => {
  it('cost the relayer nothing: V fails each import, counts it, keeps its head and R as a peer', async () => {
    const n = Math.ceil(-BAN_SCORE / PENALTY.rejectedGossip) + 1; // one more than a ban would take
    const head = v.fc.chain.head().hash;
    const failedBefore = Object.entries(v.net.verdicts()).filter(([k]) => k.startsWith('blocks reject:BLOCK_BAD_STATE_ROOT')).reduce((a, [, x]) => a + x, 0);
    const bad = [];
    for (let i = 0; i < n; i++) {
      // each with its own winning ticket on the head (real work) and its header signed by the miner, but a
      // state root the state transition does not give: a failure whose verdict is reject
      const b = await r.fc.build();
      bad.push({ ...b, header: signHeader({ ...b.header, stateRoot: new Uint8Array(32).fill(i + 1) }, r.fc.ticketer) });
    }
    for (const b of bad) await r.net.publishBlock(b);
    await when(`${n} failed imports on V`, () => Object.entries(v.net.verdicts()).filter(([k]) => k.startsWith('blocks reject:BLOCK_BAD_STATE_ROOT')).reduce((a, [, x]) => a + x, 0) >= failedBefore + n, 60_000).catch((e: Error) => {
      throw new Error(`${e.message}; V's verdicts ${JSON.stringify(v.net.verdicts())}, V's peers ${JSON.stringify(v.net.peerList())}`);
    });
    expect(bytesEqual(v.fc.chain.head().hash, head)).toBe(true);
    const seen = v.net.peerList().find((x) => x.id === r.net.peerId);
    expect(seen, 'R is still V\'s peer').toBeDefined();
    expect(seen!.score).toBe(0);
    expect(seen!.offences).toEqual({});
    // each block is remembered invalid and its ticket spent: a second copy is refused before any import
    for (const b of bad) {
      const again = await v.fc.chain.importBlock(encodeBlock(b)).then(() => undefined, (e: { code?: string }) => e.code);
      expect(again).toBe('CHAIN_KNOWN_INVALID');
    }
  }, 180_000);
});
