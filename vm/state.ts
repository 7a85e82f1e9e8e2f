// Immutable state snapshot: a key/value map with a cached Merkle root.
// Root = merkleRoot over encode([key, value]) of all entries sorted by key bytes (a leaf per
// entry, so a light client can be given one account with a Merkle proof).
import { bytesEqual, fromHex, toHex } from '../consensus/bytes.ts';
import { encode } from '../consensus/codec.ts';
import { BlockError, BlockErrorCode } from '../consensus/errors.ts';
import { leafHash, rootOfHashes } from '../consensus/merkle.ts';
import type { StateDiff } from './diff.ts';
import { accountKey, decodeAccount, ZERO_ACCOUNT, type Account } from './keys.ts';

interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  /** Leaf hash, computed once per entry value. */
  readonly leaf: Uint8Array;
}

function entryOf(key: Uint8Array, value: Uint8Array): Entry {
  return { key, value, leaf: leafHash(encode([key, value])) };
}

export class State {
  private rootCache: Uint8Array | undefined;
  private constructor(private readonly map: ReadonlyMap<string, Entry>) {}

  static empty(): State {
    return new State(new Map());
  }

  /** Loads a state from its entries (e.g. read from storage). */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>): State {
    const m = new Map<string, Entry>();
    for (const [k, v] of entries) m.set(toHex(k), entryOf(new Uint8Array(k), new Uint8Array(v)));
    return new State(m);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: Uint8Array): Uint8Array | undefined {
    return this.map.get(toHex(key))?.value;
  }

  /** Entries sorted by key bytes (lower-case hex order equals byte order). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    for (const k of [...this.map.keys()].sort()) {
      const e = this.map.get(k)!;
      yield [e.key, e.value];
    }
  }

  /** Keys starting with `prefix`, sorted by key bytes. */
  keysWithPrefix(prefix: Uint8Array): Uint8Array[] {
    const p = toHex(prefix);
    const out: string[] = [];
    for (const k of this.map.keys()) if (k.startsWith(p)) out.push(k);
    return out.sort().map((k) => this.map.get(k)!.key);
  }

  getAccount(address: Uint8Array): Account {
    const v = this.get(accountKey(address));
    return v ? decodeAccount(v) : ZERO_ACCOUNT;
  }

  root(): Uint8Array {
    if (!this.rootCache) {
      const keys = [...this.map.keys()].sort();
      this.rootCache = rootOfHashes(keys.map((k) => this.map.get(k)!.leaf));
    }
    return this.rootCache;
  }

  /** A new State with the diff applied; every `before` must match this state. */
  applyDiff(d: StateDiff): State {
    return this.patch(d, false);
  }

  /** A new State with the diff undone; every `after` must match this state. */
  revertDiff(d: StateDiff): State {
    return this.patch(d, true);
  }

  private patch(d: StateDiff, reverse: boolean): State {
    const m = new Map(this.map);
    for (const c of d.changes) {
      const k = toHex(c.key);
      const expect = reverse ? c.after : c.before;
      const put = reverse ? c.before : c.after;
      const cur = m.get(k)?.value ?? null;
      if (!(cur === null ? expect === null : expect !== null && bytesEqual(cur, expect)))
        throw new BlockError(BlockErrorCode.STATE_MISMATCH, { reason: `key ${k} does not hold the diff's ${reverse ? 'after' : 'before'} value` });
      if (put === null) m.delete(k);
      else m.set(k, entryOf(new Uint8Array(c.key), new Uint8Array(put)));
    }
    return new State(m);
  }

  /** Internal: a new State from this one plus changed entries (value null deletes). */
  withChanges(changes: ReadonlyMap<string, Uint8Array | null>): State {
    const m = new Map(this.map);
    for (const [k, v] of changes) {
      if (v === null) m.delete(k);
      else m.set(k, entryOf(fromHex(k), v));
    }
    return new State(m);
  }
}
