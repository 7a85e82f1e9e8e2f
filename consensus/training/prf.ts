// Deterministic pseudo-random streams for the training rules: SHA-256 in counter mode,
// word i of stream (seed) = bytes [4(i mod 8), 4(i mod 8) + 4) of SHA-256(seed || u32be(i div 8)), big-endian.
// Used for shards, initial weights and stochastic rounding; identical on every node.
import { concatBytes, u32be, u64be, utf8Bytes } from '../bytes.ts';
import { sha256, sha256WordsInto } from '../hash.ts';

/** Domain-separated seed: SHA-256(tag || parts...). */
export function deriveSeed(tag: string, ...parts: Uint8Array[]): Uint8Array {
  return sha256(utf8Bytes(tag), ...parts);
}

export function u32(n: number): Uint8Array {
  return u32be(n);
}

export function u64(n: number | bigint): Uint8Array {
  return u64be(n);
}

/** The first `count` 32-bit words of the stream keyed by `seed`. */
export function prfWords(seed: Uint8Array, count: number, firstBlock = 0): Uint32Array {
  const blocks = Math.ceil(count / 8);
  const words = new Uint32Array(blocks * 8);
  const input = concatBytes(seed, new Uint8Array(4));
  const dv = new DataView(input.buffer);
  for (let b = 0; b < blocks; b++) {
    dv.setUint32(seed.length, firstBlock + b);
    sha256WordsInto(input, words, 8 * b);
  }
  return blocks * 8 === count ? words : words.slice(0, count);
}

/** A reader over a PRF stream, refilled lazily, with unbiased bounded integers. */
export class PrfStream {
  private buf: Uint32Array = new Uint32Array(0);
  private pos = 0;
  private block = 0;
  constructor(private readonly seed: Uint8Array) {}

  next(): number {
    if (this.pos >= this.buf.length) {
      this.buf = prfWords(this.seed, 256, this.block);
      this.block += 32;
      this.pos = 0;
    }
    return this.buf[this.pos++]!;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32, by rejection sampling (no modulo bias). */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`bad bound ${n}`);
    const limit = 2 ** 32 - (2 ** 32 % n); // exact integer arithmetic below 2^53
    for (;;) {
      const w = this.next();
      if (w < limit) return w % n;
    }
  }
}
