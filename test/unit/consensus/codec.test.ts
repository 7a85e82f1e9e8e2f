import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { encode } from '../../../consensus/codec.ts';
import { CodecError, CodecErrorCode } from '../../../consensus/errors.ts';
import { sha256 } from '../../../consensus/hash.ts';
import { concatBytes, u32be } from '../../../consensus/bytes.ts';
import {
  blockHash,
  decodeBlock,
  decodeHeader,
  decodeTx,
  encodeBlock,
  encodeHeader,
  encodeTx,
  txHash,
  txSigningHash,
  headerTuple,
  DEFAULT_LIMITS,
  MAX_EVIDENCE_TX_BYTES,
  MAX_TX_BYTES,
} from '../../../consensus/encoding/index.ts';
import { signTx } from '../../../consensus/crypto/signature.ts';
import { TypeTag, type Block, type BlockHeader, type EquivocationTx, type TransferTx } from '../../../consensus/types.ts';
import { testKey, transfer } from '../../fixtures/chain.ts';

const tx: TransferTx = transfer(testKey(0), testKey(1).address(), 12345n, 7, { fee: 99n });

const header: BlockHeader = {
  version: 1,
  chainId: 1,
  height: 42,
  parent: sha256(new Uint8Array([1])),
  time: 1_700_000_000,
  stateRoot: sha256(new Uint8Array([2])),
  txRoot: sha256(new Uint8Array([3])),
  contributionsRoot: sha256(new Uint8Array([4])),
  checkpointRoot: sha256(new Uint8Array([5])),
  target: (1n << 240n) + 12345n,
  seal: new Uint8Array([9, 8, 7]),
  miner: testKey(2).address(),
  sig: new Uint8Array(65).fill(3),
};

const block: Block = { header, txs: [tx, transfer(testKey(1), testKey(0).address(), 1n, 0)], contributions: [new Uint8Array([1, 2, 3])] };

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
  return undefined;
}

describe('transaction encoding', () => {
  it('round-trips and has the documented tuple layout', () => {
    const bytes = encodeTx(tx);
    expect(decodeTx(bytes)).toEqual(tx);
    expect(bytes).toEqual(encode([0x10, tx.chainId, tx.nonce, tx.fee, tx.to, tx.amount, tx.sig]));
    expect(txHash(tx)).toEqual(sha256(bytes));
  });

  it('signing hash covers chain id and every field but the signature', () => {
    expect(txSigningHash(tx)).toEqual(sha256(u32be(1), encode([0x10, 1, 7, 99n, tx.to, 12345n])));
    expect(txSigningHash({ ...tx, sig: new Uint8Array(65).fill(1) })).toEqual(txSigningHash(tx));
    expect(txSigningHash({ ...tx, amount: 12346n })).not.toEqual(txSigningHash(tx));
    expect(txSigningHash({ ...tx, chainId: 2 })).not.toEqual(txSigningHash(tx));
  });

  it('rejects an int encoded wider than needed', () => {
    // nonce 7 as uint16 (0xcd 0x00 0x07) instead of a positive fixint
    const wide = new Uint8Array([0x97, 0x10, 0x01, 0xcd, 0x00, 0x07]);
    const rest = encode([tx.fee, tx.to, tx.amount, tx.sig]).subarray(1); // drop the array header
    expect(codeOf(() => decodeTx(concatBytes(wide, rest)))).toBe(CodecErrorCode.NON_CANONICAL);
  });

  it('rejects a float where an int belongs', () => {
    const p = new Packr({ useRecords: false, useFloat32: 0 });
    const bytes = new Uint8Array(p.pack([0x10, 1, 7.5, tx.fee, tx.to, tx.amount, tx.sig]));
    expect(codeOf(() => decodeTx(bytes))).toBe(CodecErrorCode.NON_CANONICAL);
  });

  it('rejects trailing bytes, truncation, garbage and the empty string', () => {
    const bytes = encodeTx(tx);
    expect(codeOf(() => decodeTx(concatBytes(bytes, new Uint8Array([0]))))).toBe(CodecErrorCode.MALFORMED);
    for (const cut of [1, 10, bytes.length - 1]) expect(codeOf(() => decodeTx(bytes.subarray(0, cut)))).toBe(CodecErrorCode.MALFORMED);
    expect(codeOf(() => decodeTx(new Uint8Array([0xc1, 0xff, 0x00])))).toBe(CodecErrorCode.MALFORMED);
    expect(codeOf(() => decodeTx(new Uint8Array(0)))).toBe(CodecErrorCode.MALFORMED);
  });

  it('rejects wrong shapes: type byte, arity, field types and lengths', () => {
    const base = [0x10, tx.chainId, tx.nonce, tx.fee, tx.to, tx.amount, tx.sig] as const;
    const bad = (i: number, v: unknown) => encode(base.map((x, j) => (j === i ? v : x)) as never);
    expect(codeOf(() => decodeTx(bad(0, 0x11)))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(encode([...base.slice(0, 6)] as never)))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(encode([...base, 1] as never)))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(bad(3, 99)))).toBe(CodecErrorCode.BAD_SHAPE); // fee as number, not u64 bigint
    expect(codeOf(() => decodeTx(bad(5, -1n)))).toBe(CodecErrorCode.BAD_SHAPE); // negative amount
    expect(codeOf(() => decodeTx(bad(4, new Uint8Array(19))))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(bad(6, new Uint8Array(64))))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(bad(2, -1)))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeTx(encode('hello')))).toBe(CodecErrorCode.BAD_SHAPE);
  });
});

