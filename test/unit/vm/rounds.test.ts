import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/errors.ts';
import { bytesEqual, compareBytes } from '../../../consensus/bytes.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { makeTicketProof, type TicketProof } from '../../../consensus/pouw/ticket.ts';
import { pouwSeal } from '../../../consensus/seal-pouw.ts';
import { checkpointRoot } from '../../../consensus/training/checkpoint.ts';
import { decodeSignedPart, encodeSignedPart, signPart, type ContributionPart } from '../../../consensus/training/part.ts';
import { outerUpdate } from '../../../consensus/training/outer.ts';
import { applyBlock } from '../../../vm/apply-block.ts';
import { burnedKey, decodeAmount, winKey } from '../../../vm/round/keys.ts';
import { readCheckpoint, readRound } from '../../../vm/round/state.ts';
import type { State } from '../../../vm/state.ts';
import { testKey } from '../../fixtures/chain.ts';
import { importMined, MINING_PARAMS, TINY_TASK, mineLane, minedBlock, miningGenesis, partBytes } from '../../fixtures/mining.ts';

const A = testKey(1).address();
const B = testKey(2).address();
const U = testKey(3).address(); // funded, not bonded
const g = miningGenesis([A, B, U], [A, B]);
const p = MINING_PARAMS;
const seal = pouwSeal(p);
/** A (possibly altered) part, signed by its miner's key: only the alteration is wrong. */
const resigned = (bytes: Uint8Array, alter: Partial<ContributionPart>, key: Parameters<typeof signPart>[1]) =>
  encodeSignedPart(signPart({ ...decodeSignedPart(TINY_TASK, bytes), ...alter }, key, p.chainId));

const blockErr = (f: () => unknown): BlockError => thrown(BlockError, f);

/** Applies through the same path a node uses: seal, then the state transition. */
const importBlock = (pre: State, parentHeader: typeof g.header, block: ReturnType<typeof minedBlock>['block']) => importMined(pre, parentHeader, block, p);

describe('mining block: contribution part + ticket', () => {
  it('a sealed block with a part applies, and the builder agrees with applyBlock', async () => {
    const work = await mineLane(g.state, g.header, A, 0);
    const ticketLane = await mineLane(g.state, g.header, A, 1); // the lane in progress when the ticket won
    expect(ticketLane.tickets.length).toBeGreaterThan(0);
    const { block, result } = minedBlock(g.state, g.header, ticketLane.tickets[0]!, { contributions: [work.bytes] });
    const r = importBlock(g.state, g.header, block);
    expect(r.stateRoot).toEqual(result.stateRoot);
    expect(block.header.checkpointRoot).toEqual(readRound(g.state)!.checkpointRoot); // round not closed yet
    expect(r.state.get(winKey(ticketLane.tickets[0]!))).toBeDefined();
  });

  it('a header whose checkpoint root is not the state\'s is rejected', async () => {
    const work = await mineLane(g.state, g.header, A, 0);
    const { block } = minedBlock(g.state, g.header, work.tickets[0]!);
    const bad = { ...block, header: { ...block.header, checkpointRoot: new Uint8Array(32) } };
    expect(blockErr(() => applyBlock(g.state, bad, p)).code).toBe(BlockErrorCode.BAD_CHECKPOINT_ROOT);
  });
});

