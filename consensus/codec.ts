// Canonical encoding: plain msgpack of fixed-order arrays, type byte first.
// The decoder re-encodes what it decoded and rejects any byte string that differs, so every
// value has exactly one encoding and hashes of encodings are well defined.
//
// Field conventions (so that re-encoding is unique):
//  - small integers (heights, nonces, type bytes, chain ids, times): JS numbers, safe integers;
//  - amounts and other u64 values: bigint (msgpack int64/uint64, always 9 bytes on the wire);
//  - hashes, addresses, signatures, blobs: Uint8Array (msgpack bin);
//  - no maps, no floats, no strings in anything hashed except where a type says so.
import { Packr } from 'msgpackr';
import { CodecError, CodecErrorCode } from './errors.ts';
import { bytesEqual } from './bytes.ts';

const packr = new Packr({
  useRecords: false,
  mapsAsObjects: false,
  int64AsType: 'bigint',
  moreTypes: false,
  bundleStrings: false,
  useFloat32: 0,
});

export type Encodable = number | bigint | boolean | null | string | Uint8Array | Encodable[];

export function encode(value: Encodable): Uint8Array {
  checkEncodable(value);
  const out = packr.pack(value);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

function checkEncodable(v: Encodable): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'number', reason: `not a safe integer: ${v}` });
  } else if (Array.isArray(v)) {
    for (const x of v) checkEncodable(x);
  }
}

/** Decodes bytes that must be the canonical encoding of one value; throws CodecError otherwise. */
export function decodeCanonical(bytes: Uint8Array, what = 'value', maxBytes = Infinity): unknown {
  if (bytes.length > maxBytes) throw new CodecError(CodecErrorCode.TOO_LARGE, { what, reason: `${bytes.length} > ${maxBytes} bytes` });
  if (bytes.length === 0) throw new CodecError(CodecErrorCode.MALFORMED, { what, reason: 'empty' });
  let value: unknown;
  try {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = packr.unpackMultiple(buf) as unknown[];
    if (values.length !== 1) throw new Error(`${values.length} values`);
    value = values[0];
  } catch (e) {
    throw new CodecError(CodecErrorCode.MALFORMED, { what, reason: (e as Error).message });
  }
  normalize(value, what);
  let again: Uint8Array;
  try {
    again = encode(value as Encodable);
  } catch {
    throw new CodecError(CodecErrorCode.NON_CANONICAL, { what, reason: 'not re-encodable' });
  }
  if (!bytesEqual(again, bytes)) throw new CodecError(CodecErrorCode.NON_CANONICAL, { what });
  return value;
}

/** Rejects types that never appear in canonical values (floats, maps, extensions, undefined). */
function normalize(v: unknown, what: string): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'string' || v instanceof Uint8Array) return;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CodecError(CodecErrorCode.NON_CANONICAL, { what, reason: 'float' });
    return;
  }
  if (Array.isArray(v)) {
    for (const x of v) normalize(x, what);
    return;
  }
  throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `unexpected ${Object.prototype.toString.call(v)}` });
}

// ---- Field readers for decoders of fixed-order tuples --------------------------------------

export class TupleReader {
  private i = 0;
  constructor(
    private readonly items: unknown[],
    readonly what: string,
  ) {}

  static of(value: unknown, what: string, arity?: number): TupleReader {
    if (!Array.isArray(value)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: 'not an array' });
    if (arity !== undefined && value.length !== arity)
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `arity ${value.length}, expected ${arity}` });
    return new TupleReader(value, what);
  }

  private fail(reason: string): never {
    throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: this.what, reason: `field ${this.i}: ${reason}` });
  }

  private next(): unknown {
    if (this.i >= this.items.length) this.fail('missing');
    return this.items[this.i++];
  }

  /** Non-negative safe integer, at most `max`. */
  uint(max = Number.MAX_SAFE_INTEGER): number {
    const v = this.next();
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) this.fail(`expected uint <= ${max}, got ${String(v)}`);
    return v as number;
  }

  int(): number {
    const v = this.next();
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) this.fail(`expected int, got ${String(v)}`);
    return v as number;
  }

  /** bigint in [0, 2^64). */
  u64(): bigint {
    const v = this.next();
    if (typeof v !== 'bigint' || v < 0n || v >= 1n << 64n) this.fail(`expected u64 bigint, got ${String(v)}`);
    return v as bigint;
  }

  bool(): boolean {
    const v = this.next();
    if (typeof v !== 'boolean') this.fail('expected bool');
    return v as boolean;
  }

  string(maxLen = 1024): string {
    const v = this.next();
    if (typeof v !== 'string' || v.length > maxLen) this.fail(`expected string of at most ${maxLen}`);
    return v as string;
  }

  /** Bytes of exactly `len` (if given) or at most `maxLen`. */
  bytes(len?: number, maxLen = Infinity): Uint8Array {
    const v = this.next();
    if (!(v instanceof Uint8Array)) this.fail('expected bytes');
    const b = v as Uint8Array;
    if (len !== undefined && b.length !== len) this.fail(`expected ${len} bytes, got ${b.length}`);
    if (b.length > maxLen) this.fail(`more than ${maxLen} bytes`);
    return new Uint8Array(b);
  }

  array(maxLen = Infinity): unknown[] {
    const v = this.next();
    if (!Array.isArray(v)) this.fail('expected array');
    if ((v as unknown[]).length > maxLen) this.fail(`more than ${maxLen} items`);
    return v as unknown[];
  }

  raw(): unknown {
    return this.next();
  }

  /** Asserts every field was consumed. */
  end(): void {
    if (this.i !== this.items.length) this.fail(`${this.items.length - this.i} extra fields`);
  }
}

// ---- Skipping without decoding -------------------------------------------------------------

/**
 * The offset just past the msgpack item that starts at `at`, found without decoding it (no
 * allocation; arrays are walked, bins and strings skipped by their length). Lets a decoder take
 * one element of a large tuple (a block's header) before paying for the rest. Throws CodecError
 * MALFORMED on truncated input or on types that never occur in canonical values (maps, exts).
 */
export function msgpackItemEnd(b: Uint8Array, at: number, what = 'value'): number {
  const bad = (reason: string): never => {
    throw new CodecError(CodecErrorCode.MALFORMED, { what, reason });
  };
  const need = (n: number): void => {
    if (at + n > b.length) bad('truncated');
  };
  const be = (n: number): number => {
    need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + b[at + i]!;
    at += n;
    return v;
  };
  let items = 1;
  while (items > 0) {
    items--;
    need(1);
    const t = b[at++]!;
    if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) continue;
    let skip = 0; // be() moves `at` past the length field itself
    if (t >= 0x90 && t <= 0x9f) items += t & 0x0f;
    else if (t >= 0xa0 && t <= 0xbf) skip = t & 0x1f;
    else if (t === 0xc4 || t === 0xd9) skip = be(1);
    else if (t === 0xc5 || t === 0xda) skip = be(2);
    else if (t === 0xc6 || t === 0xdb) skip = be(4);
    else if (t === 0xcc || t === 0xd0) skip = 1;
    else if (t === 0xcd || t === 0xd1) skip = 2;
    else if (t === 0xce || t === 0xd2 || t === 0xca) skip = 4;
    else if (t === 0xcf || t === 0xd3 || t === 0xcb) skip = 8;
    else if (t === 0xdc) items += be(2);
    else if (t === 0xdd) items += be(4);
    else bad(`type 0x${t.toString(16)} at ${at - 1}`);
    at += skip;
    if (at > b.length) bad('truncated');
  }
  return at;
}