describe('equivocation evidence encoding', () => {
  const ev = (first: BlockHeader, second: BlockHeader): EquivocationTx =>
    signTx({ type: TypeTag.Equivocation, chainId: 1, nonce: 3, fee: 10n, first, second, sig: new Uint8Array(65) }, testKey(4));

  it('round-trips with its layout [0x13, chainId, nonce, fee, header, header, sig]', () => {
    const t = ev(header, { ...header, time: header.time + 1 });
    const bytes = encodeTx(t);
    expect(decodeTx(bytes)).toEqual(t);
    expect(bytes).toEqual(encode([0x13, 1, 3, 10n, headerTuple(t.first), headerTuple(t.second), t.sig]));
    expect(txSigningHash(t)).not.toEqual(txSigningHash({ ...t, second: { ...t.second, time: t.second.time + 1 } }));
  });

  it('may exceed the 1 KiB of other txs, up to two default-size seals; other txs may not', () => {
    const seal = new Uint8Array(DEFAULT_LIMITS.maxSealBytes).fill(7);
    const t = ev({ ...header, seal }, { ...header, seal, time: header.time + 1 });
    expect(encodeTx(t).length).toBeGreaterThan(2 * DEFAULT_LIMITS.maxSealBytes);
    expect(encodeTx(t).length).toBeLessThanOrEqual(MAX_EVIDENCE_TX_BYTES);
    expect(decodeTx(encodeTx(t)).type).toBe(TypeTag.Equivocation);
    const tooBig = ev({ ...header, seal: new Uint8Array(DEFAULT_LIMITS.maxSealBytes + 1) }, header);
    expect(codeOf(() => decodeTx(encodeTx(tooBig)))).toBe(CodecErrorCode.TOO_LARGE);
    // a Transfer padded past MAX_TX_BYTES (its tuple with a long trailing field) is refused by size first
    const long = encode([0x10, 1, 0, 10n, testKey(1).address(), 1n, new Uint8Array(MAX_TX_BYTES)]);
    expect(codeOf(() => decodeTx(long))).toBe(CodecErrorCode.TOO_LARGE);
  });
});

describe('header and block encoding', () => {
  it('header round-trips; target is a 32-byte big-endian bin; hash is SHA-256 of the bytes', () => {
    const bytes = encodeHeader(header);
    expect(decodeHeader(bytes)).toEqual(header);
    expect(blockHash(header)).toEqual(sha256(bytes));
    const tuple = new Packr({ useRecords: false, int64AsType: 'bigint' }).unpack(Buffer.from(bytes)) as unknown[];
    expect(tuple[0]).toBe(TypeTag.Header);
    expect((tuple[10] as Uint8Array).length).toBe(32);
    expect((tuple[10] as Uint8Array)[1]).toBe(1); // 2^240 has its one bit in byte 1
  });

  it('header seal is capped', () => {
    const big = { ...header, seal: new Uint8Array(2000) };
    expect(decodeHeader(encodeHeader(big), { maxSealBytes: 4096 }).seal.length).toBe(2000);
    expect(codeOf(() => decodeHeader(encodeHeader(big), { maxSealBytes: 1000 }))).toBe(CodecErrorCode.TOO_LARGE);
    const inBlock = encodeBlock({ header: big, txs: [], contributions: [] });
    expect(codeOf(() => decodeBlock(inBlock, { maxSealBytes: 1000 }))).toBe(CodecErrorCode.TOO_LARGE);
    expect(decodeBlock(inBlock, { maxSealBytes: 2000 }).header.seal.length).toBe(2000);
  });

  it('block round-trips with its layout [0x02, header, txs, contributions]', () => {
    const bytes = encodeBlock(block);
    expect(decodeBlock(bytes)).toEqual(block);
    expect(bytes).toEqual(encode([0x02, decodeAndReencodeHeader(), block.txs.map((t) => [0x10, t.chainId, t.nonce, t.fee, (t as { to: Uint8Array }).to, (t as { amount: bigint }).amount, t.sig]), [new Uint8Array([1, 2, 3])]] as never));
  });

  it('block decoding enforces size caps and rejects a bad tx inside', () => {
    const bytes = encodeBlock(block);
    expect(codeOf(() => decodeBlock(bytes, { maxBlockBytes: bytes.length - 1 }))).toBe(CodecErrorCode.TOO_LARGE);
    expect(codeOf(() => decodeBlock(bytes, { maxTxsPerBlock: 1 }))).toBe(CodecErrorCode.TOO_LARGE);
    expect(codeOf(() => decodeBlock(bytes, { maxContributionBytes: 2 }))).toBe(CodecErrorCode.TOO_LARGE);
    const badTx = encode([0x02, decodeAndReencodeHeader(), [[0x10, 1, 0, 1n, new Uint8Array(20), 1n, new Uint8Array(3)]], []] as never);
    expect(codeOf(() => decodeBlock(badTx))).toBe(CodecErrorCode.BAD_SHAPE);
    expect(codeOf(() => decodeBlock(bytes.subarray(0, bytes.length - 5)))).toBe(CodecErrorCode.MALFORMED);
    expect(codeOf(() => decodeBlock(encodeHeader(header)))).toBe(CodecErrorCode.BAD_SHAPE);
  });
});

function decodeAndReencodeHeader(): unknown[] {
  return new Packr({ useRecords: false, int64AsType: 'bigint', mapsAsObjects: false }).unpack(Buffer.from(encodeHeader(header))) as unknown[];
}
