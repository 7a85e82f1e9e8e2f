// The ONE place where typed errors become JSON-RPC error codes.
// - JSON-RPC 2.0's own codes: -32700 parse, -32600 invalid request, -32601 unknown method,
//   -32602 bad params, -32603 internal.
// - Application codes (positive, grouped by area) for every typed error code a user can cause;
//   the error's `data` carries { code: '<TYPED_CODE>', context: {...} } so clients can switch on
//   either the number or the string.
import { isTesseraError, BlockErrorCode, CodecErrorCode, TxErrorCode } from '../../consensus/errors.ts';
import type { Json } from './jsonrpc.ts';
import { MempoolErrorCode } from '../mempool/errors.ts';
import { ChainErrorCode } from '../chain/errors.ts';
import { NetworkErrorCode } from '../network/errors.ts';

export enum RpcErrorCode {
  PARSE_ERROR = -32700,
  INVALID_REQUEST = -32600,
  METHOD_NOT_FOUND = -32601,
  INVALID_PARAMS = -32602,
  INTERNAL_ERROR = -32603,
  /** A bound on a request was passed (batch cost, response bytes, a range): data { code: 'RPC_LIMIT_EXCEEDED', context: { what, limit, got } }. */
  LIMIT_EXCEEDED = -32005,
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: Json,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** Thrown by methods for bad params (-32602). */
export function badParams(reason: string): RpcError {
  return new RpcError(RpcErrorCode.INVALID_PARAMS, `Invalid params: ${reason}`);
}

/** A typed error whose code is missing from the table below (a bug: add it). */
export const APP_UNMAPPED = 1;

/**
 * Typed error code -> application error code. Every typed code a request can trigger is here
 * (a unit test fails when an enum gains a code this table lacks). Codes are never reused.
 */
export const APP_ERROR_CODES: Readonly<Record<string, number>> = {
  // 1xxx: decoding
  [CodecErrorCode.MALFORMED]: 1001,
  [CodecErrorCode.NON_CANONICAL]: 1002,
  [CodecErrorCode.BAD_SHAPE]: 1003,
  [CodecErrorCode.TOO_LARGE]: 1004,
  // 2xxx: transactions (consensus rules)
  [TxErrorCode.MALFORMED_SIGNATURE]: 2001,
  [TxErrorCode.HIGH_S]: 2002,
  [TxErrorCode.BAD_SIGNATURE]: 2003,
  [TxErrorCode.WRONG_CHAIN]: 2004,
  [TxErrorCode.BAD_NONCE]: 2005,
  [TxErrorCode.INSUFFICIENT_BALANCE]: 2006,
  [TxErrorCode.FEE_TOO_LOW]: 2007,
  [TxErrorCode.ZERO_AMOUNT]: 2008,
  [TxErrorCode.BALANCE_OVERFLOW]: 2009,
  [TxErrorCode.NONCE_OVERFLOW]: 2010,
  [TxErrorCode.UNKNOWN_TYPE]: 2011,
  [TxErrorCode.INSUFFICIENT_BOND]: 2012,
  [TxErrorCode.NO_TRAINING]: 2013,
  // 21xx: data registry, royalties, governance
  [TxErrorCode.DATA_BAD_SHAPE]: 2101,
  [TxErrorCode.DATA_DUPLICATE]: 2102,
  [TxErrorCode.DEPOSIT_TOO_LOW]: 2103,
  [TxErrorCode.PARAM_NOT_GOVERNABLE]: 2104,
  [TxErrorCode.PARAM_OUT_OF_BOUNDS]: 2105,
  [TxErrorCode.BAD_TASK]: 2106,
  [TxErrorCode.UNKNOWN_PROPOSAL]: 2107,
  [TxErrorCode.VOTING_CLOSED]: 2108,
  [TxErrorCode.BAD_PROPOSAL]: 2109,
  // 22xx: equivocation evidence
  [TxErrorCode.EVIDENCE_TOO_LARGE]: 2201,
  [TxErrorCode.EVIDENCE_WRONG_CHAIN]: 2202,
  [TxErrorCode.EVIDENCE_NOT_CONFLICTING]: 2203,
  [TxErrorCode.EVIDENCE_SAME_HEADER]: 2204,
  [TxErrorCode.EVIDENCE_TOO_OLD]: 2205,
  [TxErrorCode.EVIDENCE_ALREADY_PUNISHED]: 2206,
  [TxErrorCode.EVIDENCE_BAD_SIGNATURE]: 2207,
  // 23xx: challenges (fraud proofs)
  [TxErrorCode.CHALLENGE_MALFORMED]: 2301,
  [TxErrorCode.CHALLENGE_UNKNOWN_PART]: 2302,
  [TxErrorCode.CHALLENGE_WINDOW_CLOSED]: 2303,
  [TxErrorCode.CHALLENGE_PART_VOID]: 2304,
  [TxErrorCode.CHALLENGE_BAD_PATH]: 2305,
  [TxErrorCode.CHALLENGE_BAD_WEIGHTS]: 2306,
  [TxErrorCode.CHALLENGE_BLOCK_FULL]: 2307,
  [TxErrorCode.CHALLENGE_PENDING]: 2308,
  [TxErrorCode.CHALLENGE_NO_REQUEST]: 2309,
  // 3xxx: blocks (consensus rules)
  [BlockErrorCode.UNKNOWN_PARENT]: 3001,
  [BlockErrorCode.BAD_VERSION]: 3002,
  [BlockErrorCode.WRONG_CHAIN]: 3003,
  [BlockErrorCode.BAD_HEIGHT]: 3004,
  [BlockErrorCode.BAD_PARENT_HASH]: 3005,
  [BlockErrorCode.TIME_TOO_OLD]: 3006,
  [BlockErrorCode.TIME_TOO_NEW]: 3007,
  [BlockErrorCode.BAD_TARGET]: 3008,
  [BlockErrorCode.BAD_SEAL]: 3009,
  [BlockErrorCode.WRONG_SEAL]: 3010,
  [BlockErrorCode.BAD_TX_ROOT]: 3011,
  [BlockErrorCode.BAD_CONTRIBUTIONS_ROOT]: 3012,
  [BlockErrorCode.DUPLICATE_TX]: 3013,
  [BlockErrorCode.BAD_STATE_ROOT]: 3014,
  [BlockErrorCode.TOO_MANY_TXS]: 3015,
  [BlockErrorCode.TOO_LARGE]: 3016,
  [BlockErrorCode.BAD_TX]: 3017,
  [BlockErrorCode.STATE_MISMATCH]: 3018,
  [BlockErrorCode.BAD_CHECKPOINT_ROOT]: 3019,
  [BlockErrorCode.BAD_TICKET]: 3020,
  [BlockErrorCode.TICKET_ROUND_NOT_OPEN]: 3021,
  [BlockErrorCode.DUPLICATE_WIN]: 3022,
  [BlockErrorCode.TICKET_MISMATCH]: 3023,
  [BlockErrorCode.TOO_MANY_CONTRIBUTIONS]: 3024,
  [BlockErrorCode.CONTRIBUTION_TOO_LARGE]: 3025,
  [BlockErrorCode.BAD_CONTRIBUTION]: 3026,
  [BlockErrorCode.CONTRIBUTION_WRONG_ROUND]: 3027,
  [BlockErrorCode.CONTRIBUTION_WRONG_BASE]: 3028,
  [BlockErrorCode.CONTRIBUTION_BAD_LANE]: 3029,
  [BlockErrorCode.DUPLICATE_CONTRIBUTION]: 3030,
  [BlockErrorCode.UNBONDED_MINER]: 3031,
  [BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE]: 3032,
  [BlockErrorCode.BAD_HEADER_SIGNATURE]: 3033,
  // contribution parts (v2)
  [BlockErrorCode.INSUFFICIENT_BOND]: 3040,
  [BlockErrorCode.CONTRIBUTION_LANES_OVERLAP]: 3041,
  [BlockErrorCode.CONTRIBUTION_DELTA_OUT_OF_BOUND]: 3042,
  [BlockErrorCode.CONTRIBUTION_BAD_OPENING]: 3043,
  [BlockErrorCode.CONTRIBUTION_MISSING_OPENING]: 3044,
  [BlockErrorCode.TICKET_LANE_CLOSED]: 3045,
  // 4xxx: mempool
  [MempoolErrorCode.ALREADY_KNOWN]: 4001,
  [MempoolErrorCode.NONCE_GAP]: 4002,
  [MempoolErrorCode.FEE_TOO_LOW_TO_REPLACE]: 4003,
  [MempoolErrorCode.ACCOUNT_FULL]: 4004,
  [MempoolErrorCode.POOL_FULL]: 4005,
  // 5xxx: chain import
  [ChainErrorCode.ALREADY_KNOWN]: 5001,
  [ChainErrorCode.UNKNOWN_PARENT]: 5002,
  [ChainErrorCode.INVALID_ANCESTOR]: 5003,
  [ChainErrorCode.WRONG_GENESIS]: 5004,
  [ChainErrorCode.CLOSED]: 5005,
  [ChainErrorCode.QUEUE_FULL]: 5006,
  [ChainErrorCode.CORRUPT_DB]: 5007,
  [ChainErrorCode.DUPLICATE_TICKET]: 5008,
  [ChainErrorCode.KNOWN_INVALID]: 5009,
  // 6xxx: network (net_addPeer)
  [NetworkErrorCode.TOO_LARGE]: 6001,
  [NetworkErrorCode.STALE_BLOCK]: 6002,
  [NetworkErrorCode.ORPHAN]: 6003,
  [NetworkErrorCode.ORPHAN_POOL_FULL]: 6004,
  [NetworkErrorCode.CONTRIBUTION_KNOWN]: 6005,
  [NetworkErrorCode.CONTRIBUTION_POOL_FULL]: 6006,
  [NetworkErrorCode.UNSUPPORTED_TOPIC]: 6007,
  [NetworkErrorCode.NO_TRAINING]: 6008,
  [NetworkErrorCode.RATE_LIMITED]: 6009,
  [NetworkErrorCode.BAD_REQUEST]: 6010,
  [NetworkErrorCode.BAD_RESPONSE]: 6011,
  [NetworkErrorCode.WRONG_GENESIS]: 6012,
  [NetworkErrorCode.TIMEOUT]: 6013,
  [NetworkErrorCode.INTERNAL]: 6014,
  [ChainErrorCode.PRUNED]: 5020,
};

export function toRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (isTesseraError(e)) {
    const app = APP_ERROR_CODES[e.code] ?? APP_UNMAPPED;
    return new RpcError(app, e.message, { code: e.code, context: jsonSafe(e.context) as Json });
  }
  return new RpcError(RpcErrorCode.INTERNAL_ERROR, 'Internal error');
}

/** bigint -> decimal string, bytes -> 0x hex, nested errors -> their code/message. */
export function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (isTesseraError(v)) return { code: v.code, context: jsonSafe(v.context) };
  if (v instanceof Error) return v.message;
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v ?? null;
}
