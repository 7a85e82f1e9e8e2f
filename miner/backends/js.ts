// Plain-JS backend: the reference kernel itself. Exact by definition; slow (~1 GMAC/s).
import { int8MatmulRef } from '../../consensus/pouw/decode.ts';
import { noisedProductRef } from '../../consensus/pouw/transcript.ts';
import type { TileBackend } from './types.ts';

export class JsBackend implements TileBackend {
  readonly name = 'js' as const;
  readonly detail = 'plain JS reference';
  async noisedProduct(aP: Int8Array, bP: Int8Array, m: number, k: number, n: number, r: number) {
    return noisedProductRef(aP, bP, m, k, n, r);
  }
  async matmul(a: Int8Array, b: Int8Array, m: number, k: number, n: number) {
    return int8MatmulRef(a, b, m, k, n);
  }
  async close(): Promise<void> {}
}
