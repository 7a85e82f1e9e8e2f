// Governance through whole blocks (built by childBlock, imported by applyBlock): a parameter change
// that passes and takes effect after the timelock; one without quorum; one vetoed (deposits burned);
// one rejected; a treasury spend that pays out exactly once.
import { describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../../../consensus/errors.ts';
import { ProposalKind, VoteOption } from '../../../../consensus/types.ts';
import { ProposalStatus } from '../../../../vm/governance/keys.ts';
import { paramsAt } from '../../../../vm/governance/params.ts';
import { totalBalances } from '../../../../vm/governance/checkpoints.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { GOV_PARAMS, GovChain, TEST_GOVERNANCE } from '../../../fixtures/gov.ts';

const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];
const miner = testKey(9).address();
const chain = () => new GovChain(GOV_PARAMS, [[a.address(), 400_000n], [b.address(), 300_000n], [c.address(), 200_000n], [d.address(), 100_000n]], miner);
const { votingPeriod, timelock, minDeposit } = TEST_GOVERNANCE;

describe('governance through whole blocks', () => {
  it('a parameter change passes, waits for the timelock, then takes effect from the next block', () => {
    const ch = chain();
    ch.block([ch.propose(a, minDeposit, { kind: ProposalKind.ParamChange, param: 'minFee', value: 50n })]);
    const start = ch.height;
    expect(ch.balance(a.address())).toBe(400_000n - minDeposit - 10n);
    const supply = totalBalances(ch.state);
    expect(ch.proposal(0)).toMatchObject({ status: ProposalStatus.Voting, startHeight: start, endHeight: start + votingPeriod, supply });
    const weights = { a: ch.balance(a.address()), b: ch.balance(b.address()) };
    ch.block([ch.vote(a, 0, VoteOption.Yes), ch.vote(b, 0, VoteOption.Yes)]);
    ch.until(start + votingPeriod - 1);
    expect(ch.proposal(0).status).toBe(ProposalStatus.Voting);
    ch.block();
    const p = ch.proposal(0);
    expect(p).toMatchObject({ status: ProposalStatus.Passed, yes: weights.a + weights.b, no: 0n, executeAt: start + votingPeriod + timelock });
    // deposit back to the proposer at the tally (a paid two fees: propose and vote)
    expect(ch.balance(a.address())).toBe(400_000n - 20n);
    // still the old fee until the block after execution
    ch.until(p.executeAt - 1);
    ch.block([ch.transfer(c, d.address(), 1n)]); // fee 10 still fine in the executing block
    expect(ch.proposal(0).status).toBe(ProposalStatus.Executed);
    expect(paramsAt(ch.state, GOV_PARAMS, p.executeAt).minFee).toBe(GOV_PARAMS.minFee);
    expect(paramsAt(ch.state, GOV_PARAMS, p.executeAt + 1).minFee).toBe(50n);
    expect(ch.reject([ch.transfer(c, d.address(), 1n)])).toBe(TxErrorCode.FEE_TOO_LOW);
  });

  it('without quorum the proposal fails and the deposit returns; a no majority rejects', () => {
    const ch = chain();
    ch.block([ch.propose(d, minDeposit, { kind: ProposalKind.Text, text: 'plant trees' }), ch.propose(a, minDeposit, { kind: ProposalKind.Text, text: 'cut trees' })]);
    ch.block([ch.vote(d, 0, VoteOption.Yes), ch.vote(a, 1, VoteOption.No), ch.vote(b, 1, VoteOption.Yes)]);
    ch.until(1 + votingPeriod);
    expect(ch.proposal(0).status).toBe(ProposalStatus.NoQuorum); // ~10% of supply voted
    expect(ch.proposal(1).status).toBe(ProposalStatus.Rejected); // 300k yes < 400k no
    expect(ch.balance(d.address())).toBe(100_000n - 20n);
    expect(ch.balance(a.address())).toBe(400_000n - 20n);
    expect(ch.burned).toBe(0n);
  });

  it('a veto share burns every deposit, the extra Deposit included', () => {
    const ch = chain();
    ch.block([ch.propose(a, minDeposit, { kind: ProposalKind.ParamChange, param: 'subsidy', value: 1_000_000n })]);
    ch.block([ch.deposit(d, 0, 5_000n), ch.vote(a, 0, VoteOption.Yes), ch.vote(b, 0, VoteOption.Veto), ch.vote(c, 0, VoteOption.Veto)]);
    ch.until(1 + votingPeriod);
    expect(ch.proposal(0)).toMatchObject({ status: ProposalStatus.Vetoed, deposit: minDeposit + 5_000n });
    expect(ch.burned).toBe(minDeposit + 5_000n);
    expect(ch.balance(a.address())).toBe(400_000n - minDeposit - 20n);
    expect(ch.balance(d.address())).toBe(100_000n - 5_000n - 10n);
    expect(paramsAt(ch.state, GOV_PARAMS, ch.height + 10).subsidy).toBe(GOV_PARAMS.subsidy);
  });

  it('a treasury spend pays out exactly once; one larger than the treasury fails and moves nothing', () => {
    const ch = chain();
    const to = e.address();
    ch.block([
      ch.propose(a, minDeposit, { kind: ProposalKind.TreasurySpend, to, amount: 20_000n }),
      ch.propose(b, minDeposit, { kind: ProposalKind.TreasurySpend, to, amount: 10n ** 12n }),
    ]);
    ch.block([ch.vote(a, 0, VoteOption.Yes), ch.vote(b, 0, VoteOption.Yes), ch.vote(a, 1, VoteOption.Yes), ch.vote(b, 1, VoteOption.Yes)]);
    const executeAt = 1 + votingPeriod + timelock;
    ch.until(executeAt - 1);
    const treasury = ch.treasury;
    expect(treasury).toBeGreaterThan(20_000n); // 10% of every block's subsidy + fees
    ch.block();
    const share = (GOV_PARAMS.subsidy * BigInt(TEST_GOVERNANCE.treasuryShareBps)) / 10_000n;
    expect(ch.proposal(0).status).toBe(ProposalStatus.Executed);
    expect(ch.proposal(1).status).toBe(ProposalStatus.Failed);
    expect(ch.balance(to)).toBe(20_000n);
    expect(ch.treasury).toBe(treasury + share - 20_000n);
    ch.until(executeAt + 6);
    expect(ch.balance(to)).toBe(20_000n);
    expect(ch.treasury).toBe(treasury + 7n * share - 20_000n);
  });
});
