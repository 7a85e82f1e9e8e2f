// Attacks on contribution parts (v2), each run against the real VM (applyBlock through the node's
// seal check) on the mining test chain: every one is a typed rejection of the block, and the
// pre-state is unchanged (its root before and after). The last test is the block producer who
// leaves other miners' parts out: it gains nothing.
import { describe, expect, it } from 'vitest';
import { thrown } from '../helpers/errors.ts';
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import { partOfLanes } from '../../consensus/training/contribution.ts';
import { encodeSignedPart, signPart, sumDeltas, type ContributionPart } from '../../consensus/training/part.ts';
import type { PrivateKey } from '../../consensus/crypto/index.ts';
import { burnedKey, decodeAmount, winKey } from '../../vm/round/keys.ts';
import { readRound } from '../../vm/round/state.ts';
import type { State } from '../../vm/state.ts';
import { testKey } from '../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, TINY_TASK, mineLane, minedBlock, miningGenesis, partBytes, type LaneWork } from '../fixtures/mining.ts';

const kA = testKey(1);
const kB = testKey(2);
const A = kA.address();
const B = kB.address();
const g = miningGenesis([A, B], [A, B]); // bonds of 10^4; minBond 10^3, bondPerLane 10^3: 10 lanes each
const t = p.training!;

const sign = (part: ContributionPart, key: PrivateKey, chainId = p.chainId) => encodeSignedPart(signPart(part, key, chainId));
const unsigned = (lanes: readonly LaneWork[], open: number[] = []) => partOfLanes(TINY_TASK, lanes[0]!.base.weights, lanes.map((l) => l.contribution), open);

/** Builds a block on (pre, parent) with `contributions` and the ticket `ticket`: the typed error, pre's root unchanged. */
function rejected(pre: State, parent: typeof g.header, ticket: LaneWork['tickets'][number], contributions: Uint8Array[]): BlockError {
  const before = pre.root();
  const e = thrown(BlockError, () => minedBlock(pre, parent, ticket, { contributions }));
  expect(pre.root()).toEqual(before);
  return e;
}

