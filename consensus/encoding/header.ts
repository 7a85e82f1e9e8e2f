// Header: [0x01, version, chainId, height, parent, time, stateRoot, txRoot, contributionsRoot,
//          checkpointRoot, target (32-byte big-endian), seal (bin, capped), miner (20 bytes),
//          sig (65 bytes, or empty in genesis)]
// blockHash = SHA-256(encoded header), the signature included.
// The miner signs headerSigningHash = SHA-256("tessera/header/v1" || u32be chainId || encoding with
// an empty sig): every field, the seal (the ticket) included, domain-separated from transactions
// (whose signing hash has no tag) and bound to the chain. See docs/hardening.md.
import { decodeCanonical, encode, TupleReader, type Encodable } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { sha256 } from '../hash.ts';
import { bigIntToBytes, bytesToBigInt, u32be, utf8Bytes } from '../bytes.ts';
import { TypeTag, type BlockHeader } from '../types.ts';
import { withDefaults, type DecodeLimits } from './limits.ts';
import { ADDRESS_BYTES, MAX_CHAIN_ID } from './tx.ts';

const EMPTY = new Uint8Array(0);
const MAX_U32 = 0xffffffff;
/** Length of a header signature: r (32) || s (32) || recovery id (1). */
export const HEADER_SIG_BYTES = 65;
const HEADER_SIG_TAG = utf8Bytes('tessera/header/v1');

export function headerTuple(h: BlockHeader): Encodable[] {
  if (h.target < 0n || h.target >= 1n << 256n) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'header', reason: 'target out of range' });
  return [
    TypeTag.Header,
    h.version,
    h.chainId,
    h.height,
    h.parent,
    h.time,
    h.stateRoot,
    h.txRoot,
    h.contributionsRoot,
    h.checkpointRoot,
    bigIntToBytes(h.target, 32),
    h.seal,
    h.miner,
    h.sig,
  ];
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return encode(headerTuple(h));
}

export function blockHash(h: BlockHeader): Uint8Array {
  return sha256(encodeHeader(h));
}

/** The header's encoding with an empty seal and signature: what a seal commits to (the test seal). */
export function headerWithoutSeal(h: BlockHeader): Uint8Array {
  return encode(headerTuple({ ...h, seal: EMPTY, sig: EMPTY }));
}

/** What the header's miner signs: every field but the signature, tagged and bound to the chain id. */
export function headerSigningHash(h: BlockHeader): Uint8Array {
  return sha256(HEADER_SIG_TAG, u32be(h.chainId), encode(headerTuple({ ...h, sig: EMPTY })));
}

export function headerFromTuple(value: unknown, limits?: Partial<DecodeLimits>, what = 'header'): BlockHeader {
  const l = withDefaults(limits);
  const r = TupleReader.of(value, what, 14);
  const tag = r.uint(0xff);
  if (tag !== TypeTag.Header) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `type byte ${tag}, expected ${TypeTag.Header}` });
  const h: BlockHeader = {
    version: r.uint(MAX_U32),
    chainId: r.uint(MAX_CHAIN_ID),
    height: r.uint(),
    parent: r.bytes(32),
    time: r.uint(),
    stateRoot: r.bytes(32),
    txRoot: r.bytes(32),
    contributionsRoot: r.bytes(32),
    checkpointRoot: r.bytes(32),
    target: bytesToBigInt(r.bytes(32)),
    seal: sealField(r.bytes(), l.maxSealBytes, what),
    miner: r.bytes(ADDRESS_BYTES),
    sig: sigField(r.bytes(), what),
  };
  r.end();
  return Object.freeze(h);
}

function sigField(sig: Uint8Array, what: string): Uint8Array {
  if (sig.length !== 0 && sig.length !== HEADER_SIG_BYTES) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: `${what}.sig`, reason: `${sig.length} bytes, expected 0 or ${HEADER_SIG_BYTES}` });
  return sig;
}

function sealField(seal: Uint8Array, max: number, what: string): Uint8Array {
  if (seal.length > max) throw new CodecError(CodecErrorCode.TOO_LARGE, { what: `${what}.seal`, reason: `${seal.length} > ${max} bytes` });
  return seal;
}

/** Factory: the only way bytes become a header. */
export function decodeHeader(bytes: Uint8Array, limits?: Partial<DecodeLimits>): BlockHeader {
  const l = withDefaults(limits);
  // A header is small apart from its seal.
  return headerFromTuple(decodeCanonical(bytes, 'header', l.maxSealBytes + 1024), l);
}
