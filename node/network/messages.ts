// Request/response messages (type bytes 0x60.., the range the project reserves for network
// messages). Canonical msgpack tuples, type byte first, decoded through the same canonical codec as
// blocks (any other encoding of the same value is refused), every count and length capped before
// anything is allocated for it.
//   Status          [0x60, chainId, genesis (32), head (32), height, totalWork (32, big-endian)]
//   HeadersByRange  [0x61, start height, count <= MAX_HEADERS]         -> header frames
//   BlocksByRange   [0x62, start height, count <= MAX_BLOCKS]          -> block frames
//   BlocksByHash    [0x63, [hash (32)] <= MAX_BLOCKS]                  -> block frames
//   StepData        [0x64, round, miner (20), laneStart, laneCount, lane, step]
//                   -> a LaneOpening frame, then (when kept) a frame of W_{R,m,lane,step}'s layers
//   ResponseCode    [0x65, code]   the first frame of every response
//   (0x69: a validator's attestation, gossiped: node/validator/attestation.ts)
//   LaneOpening     [0x66, lane, finalRoot (32), [[weightsRoot, aRoot, bRoot, cRoot, ...] x H],
//                    [sibling (32)...]]: lane's leaf and its Merkle path in the lanesRoot of the
//                    part [laneStart, laneStart + laneCount) of (round, miner)
// A response is its ResponseCode frame, then (for OK) the items, one length-prefixed frame each,
// headers and blocks as their canonical consensus encodings, then the end of the stream.
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { CodecError, CodecErrorCode } from '../../consensus/errors.ts';
import { bigIntToBytes, bytesToBigInt } from '../../consensus/bytes.ts';
import { MAX_LANE, readSteps, stepTuple, type LaneOpening } from '../../consensus/training/part.ts';
import { jobsPerStep, type TrainingTask } from '../../consensus/training/spec.ts';

export enum NetTag {
  Status = 0x60,
  HeadersByRange = 0x61,
  BlocksByRange = 0x62,
  BlocksByHash = 0x63,
  StepData = 0x64,
  ResponseCode = 0x65,
  LaneOpening = 0x66,
  /** A validator's attestation (gossip, not request/response): node/validator/attestation.ts. */
  Attestation = 0x69,
}

export enum ResponseCode {
  OK = 0,
  BAD_REQUEST = 1,
  RATE_LIMITED = 2,
  UNAVAILABLE = 3,
}

/** Most headers one HeadersByRange response holds. */
export const MAX_HEADERS = 512;
/** Most blocks one BlocksByRange / BlocksByHash response holds. */
export const MAX_BLOCKS = 32;
/** Largest request frame (all requests are tiny; BlocksByHash with 32 hashes is ~1.1 kB). */
export const MAX_REQUEST_BYTES = 2048;
/** Most lanes of the part a StepData request names (the server reads that many leaves at most). */
export const MAX_STEP_DATA_LANES = 1 << 16;
/** Deepest Merkle path of a lane opening (2^64 leaves). */
const MAX_SIBLINGS = 64;

export interface StatusMsg {
  readonly chainId: number;
  readonly genesis: Uint8Array;
  readonly head: Uint8Array;
  readonly height: number;
  readonly totalWork: bigint;
}

export type Request =
  | { readonly type: NetTag.HeadersByRange; readonly start: number; readonly count: number }
  | { readonly type: NetTag.BlocksByRange; readonly start: number; readonly count: number }
  | { readonly type: NetTag.BlocksByHash; readonly hashes: readonly Uint8Array[] }
  | StepDataRequest;

/**
 * W_{R,m,lane,s} and lane's leaf, asked of the node of miner `miner`: the part [laneStart,
 * laneStart + laneCount) of round `round` (as it landed on chain) holds `lane`; `step` in [0, H)
 * asks for the input weights of local step s, `step` = H for the lane's final weights.
 */
export interface StepDataRequest {
  readonly type: NetTag.StepData;
  readonly round: number;
  readonly miner: Uint8Array;
  readonly laneStart: number;
  readonly laneCount: number;
  readonly lane: number;
  readonly step: number;
}

const STATUS_BYTES = 128;

export function encodeStatus(s: StatusMsg): Uint8Array {
  return encode([NetTag.Status, s.chainId, s.genesis, s.head, s.height, bigIntToBytes(s.totalWork, 32)]);
}

export function decodeStatus(bytes: Uint8Array): StatusMsg {
  const r = TupleReader.of(decodeCanonical(bytes, 'status', STATUS_BYTES), 'status', 6);
  tag(r, NetTag.Status, 'status');
  const s = { chainId: r.uint(0xffffffff), genesis: r.bytes(32), head: r.bytes(32), height: r.uint(), totalWork: bytesToBigInt(r.bytes(32)) };
  r.end();
  return s;
}

