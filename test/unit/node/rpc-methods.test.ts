// Every RPC method over real HTTP on 127.0.0.1, against a real chain (LevelDB in a temp dir,
// TEST-sealed blocks) and mempool; typed application errors for bad transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../../../node/db/db.ts';
import { Chain } from '../../../node/chain/chain.ts';
import { ChainErrorCode } from '../../../node/chain/errors.ts';
import { Mempool } from '../../../node/mempool/mempool.ts';
import { MempoolErrorCode } from '../../../node/mempool/errors.ts';
import { RpcServer } from '../../../node/rpc/server.ts';
import { RpcClient } from '../../../node/rpc/client.ts';
import { rpcMethods } from '../../../node/rpc/methods.ts';
import { APP_ERROR_CODES } from '../../../node/rpc/errors.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { TEST_SEAL } from '../../../consensus/seal.ts';
import { BlockErrorCode, CodecErrorCode, TxErrorCode } from '../../../consensus/errors.ts';
import { encodeTx, txHash } from '../../../consensus/encoding/index.ts';
import { CURVE_N, signTx } from '../../../consensus/crypto/index.ts';
import { bigIntToBytes, bytesToBigInt, to0x } from '../../../consensus/bytes.ts';
import type { TransferTx } from '../../../consensus/types.ts';
import { buildChain, testNet, testNow, transfer } from '../../integration/helpers/chain-builder.ts';

