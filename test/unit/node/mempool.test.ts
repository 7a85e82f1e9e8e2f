import { describe, expect, it } from 'vitest';
import { Mempool, type AccountReader, type AccountView } from '../../../node/mempool/mempool.ts';
import { MempoolErrorCode } from '../../../node/mempool/errors.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { PrivateKey, signTx, HALF_N, CURVE_N } from '../../../consensus/crypto/index.ts';
import { TxErrorCode } from '../../../consensus/errors.ts';
import { TypeTag, type TransferTx } from '../../../consensus/types.ts';
import { txHash } from '../../../consensus/encoding/index.ts';
import { bigIntToBytes, bytesToBigInt, toHex } from '../../../consensus/bytes.ts';

const CHAIN = 7;
const alice = PrivateKey.fromBytes(new Uint8Array(32).fill(1));
const bob = PrivateKey.fromBytes(new Uint8Array(32).fill(2));
const carol = PrivateKey.fromBytes(new Uint8Array(32).fill(3));
const to = new Uint8Array(20).fill(0xee);

function transfer(key: PrivateKey, nonce: number, fee = 10n, amount = 100n, chainId = CHAIN): TransferTx {
  return signTx({ type: TypeTag.Transfer, chainId, nonce, fee, to, amount, sig: new Uint8Array(0) }, key);
}

/** A plain account table (what the vm State offers through getAccount). */
function accounts(entries: [PrivateKey, bigint, number][]): AccountReader {
  const m = new Map<string, AccountView>(entries.map(([k, balance, nonce]) => [toHex(k.address()), { balance, nonce }]));
  return { getAccount: (a) => m.get(toHex(a)) ?? { balance: 0n, nonce: 0 } };
}

const pool = (o: Partial<{ maxPerAccount: number; maxTotal: number }> = {}) => new Mempool({ chainId: CHAIN, minFee: 1n, ...o }, { logger: silentLogger });

describe('mempool', () => {
  const state = accounts([
    [alice, 10_000n, 0],
    [bob, 10_000n, 5],
    [carol, 150n, 0],
  ]);

  it('keeps each account in nonce order and refuses gaps and replays', () => {
    const p = pool();
    p.add(transfer(alice, 0), state);
    p.add(transfer(alice, 1), state);
    expect(() => p.add(transfer(alice, 3), state)).toThrow(expect.objectContaining({ code: MempoolErrorCode.NONCE_GAP }));
    expect(() => p.add(transfer(bob, 4), state)).toThrow(expect.objectContaining({ code: TxErrorCode.BAD_NONCE }));
    p.add(transfer(bob, 5, 50n), state);
    expect(p.list().map((e) => e.tx.nonce)).toEqual(
      toHex(alice.address()) < toHex(bob.address()) ? [0, 1, 5] : [5, 0, 1],
    );
    // block selection: nonce order per sender, the higher fee sender first
    expect(p.pending(10).map((t) => t.nonce)).toEqual([5, 0, 1]);
    expect(() => p.add(transfer(alice, 0), state)).toThrow(expect.objectContaining({ code: MempoolErrorCode.ALREADY_KNOWN }));
  });

  it('replaces a tx only by a strictly higher fee', () => {
    const p = pool();
    const first = p.add(transfer(alice, 0, 10n), state).entry;
    expect(() => p.add(transfer(alice, 0, 10n, 99n), state)).toThrow(expect.objectContaining({ code: MempoolErrorCode.FEE_TOO_LOW_TO_REPLACE }));
    const r = p.add(transfer(alice, 0, 11n), state);
    expect(r.replaced).toEqual(first.hash);
    expect(p.size).toBe(1);
    expect(p.has(first.hash)).toBe(false);
  });

  it('checks the balance over the whole queue', () => {
    const p = pool();
    p.add(transfer(carol, 0, 10n, 100n), state); // 110 of 150
    expect(() => p.add(transfer(carol, 1, 10n, 100n), state)).toThrow(expect.objectContaining({ code: TxErrorCode.INSUFFICIENT_BALANCE }));
    p.add(transfer(carol, 1, 10n, 30n), state); // 150 of 150
    expect(p.size).toBe(2);
  });

  it('refuses wrong chain, low fee, zero amount and high-S signatures with typed errors', () => {
    const p = pool();
    expect(() => p.add(transfer(alice, 0, 10n, 100n, CHAIN + 1), state)).toThrow(expect.objectContaining({ code: TxErrorCode.WRONG_CHAIN }));
    expect(() => p.add(transfer(alice, 0, 0n), state)).toThrow(expect.objectContaining({ code: TxErrorCode.FEE_TOO_LOW }));
    expect(() => p.add(transfer(alice, 0, 10n, 0n), state)).toThrow(expect.objectContaining({ code: TxErrorCode.ZERO_AMOUNT }));
    const tx = transfer(alice, 0);
    const s = bytesToBigInt(tx.sig.subarray(32, 64));
    expect(s <= HALF_N).toBe(true);
    const sig = new Uint8Array(tx.sig);
    sig.set(bigIntToBytes(CURVE_N - s, 32), 32);
    sig[64] = sig[64]! ^ 1;
    expect(() => p.add({ ...tx, sig }, state)).toThrow(expect.objectContaining({ code: TxErrorCode.HIGH_S }));
    expect(p.size).toBe(0);
  });

  it('enforces the per-account and global caps, evicting only a cheaper queue tail', () => {
    const p = pool({ maxPerAccount: 2, maxTotal: 3 });
    p.add(transfer(alice, 0, 5n), state);
    p.add(transfer(alice, 1, 5n), state);
    expect(() => p.add(transfer(alice, 2, 5n), state)).toThrow(expect.objectContaining({ code: MempoolErrorCode.ACCOUNT_FULL }));
    p.add(transfer(bob, 5, 7n), state);
    // full: carol's tx must pay more than the cheapest tail (alice nonce 1, fee 5)
    expect(() => p.add(transfer(carol, 0, 5n, 10n), state)).toThrow(expect.objectContaining({ code: MempoolErrorCode.POOL_FULL }));
    const r = p.add(transfer(carol, 0, 6n, 10n), state);
    expect(r.evicted).toEqual(txHash(transfer(alice, 1, 5n)));
    expect(p.size).toBe(3);
    expect(p.list().filter((e) => e.senderHex === toHex(alice.address())).map((e) => e.tx.nonce)).toEqual([0]);
  });

  it('drops included and unaffordable txs on a head change and takes abandoned ones back', () => {
    const p = pool();
    p.add(transfer(alice, 0), state);
    p.add(transfer(alice, 1), state);
    p.add(transfer(alice, 2), state);
    p.add(transfer(carol, 0, 10n, 100n), state);
    // new head: alice's nonce 0 and 1 included; carol's balance fell to 50
    const after = accounts([
      [alice, 9_000n, 2],
      [carol, 50n, 0],
    ]);
    expect(p.onHeadChange(after)).toEqual({ dropped: 3, readded: 0 });
    expect(p.list().map((e) => [e.senderHex, e.tx.nonce])).toEqual([[toHex(alice.address()), 2]]);
    // a reorg back to `state`: the abandoned block held alice 0 and 1; they return before
    // alice's pooled nonce 2, which stays
    const r = p.onHeadChange(state, [transfer(alice, 1), transfer(alice, 0)]);
    expect(r).toEqual({ dropped: 0, readded: 2 });
    expect(p.list().filter((e) => e.senderHex === toHex(alice.address())).map((e) => e.tx.nonce)).toEqual([0, 1, 2]);
  });
});