describe('bad work is rejected with a typed error and leaves state unchanged', () => {
  const rootBefore = g.state.root();
  const after = () => expect(g.state.root()).toEqual(rootBefore);

  it('seal: ticket above target, bad Merkle proof, bad transcript, wrong miner, malformed bytes', async () => {
    const work = await mineLane(g.state, g.header, A, 0);
    const t = work.tickets[0]!;
    const hdr = (tk: TicketProof, target = p.initialTarget) => minedBlock(g.state, g.header, tk, { target }).block.header;
    seal.verify(hdr(t), g.header);
    const above = blockErr(() => seal.verify(hdr(t, 1n), g.header));
    expect([above.code, above.context.cause]).toEqual([BlockErrorCode.BAD_SEAL, 'POUW_ABOVE_TARGET']);
    const row = new Uint8Array(t.rowsA[0]!);
    row[0] = row[0]! === 1 ? 2 : 1;
    const badProof = blockErr(() => seal.verify(hdr(makeTicketProof({ ...t, rowsA: [row, ...t.rowsA.slice(1)] })), g.header));
    expect([badProof.code, badProof.context.cause]).toEqual([BlockErrorCode.BAD_SEAL, 'POUW_BAD_PROOF']);
    const hash = new Uint8Array(t.hash);
    hash[31] ^= 1;
    const badTranscript = blockErr(() => seal.verify(hdr(makeTicketProof({ ...t, hash })), g.header));
    expect([badTranscript.code, badTranscript.context.cause]).toEqual([BlockErrorCode.BAD_SEAL, 'POUW_BAD_TRANSCRIPT']);
    const h = hdr(t);
    expect(blockErr(() => seal.verify({ ...h, miner: B }, g.header)).code).toBe(BlockErrorCode.BAD_TICKET);
    expect(blockErr(() => seal.verify({ ...h, seal: new Uint8Array([1, 2, 3]) }, g.header)).code).toBe(BlockErrorCode.BAD_TICKET);
    after();
  });

  it('a ticket for a round that is not open', async () => {
    const work = await mineLane(g.state, g.header, A, 0);
    const t = makeTicketProof({ ...work.tickets[0]!, round: 1 });
    const e = blockErr(() => minedBlock(g.state, g.header, t));
    expect([e.code, e.context.expected, e.context.got]).toEqual([BlockErrorCode.TICKET_ROUND_NOT_OPEN, 0, 1]);
    after();
  });

  it('a second win of the same tile', async () => {
    const w1 = await mineLane(g.state, g.header, A, 0);
    const t1 = w1.tickets[0]!;
    const b1 = minedBlock(g.state, g.header, t1);
    const s1 = importBlock(g.state, g.header, b1.block).state;
    const w2 = await mineLane(s1, b1.block.header, A, 0); // same lane, new parent: new tickets for the same tiles
    const same = w2.tickets.find((t) => t.step === t1.step && t.jobId === t1.jobId && t.ti === t1.ti && t.tj === t1.tj)!;
    const e = blockErr(() => minedBlock(s1, b1.block.header, same));
    expect(e.code).toBe(BlockErrorCode.DUPLICATE_WIN);
    const other = w2.tickets.find((t) => t !== same)!;
    expect(() => minedBlock(s1, b1.block.header, other)).not.toThrow();
  });

  it('a part from an unbonded miner', async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const wu = await mineLane(g.state, g.header, U, 0);
    const e = blockErr(() => minedBlock(g.state, g.header, wa.tickets[0]!, { contributions: [wu.bytes] }));
    expect([e.code, e.context.expected, e.context.got]).toEqual([BlockErrorCode.UNBONDED_MINER, 1_000n, 0n]);
    after();
  });

  it('an oversized, malformed, wrong-round, wrong-base or repeated part', async () => {
    const w = await mineLane(g.state, g.header, A, 0);
    const t = (await mineLane(g.state, g.header, A, 3)).tickets[0]!;
    const code = (contributions: Uint8Array[], params = p) => blockErr(() => minedBlock(g.state, g.header, t, { contributions, params })).code;
    const small = { ...p, training: { ...p.training!, maxContributionBytes: w.bytes.length - 1 } };
    expect(code([w.bytes], small)).toBe(BlockErrorCode.CONTRIBUTION_TOO_LARGE);
    expect(code([w.bytes.slice(0, -1)])).toBe(BlockErrorCode.BAD_CONTRIBUTION);
    expect(code([new Uint8Array([0x93, 1, 2, 3])])).toBe(BlockErrorCode.BAD_CONTRIBUTION);
    expect(code([resigned(w.bytes, { round: 1 }, w.key)])).toBe(BlockErrorCode.CONTRIBUTION_WRONG_ROUND);
    expect(code([resigned(w.bytes, { baseRoot: new Uint8Array(32) }, w.key)])).toBe(BlockErrorCode.CONTRIBUTION_WRONG_BASE);
    expect(code([w.bytes, w.bytes])).toBe(BlockErrorCode.DUPLICATE_CONTRIBUTION);
    const many = { ...p, training: { ...p.training!, maxContributionsPerBlock: 1 } };
    const wb = await mineLane(g.state, g.header, B, 0);
    expect(code([w.bytes, wb.bytes], many)).toBe(BlockErrorCode.TOO_MANY_CONTRIBUTIONS);
    after();
  });

  it("a ticket whose roots differ from its miner's lane leaf, in either order", async () => {
    const wa = await mineLane(g.state, g.header, A, 0);
    const wb = await mineLane(g.state, g.header, B, 0);
    const t = wa.tickets[0]!;
    const steps = wa.contribution.steps.map((s, i) =>
      i !== t.step ? s : { ...s, jobs: s.jobs.map((j, k) => (k !== t.jobId ? j : { ...j, aRoot: new Uint8Array(32).fill(7) })) },
    );
    // A's own part, its lane tree committing other roots for the ticket's job
    const forgedLane = { ...wa, contribution: { ...wa.contribution, steps } };
    // the ticket is in state when the part comes: the part must open the lane, and the leaf's roots differ
    const c1 = minedBlock(g.state, g.header, t);
    const c1s = importBlock(g.state, g.header, c1.block).state;
    const wb2 = await mineLane(c1s, c1.block.header, B, 0);
    const e = blockErr(() => minedBlock(c1s, c1.block.header, wb2.tickets[0]!, { contributions: [partBytes([forgedLane], [0])] }));
    expect([e.code, compareBytes(e.context.address!, A)]).toEqual([BlockErrorCode.TICKET_MISMATCH, 0]);
    // without the opening it is refused too
    expect(blockErr(() => minedBlock(c1s, c1.block.header, wb2.tickets[0]!, { contributions: [wa.bytes] })).code).toBe(BlockErrorCode.CONTRIBUTION_MISSING_OPENING);
    // the honest part, opening the lane, lands fine after the ticket
    const ok = minedBlock(c1s, c1.block.header, wb2.tickets[0]!, { contributions: [partBytes([wa], [0])] });
    const s2 = importBlock(c1s, c1.block.header, ok.block).state;
    // the part is in state when a ticket of its lane comes: refused (the part can no longer prove it)
    const wa3 = await mineLane(s2, ok.block.header, A, 0);
    const fresh = wa3.tickets.find((x) => !bytesEqual(winKey(x), winKey(t)))!;
    expect(blockErr(() => minedBlock(s2, ok.block.header, fresh)).code).toBe(BlockErrorCode.TICKET_LANE_CLOSED);
    void wb;
  });
});

