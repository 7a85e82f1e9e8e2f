// A new training task passed by governance switches training at the next round boundary, through
// whole mined blocks: the round that opens starts the new task's initial weights, later blocks
// train it, and a contribution for the old task is refused.
import { describe, expect, it } from 'vitest';
import { BlockErrorCode } from '../../../../consensus/errors.ts';
import { checkpointRoot, initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import { encodeTask } from '../../../../consensus/training/task-codec.ts';
import type { TrainingTask } from '../../../../consensus/training/spec.ts';
import { ProposalKind, VoteOption } from '../../../../consensus/types.ts';
import { ProposalStatus } from '../../../../vm/governance/keys.ts';
import { readCheckpoint, readRound } from '../../../../vm/round/state.ts';
import { thrown } from '../../../helpers/errors.ts';
import { computeContributionsRoot } from '../../../../consensus/encoding/block.ts';
import { BlockError } from '../../../../consensus/errors.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { TrainChain } from '../../../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../../../fixtures/gov.ts';
import { importMined, MINING_PARAMS, mineLane, minedBlock, TINY_TASK } from '../../../fixtures/mining.ts';

const A = testKey(1);
const B = testKey(2);
const P = { ...MINING_PARAMS, governance: TEST_GOVERNANCE };
const NEXT: TrainingTask = Object.freeze({ ...TINY_TASK, name: 'test-mlp-16-16-4/h3', localSteps: 3, initSeed: 'tessera/test-mlp-16-16-4/h3/init' }) as TrainingTask;

describe('a new task spec by governance', () => {
  it('passes, waits for the timelock, and switches training at the next round boundary', async () => {
    const ch = new TrainChain(P, [A.address(), B.address()], [A.address(), B.address()], [{ contributor: testKey(11).address(), royaltyBps: 10_000, from: 0, to: 64 }]);
    await ch.mine(A, 0, [], [ch.propose(A, TEST_GOVERNANCE.minDeposit, { kind: ProposalKind.NewTask, task: encodeTask(NEXT) })]);
    await ch.mine(A, 1, [[B, 0]], [ch.vote(A, 0, VoteOption.Yes), ch.vote(B, 0, VoteOption.Yes)]);
    const executeAt = 1 + TEST_GOVERNANCE.votingPeriod + TEST_GOVERNANCE.timelock;
    while (ch.height < executeAt) await ch.mine(A, ch.height % 3);
    expect(ch.proposal(0)).toMatchObject({ status: ProposalStatus.Executed, executeAt });
    // executed at 7, inside round 2 (blocks 7..9): the old task trains until that round closes
    expect(ch.next.training!.task.name).toBe(TINY_TASK.name);
    await ch.mine(A, ch.height % 3);
    await ch.mine(A, ch.height % 3, [[B, 0]]);
    expect(ch.height).toBe(9);
    const opened = readRound(ch.state)!;
    const init = initCheckpoint(NEXT);
    expect(opened.round).toBe(3);
    expect(opened.checkpointRoot).toEqual(checkpointRoot(NEXT, init));
    expect(ch.header.checkpointRoot).toEqual(opened.checkpointRoot);
    expect(readCheckpoint(ch.state, NEXT)).toEqual(init);
    expect(ch.next.training!.task.name).toBe(NEXT.name);

    // the new task trains: round 3 closes on an outer update of new-task contributions
    await ch.mine(A, 0, [[B, 0]]);
    await ch.mine(A, 1);
    await ch.mine(A, 2);
    const r4 = readRound(ch.state)!;
    expect(r4.round).toBe(4);
    expect(r4.checkpointRoot).not.toEqual(opened.checkpointRoot);
    expect(readCheckpoint(ch.state, NEXT).weights[0]!.length).toBe(16 * 16);
  });
});
