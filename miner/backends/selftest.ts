// Bit-exactness self-test run before a backend is used: random and edge-case operands (all -127/+127
// noised extremes, k not a multiple of r, odd shapes) compared with the reference, every element.
import { int8MatmulRef } from '../../consensus/pouw/decode.ts';
import { sha256 } from '../../consensus/hash.ts';
import { noisedProductRef } from '../../consensus/pouw/transcript.ts';
import { u32be } from '../../consensus/bytes.ts';
import { BackendError, BackendErrorCode } from './errors.ts';
import type { TileBackend } from './types.ts';

/** Deterministic int8 operands in [-lim, lim] from a SHA-256 counter stream (tests and self-tests only). */
export function testMatrix(label: string, len: number, lim = 127): Int8Array {
  const out = new Int8Array(len);
  const span = 2 * lim + 1;
  for (let i = 0, ctr = 0; i < len; ctr++) {
    const h = sha256(new TextEncoder().encode(label), u32be(ctr));
    for (let j = 0; j < 32 && i < len; j += 2, i++) out[i] = (((h[j]! << 8) | h[j + 1]!) % span) - lim;
  }
  return out;
}

interface Case { m: number; k: number; n: number; r: number; fill?: number }

const CASES: Case[] = [
  { m: 37, k: 83, n: 29, r: 16 },
  { m: 64, k: 200, n: 48, r: 8 },
  { m: 16, k: 64, n: 16, r: 16, fill: 127 },
  { m: 16, k: 64, n: 16, r: 16, fill: -127 },
  { m: 5, k: 1030, n: 7, r: 32 },
];

function sameInt32(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

export async function selfTest(be: TileBackend, extra: Case[] = []): Promise<void> {
  for (const [ci, c] of [...CASES, ...extra].entries()) {
    const a = c.fill !== undefined ? new Int8Array(c.m * c.k).fill(c.fill) : testMatrix(`st-a-${ci}`, c.m * c.k);
    const b = c.fill !== undefined ? new Int8Array(c.k * c.n).fill(c.fill) : testMatrix(`st-b-${ci}`, c.k * c.n);
    const want = noisedProductRef(a, b, c.m, c.k, c.n, c.r);
    const got = await be.noisedProduct(a, b, c.m, c.k, c.n, c.r);
    const bad = Math.max(sameInt32(want.c, got.c), sameInt32(want.fold, got.fold));
    if (bad >= 0) throw new BackendError(BackendErrorCode.NOT_EXACT, { backend: be.name, reason: `noisedProduct case ${ci} element ${bad}` });
    const got2 = await be.matmul(a, b, c.m, c.k, c.n);
    const bad2 = sameInt32(int8MatmulRef(a, b, c.m, c.k, c.n), got2);
    if (bad2 >= 0) throw new BackendError(BackendErrorCode.NOT_EXACT, { backend: be.name, reason: `matmul case ${ci} element ${bad2}` });
  }
}
