// Block: [0x02, headerTuple, [txTuples...], [contribution bins...]]
// txRoot = merkleRoot(encoded txs); contributionsRoot = merkleRoot(contribution bytes).
import { decodeCanonical, encode, TupleReader } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { merkleRoot } from '../merkle.ts';
import { TypeTag, type Block, type Tx } from '../types.ts';
import { headerFromTuple, headerTuple } from './header.ts';
import { encodeTx, txFromTuple, txTuple } from './tx.ts';
import { withDefaults, type DecodeLimits } from './limits.ts';

export function encodeBlock(b: Block): Uint8Array {
  return encode([TypeTag.Block, headerTuple(b.header), b.txs.map(txTuple), [...b.contributions]]);
}

/** Factory: the only way bytes become a block. Caps: total bytes, tx count, seal and contribution sizes. */
export function decodeBlock(bytes: Uint8Array, limits?: Partial<DecodeLimits>): Block {
  const l = withDefaults(limits);
  const value = decodeCanonical(bytes, 'block', l.maxBlockBytes);
  const r = TupleReader.of(value, 'block', 4);
  const tag = r.uint(0xff);
  if (tag !== TypeTag.Block) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'block', reason: `type byte ${tag}, expected ${TypeTag.Block}` });
  const header = headerFromTuple(r.raw(), l, 'block.header');
  const txItems = r.array();
  if (txItems.length > l.maxTxsPerBlock) throw new CodecError(CodecErrorCode.TOO_LARGE, { what: 'block.txs', reason: `${txItems.length} > ${l.maxTxsPerBlock} txs` });
  const txs = txItems.map((t, i) => txFromTuple(t, `block.txs[${i}]`));
  const cItems = r.array();
  const maxC = l.maxContributionBytes ?? l.maxBlockBytes;
  const contributions = cItems.map((c, i) => {
    if (!(c instanceof Uint8Array)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: `block.contributions[${i}]`, reason: 'expected bytes' });
    if (c.length > maxC) throw new CodecError(CodecErrorCode.TOO_LARGE, { what: `block.contributions[${i}]`, reason: `${c.length} > ${maxC} bytes` });
    return new Uint8Array(c);
  });
  r.end();
  return Object.freeze({ header, txs: Object.freeze(txs), contributions: Object.freeze(contributions) });
}

export function computeTxRoot(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map(encodeTx));
}

export function computeContributionsRoot(contributions: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(contributions);
}
