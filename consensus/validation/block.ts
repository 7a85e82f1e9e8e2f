// Block checks that need no chain context: caps, duplicate txs, txRoot, contributionsRoot.
// Cheapest first: counts, then size, then hashing.
import { bytesEqual, toHex } from '../bytes.ts';
import { BlockError, BlockErrorCode } from '../errors.ts';
import { computeContributionsRoot, encodeBlock } from '../encoding/block.ts';
import { encodeTx } from '../encoding/tx.ts';
import { sha256 } from '../hash.ts';
import { merkleRoot } from '../merkle.ts';
import type { ChainParams } from '../params.ts';
import type { Block } from '../types.ts';

/** `encodedSize`: the block's byte length when the caller has it (saves re-encoding). */
export function validateBlockBody(b: Block, p: ChainParams, encodedSize?: number): void {
  const height = b.header.height;
  if (b.txs.length > p.maxTxsPerBlock) throw new BlockError(BlockErrorCode.TOO_MANY_TXS, { height, expected: p.maxTxsPerBlock, got: b.txs.length });
  const size = encodedSize ?? encodeBlock(b).length;
  if (size > p.maxBlockBytes) throw new BlockError(BlockErrorCode.TOO_LARGE, { height, expected: p.maxBlockBytes, got: size });
  const encoded = b.txs.map(encodeTx);
  const seen = new Set<string>();
  for (let i = 0; i < encoded.length; i++) {
    const h = sha256(encoded[i]!);
    const k = toHex(h);
    if (seen.has(k)) throw new BlockError(BlockErrorCode.DUPLICATE_TX, { height, index: i, txHash: h });
    seen.add(k);
  }
  const txRoot = merkleRoot(encoded);
  if (!bytesEqual(txRoot, b.header.txRoot)) throw new BlockError(BlockErrorCode.BAD_TX_ROOT, { height, expected: txRoot, got: b.header.txRoot });
  const cRoot = computeContributionsRoot(b.contributions);
  if (!bytesEqual(cRoot, b.header.contributionsRoot))
    throw new BlockError(BlockErrorCode.BAD_CONTRIBUTIONS_ROOT, { height, expected: cRoot, got: b.header.contributionsRoot });
}
