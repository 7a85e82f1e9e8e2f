// Tile hashes straight from the shared memory's fold states, run by every thread of the wasm backend
// (plain JS so the workers need no TypeScript loader). Same bytes as consensus/pouw/transcript.ts
// tileHash: HMAC-SHA256(seed, u32le ti, tj, m, k, n || the tile's fold states, row-major, int32 LE),
// computed as H((K0 ^ opad) || H((K0 ^ ipad) || msg)) with one-shot SHA-256 calls (K0 = the seed
// zero-padded to 64 bytes; seeds are 32 bytes). Tests compare every tile with tileHash.
import { hash } from 'node:crypto';

const BLOCK = 64;

/**
 * Hashes tile rows [ti0, ti1) of an m x n fold matrix (row stride nPad int32 at byte offset foldOff, a
 * multiple of 4),
 * tiles h x w (smaller at the edges); writes the 32-byte hash of tile (ti, tj) at
 * outOff + (ti * ceil(n / w) + tj) * 32. The seed is seedLen (<= 64) bytes at seedOff.
 */
export function hashTiles(buffer, seedOff, seedLen, foldOff, nPad, m, k, n, h, w, ti0, ti1, outOff, scratchOff = -1, wasm = undefined) {
  const mem = new Uint8Array(buffer);
  const fold32 = new Int32Array(buffer);
  const inner = new Uint8Array(BLOCK + 20 + 4 * h * w);
  const states = new Int32Array(inner.buffer, BLOCK + 20, h * w);
  const outer = new Uint8Array(BLOCK + 32);
  inner.fill(0x36, 0, BLOCK);
  outer.fill(0x5c, 0, BLOCK);
  for (let i = 0; i < seedLen; i++) {
    inner[i] ^= mem[seedOff + i];
    outer[i] ^= mem[seedOff + i];
  }
  const dv = new DataView(inner.buffer);
  dv.setUint32(BLOCK + 8, m, true);
  dv.setUint32(BLOCK + 12, k, true);
  dv.setUint32(BLOCK + 16, n, true);
  const tilesN = Math.ceil(n / w);
  // The outer hashes, 4 tiles at a time, in wasm (hmac_outer4) when the caller gives its exports and a
  // 512-byte scratch: K0 ^ opad (64) | midstate (128) | 4 inner digests (128) | 4 outer digests (128).
  const simd = wasm !== undefined && scratchOff >= 0;
  const blk = scratchOff, mid = scratchOff + 64, src = scratchOff + 192, dst = scratchOff + 320;
  const pendingOut = [0, 0, 0, 0];
  let pending = 0;
  const flush = () => {
    wasm.hmac_outer4(mid, src, dst);
    for (let q = 0; q < pending; q++) mem.copyWithin(pendingOut[q], dst + 32 * q, dst + 32 * q + 32);
    pending = 0;
  };
  if (simd) {
    mem.set(outer.subarray(0, BLOCK), blk);
    wasm.hmac_outer_init(blk, mid);
  }
  for (let ti = ti0; ti < ti1; ti++) {
    const i0 = ti * h;
    const th = Math.min(h, m - i0);
    for (let tj = 0; tj < tilesN; tj++) {
      const j0 = tj * w;
      const tw = Math.min(w, n - j0);
      dv.setUint32(BLOCK, ti, true);
      dv.setUint32(BLOCK + 4, tj, true);
      // plain element copies: subarray + set per row cost more than the hash at 16 x 16
      let o = 0;
      for (let i = 0; i < th; i++) {
        let src = (foldOff >> 2) + (i0 + i) * nPad + j0;
        for (let j = 0; j < tw; j++) states[o++] = fold32[src++];
      }
      const ih = hash('sha256', inner.subarray(0, BLOCK + 20 + 4 * o), 'buffer');
      const at = outOff + (ti * tilesN + tj) * 32;
      if (simd) {
        mem.set(ih, src + 32 * pending);
        pendingOut[pending++] = at;
        if (pending === 4) flush();
      } else {
        outer.set(ih, BLOCK);
        mem.set(hash('sha256', outer, 'buffer'), at);
      }
    }
  }
  if (simd && pending > 0) flush();
}