describe('round close, rewards, reorg', () => {
  it('closes after roundBlocks with the exact outer update, pays and burns, releases after the window, and reverts', async () => {
    const t = p.training!;
    const reward = p.subsidy; // no txs: no fees
    const ticketAmount = (reward * BigInt(t.ticketShareBps)) / 10_000n;
    // block 1: A's ticket on lane 0; block 2: B's ticket (B never contributes);
    // block 3 (closes round 0): A's ticket on lane 2 (lane 2 never lands) + A's part [0, 2) opening lane 0
    const a0 = await mineLane(g.state, g.header, A, 0);
    const b1 = minedBlock(g.state, g.header, a0.tickets[0]!);
    const s1 = importBlock(g.state, g.header, b1.block).state;
    const bw = await mineLane(s1, b1.block.header, B, 0);
    const b2 = minedBlock(s1, b1.block.header, bw.tickets[0]!);
    const s2 = importBlock(s1, b1.block.header, b2.block).state;
    const a1 = await mineLane(s2, b2.block.header, A, 1);
    const a2 = await mineLane(s2, b2.block.header, A, 2);
    const b3 = minedBlock(s2, b2.block.header, a2.tickets[0]!, { contributions: [partBytes([a0, a1], [0])] });
    const r3 = importBlock(s2, b2.block.header, b3.block);
    const s3 = r3.state;

    // outer update equals outerUpdate computed lane by lane
    const expected = outerUpdate(TINY_TASK, a0.base, [a0.contribution.delta, a1.contribution.delta]);
    expect(readCheckpoint(s3, TINY_TASK)).toEqual(expected);
    const round1 = readRound(s3)!;
    expect([round1.round, round1.openedAt]).toEqual([1, 3]);
    expect(round1.checkpointRoot).toEqual(checkpointRoot(TINY_TASK, expected));
    expect(b3.block.header.checkpointRoot).toEqual(round1.checkpointRoot);

    // B's ticket and A's lane-2 ticket have no part: burned and recorded
    expect(decodeAmount(s3.get(burnedKey(0))!, 'burned')).toBe(2n * ticketAmount);
    // the pool pays 2 lanes at pool / laneBudget each; the rest carries into round 1
    const pool = 3n * (reward - ticketAmount);
    const price = pool / BigInt(t.laneBudget);
    expect(round1.pool).toBe(pool - 2n * price);
    // locked until height 3 + challengeWindow = 5: nothing credited yet
    const balA0 = g.state.getAccount(A).balance;
    expect(s3.getAccount(A).balance).toBe(balA0);

    // blocks 4 and 5 of round 1 (B mines them), rewards released at height 5
    const w4 = await mineLane(s3, b3.block.header, B, 0);
    const b4 = minedBlock(s3, b3.block.header, w4.tickets[0]!);
    const s4 = importBlock(s3, b3.block.header, b4.block).state;
    expect(s4.getAccount(A).balance).toBe(balA0);
    const w5 = await mineLane(s4, b4.block.header, B, 0);
    const b5 = minedBlock(s4, b4.block.header, w5.tickets.find((x) => !bytesEqual(winKey(x), winKey(w4.tickets[0]!)))!);
    const s5 = importBlock(s4, b4.block.header, b5.block).state;
    expect(s5.getAccount(A).balance - balA0).toBe(ticketAmount + 2n * price);
    expect(s5.getAccount(B).balance).toBe(g.state.getAccount(B).balance);

    // reorg across the close: reverting block 3 restores W_0 and round 0 without the part
    const back = s3.revertDiff(r3.diff);
    expect(back.root()).toEqual(s2.root());
    expect(readRound(back)!.round).toBe(0);
    expect(readCheckpoint(back, TINY_TASK)).toEqual(a0.base);
  });
});
