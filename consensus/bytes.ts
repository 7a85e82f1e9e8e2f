// Byte helpers shared by every layer. No I/O, no floats.

export type Bytes = Uint8Array;

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison: negative if a < b, 0 if equal, positive if a > b. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** `0x`-prefixed lower-case hex. */
export function to0x(b: Uint8Array): string {
  return '0x' + toHex(b);
}

const HEX_RE = /^(0x)?([0-9a-fA-F]{2})*$/;

/** Parses hex with or without `0x`; throws RangeError on odd length or non-hex characters. */
export function fromHex(s: string): Uint8Array {
  if (!HEX_RE.test(s)) throw new RangeError(`not a hex string: ${s.length > 20 ? s.slice(0, 20) + '...' : s}`);
  const h = s.startsWith('0x') ? s.slice(2) : s;
  return new Uint8Array(Buffer.from(h, 'hex'));
}

export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a u32: ${n}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

export function u64be(n: bigint | number): Uint8Array {
  const v = BigInt(n);
  if (v < 0n || v >= 1n << 64n) throw new RangeError(`not a u64: ${v}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v);
  return out;
}

/** Big-endian unsigned integer of any width. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

/** Big-endian, exactly `len` bytes; throws if it does not fit. */
export function bigIntToBytes(v: bigint, len: number): Uint8Array {
  if (v < 0n) throw new RangeError('negative');
  const out = new Uint8Array(len);
  let x = v;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  if (x !== 0n) throw new RangeError(`${v} does not fit in ${len} bytes`);
  return out;
}

const utf8 = new TextEncoder();
export function utf8Bytes(s: string): Uint8Array {
  return utf8.encode(s);
}
