// A mutable overlay over an immutable State, with a journal for checkpoint / commit / revert
// (one checkpoint per tx: a failing tx reverts its writes). The base State is never touched.
import { bytesEqual, fromHex, toHex } from '../consensus/bytes.ts';
import type { StateDiff, StateChange } from './diff.ts';
import type { State } from './state.ts';
import { accountKey, decodeAccount, encodeAccount, ZERO_ACCOUNT, type Account } from './keys.ts';

export class StateView {
  /** hex key -> value (null = deleted). */
  private readonly writes = new Map<string, Uint8Array | null>();
  /** Journal frames: for each checkpoint, the previous overlay value of each key it touched (undefined = not in overlay). */
  private readonly journal: Map<string, Uint8Array | null | undefined>[] = [];

  constructor(readonly base: State) {}

  get(key: Uint8Array): Uint8Array | undefined {
    const k = toHex(key);
    if (this.writes.has(k)) return this.writes.get(k) ?? undefined;
    return this.base.get(key);
  }

  set(key: Uint8Array, value: Uint8Array | null): void {
    const k = toHex(key);
    const frame = this.journal[this.journal.length - 1];
    if (frame && !frame.has(k)) frame.set(k, this.writes.has(k) ? this.writes.get(k)! : undefined);
    this.writes.set(k, value === null ? null : new Uint8Array(value));
  }

  /** Keys starting with `prefix` in base plus overlay (deleted ones left out), sorted by key bytes. */
  keysWithPrefix(prefix: Uint8Array): Uint8Array[] {
    const p = toHex(prefix);
    const keys = new Set(this.base.keysWithPrefix(prefix).map(toHex));
    for (const [k, v] of this.writes) {
      if (!k.startsWith(p)) continue;
      if (v === null) keys.delete(k);
      else keys.add(k);
    }
    return [...keys].sort().map(fromHex);
  }

  /** Every account entry of base plus overlay (deleted ones left out), in no particular order: O(N), see State.accountEntries. */
  *accountEntries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const [k, v] of this.base.accountEntries()) if (!this.writes.has(toHex(k))) yield [k, v];
    for (const [k, v] of this.writes) if (v !== null && k.startsWith('01') && k.length === 42) yield [fromHex(k), v];
  }

  getAccount(address: Uint8Array): Account {
    const v = this.get(accountKey(address));
    return v ? decodeAccount(v) : ZERO_ACCOUNT;
  }

  /** Writes an account; the zero account is stored as absent (no empty entries in the root). */
  putAccount(address: Uint8Array, a: Account): void {
    const empty = a.balance === 0n && a.nonce === 0;
    this.set(accountKey(address), empty ? null : encodeAccount(a));
  }

  checkpoint(): void {
    this.journal.push(new Map());
  }

  /** Keeps the writes since the last checkpoint (merging them into the enclosing one). */
  commit(): void {
    const frame = this.journal.pop();
    if (!frame) throw new Error('commit without checkpoint');
    const outer = this.journal[this.journal.length - 1];
    if (outer) for (const [k, v] of frame) if (!outer.has(k)) outer.set(k, v);
  }

  /** Drops the writes since the last checkpoint. */
  revert(): void {
    const frame = this.journal.pop();
    if (!frame) throw new Error('revert without checkpoint');
    for (const [k, v] of frame) {
      if (v === undefined) this.writes.delete(k);
      else this.writes.set(k, v);
    }
  }

  /** Changes against the base, sorted by key; keys written back to their base value are left out. */
  diff(): StateDiff {
    const changes: StateChange[] = [];
    for (const k of [...this.writes.keys()].sort()) {
      const key = fromHex(k);
      const before = this.base.get(key) ?? null;
      const after = this.writes.get(k)!;
      if (before === null ? after === null : after !== null && bytesEqual(before, after)) continue;
      changes.push({ key, before, after });
    }
    return { changes };
  }

  /** The new immutable State (base plus this overlay). */
  toState(): State {
    return this.base.withChanges(this.writes);
  }

  root(): Uint8Array {
    return this.toState().root();
  }
}
