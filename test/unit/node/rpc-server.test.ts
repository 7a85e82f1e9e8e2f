// JSON-RPC 2.0 framing over real HTTP on 127.0.0.1 (port 0): the four error codes, batches,
// notifications, typed application errors, HTTP-level limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcServer } from '../../../node/rpc/server.ts';
import { RpcClient, RpcClientErrorCode } from '../../../node/rpc/client.ts';
import { badParams } from '../../../node/rpc/errors.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { TxError, TxErrorCode } from '../../../consensus/errors.ts';
import type { RpcMethods } from '../../../node/rpc/jsonrpc.ts';

let calls = 0;
const methods: RpcMethods = {
  test_echo: (p) => p as never,
  test_count: () => ++calls,
  test_needsNumber: (p) => {
    if (!Array.isArray(p) || typeof p[0] !== 'number') throw badParams('expected [number]');
    return p[0] * 2;
  },
  test_typed: () => {
    throw new TxError(TxErrorCode.HIGH_S, { txHash: new Uint8Array([0xab]), got: 5n });
  },
  test_crash: () => {
    throw new Error('secret internals');
  },
};

let server: RpcServer;
let client: RpcClient;
beforeAll(async () => {
  server = new RpcServer({ host: '127.0.0.1', port: 0, maxBodyBytes: 10_000 }, { logger: silentLogger, methods });
  client = new RpcClient(await server.start());
});
afterAll(() => server.stop());

describe('JSON-RPC server', () => {
  it('answers a call with its id', async () => {
    expect(await client.post(JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'test_needsNumber', params: [21] }))).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      result: 42,
    });
  });

  it('-32700 on a body that is not JSON', async () => {
    expect(await client.post('{"jsonrpc": "2.0", "method"')).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it('-32600 on requests that are not JSON-RPC 2.0', async () => {
    expect(await client.post('42')).toMatchObject({ id: null, error: { code: -32600 } });
    expect(await client.post(JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'test_count' }))).toMatchObject({ id: 1, error: { code: -32600 } });
    expect(await client.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 7 }))).toMatchObject({ error: { code: -32600 } });
    expect(await client.post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'test_echo', params: 'x' }))).toMatchObject({ error: { code: -32600 } });
    expect(await client.post('[]')).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('-32601 on an unknown method (and not on inherited object keys)', async () => {
    await expect(client.call('nope_nothing')).rejects.toMatchObject({ code: RpcClientErrorCode.REMOTE, context: { rpcCode: -32601 } });
    await expect(client.call('toString')).rejects.toMatchObject({ context: { rpcCode: -32601 } });
  });

  it('-32602 on bad params', async () => {
    await expect(client.call('test_needsNumber', ['x'])).rejects.toMatchObject({ context: { rpcCode: -32602 } });
  });

  it('maps typed errors to application codes with the typed code in data', async () => {
    const r = (await client.post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'test_typed' }))) as { error: { code: number; data: unknown } };
    expect(r.error.code).toBe(2002);
    expect(r.error.data).toEqual({ code: 'TX_HIGH_S', context: { txHash: '0xab', got: '5' } });
  });

  it('hides internal errors behind -32603', async () => {
    const r = (await client.post(JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'test_crash' }))) as { error: { code: number; message: string } };
    expect(r.error).toEqual({ code: -32603, message: 'Internal error' });
  });

  it('answers batches in order, skipping notifications', async () => {
    const before = calls;
    const r = await client.post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'test_needsNumber', params: [1] },
        { jsonrpc: '2.0', method: 'test_count' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
        5,
        { jsonrpc: '2.0', id: 3, method: 'test_needsNumber', params: [3] },
      ]),
    );
    expect(r).toEqual([
      { jsonrpc: '2.0', id: 1, result: 2 },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found: nope' } },
      { jsonrpc: '2.0', id: null, error: { code: -32600, message: 'Invalid Request: not an object' } },
      { jsonrpc: '2.0', id: 3, result: 6 },
    ]);
    expect(calls).toBe(before + 1);
    // a batch of notifications only gets no body at all
    expect(await client.post(JSON.stringify([{ jsonrpc: '2.0', method: 'test_count' }]))).toBeNull();
    expect(calls).toBe(before + 2);
  });

  it('refuses non-POST and oversized bodies at the HTTP level', async () => {
    const get = await fetch(client.url);
    expect(get.status).toBe(405);
    const big = await fetch(client.url, { method: 'POST', body: 'x'.repeat(20_000) });
    expect(big.status).toBe(413);
  });

  it('reports an unreachable node as a typed client error', async () => {
    const dead = new RpcClient('127.0.0.1:1', 2000);
    await expect(dead.call('chain_head')).rejects.toMatchObject({ code: RpcClientErrorCode.UNREACHABLE });
  });
});
