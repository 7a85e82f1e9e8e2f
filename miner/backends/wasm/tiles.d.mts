/** See tiles.mjs. */
export function hashTiles(
  buffer: ArrayBufferLike, seedOff: number, seedLen: number, foldOff: number, nPad: number,
  m: number, k: number, n: number, h: number, w: number, ti0: number, ti1: number, outOff: number,
  scratchOff?: number, wasm?: { hmac_outer_init(blk: number, mid: number): void; hmac_outer4(mid: number, src: number, dst: number): void },
): void;
