// Block: [0x02, headerTuple, [txTuples...], [contribution bins...]]
// txRoot = merkleRoot(encoded txs); contributionsRoot = merkleRoot(contribution bytes).
import { decodeCanonical, encode, msgpackItemEnd, TupleReader } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { merkleRoot } from '../merkle.ts';
import { TypeTag, type Block, type Tx } from '../types.ts';
import { headerFromTuple, headerTuple } from './header.ts';
import type { BlockHeader } from '../types.ts';
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

/**
 * The header of an encoded block, decoded without touching the body: the import path checks the
 * header (parent, time, target, signature, seal) before it pays for decoding and hashing the body.
 * Canonical like decodeHeader; the body is checked by decodeBlock afterwards.
 */
export function decodeBlockHeader(bytes: Uint8Array, limits?: Partial<DecodeLimits>): BlockHeader {
  const l = withDefaults(limits);
  if (bytes.length > l.maxBlockBytes) throw new CodecError(CodecErrorCode.TOO_LARGE, { what: 'block', reason: `${bytes.length} > ${l.maxBlockBytes} bytes` });
  // [0x02, header, txs, contributions]: fixarray(4), positive fixint 2, then the header tuple
  if (bytes.length > 0 && bytes[0] !== 0x94) msgpackItemEnd(bytes, 0, 'block'); // MALFORMED when not msgpack at all
  if (bytes.length < 3 || bytes[0] !== 0x94) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'block', reason: 'not a 4-tuple' });
  if (bytes[1] !== TypeTag.Block) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'block', reason: `type byte ${bytes[1]}, expected ${TypeTag.Block}` });
  const end = msgpackItemEnd(bytes, 2, 'block.header');
  return headerFromTuple(decodeCanonical(bytes.subarray(2, end), 'block.header', l.maxSealBytes + 1024), l, 'block.header');
}

export function computeTxRoot(txs: readonly Tx[]): Uint8Array {
  return merkleRoot(txs.map(encodeTx));
}

export function computeContributionsRoot(contributions: readonly Uint8Array[]): Uint8Array {
  return merkleRoot(contributions);
}
