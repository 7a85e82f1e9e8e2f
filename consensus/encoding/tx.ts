// Transactions: fixed-order tuples, type byte first.
//   Transfer: [0x10, chainId, nonce, fee (u64), to (20 bytes), amount (u64), sig (65 bytes)]
//   Bond:     [0x11, chainId, nonce, fee (u64), amount (u64), sig]
//   Unbond:   [0x12, chainId, nonce, fee (u64), amount (u64), sig]
//   Equivocation: [0x13, chainId, nonce, fee (u64), header tuple, header tuple, sig]: two headers (each with
//             its seal and signature, consensus/encoding/header.ts); at most MAX_EVIDENCE_TX_BYTES.
// Signing hash = SHA-256(u32be(chainId) || encode(tuple without sig)); txHash = SHA-256(encoded signed tx).
import { decodeCanonical, encode, TupleReader, type Encodable } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { sha256 } from '../hash.ts';
import { u32be } from '../bytes.ts';
import { TypeTag, type BondTx, type EquivocationTx, type Tx, type TransferTx, type UnbondTx } from '../types.ts';
import { headerFromTuple, headerTuple } from './header.ts';
import { DEFAULT_LIMITS, MAX_EVIDENCE_TX_BYTES, MAX_TX_BYTES } from './limits.ts';

export const SIGNATURE_BYTES = 65;
export const ADDRESS_BYTES = 20;
/** Largest chain id (u32, it is hashed as u32be). */
export const MAX_CHAIN_ID = 0xffffffff;

function unsignedTuple(tx: Tx): Encodable[] {
  switch (tx.type) {
    case TypeTag.Transfer:
      return [TypeTag.Transfer, tx.chainId, tx.nonce, tx.fee, tx.to, tx.amount];
    case TypeTag.Bond:
    case TypeTag.Unbond:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.amount];
    case TypeTag.Equivocation:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, headerTuple(tx.first), headerTuple(tx.second)];
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'tx', reason: `unknown type ${(tx as { type: unknown }).type}` });
  }
}

/** The signed tuple (what goes into blocks). */
export function txTuple(tx: Tx): Encodable[] {
  return [...unsignedTuple(tx), tx.sig];
}

export function encodeTx(tx: Tx): Uint8Array {
  return encode(txTuple(tx));
}

export function txSigningHash(tx: Tx): Uint8Array {
  return sha256(u32be(tx.chainId), encode(unsignedTuple(tx)));
}

export function txHash(tx: Tx): Uint8Array {
  return sha256(encodeTx(tx));
}

/** Decodes a tx from an already-decoded tuple (used by decodeBlock). */
export function txFromTuple(value: unknown, what = 'tx'): Tx {
  if (!Array.isArray(value) || value.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: 'not a tuple' });
  const tag = value[0];
  switch (tag) {
    case TypeTag.Transfer: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: TransferTx = {
        type: TypeTag.Transfer,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        to: r.bytes(ADDRESS_BYTES),
        amount: r.u64(),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Bond:
    case TypeTag.Unbond: {
      const r = TupleReader.of(value, what, 6);
      r.uint(0xff);
      const tx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        amount: r.u64(),
        sig: r.bytes(SIGNATURE_BYTES),
      } as BondTx | UnbondTx;
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Equivocation: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: EquivocationTx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        first: headerFromTuple(r.raw(), DEFAULT_LIMITS, `${what}.first`),
        second: headerFromTuple(r.raw(), DEFAULT_LIMITS, `${what}.second`),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `unknown tx type ${String(tag)}` });
  }
}

/** Factory: the only way bytes become a Tx. Rejects non-canonical bytes and wrong shapes. */
export function decodeTx(bytes: Uint8Array): Tx {
  const value = decodeCanonical(bytes, 'tx', MAX_EVIDENCE_TX_BYTES);
  // only evidence (two headers with their seals) may pass MAX_TX_BYTES; the size before the fields
  if (bytes.length > MAX_TX_BYTES && !(Array.isArray(value) && value[0] === TypeTag.Equivocation))
    throw new CodecError(CodecErrorCode.TOO_LARGE, { what: 'tx', reason: `${bytes.length} > ${MAX_TX_BYTES} bytes` });
  return txFromTuple(value);
}