export function encodeRequest(q: Request): Uint8Array {
  switch (q.type) {
    case NetTag.HeadersByRange:
    case NetTag.BlocksByRange:
      return encode([q.type, q.start, q.count]);
    case NetTag.BlocksByHash:
      return encode([q.type, [...q.hashes]]);
    case NetTag.StepData:
      return encode([q.type, q.round, q.miner, q.laneStart, q.laneCount, q.lane, q.step]);
  }
}

export function decodeRequest(bytes: Uint8Array): Request {
  const v = decodeCanonical(bytes, 'request', MAX_REQUEST_BYTES);
  if (!Array.isArray(v) || v.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'request', reason: 'not a tagged tuple' });
  switch (v[0]) {
    case NetTag.HeadersByRange:
    case NetTag.BlocksByRange: {
      const r = TupleReader.of(v, 'range request', 3);
      const type = r.uint() as NetTag.HeadersByRange | NetTag.BlocksByRange;
      const start = r.uint();
      const count = r.uint(type === NetTag.HeadersByRange ? MAX_HEADERS : MAX_BLOCKS);
      r.end();
      if (count === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'range request', reason: 'count 0' });
      return { type, start, count };
    }
    case NetTag.BlocksByHash: {
      const r = TupleReader.of(v, 'hash request', 2);
      r.uint();
      const list = r.array(MAX_BLOCKS);
      r.end();
      if (list.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'hash request', reason: 'no hashes' });
      const hashes = list.map((h) => {
        if (!(h instanceof Uint8Array) || h.length !== 32) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'hash request', reason: 'hash of 32 bytes expected' });
        return h;
      });
      return { type: NetTag.BlocksByHash, hashes };
    }
    case NetTag.StepData: {
      const r = TupleReader.of(v, 'step data request', 7);
      r.uint();
      const q = {
        type: NetTag.StepData as const, round: r.uint(0xffffffff), miner: r.bytes(20), laneStart: r.uint(MAX_LANE),
        laneCount: r.uint(MAX_STEP_DATA_LANES), lane: r.uint(MAX_LANE), step: r.uint(0xffffffff),
      };
      r.end();
      if (q.laneCount === 0 || q.lane < q.laneStart || q.lane >= q.laneStart + q.laneCount)
        throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'step data request', reason: 'the lane is not in [laneStart, laneStart + laneCount)' });
      return q;
    }
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'request', reason: `unknown type ${String(v[0])}` });
  }
}

export function encodeResponseCode(code: ResponseCode): Uint8Array {
  return encode([NetTag.ResponseCode, code]);
}

export function decodeResponseCode(bytes: Uint8Array): ResponseCode {
  const r = TupleReader.of(decodeCanonical(bytes, 'response code', 16), 'response code', 2);
  tag(r, NetTag.ResponseCode, 'response code');
  const code = r.uint(ResponseCode.UNAVAILABLE);
  r.end();
  return code;
}

/** W_{R,m,lane,s}: one Int32Array per layer, as little-endian bytes. */
export function encodeStepData(layers: readonly Int32Array[]): Uint8Array {
  return encode(layers.map((l) => new Uint8Array(l.buffer, l.byteOffset, l.byteLength)));
}

export function decodeStepData(bytes: Uint8Array, layerSizes: readonly number[]): Int32Array[] {
  const v = decodeCanonical(bytes, 'step data', layerSizes.reduce((a, n) => a + 4 * n + 8, 8));
  const r = TupleReader.of(v, 'step data', layerSizes.length);
  const out = layerSizes.map((n) => {
    const b = r.bytes(4 * n);
    const copy = new Uint8Array(b);
    return new Int32Array(copy.buffer, 0, n);
  });
  r.end();
  return out;
}

/** A lane's leaf with its Merkle path (the first item frame of a StepData answer). */
export function encodeLaneOpening(o: LaneOpening): Uint8Array {
  return encode([NetTag.LaneOpening, o.lane, o.leaf.finalRoot, o.leaf.steps.map(stepTuple), [...o.siblings]]);
}

/** Decodes a LaneOpening frame for the task's H steps; CodecError or TrainingError for bad bytes. */
export function decodeLaneOpening(task: TrainingTask, bytes: Uint8Array): LaneOpening {
  const max = 128 + task.localSteps * (8 + (1 + 3 * jobsPerStep(task)) * 34) + MAX_SIBLINGS * 34;
  const r = TupleReader.of(decodeCanonical(bytes, 'lane opening', max), 'lane opening', 5);
  tag(r, NetTag.LaneOpening, 'lane opening');
  const lane = r.uint(MAX_LANE);
  const finalRoot = r.bytes(32);
  const steps = readSteps(task, r.array(task.localSteps), 'lane opening');
  const siblings = r.array(MAX_SIBLINGS).map((x) => {
    if (!(x instanceof Uint8Array) || x.length !== 32) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'lane opening', reason: 'a sibling is not 32 bytes' });
    return new Uint8Array(x);
  });
  r.end();
  return { lane, leaf: { finalRoot, steps }, siblings };
}

function tag(r: TupleReader, expected: NetTag, what: string): void {
  const t = r.uint(0xff);
  if (t !== expected) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `type ${t}, expected ${expected}` });
}
