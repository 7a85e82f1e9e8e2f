// Attribution of a closed round (docs/attribution.md). A finalized lane (R, miner, lane) trained
// on shardIndices(task, active, shardSeed(W_R root, R, miner, lane)): exactly these samples, so
// the record is exact. Kept compact: per (contributor, round) and per contributor, not per
// sample; the sample list is derivable from the lanes. The data pool D of the round is split pro
// rata: contributor i gets floor(D · weighted_i / (T · 10,000)), T = samples used by all lanes,
// weighted_i = Σ its samples used · their registration's royaltyBps; the rest goes to the
// treasury. Payments are locked like the miners' (maturing at closeHeight + challengeWindow).
import { BPS, type TrainingParams } from '../../consensus/params.ts';
import { shardIndices, shardSeed } from '../../consensus/training/shard.ts';
import { compareBytes, toHex, fromHex } from '../../consensus/bytes.ts';
import { addTreasury } from '../governance/state.ts';
import { lockReward } from '../rewards.ts';
import type { StateReader } from '../round/state.ts';
import type { StateView } from '../view.ts';
import {
  attributionKey, decodeAttribution, encodeAttribution, encodeRoundAttribution, roundActiveKey, roundAttributionKey, ZERO_ATTRIBUTION, type Registration,
} from '../data/keys.ts';
import { encode } from '../../consensus/codec.ts';
import { readRegistrations, readRegistry, writeRegistry } from '../data/registry.ts';

export interface FinalizedLane {
  readonly miner: Uint8Array;
  readonly lane: number;
}

export interface RoundUsage {
  /** contributor hex -> [samples, weighted]. */
  readonly byContributor: Map<string, { samples: bigint; weighted: bigint }>;
  readonly total: bigint;
}

/** Index of the registration holding sample `i` (registrations sorted by `first`). */
function regOf(regs: readonly Registration[], i: number): number {
  let lo = 0;
  let hi = regs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (regs[mid]!.first <= i) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The samples each contributor supplied to these lanes of round `round` on the checkpoint `ckptRoot`. */
export function roundUsage(s: StateReader, t: TrainingParams, round: number, ckptRoot: Uint8Array, lanes: readonly FinalizedLane[], active: number): RoundUsage {
  const regs = readRegistrations(s);
  const perReg = new Array<number>(regs.length).fill(0);
  for (const l of lanes) {
    const idx = shardIndices(t.task, active, shardSeed(ckptRoot, { round, miner: l.miner, lane: l.lane }));
    for (const i of idx) perReg[regOf(regs, i)]!++;
  }
  const byContributor = new Map<string, { samples: bigint; weighted: bigint }>();
  let total = 0n;
  regs.forEach((r, j) => {
    const c = BigInt(perReg[j]!);
    if (c === 0n) return;
    const k = toHex(r.contributor);
    const cur = byContributor.get(k) ?? { samples: 0n, weighted: 0n };
    byContributor.set(k, { samples: cur.samples + c, weighted: cur.weighted + c * BigInt(r.royaltyBps) });
    total += c;
  });
  return { byContributor, total };
}

/**
 * Records the round's attribution and pays `dataPool` (locked until `unlockAt`). Returns false,
 * paying nothing, when the chain has no registered data or no lane (the caller keeps the pool).
 */
export function attributeRound(
  s: StateView, t: TrainingParams, round: number, ckptRoot: Uint8Array, lanes: readonly FinalizedLane[], dataPool: bigint, closeHeight: number, unlockAt: number,
): boolean {
  const reg = readRegistry(s);
  if (!reg || reg.active === 0 || lanes.length === 0) return false;
  const use = roundUsage(s, t, round, ckptRoot, lanes, reg.active);
  const denom = use.total * BigInt(BPS);
  let paid = 0n;
  const keys = [...use.byContributor.keys()].map(fromHex).sort(compareBytes);
  for (const who of keys) {
    const u = use.byContributor.get(toHex(who))!;
    const earned = (dataPool * u.weighted) / denom;
    lockReward(s, unlockAt, who, earned);
    paid += earned;
    s.set(roundAttributionKey(who, round), encodeRoundAttribution({ samples: u.samples, weighted: u.weighted, earned, closeHeight }));
    const prev = s.get(attributionKey(who));
    const a = prev ? decodeAttribution(prev) : ZERO_ATTRIBUTION;
    s.set(attributionKey(who), encodeAttribution({
      samples: a.samples + u.samples, weighted: a.weighted + u.weighted, dataEarnings: a.dataEarnings + earned, royalties: a.royalties, rounds: a.rounds + 1,
    }));
  }
  addTreasury(s, dataPool - paid);
  writeRegistry(s, { ...reg, attributed: reg.attributed + use.total });
  return true;
}

/**
 * At every round close: data registered so far becomes part of the training set of the round that
 * opens (`opened`), whose sample count is kept with it (a step fraud proof re-executes a step of that
 * round on exactly those samples: vm/data/training-set.ts roundTrainingSet).
 */
export function activateRegisteredData(s: StateView, opened: number): void {
  const reg = readRegistry(s);
  if (!reg) return;
  if (reg.active !== reg.total) writeRegistry(s, { ...reg, active: reg.total });
  s.set(roundActiveKey(opened), encode([reg.total]));
}
