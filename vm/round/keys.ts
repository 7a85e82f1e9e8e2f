// State keys and values of training rounds (docs/mining-vm.md). One-byte kinds after 0x01
// (accounts) and 0x02 (locked rewards):
//   0x03                                       round: encode([round, openedAt, checkpointRoot(32), pool u64])
//   0x04 || u16be(i)                           checkpoint tensor i (weights layers, then momentum layers): int32 LE
//   0x05 || address                            bond: encode([amount u64])
//   0x06 || u64be(R) || miner || u32be(lane)   a contribution of round R: its encoded bytes
//   0x07 || u64be(R) || miner || u32be(lane) || u32be(step) || u32be(jobId) || u32be(ti) || u32be(tj)
//                                              a ticket win: encode([height, rootA, rootB, amount u64])
//   0x08 || u64be(R)                           ticket rewards burned at the close of round R: encode([amount u64])
import { concatBytes, u32be, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';

export enum RoundKind {
  Round = 0x03,
  CheckpointTensor = 0x04,
  Bond = 0x05,
  Contribution = 0x06,
  Win = 0x07,
  Burned = 0x08,
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

export function contributionKey(round: number, miner: Uint8Array, lane: number): Uint8Array {
  return concatBytes(kind(RoundKind.Contribution), u64be(round), addr20(miner), u32be(lane));
}

export function contributionPrefix(round: number): Uint8Array {
  return concatBytes(kind(RoundKind.Contribution), u64be(round));
}

/** Prefix of the wins of one (round, miner, lane), or of a whole round without miner. */
export function winPrefix(round: number, miner?: Uint8Array, lane?: number): Uint8Array {
  const parts = [kind(RoundKind.Win), u64be(round)];
  if (miner) parts.push(addr20(miner), u32be(lane ?? 0));
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
