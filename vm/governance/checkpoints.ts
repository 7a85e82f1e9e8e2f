// Balance checkpoints: a vote weighs the voter's balance at the end of the proposal's start
// height, whatever happened since, so moving tokens to another address and voting again counts
// nothing twice. At the end of every block h in which a proposal votes, each account whose
// balance the block changed gets (address, h) -> its balance at the end of h - 1 (unless that
// checkpoint exists). balanceAt(a, s) is then the value of the first checkpoint of `a` above s,
// or, with none, the current balance (no change since s). Checkpoints are deleted when no
// proposal is open any more.
import { accountKey, decodeAccount, StateKind } from '../keys.ts';
import type { StateReader, StateWriter } from '../round/state.ts';
import type { StateDiff } from '../diff.ts';
import { checkpointKey, checkpointPrefix, decodeU64, encodeU64, heightOfCheckpointKey } from './keys.ts';

function balanceIn(s: StateReader, a: Uint8Array): bigint {
  const v = s.get(accountKey(a));
  return v ? decodeAccount(v).balance : 0n;
}

/** Writes the checkpoints of block `height` from its diff against the parent state `pre`. */
export function recordCheckpoints(s: StateWriter, pre: StateReader, diff: StateDiff, height: number): void {
  for (const c of diff.changes) {
    if (c.key[0] !== StateKind.Account || c.key.length !== 21) continue;
    const before = c.before ? decodeAccount(c.before).balance : 0n;
    const after = c.after ? decodeAccount(c.after).balance : 0n;
    if (before === after) continue; // a nonce-only change
    const a = c.key.subarray(1);
    const k = checkpointKey(a, height);
    if (!s.get(k)) s.set(k, encodeU64(balanceIn(pre, a)));
  }
}

/** The balance of `a` at the end of block `h` (h not older than the oldest open proposal's start). */
export function balanceAt(s: StateReader, a: Uint8Array, h: number): bigint {
  for (const k of s.keysWithPrefix(checkpointPrefix(a))) if (heightOfCheckpointKey(k) > h) return decodeU64(s.get(k)!, 'checkpoint');
  return balanceIn(s, a);
}

export function clearCheckpoints(s: StateWriter): void {
  for (const k of s.keysWithPrefix(checkpointPrefix())) s.set(k, null);
}

/** Sum of all balances (the eligible supply at the end of a block): an O(accounts) walk, run once per tally. */
export function totalBalances(s: { accountEntries(): Iterable<[Uint8Array, Uint8Array]> }): bigint {
  let t = 0n;
  for (const [, v] of s.accountEntries()) t += decodeAccount(v).balance;
  return t;
}
