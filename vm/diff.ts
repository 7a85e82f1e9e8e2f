// A block's state changes: every changed key with its value before and after (null = absent).
// The node writes `after` values (or deletes) and the encoded diff as the block's undo record in
// one atomic batch; a reorg applies the diff in reverse (`before` values).
import { decodeCanonical, encode, TupleReader } from '../consensus/codec.ts';

export interface StateChange {
  readonly key: Uint8Array;
  readonly before: Uint8Array | null;
  readonly after: Uint8Array | null;
}

export interface StateDiff {
  /** Sorted by key bytes, one entry per key, before != after. */
  readonly changes: readonly StateChange[];
}

const DIFF_TAG = 0x03;

export function encodeStateDiff(d: StateDiff): Uint8Array {
  return encode([DIFF_TAG, d.changes.map((c) => [c.key, c.before, c.after])]);
}

export function decodeStateDiff(b: Uint8Array): StateDiff {
  const r = TupleReader.of(decodeCanonical(b, 'stateDiff'), 'stateDiff', 2);
  if (r.uint(0xff) !== DIFF_TAG) throw new RangeError('stateDiff: bad type byte');
  const changes = r.array().map((item) => {
    const c = TupleReader.of(item, 'stateChange', 3);
    const key = c.bytes();
    const before = c.raw();
    const after = c.raw();
    c.end();
    const ok = (x: unknown): x is Uint8Array | null => x === null || x instanceof Uint8Array;
    if (!ok(before) || !ok(after)) throw new RangeError('stateChange: values must be bytes or null');
    return { key, before, after };
  });
  r.end();
  return { changes };
}
