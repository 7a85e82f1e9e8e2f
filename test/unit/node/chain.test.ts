// The chain over a real LevelDB in a temp dir, real signatures, blocks sealed with the TEST seal.
import { testKey } from '../../fixtures/chain.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../../../node/db/db.ts';
import { Chain } from '../../../node/chain/chain.ts';
import { ChainErrorCode } from '../../../node/chain/errors.ts';
import { Mempool } from '../../../node/mempool/mempool.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { TEST_SEAL } from '../../../consensus/seal.ts';
import { BlockErrorCode, CodecErrorCode } from '../../../consensus/errors.ts';
import { encodeBlock, txHash } from '../../../consensus/encoding/index.ts';
import { toHex } from '../../../consensus/bytes.ts';
import { applyBlock, type State } from '../../../vm/index.ts';
import type { Block } from '../../../consensus/types.ts';
import { buildBlock, buildChain, testNet, testNow, transfer, type TestNet } from '../../integration/helpers/chain-builder.ts';

const net: TestNet = testNet();
let dir: string;
let db: ChainDb;

async function openChain(mempool?: Mempool): Promise<Chain> {
  db = new ChainDb({ path: dir });
  await db.open();
  return Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL, ...(mempool ? { mempool } : {}) });
}

function replay(blocks: readonly Block[]): State {
  let s = net.genesis.state;
  for (const b of blocks) s = applyBlock(s, b, net.params).state;
  return s;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-chain-'));
});
afterEach(async () => {
  await db.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const g = () => ({ header: net.genesis.block.header, state: net.genesis.state });

describe('chain import', () => {
  it('extends the head, indexes blocks and txs, and serves them back', async () => {
    const mempool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
    const chain = await openChain(mempool);
    expect(chain.head().hash).toEqual(net.genesis.hash);
    const blocks = buildChain(net, g(), 3, { txsPerBlock: 5 });
    // a pooled tx leaves the mempool once a block includes it
    mempool.add(blocks[0]!.block.txs[0]!, chain.state());
    expect(mempool.size).toBe(1);
    for (const b of blocks) expect(await chain.importBlock(encodeBlock(b.block))).toMatchObject({ status: 'head', height: b.block.header.height });
    expect(chain.head().hash).toEqual(blocks[2]!.hash);
    expect(chain.state().root()).toEqual(blocks[2]!.state.root());
    expect(mempool.size).toBe(0);
    expect((await chain.getBlockByHeight(2))!.hash).toEqual(blocks[1]!.hash);
    const tx = blocks[1]!.block.txs[3]!;
    expect(await chain.getTx(txHash(tx))).toMatchObject({ height: 2, index: 3, blockHash: blocks[1]!.hash });
    await expect(chain.importBlock(blocks[0]!.block)).rejects.toMatchObject({ code: ChainErrorCode.ALREADY_KNOWN });
  });

  it('imports concurrent calls one at a time, in arrival order', async () => {
    const chain = await openChain();
    const blocks = buildChain(net, g(), 6, { txsPerBlock: 2 });
    // fired without waiting: each block's parent is only stored once the previous import ends
    const results = await Promise.all(blocks.map((b) => chain.importBlock(encodeBlock(b.block))));
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('head'));
    expect(chain.head().hash).toEqual(blocks[5]!.hash);
    expect(chain.queuedImports).toBe(0);
  });

  it('refuses bad blocks with typed errors, cheapest layer first, and keeps the head', async () => {
    const chain = await openChain();
    const [b1] = buildChain(net, g(), 1, { txsPerBlock: 2 });
    await expect(chain.importBlock(new Uint8Array([0xc1, 2, 3]))).rejects.toMatchObject({ code: CodecErrorCode.MALFORMED });
    // a header whose fields were changed after signing: refused before the body is looked at
    const badRoot = { ...b1!.block, header: { ...b1!.block.header, txRoot: new Uint8Array(32) } };
    await expect(chain.importBlock(badRoot)).rejects.toMatchObject({ code: BlockErrorCode.BAD_HEADER_SIGNATURE });
    // body without context: a valid signed header with another body (not remembered: the real body still imports)
    const otherBody = { ...b1!.block, txs: b1!.block.txs.slice(1) };
    await expect(chain.importBlock(otherBody)).rejects.toMatchObject({ code: BlockErrorCode.BAD_TX_ROOT });
    // unknown parent
    const orphan = buildBlock(net, b1!.block, b1!.state, []);
    await expect(chain.importBlock(orphan.block)).rejects.toMatchObject({ code: ChainErrorCode.UNKNOWN_PARENT });
    // header vs parent: a broken seal
    const { signHeader } = await import('../../../consensus/crypto/header-signature.ts');
    const badSeal = { ...b1!.block, header: signHeader({ ...b1!.block.header, seal: new Uint8Array(8) }, testKey(77)) };
    await expect(chain.importBlock(badSeal)).rejects.toMatchObject({ code: BlockErrorCode.BAD_SEAL });
    // state transition: a state root that is not the result of the txs
    const wrongState = buildBlock(net, g(), g().state, [], { miner: testKey(12) });
    const lying = { ...wrongState.block, header: { ...wrongState.block.header, stateRoot: new Uint8Array(32).fill(9) } };
    // (re-seal so that the header is otherwise valid)
    const { testSealFor } = await import('../../../consensus/seal.ts');
    const sealed = { ...lying, header: signHeader({ ...lying.header, seal: testSealFor(lying.header) }, testKey(12)) };
    await expect(chain.importBlock(sealed)).rejects.toMatchObject({ code: BlockErrorCode.BAD_STATE_ROOT });
    expect(chain.head().hash).toEqual(net.genesis.hash);
    expect(chain.state().root()).toEqual(net.genesis.state.root());
    // resent invalid blocks cost a lookup: the remembered code comes back
    await expect(chain.importBlock(sealed)).rejects.toMatchObject({ code: ChainErrorCode.KNOWN_INVALID, context: { cause: BlockErrorCode.BAD_STATE_ROOT } });
    await expect(chain.importBlock(badSeal)).rejects.toMatchObject({ code: ChainErrorCode.KNOWN_INVALID, context: { cause: BlockErrorCode.BAD_SEAL } });
    // the body forged onto b1's header was not held against b1
    await expect(chain.importBlock(b1!.block)).resolves.toMatchObject({ status: 'head' });
  });

  it('resumes at the same head and state root after a restart', async () => {
    let chain = await openChain();
    const blocks = buildChain(net, g(), 4, { txsPerBlock: 3 });
    for (const b of blocks) await chain.importBlock(b.block);
    const head = chain.head();
    const root = chain.state().root();
    await chain.close();
    await db.close();
    chain = await openChain();
    expect(chain.head().hash).toEqual(head.hash);
    expect(chain.head().totalWork).toBe(head.totalWork);
    expect(chain.state().root()).toEqual(root);
    // and it goes on from there
    const next = buildChain(net, { header: blocks[3]!.block.header, state: blocks[3]!.state }, 1, { txsPerBlock: 1 });
    expect(await chain.importBlock(next[0]!.block)).toMatchObject({ status: 'head', height: 5 });
  });

  it('refuses a datadir of another genesis', async () => {
    const chain = await openChain();
    await chain.close();
    await db.close();
    db = new ChainDb({ path: dir });
    await db.open();
    const other = testNet(1);
    await expect(Chain.open({ params: other.params, genesis: other.genesis }, { db, logger: silentLogger, seal: TEST_SEAL })).rejects.toMatchObject({
      code: ChainErrorCode.WRONG_GENESIS,
    });
  });
});

describe('reorg', () => {
  it('moves to the heavier branch; state equals a replay; abandoned txs return to the mempool', async () => {
    const mempool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
    const chain = await openChain(mempool);
    const [k0, k1, k2] = net.keys;
    // branch A: two blocks with k0's txs (nonces 0, 1)
    const a1 = buildBlock(net, g(), g().state, [transfer(net, k0!, 0, k2!.address(), 500n)], { miner: testKey(10) });
    const a2 = buildBlock(net, a1.block, a1.state, [transfer(net, k0!, 1, k2!.address(), 600n)], { miner: testKey(10) });
    // branch B: three blocks with k1's txs
    const bMiner = testKey(11);
    const b1 = buildBlock(net, g(), g().state, [transfer(net, k1!, 0, k2!.address(), 7n)], { miner: bMiner });
    const b2 = buildBlock(net, b1.block, b1.state, [], { miner: bMiner });
    const b3 = buildBlock(net, b2.block, b2.state, [transfer(net, k1!, 1, k2!.address(), 8n)], { miner: bMiner });

    await chain.importBlock(a1.block);
    await chain.importBlock(a2.block);
    // a pending tx of k0 on top of branch A
    mempool.add(transfer(net, k0!, 2, k2!.address(), 1n), chain.state());
    expect(await chain.importBlock(b1.block)).toMatchObject({ status: 'side' });
    // equal work: the first seen (A) stays
    expect(await chain.importBlock(b2.block)).toMatchObject({ status: 'side' });
    expect(chain.head().hash).toEqual(a2.hash);
    expect(await chain.importBlock(b3.block)).toMatchObject({ status: 'reorg', undone: 2 });

    expect(chain.head().hash).toEqual(b3.hash);
    expect(chain.state().root()).toEqual(replay([b1.block, b2.block, b3.block]).root());
    expect((await chain.getBlockByHeight(1))!.hash).toEqual(b1.hash);
    expect(await chain.getTx(txHash(a1.block.txs[0]!))).toBeUndefined();
    expect(await chain.getTx(txHash(b3.block.txs[0]!))).toMatchObject({ height: 3 });
    // k0's abandoned txs (nonces 0 and 1) are pooled again, before its pending nonce 2
    const pooled = mempool.list().filter((e) => e.senderHex === toHex(k0!.address()));
    expect(pooled.map((e) => e.tx.nonce)).toEqual([0, 1, 2]);
    expect(mempool.has(txHash(a1.block.txs[0]!))).toBe(true);

    // the reorged chain survives a restart
    const root = chain.state().root();
    await chain.close();
    await db.close();
    const again = await openChain();
    expect(again.head().hash).toEqual(b3.hash);
    expect(again.state().root()).toEqual(root);
  });

  it('keeps the head when the heavier branch holds an invalid block, and rejects its descendants', async () => {
    const chain = await openChain();
    const a = buildChain(net, g(), 2, { txsPerBlock: 1, miner: testKey(10) });
    for (const x of a) await chain.importBlock(x.block);
    const miner = testKey(11);
    const b1 = buildBlock(net, g(), g().state, [], { miner });
    // b2 computed on the wrong pre-state: its header is valid, its state root is not
    const b2 = buildBlock(net, b1.block, g().state, [], { miner });
    const b3 = buildBlock(net, b2.block, b2.state, [], { miner });
    const b4 = buildBlock(net, b3.block, b3.state, [], { miner });
    await chain.importBlock(b1.block);
    await chain.importBlock(b2.block);
    await expect(chain.importBlock(b3.block)).rejects.toMatchObject({ code: BlockErrorCode.BAD_STATE_ROOT });
    expect(chain.head().hash).toEqual(a[1]!.hash);
    expect(chain.state().root()).toEqual(a[1]!.state.root());
    await expect(chain.importBlock(b4.block)).rejects.toMatchObject({ code: ChainErrorCode.INVALID_ANCESTOR });
  });
});
