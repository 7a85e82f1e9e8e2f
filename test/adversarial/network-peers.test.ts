// Hostile peers against a real node process on 127.0.0.1. A test-only libp2p peer
// (helpers/hostile-peer.ts) joins the node's topics and sends: an already-known (stale) block,
// garbage bytes, an oversize tx, a RegisterData past its size cap, a block with a broken seal, a copy of a block with its ticket
// reused (one ticket seals one block), a malformed contribution, an
// unsigned one and one signed by the wrong key, a stream of garbage, and a request flood. Each
// shows the verdict verdict.ts gives its typed code (counted in net_status), the sender's score
// falls (net_peers) for rejects and not for ignores, a persistent sender is banned and
// disconnected and cannot reconnect, and the honest nodes keep converging. A RegisterData of the
// largest valid size passes the RPC body limit and the txs topic's cap and is mined by the other node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { PrivateKey, signHeader } from '../../consensus/crypto/index.ts';
import { blockHash, decodeBlock, encodeBlock } from '../../consensus/encoding/index.ts';
import { decodeSignedPart, encodeSignedPart, signPart } from '../../consensus/training/part.ts';
import { encodeRequest, encodeStatus, NetTag, ResponseCode } from '../../node/network/messages.ts';
import { TypeTag, type Block, type RegisterDataTx } from '../../consensus/types.ts';
import { encodeTx, MAX_ANY_TX_BYTES, MAX_DATA_TX_BYTES } from '../../consensus/encoding/index.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import { loadMnist } from '../../genesis/datasets/mnist.ts';
import { MAX_SAMPLES_PER_TX } from '../../vm/data/registry.ts';
import { rpc, startNode, stopNode, until, writeKey, writeTestGenesis, type RunningNode } from '../integration/helpers/nodes.ts';
import { HostilePeer } from './helpers/hostile-peer.ts';
import { mulberry32 } from '../helpers/prng.ts';

const running: RunningNode[] = [];
const peers: HostilePeer[] = [];
let dir: string;
let miner: RunningNode;
let target: RunningNode;
let targetId: string;
let genesisHex: string;
let json: any;
let blocks: Block[] = [];

afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop().catch(() => {})));
  await Promise.all(running.map(stopNode));
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function gossip(): Promise<Record<string, number>> {
  return (await rpc(target.rpc, 'net_status')).gossip;
}

async function peerEntry(id: string): Promise<{ score: number; gossipScore: number } | undefined> {
  return (await rpc(target.rpc, 'net_peers')).find((p: { id: string }) => p.id === id);
}

async function hostile(): Promise<HostilePeer> {
  const p = await HostilePeer.create(genesisHex);
  peers.push(p);
  await p.connect(target.p2p);
  return p;
}

/**
 * Publishes `data` from a fresh peer and waits until `key` ("topic verdict:CODE") counts one more;
 * undefined when `retry` counted one more instead.
 */
async function sendAndSee(kind: 'blocks' | 'txs' | 'contributions', data: Uint8Array, key: RegExp, retry?: RegExp): Promise<HostilePeer | undefined> {
  const before = await gossip();
  const count = (g: Record<string, number>, re: RegExp): number => Object.entries(g).filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
  const p = await hostile();
  await p.publish(kind, data);
  try {
    return await until(
      `verdict ${key}`,
      async () => {
        const g = await gossip();
        if (count(g, key) > count(before, key)) return p;
        if (retry && count(g, retry) > count(before, retry)) return null;
        return undefined;
      },
      30_000,
    ) ?? undefined;
  } catch (e) {
    throw new Error(`${(e as Error).message}; verdicts before ${JSON.stringify(before)}, after ${JSON.stringify(await gossip())}`);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-hostile-'));
  loadMnist(); // the digits of the RegisterData case, read once before the nodes run
  const g = await writeTestGenesis(dir);
  json = g.json;
  const common = ['--genesis', g.file, '--rpc', '127.0.0.1:0', '--p2p', '127.0.0.1:0', '--log-format', 'json'];
  const k0 = await writeKey(dir, 'k0', json.devKeys[0].privateKey);
  miner = await startNode([...common, '--datadir', join(dir, 'm'), '--mine', '--miner-key-file', k0, '--threads', '1']);
  running.push(miner);
  target = await startNode([...common, '--datadir', join(dir, 't'), '--bootnodes', miner.p2p]);
  running.push(target);
  targetId = target.p2p.split('/p2p/')[1]!;
  genesisHex = (await rpc(target.rpc, 'chain_head')).genesis;
  // blocks with contributions to forge from, fetched over the node's own block protocol
  await until(
    'a block with contributions on the target',
    async () => {
      const p = peers[0] ?? (await hostile());
      const head = (await rpc(target.rpc, 'chain_head')).height;
      if (head < 2) return undefined;
      const r = await p.request(targetId, 'blocks-range', encodeRequest({ type: NetTag.BlocksByRange, start: 1, count: Math.min(head, 32) }));
      blocks = r.frames.map((f) => decodeBlock(f));
      return blocks.some((b) => b.contributions.length > 0) ? true : undefined;
    },
    240_000,
  );
}, 300_000);

