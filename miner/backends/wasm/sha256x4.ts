// WebAssembly text of the 4-lane SHA-256 used for the tile HMACs and the noise streams (lane t = message t),
// generated here and appended to kernel.wat's module at assembly: 64 unrolled rounds with the round
// constants inline (an imported shared memory cannot carry a data segment safely: every worker's
// instantiation would rewrite it while others run).
//   hmac_outer_init(blk, mid): the SHA-256 state after the 64-byte block at blk (K0 ^ ipad or opad), in all 4
//     lanes, stored as 8 v128 at mid.
//   sha256_blocks4(blocks, dst, count): SHA-256 of count (rounded up to 4) messages, each one padded
//     64-byte block at blocks + 64t; 32 bytes at dst + 32t (the noise streams, consensus/pouw/noise.ts).
//   hmac_tiles4(midI, midO, blocks, dst, count): whole HMACs, count (rounded up to 4) at a time 4: message
//     t is the one padded 64-byte block at blocks + 64t (what follows K0 ^ ipad, padding included), midI
//     and midO the states after K0 ^ ipad and K0 ^ opad (hmac_outer_init); 32 bytes at dst + 32t.
// Tests compare every tile hash with consensus tileHash (test/unit/miner/backends/wasm-ticket.test.ts).

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
/** Byte swap within each 32-bit lane (SHA-256 words are big-endian). */
const BSWAP = 'v128.const i8x16 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12';
const LO = 'i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23';
const HI = 'i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31';
const ZIP_LO = 'i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23';
const ZIP_HI = 'i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31';

const i32 = (x: number) => x | 0;
const g = (name: string) => `(local.get $${name})`;
const rotr = (v: string, n: number) => `(v128.or (i32x4.shr_u ${v} (i32.const ${n})) (i32x4.shl ${v} (i32.const ${32 - n})))`;
const LOCALS =
  Array.from({ length: 8 }, (_, i) => `(local $s${i} v128)`).join(' ') +
  ' ' +
  Array.from({ length: 16 }, (_, i) => `(local $w${i} v128)`).join(' ') +
  ' (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $e v128) (local $f v128) (local $gg v128) (local $h v128) (local $t1 v128) (local $t2 v128)';

/** One compression: message words in $w0..$w15 (a rolling schedule), state $s0..$s7 updated in place. */
function compress(): string[] {
  const out: string[] = [];
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'gg', 'h'];
  names.forEach((n, i) => out.push(`(local.set $${n} (local.get $s${i}))`));
  for (let t = 0; t < 64; t++) {
    if (t >= 16) {
      const [w15, w2, w16, w7] = [t - 15, t - 2, t - 16, t - 7].map((x) => `w${x % 16}`) as [string, string, string, string];
      const s0 = `(v128.xor (v128.xor ${rotr(g(w15), 7)} ${rotr(g(w15), 18)}) (i32x4.shr_u ${g(w15)} (i32.const 3)))`;
      const s1 = `(v128.xor (v128.xor ${rotr(g(w2), 17)} ${rotr(g(w2), 19)}) (i32x4.shr_u ${g(w2)} (i32.const 10)))`;
      out.push(`(local.set $${w16} (i32x4.add (i32x4.add ${g(w16)} ${s0}) (i32x4.add ${g(w7)} ${s1})))`);
    }
    const S1 = `(v128.xor (v128.xor ${rotr(g('e'), 6)} ${rotr(g('e'), 11)}) ${rotr(g('e'), 25)})`;
    const ch = `(v128.bitselect ${g('f')} ${g('gg')} ${g('e')})`; // (e & f) | (~e & g)
    out.push(`(local.set $t1 (i32x4.add (i32x4.add ${g('h')} ${S1}) (i32x4.add (i32x4.add ${ch} (i32x4.splat (i32.const ${i32(K[t]!)}))) ${g(`w${t % 16}`)})))`);
    const S0 = `(v128.xor (v128.xor ${rotr(g('a'), 2)} ${rotr(g('a'), 13)}) ${rotr(g('a'), 22)})`;
    const maj = `(v128.bitselect ${g('b')} ${g('c')} (v128.xor ${g('a')} ${g('c')}))`; // b where a != c, else a
    out.push(`(local.set $t2 (i32x4.add ${S0} ${maj}))`);
    out.push('(local.set $h (local.get $gg)) (local.set $gg (local.get $f)) (local.set $f (local.get $e))');
    out.push('(local.set $e (i32x4.add (local.get $d) (local.get $t1)))');
    out.push('(local.set $d (local.get $c)) (local.set $c (local.get $b)) (local.set $b (local.get $a))');
    out.push('(local.set $a (i32x4.add (local.get $t1) (local.get $t2)))');
  }
  names.forEach((n, i) => out.push(`(local.set $s${i} (i32x4.add (local.get $s${i}) (local.get $${n})))`));
  return out;
}

