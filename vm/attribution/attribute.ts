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
import type { StateReader, StateWriter } from '../round/state.ts';
import { decodeRoundUsage, encodeRoundUsage, roundUsageKey } from '../round/keys.ts';
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

/** The registrations the open round's shards draw from: those below `active` (a prefix, in registration order). */
function activeRegistrations(s: StateReader, active: number): Registration[] {
  return readRegistrations(s).filter((r) => r.first < active);
}

function countLane(t: TrainingParams, regs: readonly Registration[], perReg: number[], active: number, ckptRoot: Uint8Array, round: number, miner: Uint8Array, lane: number): void {
  const idx = shardIndices(t.task, active, shardSeed(ckptRoot, { round, miner, lane }));
  for (const i of idx) perReg[regOf(regs, i)]!++;
}

type PartLanes = { round: number; miner: Uint8Array; laneStart: number; laneCount: number; baseRoot: Uint8Array };

/**
 * When a part lands: adds the samples its lanes' shards draw from each active registration to the
 * open round's usage record. Nothing when the chain has no active data (nothing is attributed then).
 */
export function addPartUsage(s: StateWriter, t: TrainingParams, p: PartLanes): void {
  updateUsage(s, t, p, 1);
}

/** A part of the open round made void (a proven fraud): its lanes' samples leave the usage record. */
export function removePartUsage(s: StateWriter, t: TrainingParams, p: PartLanes): void {
  updateUsage(s, t, p, -1);
}

function updateUsage(s: StateWriter, t: TrainingParams, p: PartLanes, sign: 1 | -1): void {
  const reg = readRegistry(s);
  if (!reg || reg.active === 0) return;
  const regs = activeRegistrations(s, reg.active);
  const prev = s.get(roundUsageKey());
  const perReg = prev ? decodeRoundUsage(prev, regs.length) : new Array<number>(regs.length).fill(0);
  const part = new Array<number>(regs.length).fill(0);
  for (let l = p.laneStart; l < p.laneStart + p.laneCount; l++) countLane(t, regs, part, reg.active, p.baseRoot, p.round, p.miner, l);
  for (let j = 0; j < regs.length; j++) {
    perReg[j] = perReg[j]! + sign * part[j]!;
    if (perReg[j]! < 0) throw new RangeError(`round usage of registration ${j} below zero`); // a part removed that never landed: a caller bug
  }
  s.set(roundUsageKey(), encodeRoundUsage(perReg));
}

/**
 * The samples each contributor supplied to these lanes of round `round` on the checkpoint `ckptRoot`,
 * walking every lane's shard: the reference for the usage record the parts build up (tests).
 */
export function roundUsage(s: StateReader, t: TrainingParams, round: number, ckptRoot: Uint8Array, lanes: readonly FinalizedLane[], active: number): RoundUsage {
  const regs = activeRegistrations(s, active);
  const perReg = new Array<number>(regs.length).fill(0);
  for (const l of lanes) countLane(t, regs, perReg, active, ckptRoot, round, l.miner, l.lane);
  return usageOf(regs, perReg);
}

/** The open round's usage from its record (what the landed parts counted). */
export function recordedRoundUsage(s: StateReader, active: number): RoundUsage {
  const regs = activeRegistrations(s, active);
  const v = s.get(roundUsageKey());
  return usageOf(regs, v ? decodeRoundUsage(v, regs.length) : new Array<number>(regs.length).fill(0));
}

function usageOf(regs: readonly Registration[], perReg: readonly number[]): RoundUsage {
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
 * Records the round's attribution (of its `lanes` finalized lanes, from the usage record the parts
 * built) and pays `dataPool` (locked until `unlockAt`). Returns false, paying nothing, when the chain
 * has no registered data or no lane (the caller keeps the pool). The round close deletes the record.
 */
export function attributeRound(s: StateView, round: number, lanes: number, dataPool: bigint, closeHeight: number, unlockAt: number): boolean {
  const reg = readRegistry(s);
  if (!reg || reg.active === 0 || lanes === 0) return false;
  const use = recordedRoundUsage(s, reg.active);
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
