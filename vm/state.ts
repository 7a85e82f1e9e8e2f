// Immutable state snapshot: key/value entries in a persistent sparse Merkle tree (vm/smt.ts),
// plus a persistent sorted index of the non-account keys for keysWithPrefix (vm/sorted-index.ts).
// Root = the tree's root (docs/chain-core.md, "State root"). A new version shares every node it
// did not change with the one it came from: applying a block costs O(changed keys × log N)
// hashes and allocations, never a copy of the state.
import { bytesEqual, fromHex, toHex } from '../consensus/bytes.ts';
import { BlockError, BlockErrorCode } from '../consensus/errors.ts';
import type { StateDiff } from './diff.ts';
import { accountKey, decodeAccount, StateKind, ZERO_ACCOUNT, type Account } from './keys.ts';
import { compareLeafPaths, keyHash, leafKey, leafValue, smtBuild, smtDelete, smtGet, smtHash, smtLeaf, smtLeaves, smtPut, type SmtLeaf, type SmtNode } from './smt.ts';
import { indexBuild, indexDelete, indexInsert, indexPrefix, type IndexNode } from './sorted-index.ts';

/** Keys of this kind (the first byte) are not in the prefix index. */
const UNINDEXED_KIND = StateKind.Account;

function indexed(key: Uint8Array): boolean {
  return key[0] !== UNINDEXED_KIND;
}

export class State {
  private constructor(
    private readonly tree: SmtNode | null,
    private readonly index: IndexNode | null,
    readonly size: number,
  ) {}

  static empty(): State {
    return new State(null, null, 0);
  }

  /** Loads a state from its entries (e.g. read from storage); a repeated key keeps its last value. */
  static fromEntries(entries: Iterable<readonly [Uint8Array, Uint8Array]>): State {
    const all: SmtLeaf[] = [];
    for (const [k, v] of entries) all.push(smtLeaf(k, v));
    // sorted by key hash (the first 32 bytes); of a repeated key the last one stays
    const order = all.map((_, i) => i).sort((i, j) => compareLeafPaths(all[i]!, all[j]!) || i - j);
    const leaves: SmtLeaf[] = [];
    for (let n = 0; n < order.length; n++) {
      const next = order[n + 1];
      const cur = all[order[n]!]!;
      if (next !== undefined && compareLeafPaths(cur, all[next]!) === 0) continue;
      leaves.push(cur);
    }
    const keys = leaves.filter((l) => indexed(leafKey(l))).map((l) => toHex(leafKey(l))).sort();
    return new State(smtBuild(leaves), indexBuild(keys), leaves.length);
  }

  get(key: Uint8Array): Uint8Array | undefined {
    const l = smtGet(this.tree, keyHash(key));
    return l && leafValue(l);
  }

  /** Every entry, sorted by key bytes (O(N log N): genesis, tests and tools, not block import). */
  *entries(): IterableIterator<[Uint8Array, Uint8Array]> {
    const all = [...smtLeaves(this.tree)].map((l) => ({ k: toHex(leafKey(l)), l }));
    all.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    for (const { l } of all) yield [leafKey(l), leafValue(l)];
  }

  /**
   * Keys starting with `prefix`, sorted by key bytes. Accounts are not indexed by prefix (a
   * prefix that starts with the account kind, or an empty one, is a RangeError).
   */
  keysWithPrefix(prefix: Uint8Array): Uint8Array[] {
    if (prefix.length === 0 || !indexed(prefix)) throw new RangeError('keysWithPrefix: accounts are not indexed by prefix');
    return indexPrefix(this.index, toHex(prefix)).map(fromHex);
  }

  getAccount(address: Uint8Array): Account {
    const v = this.get(accountKey(address));
    return v ? decodeAccount(v) : ZERO_ACCOUNT;
  }

  root(): Uint8Array {
    return smtHash(this.tree);
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
    const changes = new Map<string, Uint8Array | null>();
    for (const c of d.changes) {
      const expect = reverse ? c.after : c.before;
      const cur = this.get(c.key) ?? null;
      if (!(cur === null ? expect === null : expect !== null && bytesEqual(cur, expect)))
        throw new BlockError(BlockErrorCode.STATE_MISMATCH, { reason: `key ${toHex(c.key)} does not hold the diff's ${reverse ? 'after' : 'before'} value` });
      changes.set(toHex(c.key), reverse ? c.before : c.after);
    }
    return this.withChanges(changes);
  }

  /** Internal: a new State from this one plus changed entries (hex key -> value; null deletes). */
  withChanges(changes: ReadonlyMap<string, Uint8Array | null>): State {
    let tree = this.tree;
    let index = this.index;
    let size = this.size;
    for (const [k, v] of changes) {
      const key = fromHex(k);
      const kh = keyHash(key);
      const had = smtGet(tree, kh) !== undefined;
      if (v === null) {
        if (!had) continue;
        tree = smtDelete(tree, kh);
        if (indexed(key)) index = indexDelete(index, k);
        size--;
      } else {
        tree = smtPut(tree, smtLeaf(key, v, kh));
        if (!had) {
          if (indexed(key)) index = indexInsert(index, k);
          size++;
        }
      }
    }
    return new State(tree, index, size);
  }
}
