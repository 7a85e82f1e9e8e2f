// State keys and values. Every key starts with a one-byte kind:
//   0x01 || address (20)      -> account  encode([balance u64, nonce])
//   0x02 || u32be(height)     -> rewards maturing at that height: encode([[address, amount u64], ...]) sorted by address
//   0x09 || miner (20) || parent (32) || SHA-256(seal) (32)
//                             -> an equivocation punished: encode([height of the evidence's block, burned u64])
import { concatBytes, u32be } from '../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../consensus/codec.ts';

export enum StateKind {
  Account = 0x01,
  LockedRewards = 0x02,
  /** Equivocations punished, one per (miner, parent, ticket) (vm/tx/equivocation.ts). */
  Punished = 0x09,
}

export interface Account {
  readonly balance: bigint;
  readonly nonce: number;
}

export const ZERO_ACCOUNT: Account = Object.freeze({ balance: 0n, nonce: 0 });

/** An account exists in state unless it is the zero account (stored as absent). */
export function accountExists(a: Account): boolean {
  return a.balance !== 0n || a.nonce !== 0;
}

export function accountKey(address: Uint8Array): Uint8Array {
  if (address.length !== 20) throw new RangeError('address must be 20 bytes');
  return concatBytes(new Uint8Array([StateKind.Account]), address);
}

export function encodeAccount(a: Account): Uint8Array {
  return encode([a.balance, a.nonce]);
}

export function decodeAccount(b: Uint8Array): Account {
  const r = TupleReader.of(decodeCanonical(b, 'account'), 'account', 2);
  const a = { balance: r.u64(), nonce: r.uint() };
  r.end();
  return Object.freeze(a);
}

export function rewardsKey(height: number): Uint8Array {
  return concatBytes(new Uint8Array([StateKind.LockedRewards]), u32be(height));
}

export interface LockedReward {
  readonly address: Uint8Array;
  readonly amount: bigint;
}

export function encodeRewards(list: readonly LockedReward[]): Uint8Array {
  return encode(list.map((r) => [r.address, r.amount]));
}

export function decodeRewards(b: Uint8Array): LockedReward[] {
  const v = decodeCanonical(b, 'rewards');
  if (!Array.isArray(v)) throw new RangeError('rewards: not a list');
  return v.map((item) => {
    const r = TupleReader.of(item, 'reward', 2);
    const x = { address: r.bytes(20), amount: r.u64() };
    r.end();
    return x;
  });
}

export interface Punished {
  /** Height of the block that included the evidence. */
  readonly height: number;
  /** What the evidence burned (locked rewards, held ticket shares, bond share). */
  readonly burned: bigint;
}

export function punishedKey(miner: Uint8Array, parent: Uint8Array, sealHash: Uint8Array): Uint8Array {
  if (miner.length !== 20 || parent.length !== 32 || sealHash.length !== 32) throw new RangeError('punishedKey: bad field length');
  return concatBytes(new Uint8Array([StateKind.Punished]), miner, parent, sealHash);
}

export function encodePunished(p: Punished): Uint8Array {
  return encode([p.height, p.burned]);
}

export function decodePunished(b: Uint8Array): Punished {
  const r = TupleReader.of(decodeCanonical(b, 'punished'), 'punished', 2);
  const p = { height: r.uint(), burned: r.u64() };
  r.end();
  return Object.freeze(p);
}
