// The pool admits txs at the minFee governance put in effect, not the genesis one: a passed
// ParamChange of minFee (through whole blocks) raises the floor from the block after its execution;
// a pooled tx under the new floor leaves the pool at that head; RegisterData pays it per sample.
import { describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../../consensus/errors.ts';
import { signTx } from '../../../consensus/crypto/signature.ts';
import { ProposalKind, TypeTag, VoteOption } from '../../../consensus/types.ts';
import { silentLogger } from '../../../node/log/logger.ts';
import { Mempool } from '../../../node/mempool/mempool.ts';
import { governedMinFee } from '../../../node/mempool/min-fee.ts';
import { ProposalStatus } from '../../../vm/governance/keys.ts';
import { testKey } from '../../fixtures/chain.ts';
import { GOV_PARAMS, GovChain, TEST_GOVERNANCE } from '../../fixtures/gov.ts';

const [a, b, c, d] = [0, 1, 2, 3].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];

describe('mempool admission at the governed minFee', () => {
  it('follows a passed minFee change from the block after its execution', () => {
    const ch = new GovChain(GOV_PARAMS, [[a.address(), 400_000n], [b.address(), 300_000n], [c.address(), 200_000n], [d.address(), 100_000n]], testKey(9).address());
    const pool = new Mempool({ chainId: GOV_PARAMS.chainId, minFee: GOV_PARAMS.minFee }, { logger: silentLogger, minFee: governedMinFee(() => ({ state: ch.state, height: ch.height }), GOV_PARAMS) });
    expect(GOV_PARAMS.minFee).toBeLessThanOrEqual(10n); // the fixture's txs pay 10
    ch.block([ch.propose(a, TEST_GOVERNANCE.minDeposit, { kind: ProposalKind.ParamChange, param: 'minFee', value: 50n })]);
    ch.block([ch.vote(a, 0, VoteOption.Yes), ch.vote(b, 0, VoteOption.Yes)]);
    const executeAt = 1 + TEST_GOVERNANCE.votingPeriod + TEST_GOVERNANCE.timelock;
    ch.until(executeAt - 1);
    // fee 10 is enough for the executing block: admitted
    ch.resetNonces();
    const cheap = ch.transfer(c, d.address(), 1n);
    pool.add(cheap, ch.state);
    expect(pool.size).toBe(1);
    ch.block();
    expect(ch.proposal(0).status).toBe(ProposalStatus.Executed);
    // from here the next block needs 50: the pooled tx leaves at this head, a new one at 10 is refused
    expect(pool.onHeadChange(ch.state).dropped).toBe(1);
    expect(pool.size).toBe(0);
    ch.resetNonces();
    const low = ch.transfer(c, d.address(), 1n);
    expect(() => pool.add(low, ch.state)).toThrow(expect.objectContaining({ code: TxErrorCode.FEE_TOO_LOW, context: expect.objectContaining({ expected: 50n, got: 10n }) }));
    expect(ch.reject([low])).toBe(TxErrorCode.FEE_TOO_LOW); // what the block would say too
  });

  it('a RegisterData tx pays minFee per sample', () => {
    const ch = new GovChain(GOV_PARAMS, [[a.address(), 400_000n]], testKey(9).address());
    const pool = new Mempool({ chainId: GOV_PARAMS.chainId, minFee: GOV_PARAMS.minFee }, { logger: silentLogger, minFee: () => 7n });
    const register = (fee: bigint) =>
      signTx({ type: TypeTag.RegisterData, chainId: GOV_PARAMS.chainId, nonce: 0, fee, sig: new Uint8Array(65), contributor: a.address(), royaltyBps: 10_000, dim: 4, samples: new Uint8Array(12).map((_, i) => i), labels: new Uint8Array([0, 1, 2]) }, a);
    expect(() => pool.add(register(20n), ch.state)).toThrow(expect.objectContaining({ code: TxErrorCode.FEE_TOO_LOW, context: expect.objectContaining({ expected: 21n, got: 20n }) }));
    pool.add(register(21n), ch.state);
    expect(pool.size).toBe(1);
  });
});