const net = testNet();
const [k0, k1, k2] = net.keys as [typeof net.keys[0], typeof net.keys[0], typeof net.keys[0]];
let dir: string;
let db: ChainDb;
let server: RpcServer;
let rpc: RpcClient;
let blocks: ReturnType<typeof buildChain>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-rpc-'));
  db = new ChainDb({ path: dir });
  await db.open();
  const mempool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
  const chain = await Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL, mempool });
  blocks = buildChain(net, { header: net.genesis.block.header, state: net.genesis.state }, 2, { txsPerBlock: 3 });
  for (const b of blocks) await chain.importBlock(b.block);
  server = new RpcServer({ host: '127.0.0.1', port: 0 }, { logger: silentLogger, methods: rpcMethods({ chain, mempool }) });
  rpc = new RpcClient(await server.start());
});
afterAll(async () => {
  await server.stop();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const hex = (tx: TransferTx) => to0x(encodeTx(tx));
async function rpcError(method: string, params: unknown[]): Promise<{ rpcCode: number; data: { code: string } }> {
  try {
    await rpc.call(method, params);
  } catch (e) {
    return (e as { context: { rpcCode: number; data: { code: string } } }).context;
  }
  throw new Error(`${method} did not fail`);
}

describe('RPC methods', () => {
  it('chain_head', async () => {
    expect(await rpc.call('chain_head')).toMatchObject({ hash: to0x(blocks[1]!.hash), height: 2, genesis: to0x(net.genesis.hash), chainId: net.params.chainId });
    expect((await rpcError('chain_head', [1])).rpcCode).toBe(-32602);
  });

  it('chain_getBlock by height and by hash, with or without txs', async () => {
    const byHeight = (await rpc.call('chain_getBlock', [1])) as { hash: string; txs: string[]; canonical: boolean; totalWork: string };
    expect(byHeight.hash).toBe(to0x(blocks[0]!.hash));
    expect(byHeight.canonical).toBe(true);
    expect(byHeight.txs).toEqual(blocks[0]!.block.txs.map((t) => to0x(txHash(t))));
    expect(BigInt(byHeight.totalWork) > 0n).toBe(true);
    const full = (await rpc.call('chain_getBlock', [to0x(blocks[1]!.hash), true])) as { height: number; txs: { amount: string; from: string }[] };
    expect(full.height).toBe(2);
    expect(full.txs[0]!.amount).toBe((blocks[1]!.block.txs[0] as { amount: bigint }).amount.toString());
    // the builder cycles senders over the keys: block 2's first tx (the 4th overall) is key 3's
    expect(full.txs[0]!.from).toBe(to0x(net.keys[3]!.address()));
    expect(await rpc.call('chain_getBlock', [99])).toBeNull();
    expect(await rpc.call('chain_getBlock', ['0x' + '00'.repeat(32)])).toBeNull();
    expect((await rpcError('chain_getBlock', ['latest'])).rpcCode).toBe(-32602);
    expect((await rpcError('chain_getBlock', [-1])).rpcCode).toBe(-32602);
  });

  it('state_getAccount with amounts as decimal strings', async () => {
    const expected = blocks[1]!.state.getAccount(k1.address());
    expect(await rpc.call('state_getAccount', [to0x(k1.address())])).toMatchObject({
      balance: expected.balance.toString(),
      nonce: expected.nonce,
      pendingNonce: expected.nonce,
    });
    expect(await rpc.call('state_getAccount', ['0x' + '12'.repeat(20)])).toMatchObject({ balance: '0', nonce: 0 });
    expect((await rpcError('state_getAccount', ['0x12'])).rpcCode).toBe(-32602);
  });

  it('tx_send, then chain_getTx and mempool_list show it pending; included txs show their block', async () => {
    const nonce = blocks[1]!.state.getAccount(k2.address()).nonce;
    const tx = transfer(net, k2, nonce, k0.address(), 12_345n);
    expect(await rpc.call('tx_send', [hex(tx)])).toEqual({ hash: to0x(txHash(tx)) });
    expect(await rpc.call('chain_getTx', [to0x(txHash(tx))])).toMatchObject({ status: 'pending', tx: { amount: '12345', nonce, from: to0x(k2.address()) } });
    const list = (await rpc.call('mempool_list')) as { size: number; txs: { hash: string }[] };
    expect(list.size).toBe(1);
    expect(list.txs[0]!.hash).toBe(to0x(txHash(tx)));
    expect(await rpc.call('state_getAccount', [to0x(k2.address())])).toMatchObject({ nonce, pendingNonce: nonce + 1 });
    const included = blocks[0]!.block.txs[2]!;
    expect(await rpc.call('chain_getTx', [to0x(txHash(included))])).toMatchObject({ status: 'included', height: 1, index: 2, blockHash: to0x(blocks[0]!.hash) });
    expect(await rpc.call('chain_getTx', ['0x' + 'ab'.repeat(32)])).toBeNull();
  });

  it('typed application errors for bad transactions', async () => {
    const nonce = blocks[1]!.state.getAccount(k1.address()).nonce;
    const good = transfer(net, k1, nonce, k0.address(), 1n);
    // high-S: the malleable twin of a valid signature
    const s = bytesToBigInt(good.sig.subarray(32, 64));
    const sig = new Uint8Array(good.sig);
    sig.set(bigIntToBytes(CURVE_N - s, 32), 32);
    sig[64] = sig[64]! ^ 1;
    const highS = await rpcError('tx_send', [hex({ ...good, sig })]);
    expect(highS).toMatchObject({ rpcCode: APP_ERROR_CODES[TxErrorCode.HIGH_S], data: { code: TxErrorCode.HIGH_S } });
    // signed for chain 1, so that only the chain id is wrong
    const chain1 = signTx({ ...good, chainId: 1 }, k1);
    expect(await rpcError('tx_send', [hex(chain1)])).toMatchObject({ rpcCode: APP_ERROR_CODES[TxErrorCode.WRONG_CHAIN], data: { code: TxErrorCode.WRONG_CHAIN } });
    const badNonce = await rpcError('tx_send', [hex(transfer(net, k1, nonce - 1, k0.address(), 1n))]);
    expect(badNonce).toMatchObject({ rpcCode: APP_ERROR_CODES[TxErrorCode.BAD_NONCE], data: { code: TxErrorCode.BAD_NONCE } });
    const gap = await rpcError('tx_send', [hex(transfer(net, k1, nonce + 5, k0.address(), 1n))]);
    expect(gap.data.code).toBe(MempoolErrorCode.NONCE_GAP);
    const balance = blocks[1]!.state.getAccount(k1.address()).balance;
    const broke = await rpcError('tx_send', [hex(transfer(net, k1, nonce, k0.address(), balance))]);
    expect(broke).toMatchObject({ rpcCode: APP_ERROR_CODES[TxErrorCode.INSUFFICIENT_BALANCE], data: { code: TxErrorCode.INSUFFICIENT_BALANCE } });
    const garbage = await rpcError('tx_send', ['0xc0ffee']);
    expect(garbage.data.code).toMatch(/^CODEC_/);
    expect((await rpcError('tx_send', ['nothex'])).rpcCode).toBe(-32602);
  });

  it('batches of chain methods', async () => {
    const out = (await rpc.post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'chain_head' },
        { jsonrpc: '2.0', id: 2, method: 'chain_getBlock', params: [0] },
        { jsonrpc: '2.0', id: 3, method: 'state_getAccount', params: ['bad'] },
      ]),
    )) as { id: number; result?: { height: number }; error?: { code: number } }[];
    expect(out.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(out[0]!.result!.height).toBe(2);
    expect(out[1]!.result!.height).toBe(0);
    expect(out[2]!.error!.code).toBe(-32602);
  });

  it('has one distinct application code for every typed error code', () => {
    const all = [CodecErrorCode, TxErrorCode, BlockErrorCode, MempoolErrorCode, ChainErrorCode].flatMap((e) => Object.values(e));
    for (const c of all) expect(APP_ERROR_CODES[c], c).toBeGreaterThan(0);
    const codes = Object.values(APP_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