describe('attacks on contribution parts', async () => {
  const lanes = await Promise.all([0, 1, 2].map((l) => mineLane(g.state, g.header, A, l)));
  const ticket = (await mineLane(g.state, g.header, A, 9)).tickets[0]!; // a lane no part here covers
  const [l0, l1, l2] = lanes as [LaneWork, LaneWork, LaneWork];

  it('+2^31-1 in every entry of D: out of the bound H clipped steps can reach', () => {
    const junk = { ...unsigned([l0]), delta: unsigned([l0]).delta.map((d) => new Float64Array(d.length).fill(2 ** 31 - 1)) };
    const e = rejected(g.state, g.header, ticket, [sign(junk, kA)]);
    expect([e.code, e.context.got]).toEqual([BlockErrorCode.CONTRIBUTION_DELTA_OUT_OF_BOUND, 2 ** 31 - 1]);
    // and a delta just past the bound of its lane count, however many lanes it claims
    const bound = t.task.localSteps * (2 ** t.task.weightFracBits) * 3;
    const three = unsigned([l0, l1, l2]);
    const over = { ...three, delta: three.delta.map((d, i) => (i === 0 ? d.map((v, j) => (j === 0 ? bound + 1 : v)) : d)) };
    expect(rejected(g.state, g.header, ticket, [sign(over, kA)]).code).toBe(BlockErrorCode.CONTRIBUTION_DELTA_OUT_OF_BOUND);
  });

  it('junk lanes with zero step roots: an opened lane must start from W_R and sit in the lanes root', async () => {
    const g1 = importMined(g.state, g.header, minedBlock(g.state, g.header, l0.tickets[0]!).block); // A won on lane 0
    const hdr = minedBlock(g.state, g.header, l0.tickets[0]!).block.header;
    const t2 = (await mineLane(g1.state, hdr, B, 0)).tickets[0]!;
    const zeroLeaf = { ...l0.contribution, steps: l0.contribution.steps.map((s) => ({ weightsRoot: new Uint8Array(32), jobs: s.jobs.map(() => ({ aRoot: new Uint8Array(32), bRoot: new Uint8Array(32), cRoot: new Uint8Array(32) })) })) };
    const junk = partOfLanes(TINY_TASK, l0.base.weights, [zeroLeaf], [0]);
    const e = rejected(g1.state, hdr, t2, [sign(junk, kA)]);
    expect([e.code, e.context.reason]).toEqual([BlockErrorCode.CONTRIBUTION_BAD_OPENING, "lane 0: the first step's weights root is not W_R's"]);
    // an opening of the honest leaf against another lanes root: not in the tree
    const honest = unsigned([l0], [0]);
    expect(rejected(g1.state, hdr, t2, [sign({ ...honest, lanesRoot: new Uint8Array(32).fill(1) }, kA)]).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_OPENING);
    // an opening of a lane without a win: not allowed (no free bytes)
    expect(rejected(g1.state, hdr, t2, [partBytes([l0, l1], [0, 1])]).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_OPENING);
    expect(() => minedBlock(g1.state, hdr, t2, { contributions: [partBytes([l0, l1], [0])] })).not.toThrow();
  });

  it('overlapping lanes, and a second part of one miner in one block', () => {
    const b1 = minedBlock(g.state, g.header, ticket, { contributions: [partBytes([l0, l1])] });
    const s1 = importMined(g.state, g.header, b1.block).state;
    return mineLane(s1, b1.block.header, B, 0).then((wb) => {
      const e = rejected(s1, b1.block.header, wb.tickets[0]!, [partBytes([l1, l2])]);
      expect(e.code).toBe(BlockErrorCode.CONTRIBUTION_LANES_OVERLAP);
      expect(() => minedBlock(s1, b1.block.header, wb.tickets[0]!, { contributions: [partBytes([l2])] })).not.toThrow();
      expect(rejected(g.state, g.header, ticket, [partBytes([l0]), partBytes([l1, l2])]).code).toBe(BlockErrorCode.DUPLICATE_CONTRIBUTION);
    });
  });

  it('insufficient bond for the lanes claimed: one bond cannot back any number of lanes', () => {
    // bond 10^4 at 10^3 per lane: 10 lanes. 11 junk lanes (D of zeros, any lanes root) are refused
    const eleven: ContributionPart = { ...unsigned([l0]), laneCount: 11, delta: sumDeltas(TINY_TASK, []) };
    const e = rejected(g.state, g.header, ticket, [sign(eleven, kA)]);
    expect([e.code, e.context.expected, e.context.got]).toEqual([BlockErrorCode.INSUFFICIENT_BOND, 11_000n, 10_000n]);
    // and across parts: 6 lanes landed, 5 more refused, 3 more fine
    const six = importMined(g.state, g.header, minedBlock(g.state, g.header, ticket, { contributions: [sign({ ...eleven, laneCount: 6 }, kA)] }).block);
    const hdr = minedBlock(g.state, g.header, ticket, { contributions: [sign({ ...eleven, laneCount: 6 }, kA)] }).block.header;
    return mineLane(six.state, hdr, B, 0).then((wb) => {
      expect(rejected(six.state, hdr, wb.tickets[0]!, [sign({ ...eleven, laneStart: 6, laneCount: 5 }, kA)]).code).toBe(BlockErrorCode.INSUFFICIENT_BOND);
      expect(() => minedBlock(six.state, hdr, wb.tickets[0]!, { contributions: [sign({ ...eleven, laneStart: 6, laneCount: 3 }, kA)] })).not.toThrow();
    });
  });

  it('a part replayed into another round or another chain, or signed by another key', async () => {
    // another chain: the signature is over the chain id, so it recovers to another address
    expect(rejected(g.state, g.header, ticket, [sign(unsigned([l0]), kA, p.chainId + 1)]).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
    // another key signing A's part: refused (a producer cannot include a part in A's name)
    const e = rejected(g.state, g.header, ticket, [sign(unsigned([l0]), kB)]);
    expect([e.code, e.context.reason]).toEqual([BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE, 'signed by another key']);
    // round 0's part replayed into round 1: wrong round (and re-labelling it breaks the signature)
    let pre = g.state;
    let parent = g.header;
    for (let i = 0; i < t.roundBlocks; i++) {
      const w = await mineLane(pre, parent, B, 0);
      const b = minedBlock(pre, parent, w.tickets[i]!);
      pre = importMined(pre, parent, b.block).state;
      parent = b.block.header;
    }
    expect(readRound(pre)!.round).toBe(1);
    const w = await mineLane(pre, parent, B, 0);
    expect(rejected(pre, parent, w.tickets[0]!, [partBytes([l0])]).code).toBe(BlockErrorCode.CONTRIBUTION_WRONG_ROUND);
    const relabelled = encodeSignedPart({ ...signPart(unsigned([l0]), kA, p.chainId), round: 1, baseRoot: readRound(pre)!.checkpointRoot });
    expect(rejected(pre, parent, w.tickets[0]!, [relabelled]).code).toBe(BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE);
  });

  it('a ticket whose lane is in no part earns nothing: its share is burned at the close (test/unit/vm/rounds.test.ts: one whose lane a part closed is refused)', async () => {
    let pre = g.state;
    let parent = g.header;
    const won = l0.tickets[0]!; // A's ticket on lane 0, no part of lane 0 ever lands
    for (let i = 0; i < t.roundBlocks; i++) {
      const tk = i === 0 ? won : (await mineLane(pre, parent, B, 5)).tickets[i]!;
      const b = minedBlock(pre, parent, tk, i === 1 ? { contributions: [partBytes([(await mineLane(pre, parent, B, 0))])] } : {});
      pre = importMined(pre, parent, b.block).state;
      parent = b.block.header;
    }
    const ticketShare = (p.subsidy * BigInt(t.ticketShareBps)) / 10_000n;
    expect(decodeAmount(pre.get(burnedKey(0))!, 'burned')).toBe(3n * ticketShare); // A's and B's two lane-5 wins: no part of those lanes
    expect(pre.get(winKey(won))).toBeUndefined();
  });

  it('leaving other miners\' parts out gains the block producer nothing', async () => {
    const lb = await mineLane(g.state, g.header, B, 0);
    /** A's locked pool reward after round 0 closes with A's part, and B's part included or left out. */
    const aReward = async (withB: boolean): Promise<bigint> => {
      let pre = g.state;
      let parent = g.header;
      for (let i = 0; i < t.roundBlocks; i++) {
        const tk = (await mineLane(pre, parent, A, 7)).tickets[i]!;
        const cs = i === 0 ? [partBytes([l0, l1]), ...(withB ? [lb.bytes] : [])] : [];
        const b = minedBlock(pre, parent, tk, { contributions: cs });
        pre = importMined(pre, parent, b.block).state;
        parent = b.block.header;
      }
      const carry = readRound(pre)!.pool;
      const pool = BigInt(t.roundBlocks) * (p.subsidy - (p.subsidy * BigInt(t.ticketShareBps)) / 10_000n);
      const paid = pool - carry;
      return withB ? paid - paid / 3n : paid; // A holds 2 of the 3 lanes when B is in
    };
    const alone = await aReward(false);
    const shared = await aReward(true);
    expect(alone).toBe(shared);
    expect(alone).toBe(2n * ((BigInt(t.roundBlocks) * (p.subsidy - (p.subsidy * BigInt(t.ticketShareBps)) / 10_000n)) / BigInt(t.laneBudget)));
  });
});
