// State keys and values of training rounds (docs/mining-vm.md). One-byte kinds after 0x01
// (accounts) and 0x02 (locked rewards):
//   0x03                                       round: encode([round, openedAt, checkpointRoot(32), pool u64])
//   0x04 || u16be(i)                           checkpoint tensor i (weights layers, then momentum layers): int32 LE
//   0x05 || address                            bond: encode([amount u64])
//   0x06 || u64be(R) || miner || u32be(lane)   a contribution of round R: its encoded bytes
//   0x07 || u64be(R) || miner || u32be(lane) || u32be(step) || u32be(jobId) || u32be(ti) || u32be(tj)
//                                              a ticket win: encode([height, rootA, rootB, amount u64])
//   0x08 || u64be(R)                           ticket rewards burned at the close of round R: encode([amount u64])
//   (0x06, the v1 per-lane contribution, is retired.)
//   0x0d || u64be(R) || miner || u32be(laneStart)
//                                              a landed part of round R: encode([laneCount, height, lanesRoot(32), partHash(32)])
//   0x0e || u16be(layer)                       sum of the D of the open round's parts, layer `layer`:
//                                              int64 LE per entry (safe integers)
//   0x0f                                       lanes of the open round's parts: encode([lanes])
//   0x10                                       samples the open round's landed lanes drew from each active
//                                              data registration (registration order): encode([count, ...])
//                                              (vm/attribution/attribute.ts: counted when a part lands)
// Kept per round until its challenge window closes (fraud proofs, docs/validators.md); a part's
// record (0x0d) is kept as long as its round's:
//   0x11 || u64be(R)                           a closed round: encode([closeHeight, baseRoot(32), baseWeightsRoot(32), lanes,
//                                              taskSwitched (bool), task (encoded)]); baseRoot / baseWeightsRoot: the
//                                              checkpoint its parts trained on (shard seeds, step 0); lanes: of its parts not void
//   0x12 || u64be(R) || u16be(i)               checkpoint tensor i that round R's outer update applies to (int32 LE):
//                                              written at close; for the open round only once a proven fraud recomputed it
//   0x13 || u64be(R) || u16be(layer)           sum of the D of closed round R's parts not void (int64 LE, as 0x0e)
//   0x14 || u64be(R) || miner || u32be(laneStart)
//                                              what the part's miner was locked at R's close for it: encode([amount u64])
//   0x15 || u64be(R) || miner || u32be(laneStart)
//                                              a void part: encode([height, challenger(20), kind, bond slashed u64,
//                                              rewards taken u64, paid to the challenger u64])
//   0x16                                       burned by challenges (failed challenges' bonds, the burned share of
//                                              slashes): encode([amount u64])
//   0x17 || u64be(R) || miner || u32be(laneStart)
//                                              a pending data request on the part: encode([lane, deadline, requester(20),
//                                              bond u64, the part's bytes])
import { concatBytes, u32be, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';

export enum RoundKind {
  Round = 0x03,
  CheckpointTensor = 0x04,
  Bond = 0x05,
  /** Retired: the v1 per-lane contribution. */
  Contribution = 0x06,
  Win = 0x07,
  Burned = 0x08,
  Part = 0x0d,
  DeltaSum = 0x0e,
  RoundLanes = 0x0f,
  RoundUsage = 0x10,
  ClosedRound = 0x11,
  RoundBase = 0x12,
  RoundSum = 0x13,
  PartPaid = 0x14,
  PartVoid = 0x15,
  ChallengeBurned = 0x16,
  Request = 0x17,
}

/** A landed part's record (its header; D is summed into 0x0e, the openings were checked and dropped). */
export interface PartRecord {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  readonly height: number;
  readonly lanesRoot: Uint8Array;
  readonly partHash: Uint8Array;
}

export interface RoundInfo {
  readonly round: number;
  /** Height of the block at whose end the round opened (0 for round 0). */
  readonly openedAt: number;
  readonly checkpointRoot: Uint8Array;
  /** Rewards pooled for the round's contributing miners (paid at close, pro rata MACs). */
  readonly pool: bigint;
}

export interface Win {
  readonly height: number;
  readonly rootA: Uint8Array;
  readonly rootB: Uint8Array;
  /** The ticket share held for the winner until the round closes. */
  readonly amount: bigint;
}

export interface TileId {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  readonly step: number;
  readonly jobId: number;
  readonly ti: number;
  readonly tj: number;
}

const kind = (k: RoundKind) => new Uint8Array([k]);

export function roundKey(): Uint8Array {
  return kind(RoundKind.Round);
}

export function checkpointTensorKey(i: number): Uint8Array {
  return concatBytes(kind(RoundKind.CheckpointTensor), new Uint8Array([(i >> 8) & 0xff, i & 0xff]));
}

function addr20(a: Uint8Array): Uint8Array {
  if (a.length !== 20) throw new RangeError('address must be 20 bytes');
  return a;
}

export function bondKey(address: Uint8Array): Uint8Array {
  return concatBytes(kind(RoundKind.Bond), addr20(address));
}

/** Key of a part of `miner` in `round` starting at `laneStart`; without laneStart / miner: the prefix of the miner's / round's parts. */
export function partKey(round: number, miner?: Uint8Array, laneStart?: number): Uint8Array {
  const parts = [kind(RoundKind.Part), u64be(round)];
  if (miner) parts.push(addr20(miner));
  if (miner && laneStart !== undefined) parts.push(u32be(laneStart));
  return concatBytes(...parts);
}

export function encodePartRecord(p: PartRecord): Uint8Array {
  return encode([p.laneCount, p.height, p.lanesRoot, p.partHash]);
}

export function decodePartRecord(key: Uint8Array, value: Uint8Array): PartRecord {
  if (key.length !== 1 + 8 + 20 + 4 || key[0] !== RoundKind.Part) throw new RangeError('not a part key');
  const dv = new DataView(key.buffer, key.byteOffset, key.length);
  const r = TupleReader.of(decodeCanonical(value, 'part record'), 'part record', 4);
  const v = { round: Number(dv.getBigUint64(1)), miner: key.slice(9, 29), laneStart: dv.getUint32(29), laneCount: r.uint(), height: r.uint(), lanesRoot: r.bytes(32), partHash: r.bytes(32) };
  r.end();
  return Object.freeze(v);
}

export function deltaSumKey(layer: number): Uint8Array {
  return concatBytes(kind(RoundKind.DeltaSum), new Uint8Array([(layer >> 8) & 0xff, layer & 0xff]));
}

export function roundLanesKey(): Uint8Array {
  return kind(RoundKind.RoundLanes);
}

export function roundUsageKey(): Uint8Array {
  return kind(RoundKind.RoundUsage);
}

/** Per-registration sample counts of the open round (safe integers: lanes x H x batch at most). */
export function encodeRoundUsage(counts: readonly number[]): Uint8Array {
  return encode([...counts]);
}

export function decodeRoundUsage(b: Uint8Array, registrations: number): number[] {
  const r = TupleReader.of(decodeCanonical(b, 'round usage'), 'round usage', registrations);
  const out: number[] = [];
  for (let i = 0; i < registrations; i++) out.push(r.uint());
  r.end();
  return out;
}

/** D sums as int64 LE (every entry a safe integer). */
export function encodeSum(x: Float64Array): Uint8Array {
  const out = new Uint8Array(x.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) {
    const hi = Math.floor(x[i]! / 4294967296);
    dv.setUint32(i * 8, x[i]! - hi * 4294967296, true);
    dv.setInt32(i * 8 + 4, hi, true);
  }
  return out;
}

export function decodeSum(b: Uint8Array, len: number): Float64Array {
  if (b.length !== len * 8) throw new RangeError(`delta sum of ${b.length} bytes, expected ${len * 8}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    // two int32 halves: exact for safe integers, no BigInt per entry
    out[i] = dv.getInt32(i * 8 + 4, true) * 4294967296 + dv.getUint32(i * 8, true);
  }
  return out;
}

/** Prefix of the wins of one (round, miner, lane), of one (round, miner) without lane, or of a whole round without miner. */
export function winPrefix(round: number, miner?: Uint8Array, lane?: number): Uint8Array {
  const parts = [kind(RoundKind.Win), u64be(round)];
  if (miner) parts.push(addr20(miner));
  if (miner && lane !== undefined) parts.push(u32be(lane));
  return concatBytes(...parts);
}

export function winKey(t: TileId): Uint8Array {
  return concatBytes(winPrefix(t.round, t.miner, t.lane), u32be(t.step), u32be(t.jobId), u32be(t.ti), u32be(t.tj));
}

/** Parses a win key back into its tile id. */
export function tileIdOfWinKey(key: Uint8Array): TileId {
  if (key.length !== 1 + 8 + 20 + 4 * 5 || key[0] !== RoundKind.Win) throw new RangeError('not a win key');
  const dv = new DataView(key.buffer, key.byteOffset, key.length);
  const round = Number(dv.getBigUint64(1));
  return {
    round,
    miner: key.slice(9, 29),
    lane: dv.getUint32(29),
    step: dv.getUint32(33),
    jobId: dv.getUint32(37),
    ti: dv.getUint32(41),
    tj: dv.getUint32(45),
  };
}

export function burnedKey(round: number): Uint8Array {
  return concatBytes(kind(RoundKind.Burned), u64be(round));
}

export function encodeRoundInfo(r: RoundInfo): Uint8Array {
  return encode([r.round, r.openedAt, r.checkpointRoot, r.pool]);
}

export function decodeRoundInfo(b: Uint8Array): RoundInfo {
  const r = TupleReader.of(decodeCanonical(b, 'round'), 'round', 4);
  const v = { round: r.uint(), openedAt: r.uint(), checkpointRoot: r.bytes(32), pool: r.u64() };
  r.end();
  return Object.freeze(v);
}

export function encodeWin(w: Win): Uint8Array {
  return encode([w.height, w.rootA, w.rootB, w.amount]);
}

export function decodeWin(b: Uint8Array): Win {
  const r = TupleReader.of(decodeCanonical(b, 'win'), 'win', 4);
  const v = { height: r.uint(), rootA: r.bytes(32), rootB: r.bytes(32), amount: r.u64() };
  r.end();
  return Object.freeze(v);
}

export function encodeAmount(a: bigint): Uint8Array {
  return encode([a]);
}

export function decodeAmount(b: Uint8Array, what: string): bigint {
  const r = TupleReader.of(decodeCanonical(b, what), what, 1);
  const v = r.u64();
  r.end();
  return v;
}

export function encodeTensor(x: Int32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) dv.setInt32(i * 4, x[i]!, true);
  return out;
}

export function decodeTensor(b: Uint8Array, len: number): Int32Array {
  if (b.length !== len * 4) throw new RangeError(`checkpoint tensor of ${b.length} bytes, expected ${len * 4}`);
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const out = new Int32Array(len);
  for (let i = 0; i < len; i++) out[i] = dv.getInt32(i * 4, true);
  return out;
}

// ---- kept for the challenge window (fraud proofs) ----

/** A closed round kept for its challenge window. */
export interface ClosedRound {
  readonly round: number;
  readonly closeHeight: number;
  /** Root of the checkpoint the round's parts trained on (its RoundInfo.checkpointRoot). */
  readonly baseRoot: Uint8Array;
  /** Root of its weights (what step 0 of every lane starts from). */
  readonly baseWeightsRoot: Uint8Array;
  /** Lanes of its parts not void. */
  readonly lanes: number;
  /** True when the next round opened on a new task (a recomputation stops there). */
  readonly taskSwitched: boolean;
  /** The round's task, encoded (consensus/training/task-codec.ts). */
  readonly task: Uint8Array;
}

export function closedRoundKey(round?: number): Uint8Array {
  return round === undefined ? kind(RoundKind.ClosedRound) : concatBytes(kind(RoundKind.ClosedRound), u64be(round));
}

export function encodeClosedRound(r: ClosedRound): Uint8Array {
  return encode([r.closeHeight, r.baseRoot, r.baseWeightsRoot, r.lanes, r.taskSwitched, r.task]);
}

export function decodeClosedRound(key: Uint8Array, b: Uint8Array): ClosedRound {
  if (key.length !== 9 || key[0] !== RoundKind.ClosedRound) throw new RangeError('not a closed-round key');
  const r = TupleReader.of(decodeCanonical(b, 'closed round'), 'closed round', 6);
  const v = {
    round: Number(new DataView(key.buffer, key.byteOffset, 9).getBigUint64(1)), closeHeight: r.uint(), baseRoot: r.bytes(32), baseWeightsRoot: r.bytes(32),
    lanes: r.uint(), taskSwitched: r.bool(), task: r.bytes(),
  };
  r.end();
  return Object.freeze(v);
}

function u16(i: number): Uint8Array {
  return new Uint8Array([(i >> 8) & 0xff, i & 0xff]);
}

/** Tensor i (weights, then momentum) of round R's outer-update base; without i: the round's prefix. */
export function roundBaseKey(round: number, i?: number): Uint8Array {
  return concatBytes(kind(RoundKind.RoundBase), u64be(round), ...(i === undefined ? [] : [u16(i)]));
}

/** Layer `layer` of closed round R's delta sum; without layer: the round's prefix. */
export function roundSumKey(round: number, layer?: number): Uint8Array {
  return concatBytes(kind(RoundKind.RoundSum), u64be(round), ...(layer === undefined ? [] : [u16(layer)]));
}

function partScoped(k: RoundKind, round: number, miner?: Uint8Array, laneStart?: number): Uint8Array {
  const parts = [kind(k), u64be(round)];
  if (miner) parts.push(addr20(miner));
  if (miner && laneStart !== undefined) parts.push(u32be(laneStart));
  return concatBytes(...parts);
}

export function partPaidKey(round: number, miner?: Uint8Array, laneStart?: number): Uint8Array {
  return partScoped(RoundKind.PartPaid, round, miner, laneStart);
}

export function partVoidKey(round: number, miner?: Uint8Array, laneStart?: number): Uint8Array {
  return partScoped(RoundKind.PartVoid, round, miner, laneStart);
}

/** What voiding a part did. */
export interface PartVoid {
  readonly height: number;
  readonly challenger: Uint8Array;
  /** ChallengeKind of the proof. */
  readonly kind: number;
  readonly bondSlashed: bigint;
  readonly rewardsTaken: bigint;
  readonly challengerPaid: bigint;
}

export function encodePartVoid(v: PartVoid): Uint8Array {
  return encode([v.height, v.challenger, v.kind, v.bondSlashed, v.rewardsTaken, v.challengerPaid]);
}

export function decodePartVoid(b: Uint8Array): PartVoid {
  const r = TupleReader.of(decodeCanonical(b, 'part void'), 'part void', 6);
  const v = { height: r.uint(), challenger: r.bytes(20), kind: r.uint(0xff), bondSlashed: r.u64(), rewardsTaken: r.u64(), challengerPaid: r.u64() };
  r.end();
  return Object.freeze(v);
}

export function challengeBurnedKey(): Uint8Array {
  return kind(RoundKind.ChallengeBurned);
}

/** A pending request for a lane's leaf (vm/tx/challenge.ts). */
export interface LaneRequest {
  readonly lane: number;
  /** The request resolves at the end of this block. */
  readonly deadline: number;
  readonly requester: Uint8Array;
  /** The requester's challenge bond, held. */
  readonly bond: bigint;
  /** The part's signed bytes (its D leaves the round if the request voids it). */
  readonly part: Uint8Array;
}

/** The request on a part; without miner / laneStart: the prefix of a round's (or of all) requests. */
export function requestKey(round?: number, miner?: Uint8Array, laneStart?: number): Uint8Array {
  return round === undefined ? kind(RoundKind.Request) : partScoped(RoundKind.Request, round, miner, laneStart);
}

export function encodeRequest(r: LaneRequest): Uint8Array {
  return encode([r.lane, r.deadline, r.requester, r.bond, r.part]);
}

export function decodeRequest(b: Uint8Array): LaneRequest {
  const r = TupleReader.of(decodeCanonical(b, 'request'), 'request', 5);
  const v = { lane: r.uint(), deadline: r.uint(), requester: r.bytes(20), bond: r.u64(), part: r.bytes() };
  r.end();
  return Object.freeze(v);
}
