// Tile hashes of a whole job from its fold states, fast: HMAC-SHA256(seed, u32le ti, tj, m, k, n ||
// tile digest) exactly as consensus/pouw/transcript.ts tileHash defines it (tests compare every tile),
// as two one-shot SHA-256 calls over one reused buffer: HMAC = H((K0 ^ opad) || H((K0 ^ ipad) || msg)),
// K0 = the key zero-padded to 64 bytes (keys of at most 64 bytes; longer keys take the consensus
// function). Used by backends that return fold states (js, gpujs; wasm with tiles it cannot digest in
// its kernel); the wasm backend digests in its kernel and hashes 4 tiles at a time in wasm.
import { hash as oneShot } from 'node:crypto';
import { DIGEST_STRIP, foldStep, tileHashOfDigest, tileDigestWords, type JobShape } from '../consensus/pouw/transcript.ts';

const BLOCK = 64;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export class TileHasher {
  private readonly fast: boolean;
  /** K0 ^ ipad (64) | position and shape (20) | digest (4·words) */
  private readonly inner: Uint8Array;
  private readonly digest: Int32Array;
  /** K0 ^ opad (64) | inner digest (32) */
  private readonly outer: Uint8Array;
  private readonly dv: DataView;

  constructor(
    private readonly seed: Uint8Array,
    private readonly shape: JobShape,
    maxTileWidth: number,
  ) {
    this.fast = seed.length <= BLOCK && LITTLE_ENDIAN;
    const words = tileDigestWords(maxTileWidth);
    this.inner = new Uint8Array(BLOCK + 20 + 4 * words);
    this.digest = new Int32Array(this.inner.buffer, BLOCK + 20, words);
    this.outer = new Uint8Array(BLOCK + 32);
    this.dv = new DataView(this.inner.buffer);
    this.inner.fill(0x36, 0, BLOCK);
    this.outer.fill(0x5c, 0, BLOCK);
    for (let i = 0; i < Math.min(seed.length, BLOCK); i++) {
      this.inner[i] = this.inner[i]! ^ seed[i]!;
      this.outer[i] = this.outer[i]! ^ seed[i]!;
    }
    this.dv.setUint32(BLOCK + 8, shape.m, true);
    this.dv.setUint32(BLOCK + 12, shape.k, true);
    this.dv.setUint32(BLOCK + 16, shape.n, true);
  }

  /** Hash of tile (ti, tj): th x tw states of the row-major fold matrix (row stride n) at (i0, j0). */
  hash(fold: Int32Array, n: number, ti: number, tj: number, i0: number, j0: number, th: number, tw: number): Uint8Array {
    const words = tileDigestWords(tw);
    const d = this.digest;
    // the digest (consensus tileDigest), straight from the fold matrix
    for (let g = 0; g * DIGEST_STRIP < tw; g++)
      for (let q = 0; q < 4; q++) {
        const c0 = g * DIGEST_STRIP + q, c1 = c0 + 4;
        let u = 0;
        for (let i = 0, o = i0 * n + j0; i < th; i++, o += n) {
          if (c0 < tw) u = foldStep(u, fold[o + c0]!);
          if (c1 < tw) u = foldStep(u, fold[o + c1]!);
        }
        d[4 * g + q] = u;
      }
    if (!this.fast) return tileHashOfDigest(this.seed, this.shape, ti, tj, d.slice(0, words));
    this.dv.setUint32(BLOCK, ti, true);
    this.dv.setUint32(BLOCK + 4, tj, true);
    const ih = oneShot('sha256', this.inner.subarray(0, BLOCK + 20 + 4 * words), 'buffer');
    this.outer.set(ih, BLOCK);
    return new Uint8Array(oneShot('sha256', this.outer, 'buffer'));
  }
}
