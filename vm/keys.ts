// State keys and values. Every key starts with a one-byte kind:
//   0x01 || address (20)      -> account  encode([balance u64, nonce])
//   0x02 || u32be(height)     -> rewards maturing at that height: encode([[address, amount u64], ...]) sorted by address
import { concatBytes, u32be } from '../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../consensus/codec.ts';

export enum StateKind {
  Account = 0x01,
  LockedRewards = 0x02,
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
