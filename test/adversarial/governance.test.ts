// Attacks on governance, each run through whole blocks against the real VM: the block is
// rejected with the typed error and the state stays where it was, or the vote weighs what the
// rules say (the balance at the proposal's start height, counted once).
import { describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../consensus/errors.ts';
import { encodeTask } from '../../consensus/training/task-codec.ts';
import { MNIST_MLP, type TrainingTask } from '../../consensus/training/spec.ts';
import { ProposalKind, VoteOption } from '../../consensus/types.ts';
import { ProposalStatus } from '../../vm/governance/keys.ts';
import { testKey } from '../fixtures/chain.ts';
import { GOV_PARAMS, GovChain, TEST_GOVERNANCE } from '../fixtures/gov.ts';

const [a, b, c, x] = [0, 1, 2, 7].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];
const miner = testKey(9).address();
const chain = () => new GovChain(GOV_PARAMS, [[a.address(), 400_000n], [b.address(), 300_000n], [c.address(), 300_000n]], miner);
const { votingPeriod, minDeposit } = TEST_GOVERNANCE;
const text = { kind: ProposalKind.Text, text: 'hello' } as const;

describe('governance attacks', () => {
  it('tokens received after the start height vote with zero weight; moving tokens and voting again counts them once', () => {
    const ch = chain();
    ch.block([ch.propose(a, minDeposit, text)]);
    const atStart = { a: ch.balance(a.address()), b: ch.balance(b.address()), c: ch.balance(c.address()) };
    // b votes yes, then moves everything to a fresh address x and to c; both vote yes too
    ch.block([ch.vote(b, 0, VoteOption.Yes)]);
    ch.block([ch.transfer(b, x.address(), 150_000n), ch.transfer(b, c.address(), 100_000n)]);
    ch.block([ch.vote(x, 0, VoteOption.Yes), ch.vote(c, 0, VoteOption.Yes), ch.vote(b, 0, VoteOption.Yes)]);
    expect(ch.balance(x.address())).toBe(150_000n - 10n);
    ch.until(1 + votingPeriod);
    const p = ch.proposal(0);
    // x weighs 0 (no balance at the start), c its own start balance, b once (its later vote replaced the first)
    expect(p.yes).toBe(atStart.b + atStart.c);
    expect(p.status).toBe(ProposalStatus.Passed);
  });

  it('a later vote replaces the earlier one', () => {
    const ch = chain();
    ch.block([ch.propose(a, minDeposit, text)]);
    const wa = ch.balance(a.address());
    ch.block([ch.vote(a, 0, VoteOption.Yes)]);
    ch.block([ch.vote(a, 0, VoteOption.No)]);
    ch.until(1 + votingPeriod);
    expect(ch.proposal(0)).toMatchObject({ yes: 0n, no: wa, status: ProposalStatus.Rejected });
  });

  it('typed rejections: no deposit, unknown or out-of-bounds parameter, vote after the end, unknown proposal, bad task', () => {
    const ch = chain();
    expect(ch.reject([ch.propose(a, minDeposit - 1n, text)])).toBe(TxErrorCode.DEPOSIT_TOO_LOW);
    expect(ch.reject([ch.propose(a, minDeposit, { kind: ProposalKind.ParamChange, param: 'maxTarget', value: 1n })])).toBe(TxErrorCode.PARAM_NOT_GOVERNABLE);
    expect(ch.reject([ch.propose(a, minDeposit, { kind: ProposalKind.ParamChange, param: 'quorumBps', value: 10n })])).toBe(TxErrorCode.PARAM_OUT_OF_BOUNDS);
    expect(ch.reject([ch.propose(a, minDeposit, { kind: ProposalKind.ParamChange, param: 'treasuryShareBps', value: 9_000n })])).toBe(TxErrorCode.PARAM_OUT_OF_BOUNDS);
    expect(ch.reject([ch.propose(a, 10n ** 9n, text)])).toBe(TxErrorCode.INSUFFICIENT_BALANCE);
    expect(ch.reject([ch.propose(a, minDeposit, { kind: ProposalKind.NewTask, task: encodeTask(MNIST_MLP) })])).toBe(TxErrorCode.NO_TRAINING);
    expect(ch.reject([ch.vote(a, 0, VoteOption.Yes)])).toBe(TxErrorCode.UNKNOWN_PROPOSAL);
    expect(ch.reject([ch.deposit(a, 3, 10n)])).toBe(TxErrorCode.UNKNOWN_PROPOSAL);
    ch.block([ch.propose(a, minDeposit, text)]);
    // voting starts in the block after the proposal's
    expect(ch.reject([ch.propose(b, minDeposit, text), ch.vote(b, 1, VoteOption.Yes)])).toBe(TxErrorCode.VOTING_CLOSED);
    ch.until(1 + votingPeriod);
    expect(ch.reject([ch.vote(b, 0, VoteOption.Yes)])).toBe(TxErrorCode.VOTING_CLOSED);
    expect(ch.reject([ch.deposit(b, 0, 10n)])).toBe(TxErrorCode.VOTING_CLOSED);
  });

  it('a task that does not decode or does not fit is refused at Propose (chains that train)', async () => {
    const { MINING_PARAMS, miningGenesis } = await import('../fixtures/mining.ts');
    const p = { ...MINING_PARAMS, governance: TEST_GOVERNANCE };
    const g = miningGenesis([a.address()], [], p);
    const ch = GovChain.fromState(p, g.header, g.state, miner);
    const wrongInput: TrainingTask = { ...p.training!.task, layers: [32, 16, 4], initBound: [1, 1] };
    const wrongTile: TrainingTask = { ...p.training!.task, tile: { h: 8, w: 8 } };
    const bad = new Uint8Array([0x93, 1, 2, 3]);
    const { applyTxs } = await import('../../vm/apply-block.ts');
    for (const task of [encodeTask(wrongInput), encodeTask(wrongTile), bad]) {
      let code: string | undefined;
      // the tx fails before the block's mining part, so no seal is needed here
      try {
        applyTxs(g.state, { height: 1, miner }, [ch.propose(a, minDeposit, { kind: ProposalKind.NewTask, task })], p);
      } catch (e) {
        code = (e as { code: string }).code;
      }
      expect(code).toBe(TxErrorCode.BAD_TASK);
    }
  });
});
