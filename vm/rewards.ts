// Credits and locked rewards (state kind 0x02): a reward locked for height h is credited by the
// block at height h (releaseMatured). Used by block rewards, round rewards and unbonding.
import { bytesEqual, compareBytes } from '../consensus/bytes.ts';
import { TxError, TxErrorCode } from '../consensus/errors.ts';
import { decodeRewards, encodeRewards, rewardsKey, type LockedReward } from './keys.ts';
import { MAX_U64 } from './tx/common.ts';
import type { StateView } from './view.ts';

export function credit(view: StateView, address: Uint8Array, amount: bigint): void {
  const a = view.getAccount(address);
  if (a.balance + amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address });
  view.putAccount(address, { balance: a.balance + amount, nonce: a.nonce });
}

/** Credits the rewards that mature at `height` and removes their record. */
export function releaseMatured(view: StateView, height: number): void {
  const key = rewardsKey(height);
  const v = view.get(key);
  if (!v) return;
  for (const r of decodeRewards(v)) credit(view, r.address, r.amount);
  view.set(key, null);
}

/** Adds `amount` for `address` to the rewards that mature at `maturesAt` (one entry per address). */
export function lockReward(view: StateView, maturesAt: number, address: Uint8Array, amount: bigint): void {
  if (amount === 0n) return;
  const key = rewardsKey(maturesAt);
  const v = view.get(key);
  const list: LockedReward[] = v ? decodeRewards(v) : [];
  const i = list.findIndex((r) => bytesEqual(r.address, address));
  if (i >= 0) list[i] = { address, amount: list[i]!.amount + amount };
  else list.push({ address, amount });
  list.sort((a, b) => compareBytes(a.address, b.address));
  view.set(key, encodeRewards(list));
}

/** Removes up to `max` of `address`'s entry maturing at `maturesAt`; returns what it removed (0 when none is locked). */
export function takeLocked(view: StateView, maturesAt: number, address: Uint8Array, max: bigint): bigint {
  const key = rewardsKey(maturesAt);
  const v = view.get(key);
  if (!v || max <= 0n) return 0n;
  const list = decodeRewards(v);
  const i = list.findIndex((r) => bytesEqual(r.address, address));
  if (i < 0) return 0n;
  const have = list[i]!.amount;
  const take = have < max ? have : max;
  if (take === have) list.splice(i, 1);
  else list[i] = { address, amount: have - take };
  view.set(key, list.length ? encodeRewards(list) : null);
  return take;
}