/** 4x4 transpose of 32-bit lanes: rows x0..x3 -> columns into the named targets. */
function transpose(x: string[], into: string[]): string[] {
  return [
    `(local.set $y0 (${ZIP_LO} ${g(x[0]!)} ${g(x[1]!)}))`,
    `(local.set $y1 (${ZIP_LO} ${g(x[2]!)} ${g(x[3]!)}))`,
    `(local.set $y2 (${ZIP_HI} ${g(x[0]!)} ${g(x[1]!)}))`,
    `(local.set $y3 (${ZIP_HI} ${g(x[2]!)} ${g(x[3]!)}))`,
    `(local.set $${into[0]} (${LO} (local.get $y0) (local.get $y1)))`,
    `(local.set $${into[1]} (${HI} (local.get $y0) (local.get $y1)))`,
    `(local.set $${into[2]} (${LO} (local.get $y2) (local.get $y3)))`,
    `(local.set $${into[3]} (${HI} (local.get $y2) (local.get $y3)))`,
  ];
}

export function sha256x4Wat(): string {
  const init: string[] = [];
  IV.forEach((v, i) => init.push(`(local.set $s${i} (i32x4.splat (i32.const ${i32(v)})))`));
  for (let i = 0; i < 16; i++) init.push(`(local.set $w${i} (i8x16.swizzle (v128.load32_splat offset=${4 * i} (local.get $blk)) (${BSWAP})))`);
  init.push(...compress());
  for (let i = 0; i < 8; i++) init.push(`(v128.store offset=${16 * i} (local.get $mid) (local.get $s${i}))`);

  const tmp = '(local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)';

  // hmac_tiles4: whole HMACs of tiles whose message (after K0 ^ ipad) fits one padded block, 4 at a time
  const h4: string[] = [];
  for (let q = 0; q < 4; q++) {
    for (let t = 0; t < 4; t++) h4.push(`(local.set $x${t} (i8x16.swizzle (v128.load offset=${64 * t + 16 * q} (local.get $blocks)) (${BSWAP})))`);
    h4.push(...transpose(['x0', 'x1', 'x2', 'x3'], [0, 1, 2, 3].map((i) => `w${4 * q + i}`)));
  }
  for (let i = 0; i < 8; i++) h4.push(`(local.set $s${i} (v128.load offset=${16 * i} (local.get $midI)))`);
  h4.push(...compress());
  // the inner digests, word-major already, are the outer message's first 8 words
  for (let i = 0; i < 8; i++) h4.push(`(local.set $w${i} (local.get $s${i}))`);
  h4.push(`(local.set $w8 (i32x4.splat (i32.const ${i32(0x80000000)})))`);
  for (let i = 9; i < 15; i++) h4.push(`(local.set $w${i} (v128.const i32x4 0 0 0 0))`);
  h4.push('(local.set $w15 (i32x4.splat (i32.const 768)))');
  for (let i = 0; i < 8; i++) h4.push(`(local.set $s${i} (v128.load offset=${16 * i} (local.get $midO)))`);
  h4.push(...compress());
  for (let half = 0; half < 2; half++) {
    h4.push(...transpose([0, 1, 2, 3].map((q) => `s${4 * half + q}`), ['x0', 'x1', 'x2', 'x3']));
    for (let t = 0; t < 4; t++) h4.push(`(v128.store offset=${32 * t + 16 * half} (local.get $dst) (i8x16.swizzle (local.get $x${t}) (${BSWAP})))`);
  }
  // sha256_blocks4: plain SHA-256 of messages that are one padded block each (the noise streams)
  const b4: string[] = [];
  for (let q = 0; q < 4; q++) {
    for (let t = 0; t < 4; t++) b4.push(`(local.set $x${t} (i8x16.swizzle (v128.load offset=${64 * t + 16 * q} (local.get $blocks)) (${BSWAP})))`);
    b4.push(...transpose(['x0', 'x1', 'x2', 'x3'], [0, 1, 2, 3].map((i) => `w${4 * q + i}`)));
  }
  IV.forEach((v, i) => b4.push(`(local.set $s${i} (i32x4.splat (i32.const ${i32(v)})))`));
  b4.push(...compress());
  for (let half = 0; half < 2; half++) {
    b4.push(...transpose([0, 1, 2, 3].map((q) => `s${4 * half + q}`), ['x0', 'x1', 'x2', 'x3']));
    for (let t = 0; t < 4; t++) b4.push(`(v128.store offset=${32 * t + 16 * half} (local.get $dst) (i8x16.swizzle (local.get $x${t}) (${BSWAP})))`);
  }
  return `
  (func (export "sha256_blocks4") (param $blocks i32) (param $dst i32) (param $count i32)
    ${LOCALS} ${tmp}
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
    ${b4.join('\n    ')}
      (local.set $blocks (i32.add (local.get $blocks) (i32.const 256)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (local.set $count (i32.sub (local.get $count) (i32.const 4)))
      (br $next))))
  (func (export "hmac_tiles4") (param $midI i32) (param $midO i32) (param $blocks i32) (param $dst i32) (param $count i32)
    ${LOCALS} ${tmp}
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $count) (i32.const 0)))
    ${h4.join('\n    ')}
      (local.set $blocks (i32.add (local.get $blocks) (i32.const 256)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
      (local.set $count (i32.sub (local.get $count) (i32.const 4)))
      (br $next))))
  (func (export "hmac_outer_init") (param $blk i32) (param $mid i32)
    ${LOCALS}
    ${init.join('\n    ')})
`;
}
