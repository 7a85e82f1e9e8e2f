// A persistent sorted set of keys (an AVL tree ordered by lower-case hex, which is byte order):
// insert and delete copy the O(log N) nodes on one path and share the rest, and the keys under a
// prefix come out in order in O(log N + hits). The state keeps its non-account keys here for
// keysWithPrefix (contributions and wins of a round, locked rewards, bonds); accounts, the bulk of
// a large state, are not listed by prefix and stay out of it.
export interface IndexNode {
  readonly k: string;
  readonly l: IndexNode | null;
  readonly r: IndexNode | null;
  readonly ht: number;
}

const ht = (n: IndexNode | null): number => (n ? n.ht : 0);

function node(k: string, l: IndexNode | null, r: IndexNode | null): IndexNode {
  return { k, l, r, ht: Math.max(ht(l), ht(r)) + 1 };
}

function balance(k: string, l: IndexNode | null, r: IndexNode | null): IndexNode {
  const hl = ht(l);
  const hr = ht(r);
  if (hl > hr + 1) {
    const L = l!;
    if (ht(L.l) >= ht(L.r)) return node(L.k, L.l, node(k, L.r, r));
    const LR = L.r!;
    return node(LR.k, node(L.k, L.l, LR.l), node(k, LR.r, r));
  }
  if (hr > hl + 1) {
    const R = r!;
    if (ht(R.r) >= ht(R.l)) return node(R.k, node(k, l, R.l), R.r);
    const RL = R.l!;
    return node(RL.k, node(k, l, RL.l), node(R.k, RL.r, R.r));
  }
  return node(k, l, r);
}

export function indexInsert(n: IndexNode | null, k: string): IndexNode {
  if (n === null) return node(k, null, null);
  if (k === n.k) return n;
  return k < n.k ? balance(n.k, indexInsert(n.l, k), n.r) : balance(n.k, n.l, indexInsert(n.r, k));
}

function popMin(n: IndexNode): { min: string; rest: IndexNode | null } {
  if (n.l === null) return { min: n.k, rest: n.r };
  const { min, rest } = popMin(n.l);
  return { min, rest: balance(n.k, rest, n.r) };
}

export function indexDelete(n: IndexNode | null, k: string): IndexNode | null {
  if (n === null) return null;
  if (k < n.k) {
    const l = indexDelete(n.l, k);
    return l === n.l ? n : balance(n.k, l, n.r);
  }
  if (k > n.k) {
    const r = indexDelete(n.r, k);
    return r === n.r ? n : balance(n.k, n.l, r);
  }
  if (n.l === null) return n.r;
  if (n.r === null) return n.l;
  const { min, rest } = popMin(n.r);
  return balance(min, n.l, rest);
}

/** Keys starting with `prefix` (hex), in order. */
export function indexPrefix(n: IndexNode | null, prefix: string, out: string[] = []): string[] {
  if (n === null) return out;
  const inRange = n.k.startsWith(prefix);
  if (n.k >= prefix) indexPrefix(n.l, prefix, out);
  if (inRange) out.push(n.k);
  if (n.k < prefix || inRange) indexPrefix(n.r, prefix, out);
  return out;
}

/** Builds the index of keys sorted ascending and distinct, balanced. */
export function indexBuild(sorted: readonly string[], lo = 0, hi = sorted.length): IndexNode | null {
  if (lo >= hi) return null;
  const mid = (lo + hi) >> 1;
  return node(sorted[mid]!, indexBuild(sorted, lo, mid), indexBuild(sorted, mid + 1, hi));
}