describe('hostile peers against a node', () => {
  it('ignores a stale (already known) block without charging the sender', async () => {
    const p = await sendAndSee('blocks', encodeBlock(blocks[0]!), /^blocks ignore:CHAIN_ALREADY_KNOWN$/);
    expect((await peerEntry(p!.id))?.score).toBe(0);
  }, 60_000);

  it('carries a RegisterData of the largest valid size: through the RPC body limit, over gossip, into a block; one over its cap is refused typed', async () => {
    // built before the first call: an idle keep-alive socket of the RPC client may be closed meanwhile
    const bytes = encodeTx(registerData(MAX_SAMPLES_PER_TX));
    const over = encodeTx(registerData(TOO_MANY));
    expect(bytes.length).toBeGreaterThan(120_000);
    expect(bytes.length).toBeLessThanOrEqual(MAX_DATA_TX_BYTES);
    const { hash } = await rpc(target.rpc, 'tx_send', [to0x(bytes)]);
    // sent to the non-mining node: the miner has it only by gossip, and mines it
    const got = await until('the RegisterData included by the miner', async () => {
      const t = await rpc(miner.rpc, 'chain_getTx', [hash]);
      return t?.status === 'included' ? t : undefined;
    }, 90_000);
    expect(got.tx.type).toBeDefined();
    expect(over.length).toBeGreaterThan(MAX_DATA_TX_BYTES);
    const res = await fetch(target.rpc, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tx_send', params: [to0x(over)] }) });
    expect(((await res.json()) as { error: { data: { code: string } } }).error.data.code).toBe('CODEC_TOO_LARGE');
  }, 120_000);

  it('refuses a reused ticket (a re-timed copy of a stored block, signed again by its miner) before its body, and stores nothing', async () => {
    const b = blocks[blocks.length - 1]!;
    const copy = { ...b, header: signHeader({ ...b.header, time: b.header.time + 1 }, minerKey()) };
    // ignored, not rejected: an honest relayer may have seen this sibling first (verdict.ts)
    await sendAndSee('blocks', encodeBlock(copy), /^blocks ignore:CHAIN_DUPLICATE_TICKET$/);
    expect(await rpc(target.rpc, 'chain_getBlock', [to0x(blockHash(copy.header))])).toBeNull();
  }, 60_000);

  it('rejects garbage, oversize, broken seals, malformed, unsigned and wrongly signed contributions; each sender loses score', async () => {
    const rnd = mulberry32(7);
    const garbage = new Uint8Array(300).map(() => Math.floor(rnd() * 256));
    const bad: [string, 'blocks' | 'txs' | 'contributions', () => Promise<Uint8Array> | Uint8Array, RegExp][] = [
      ['garbage block', 'blocks', () => garbage, /^blocks reject:CODEC_/],
      ['oversize tx', 'txs', () => new Uint8Array(MAX_ANY_TX_BYTES + 1).fill(0x91), /^txs reject:NET_TOO_LARGE$/],
      ['RegisterData over its cap (under the topic\'s)', 'txs', () => encodeTx(registerData(TOO_MANY)), /^txs reject:CODEC_TOO_LARGE$/],
      [
        'broken seal',
        'blocks',
        () => {
          // re-signed by the miner's own key, so that the seal is what fails
          const b = blocks[blocks.length - 1]!;
          const seal = new Uint8Array(b.header.seal);
          seal[seal.length - 2] ^= 0x5a;
          // signed by the miner's own key, so that the seal (not the header signature) is what fails
          return encodeBlock({ ...b, header: signHeader({ ...b.header, seal }, minerKey()) });
        },
        /^blocks reject:BLOCK_BAD_(SEAL|TICKET)$/,
      ],
      [
        'a mined header altered without the miner\'s key',
        'blocks',
        () => {
          const b = blocks[blocks.length - 1]!;
          return encodeBlock({ ...b, header: { ...b.header, time: b.header.time + 1 } });
        },
        /^blocks reject:BLOCK_BAD_HEADER_SIGNATURE$/,
      ],
      ['malformed contribution', 'contributions', () => garbage.subarray(0, 200), /^contributions reject:BLOCK_BAD_CONTRIBUTION$/],
      ['unsigned contribution', 'contributions', () => forged('zero'), /^contributions reject:BLOCK_CONTRIBUTION_BAD_SIGNATURE$/],
      ['contribution signed by another key', 'contributions', () => forged('other'), /^contributions reject:BLOCK_CONTRIBUTION_BAD_SIGNATURE$/],
    ];
    for (const [what, kind, make, key] of bad) {
      // a forged contribution names the open round: if a block closes the round before it arrives,
      // it is ignored (WRONG_ROUND / WRONG_BASE); forge it again
      let p: HostilePeer | undefined;
      for (let attempt = 0; !p && attempt < 4; attempt++) p = await sendAndSee(kind, await make(), key, kind === 'contributions' ? /^contributions ignore:BLOCK_CONTRIBUTION_WRONG_(ROUND|BASE)$/ : undefined);
      expect(p, what).toBeDefined();
      if (!p) continue;
      const e = await peerEntry(p.id);
      expect(e, what).toBeDefined();
      expect(e!.score, what).toBeLessThan(0);
    }
  }, 240_000);

  it('bans a peer that keeps sending garbage: disconnected, and refused when it reconnects', async () => {
    const p = await hostile();
    for (let i = 0; i < 8; i++) await p.publish('blocks', new Uint8Array([0xc1, i, 0xff, 0x00, i]));
    await until('the sender banned', async () => ((await rpc(target.rpc, 'net_status')).banned.some((b: { id: string }) => b.id === p.id) ? true : undefined), 30_000);
    await until('the sender disconnected', async () => ((await peerEntry(p.id)) === undefined && !p.connectedTo(targetId) ? true : undefined), 30_000);
    await p.node.dial((await import('@multiformats/multiaddr')).multiaddr(target.p2p), { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await peerEntry(p.id)).toBeUndefined();
    expect(p.connectedTo(targetId)).toBe(false);
  }, 90_000);

  it('answers a request flood with RATE_LIMITED, then bans the flooder', async () => {
    const p = await hostile();
    const st = encodeStatus({ chainId: json.chainId, genesis: fromHex(genesisHex), head: fromHex(genesisHex), height: 0, totalWork: 1n });
    const codes: (ResponseCode | undefined)[] = [];
    // waves of 12 concurrent requests (under the 16 streams a protocol allows per connection),
    // until the node hangs up (a flooder keeps going), for at most 60 s
    const end = Date.now() + 60_000;
    while (Date.now() < end && !(await rpc(target.rpc, 'net_status')).banned.some((b: { id: string }) => b.id === p.id))
      codes.push(
        ...(await Promise.all(
          Array.from({ length: 12 }, () =>
            p.request(targetId, 'status', st).then(
              (r) => r.code,
              () => undefined, // refused: banned and hung up
            ),
          ),
        )),
      );
    expect(codes.filter((c) => c === ResponseCode.OK).length).toBeGreaterThan(0);
    expect(codes).toContain(ResponseCode.RATE_LIMITED);
    await until('the flooder banned', async () => ((await rpc(target.rpc, 'net_status')).banned.some((b: { id: string }) => b.id === p.id) ? true : undefined), 30_000);
  }, 120_000);

  it('keeps the honest nodes converging', async () => {
    const start = (await rpc(miner.rpc, 'chain_head')).height;
    await until(
      'miner and target on one head above the start',
      async () => {
        const [a, b] = await Promise.all([rpc(miner.rpc, 'chain_head'), rpc(target.rpc, 'chain_head')]);
        return a.hash === b.hash && a.height > start ? true : undefined;
      },
      120_000,
    );
  }, 150_000);
});

/** The key of the mining node (dev key 0), which signed every block in `blocks`. */
function minerKey(): PrivateKey {
  return PrivateKey.fromBytes(fromHex(json.devKeys[0].privateKey));
}

/** A contribution of the open round for bonded dev key 2 (not mining), with a zero or a foreign signature. */
async function forged(sig: 'zero' | 'other'): Promise<Uint8Array> {
  const st = await rpc(target.rpc, 'training_status');
  const task = (await import('../../genesis/index.ts')).loadGenesisFile(join(dir, 'genesis-test.json')).params.training!.task;
  const src = blocks.find((b) => b.contributions.length > 0)!.contributions[0]!;
  const c = decodeSignedPart(task, src);
  const base = { ...c, round: st.round, baseRoot: fromHex(st.checkpointRoot), miner: fromHex(json.devKeys[2].address), laneStart: 0, openings: [] };
  if (sig === 'zero') return encodeSignedPart({ ...base, sig: new Uint8Array(65) });
  return encodeSignedPart(signPart(base, PrivateKey.fromBytes(fromHex(json.devKeys[3].privateKey)), json.chainId));
}

/** Samples past MAX_DATA_TX_BYTES (168 digits of 784 bytes > 128 KiB). */
const TOO_MANY = 168;

/** A RegisterData of `n` held-out digits nobody registered, signed by dev key 3 (its first tx). */
function registerData(n: number): RegisterDataTx {
  const { heldOut } = loadMnist();
  const k = PrivateKey.fromBytes(fromHex(json.devKeys[3].privateKey));
  const samples = new Uint8Array(heldOut.x.buffer, heldOut.x.byteOffset, n * heldOut.dim).slice();
  return signTx({ type: TypeTag.RegisterData, chainId: json.chainId, nonce: 0, fee: 1_000n * BigInt(n), sig: new Uint8Array(65), contributor: k.address(), royaltyBps: 10_000, dim: heldOut.dim, samples, labels: heldOut.y.slice(0, n) }, k);
}
