// After governance switched the training task (through whole mined blocks), the contributions
// topic checks a part as the next block will: with the task in effect. A part of the new task
// (another hidden width, so the genesis task cannot even decode it) enters the pool.
import { describe, expect, it } from 'vitest';
import { encodeTask } from '../../../../consensus/training/task-codec.ts';
import type { TrainingTask } from '../../../../consensus/training/spec.ts';
import { ProposalKind, VoteOption } from '../../../../consensus/types.ts';
import type { Chain } from '../../../../node/chain/chain.ts';
import { ContributionPool } from '../../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../../node/mempool/mempool.ts';
import { GossipValidators } from '../../../../node/network/gossip.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { TrainChain } from '../../../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../../../fixtures/gov.ts';
import { MINING_PARAMS, mineLane, TINY_TASK } from '../../../fixtures/mining.ts';

const A = testKey(1);
const B = testKey(2);
const P = { ...MINING_PARAMS, governance: TEST_GOVERNANCE };
const NEXT: TrainingTask = Object.freeze({ ...TINY_TASK, name: 'test-mlp-16-8-4/h3', layers: Object.freeze([16, 8, 4]), localSteps: 3, initSeed: 'tessera/test-mlp-16-8-4/h3/init' }) as TrainingTask;

describe('gossip of contributions after a task switch', () => {
  it('takes parts of the task in effect', async () => {
    const ch = new TrainChain(P, [A.address(), B.address()], [A.address(), B.address()], [{ contributor: testKey(11).address(), royaltyBps: 10_000, from: 0, to: 64 }]);
    await ch.mine(A, 0, [], [ch.propose(A, TEST_GOVERNANCE.minDeposit, { kind: ProposalKind.NewTask, task: encodeTask(NEXT) })]);
    await ch.mine(A, 1, [[B, 0]], [ch.vote(A, 0, VoteOption.Yes), ch.vote(B, 0, VoteOption.Yes)]);
    while (ch.next.training!.task.name !== NEXT.name) await ch.mine(A, ch.height % 3);
    const pool = new ContributionPool();
    const chain = { state: () => ch.state, head: () => ({ header: ch.header }) } as unknown as Chain;
    const gossip = new GossipValidators(P, { chain, mempool: {} as Mempool, contributions: pool, onOrphan: () => {}, onImported: () => {} });
    const fresh = await mineLane(ch.state, ch.header, B, 1, undefined, ch.next, ch.activeData());
    gossip.validate('contributions', fresh.bytes, 'peer-1');
    expect(pool.size).toBe(1);
    expect(pool.size).toBe(1);
    expect(() => gossip.validate('contributions', fresh.bytes, 'peer-2')).toThrow(expect.objectContaining({ code: 'NET_CONTRIBUTION_KNOWN' }));
  });
});
