// Issue 13 item 7: RPC methods that can take seconds or answer megabytes are bounded. A full block
// costs one sender recovery per tx: a call returns at most MAX_FULL_TXS of them (page with
// txOffset); a batch holds at most MAX_HEAVY_PER_BATCH such calls (refused whole, before any runs);
// every response is capped in bytes; list ranges are capped. Each bound answers a typed
// LIMIT_EXCEEDED (-32005, data.code RPC_LIMIT_EXCEEDED). Real chain on LevelDB, real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainDb } from '../../node/db/db.ts';
import { Chain } from '../../node/chain/chain.ts';
import { Mempool } from '../../node/mempool/mempool.ts';
import { RpcServer } from '../../node/rpc/server.ts';
import { handleBody, MAX_HEAVY_PER_BATCH } from '../../node/rpc/jsonrpc.ts';
import { isHeavyCall, MAX_FULL_TXS, MAX_LIST_TXS, rpcMethods } from '../../node/rpc/methods.ts';
import { RpcErrorCode } from '../../node/rpc/errors.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { TEST_SEAL } from '../../consensus/seal.ts';
import { to0x } from '../../consensus/bytes.ts';
import { blockHash } from '../../consensus/encoding/index.ts';
import { buildChain, testNet, testNow } from '../integration/helpers/chain-builder.ts';

const net = testNet();
const TXS = MAX_FULL_TXS + 50;
let dir: string;
let db: ChainDb;
let server: RpcServer;
let url: string;
let methods: ReturnType<typeof rpcMethods>;
let hash: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-rpc-bounds-'));
  db = new ChainDb({ path: dir });
  await db.open();
  const mempool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
  const chain = await Chain.open({ params: net.params, genesis: net.genesis, now: testNow(net) }, { db, logger: silentLogger, seal: TEST_SEAL, mempool });
  const [b] = buildChain(net, { header: net.genesis.block.header, state: net.genesis.state }, 1, { txsPerBlock: TXS });
  await chain.importBlock(b!.block);
  hash = to0x(blockHash(b!.block.header));
  methods = rpcMethods({ chain, mempool });
  server = new RpcServer({ host: '127.0.0.1', port: 0 }, { logger: silentLogger, methods });
  url = `http://${await server.start()}/`;
}, 60_000);
afterAll(async () => {
  await server.stop();
  await db.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (method: string, params: unknown[], id = 1) => ({ jsonrpc: '2.0', id, method, params });
async function post(body: unknown): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

describe('adversarial: bounded RPC', () => {
  it('a full block returns at most MAX_FULL_TXS txs per call; the rest by txOffset', async () => {
    const first = (await post(call('chain_getBlock', [hash, true]))).result;
    expect([first.txCount, first.txs.length, first.nextTxOffset]).toEqual([TXS, MAX_FULL_TXS, MAX_FULL_TXS]);
    const rest = (await post(call('chain_getBlock', [hash, true, first.nextTxOffset]))).result;
    expect([rest.txs.length, rest.nextTxOffset]).toEqual([TXS - MAX_FULL_TXS, null]);
    expect(rest.txs[0].hash).not.toBe(first.txs[0].hash);
    const hashesOnly = (await post(call('chain_getBlock', [hash]))).result;
    expect(hashesOnly.txs.length).toBe(TXS); // hashes only: no recovery, no cap needed
  });

  it('a batch with more than MAX_HEAVY_PER_BATCH expensive calls is refused whole, before any runs', async () => {
    const heavy = Array.from({ length: MAX_HEAVY_PER_BATCH + 1 }, (_, i) => call('chain_getBlock', [hash, true], i));
    const refused = await post([...heavy, call('chain_head', [], 99)]);
    expect(Array.isArray(refused)).toBe(false);
    expect(refused.error.code).toBe(RpcErrorCode.LIMIT_EXCEEDED);
    expect(refused.error.data).toEqual({ code: 'RPC_LIMIT_EXCEEDED', context: { what: 'expensive calls in one batch', limit: MAX_HEAVY_PER_BATCH, got: MAX_HEAVY_PER_BATCH + 1 } });
    // at the cap the batch runs (pages of the block's tail keep it cheap here)
    const ok = await post(Array.from({ length: MAX_HEAVY_PER_BATCH }, (_, i) => call('chain_getBlock', [hash, true, MAX_FULL_TXS], i)));
    expect(ok.map((r: any) => r.result.txs.length)).toEqual(Array(MAX_HEAVY_PER_BATCH).fill(TXS - MAX_FULL_TXS));
    expect(isHeavyCall('chain_getBlock', [hash])).toBe(false);
    expect(isHeavyCall('training_getCheckpoint', [])).toBe(true);
  });

  it('responses are capped in bytes: an answer past the cap is a typed error, in a batch for the call that passes it', async () => {
    const one = JSON.parse((await handleBody(JSON.stringify(call('chain_getBlock', [hash, true])), methods, silentLogger, { maxResponseBytes: 50_000 }))!);
    expect(one.error.code).toBe(RpcErrorCode.LIMIT_EXCEEDED);
    expect(one.error.data.context.what).toBe('response bytes');
    const batch = JSON.parse((await handleBody(JSON.stringify([call('chain_head', [], 1), call('chain_getBlock', [hash], 2)]), methods, silentLogger, { maxResponseBytes: 50_000 }))!);
    expect(batch[0].result.height).toBe(1);
    expect([batch[1].id, batch[1].error.code]).toEqual([2, RpcErrorCode.LIMIT_EXCEEDED]);
  });

  it('list ranges are capped', async () => {
    const r = await post(call('mempool_list', [0, MAX_LIST_TXS + 1]));
    expect([r.error.code, r.error.data.code]).toEqual([RpcErrorCode.LIMIT_EXCEEDED, 'RPC_LIMIT_EXCEEDED']);
    expect((await post(call('mempool_list', [0, 10]))).result).toEqual({ size: 0, offset: 0, txs: [] });
  });
});
