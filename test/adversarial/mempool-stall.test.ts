// Issue 13 item 4: never-valid transactions stalled block building. The pool admitted an Unbond
// larger than the bond, and assembly rebuilt the whole block once per failing tx (quadratic) and
// never evicted them: 256 such txs made a block take seconds. Now admission replays the sender's
// pending txs on the head state (bond, balance, nonce), assembly is one pass with a checkpoint per
// tx, and what fails there is evicted. Costs are asserted as counts of tx applications.
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/errors.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import type { PrivateKey } from '../../consensus/crypto/keys.ts';
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import { encodeTicket } from '../../consensus/pouw/ticket.ts';
import { TypeTag, type BondTx, type Tx, type UnbondTx } from '../../consensus/types.ts';
import { toHex } from '../../consensus/bytes.ts';
import { txHash } from '../../consensus/encoding/tx.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { Mempool } from '../../node/mempool/mempool.ts';
import { assembleBlock } from '../../node/mining/assemble.ts';
import { bondKey } from '../../vm/round/keys.ts';
import { readBond } from '../../vm/round/state.ts';
import { testKey, transfer } from '../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, mineLane, miningGenesis } from '../fixtures/mining.ts';

const SENDERS = Array.from({ length: 4 }, (_, i) => testKey(40 + i));
const HONEST = testKey(50);
const M = testKey(51).address();
const g = miningGenesis([...SENDERS.map((k) => k.address()), HONEST.address(), M], [...SENDERS.map((k) => k.address()), M]);
const BOND = readBond(g.state, SENDERS[0]!.address()); // 10^4 each

const bondTx = (k: PrivateKey, type: TypeTag.Bond | TypeTag.Unbond, amount: bigint, nonce: number): Tx =>
  signTx({ type, chainId: p.chainId, nonce, fee: 10n, amount, sig: new Uint8Array(65) } as BondTx | UnbondTx, k);

const pool = () => new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true, accountCreationFee: p.accountCreationFee, maxPerAccount: 64 }, { logger: silentLogger });

describe('adversarial: never-valid transactions and block assembly', () => {
  it('256 Unbonds larger than the bond are refused at admission (INSUFFICIENT_BOND); the pool stays empty', () => {
    const mp = pool();
    let refused = 0;
    for (const k of SENDERS)
      for (let n = 0; n < 64; n++) {
        const e = thrown(TxError, () => mp.add(bondTx(k, TypeTag.Unbond, BOND + 1n + BigInt(n), 0), g.state));
        expect(e.code).toBe(TxErrorCode.INSUFFICIENT_BOND);
        refused++;
      }
    expect(refused).toBe(256);
    expect(mp.size).toBe(0);
  });

  it('admission replays the pending txs: Unbonds summing past the bond, or spending what an earlier tx spent, are refused', () => {
    const mp = pool();
    const k = SENDERS[0]!;
    mp.add(bondTx(k, TypeTag.Unbond, 6_000n, 0), g.state);
    expect(thrown(TxError, () => mp.add(bondTx(k, TypeTag.Unbond, 6_000n, 1), g.state)).code).toBe(TxErrorCode.INSUFFICIENT_BOND);
    mp.add(bondTx(k, TypeTag.Bond, 5_000n, 1), g.state); // a pending Bond raises the pending bond
    mp.add(bondTx(k, TypeTag.Unbond, 6_000n, 2), g.state);
    expect(thrown(TxError, () => mp.add(bondTx(k, TypeTag.Unbond, 3_001n, 3), g.state)).code).toBe(TxErrorCode.INSUFFICIENT_BOND);
    // a replacement that would strand a later pending tx is refused too
    expect(thrown(TxError, () => mp.add(signTx({ ...(bondTx(k, TypeTag.Bond, 1n, 1) as BondTx), fee: 20n }, k), g.state)).code).toBe(TxErrorCode.INSUFFICIENT_BOND);
    // balance: amount + fee of every pending tx
    const bal = g.state.getAccount(k.address()).balance;
    expect(thrown(TxError, () => mp.add(bondTx(k, TypeTag.Bond, bal - 5_000n, 3), g.state)).code).toBe(TxErrorCode.INSUFFICIENT_BALANCE);
    expect(mp.size).toBe(3);
  });

  it('txs that stop applying after admission cost one application each in assembly, and are evicted after one failed build', async () => {
    const mp = pool();
    for (const k of SENDERS) for (let n = 0; n < 64; n++) mp.add(bondTx(k, TypeTag.Unbond, 100n, n), g.state);
    const honest = transfer(HONEST, M, 5n, 0, { chainId: p.chainId, fee: 10n });
    mp.add(honest, g.state);
    expect(mp.size).toBe(257);
    // the bonds drop in a way the pool does not see (as a slash would): every pooled Unbond fails
    const slashed = g.state.withChanges(new Map(SENDERS.map((k) => [toHex(bondKey(k.address())), null])));
    const w = await mineLane(g.state, g.header, M, 0);
    const input = { pre: slashed, parent: g.header, recentTimes: [g.header.time], now: g.header.time + 10, target: p.initialTarget, miner: M, seal: encodeTicket(w.tickets[0]!), contributions: [] };
    const txs = mp.pending(p.maxTxsPerBlock * 10);
    expect(txs.length).toBe(257);
    const out = assembleBlock({ ...input, txs }, { ...p, maxTxsPerBlock: 1000 });
    // one pass: 257 applications (the quadratic rebuild ran 257 + 256 + ... of them)
    expect(out.txApplies).toBe(257);
    expect(out.dropped.length).toBe(256);
    expect(new Set(out.dropped.map((d) => d.code))).toEqual(new Set([TxErrorCode.INSUFFICIENT_BOND, TxErrorCode.BAD_NONCE]));
    expect(out.block.txs).toEqual([honest]);
    // the block it built is what an importer computes
    importMined(slashed, g.header, out.block);
    for (const d of out.dropped) mp.evict(txHash(txs[d.index]!));
    expect(mp.size).toBe(1);
    const again = assembleBlock({ ...input, txs: mp.pending(1000) }, p);
    expect(again.txApplies).toBe(1);
    expect(again.dropped).toEqual([]);
  });
});
