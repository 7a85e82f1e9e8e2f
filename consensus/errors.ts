// Typed errors: every failure a peer or user can cause has a code from a closed enum and a
// typed context. The network maps codes to accept / ignore / reject in one place
// (node/network), the RPC maps them to application error codes (node/rpc).
//
// Each area declares its own enum of codes (CodecErrorCode here, TxErrorCode, BlockErrorCode, ...)
// and throws `new TesseraError(code, context)`.

export class TesseraError<C extends string = string, Ctx extends object = Record<string, unknown>> extends Error {
  readonly code: C;
  readonly context: Ctx;
  constructor(code: C, context: Ctx = {} as Ctx, message?: string) {
    super(message ?? `${code}${formatContext(context)}`);
    this.name = 'TesseraError';
    this.code = code;
    this.context = context;
  }
}

function formatContext(ctx: object): string {
  const entries = Object.entries(ctx);
  if (entries.length === 0) return '';
  return ' (' + entries.map(([k, v]) => `${k}=${fmt(v)}`).join(', ') + ')';
}

function fmt(v: unknown): string {
  if (v instanceof Uint8Array) return '0x' + Buffer.from(v).toString('hex').slice(0, 16) + (v.length > 8 ? '…' : '');
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

export function isTesseraError(e: unknown): e is TesseraError {
  return e instanceof TesseraError;
}

export enum CodecErrorCode {
  /** Bytes are not valid msgpack, or have trailing bytes. */
  MALFORMED = 'CODEC_MALFORMED',
  /** Valid msgpack, but not the canonical encoding of what it decodes to. */
  NON_CANONICAL = 'CODEC_NON_CANONICAL',
  /** Decoded, but the shape (type byte, arity, field types, lengths) is wrong. */
  BAD_SHAPE = 'CODEC_BAD_SHAPE',
  /** Larger than the limit for its kind. */
  TOO_LARGE = 'CODEC_TOO_LARGE',
}

export class CodecError extends TesseraError<CodecErrorCode, { what: string; reason?: string }> {}

// ---- Transactions --------------------------------------------------------------------------

export enum TxErrorCode {
  /** Signature not 65 bytes, r or s out of range, recovery id not 0 or 1. */
  MALFORMED_SIGNATURE = 'TX_MALFORMED_SIGNATURE',
  /** s in the upper half of the group order (malleable twin of a valid signature). */
  HIGH_S = 'TX_HIGH_S',
  /** The signature does not recover to a public key, or not to the expected signer. */
  BAD_SIGNATURE = 'TX_BAD_SIGNATURE',
  /** tx.chainId differs from the chain's. */
  WRONG_CHAIN = 'TX_WRONG_CHAIN',
  /** Nonce replayed (got < expected) or gapped (got > expected). */
  BAD_NONCE = 'TX_BAD_NONCE',
  /** balance < amount + fee. */
  INSUFFICIENT_BALANCE = 'TX_INSUFFICIENT_BALANCE',
  /** fee < minFee. */
  FEE_TOO_LOW = 'TX_FEE_TOO_LOW',
  /** amount == 0. */
  ZERO_AMOUNT = 'TX_ZERO_AMOUNT',
  /** A credit would take a balance past 2^64 - 1. */
  BALANCE_OVERFLOW = 'TX_BALANCE_OVERFLOW',
  /** A nonce would pass the largest safe integer. */
  NONCE_OVERFLOW = 'TX_NONCE_OVERFLOW',
  /** Transaction type the VM does not know. */
  UNKNOWN_TYPE = 'TX_UNKNOWN_TYPE',
  /** Unbond of more than the signer's bond. */
  INSUFFICIENT_BOND = 'TX_INSUFFICIENT_BOND',
  /** Bond / Unbond on a chain without training. */
  NO_TRAINING = 'TX_NO_TRAINING',
  // ---- data registry, royalties, governance (vm/data, vm/governance) ----
  /** RegisterData: empty, too many samples, dim != the registry's, a pixel outside [0, 63], a label >= classes, royaltyBps > 10,000. */
  DATA_BAD_SHAPE = 'TX_DATA_BAD_SHAPE',
  /** RegisterData: a sample (by its pixels' content hash) is registered already, or twice in the tx. */
  DATA_DUPLICATE = 'TX_DATA_DUPLICATE',
  /** Propose: deposit below minDeposit. */
  DEPOSIT_TOO_LOW = 'TX_DEPOSIT_TOO_LOW',
  /** Propose: a parameter that is not on the governance whitelist. */
  PARAM_NOT_GOVERNABLE = 'TX_PARAM_NOT_GOVERNABLE',
  /** Propose: a parameter value outside its bounds. */
  PARAM_OUT_OF_BOUNDS = 'TX_PARAM_OUT_OF_BOUNDS',
  /** Propose: a new task spec that does not decode, validate, or fit the chain (dims, tile, noise rank). */
  BAD_TASK = 'TX_BAD_TASK',
  /** Deposit / Vote on a proposal id that does not exist. */
  UNKNOWN_PROPOSAL = 'TX_UNKNOWN_PROPOSAL',
  /** Deposit / Vote on a proposal whose voting period is over (or not yet started). */
  VOTING_CLOSED = 'TX_VOTING_CLOSED',
  /** Propose: a treasury spend of 0, or text too long / empty. */
  BAD_PROPOSAL = 'TX_BAD_PROPOSAL',
  // ---- equivocation evidence (vm/tx/equivocation.ts, docs/hardening.md) ----
  /** A header's seal is larger than the chain's maxSealBytes (context.index: 0 or 1). */
  EVIDENCE_TOO_LARGE = 'TX_EVIDENCE_TOO_LARGE',
  /** A header's chain id is not the chain's (context.index). */
  EVIDENCE_WRONG_CHAIN = 'TX_EVIDENCE_WRONG_CHAIN',
  /** The headers differ in miner, parent, height or seal (context.reason names the field): not one ticket. */
  EVIDENCE_NOT_CONFLICTING = 'TX_EVIDENCE_NOT_CONFLICTING',
  /** The two headers have the same signing hash: one header, not two. */
  EVIDENCE_SAME_HEADER = 'TX_EVIDENCE_SAME_HEADER',
  /** The headers' height is more than the evidence window below the including block's. */
  EVIDENCE_TOO_OLD = 'TX_EVIDENCE_TOO_OLD',
  /** (miner, parent, ticket) was punished already. */
  EVIDENCE_ALREADY_PUNISHED = 'TX_EVIDENCE_ALREADY_PUNISHED',
  /** A header's signature is malformed or does not recover to its miner (context.index, context.cause). */
  EVIDENCE_BAD_SIGNATURE = 'TX_EVIDENCE_BAD_SIGNATURE',
  // ---- challenges: fraud proofs against contribution parts (vm/tx/challenge.ts, docs/validators.md) ----
  /** The proof does not fit the task or the part: part bytes that do not decode, a lane, step or index out of range, wrong shapes. */
  CHALLENGE_MALFORMED = 'TX_CHALLENGE_MALFORMED',
  /** No landed part of the round has these bytes (never landed, or another part's bytes), or its round is not open or closed yet. */
  CHALLENGE_UNKNOWN_PART = 'TX_CHALLENGE_UNKNOWN_PART',
  /** The part's round closed challengeWindow or more blocks before the including block (its rewards are released). */
  CHALLENGE_WINDOW_CLOSED = 'TX_CHALLENGE_WINDOW_CLOSED',
  /** The part is void already (a proven fraud is not proven twice). */
  CHALLENGE_PART_VOID = 'TX_CHALLENGE_PART_VOID',
  /** A Merkle path of the proof does not verify (the lane's leaf in lanesRoot, a weight in its weights root). */
  CHALLENGE_BAD_PATH = 'TX_CHALLENGE_BAD_PATH',
  /** A step proof's W_s is not the committed input of its step (for step 0: not W_R). */
  CHALLENGE_BAD_WEIGHTS = 'TX_CHALLENGE_BAD_WEIGHTS',
  /** The block already holds maxChallengesPerBlock challenges. */
  CHALLENGE_BLOCK_FULL = 'TX_CHALLENGE_BLOCK_FULL',
  /** A request on the part is pending already (one at a time per part). */
  CHALLENGE_PENDING = 'TX_CHALLENGE_PENDING',
  /** An answer with no pending request on its lane. */
  CHALLENGE_NO_REQUEST = 'TX_CHALLENGE_NO_REQUEST',
}

export interface TxErrorContext {
  txHash?: Uint8Array;
  index?: number;
  expected?: number | bigint | string;
  got?: number | bigint | string;
  address?: Uint8Array;
  reason?: string;
}

export class TxError extends TesseraError<TxErrorCode, TxErrorContext> {
  constructor(code: TxErrorCode, context: TxErrorContext = {}) {
    super(code, context);
    this.name = 'TxError';
  }
}

// ---- Blocks and headers --------------------------------------------------------------------

export enum BlockErrorCode {
  /** The parent is not known (not stored, or not valid). */
  UNKNOWN_PARENT = 'BLOCK_UNKNOWN_PARENT',
  BAD_VERSION = 'BLOCK_BAD_VERSION',
  WRONG_CHAIN = 'BLOCK_WRONG_CHAIN',
  /** height != parent.height + 1. */
  BAD_HEIGHT = 'BLOCK_BAD_HEIGHT',
  /** header.parent != hash of the given parent. */
  BAD_PARENT_HASH = 'BLOCK_BAD_PARENT_HASH',
  /** time <= median time of the last 11 blocks. */
  TIME_TOO_OLD = 'BLOCK_TIME_TOO_OLD',
  /** time > now + maxFutureSeconds. */
  TIME_TOO_NEW = 'BLOCK_TIME_TOO_NEW',
  /** target != the ASERT expectation. */
  BAD_TARGET = 'BLOCK_BAD_TARGET',
  /** The seal does not verify. */
  BAD_SEAL = 'BLOCK_BAD_SEAL',
  /** The seal's name is not the chain's (e.g. the test seal on a real chain). */
  WRONG_SEAL = 'BLOCK_WRONG_SEAL',
  BAD_TX_ROOT = 'BLOCK_BAD_TX_ROOT',
  BAD_CONTRIBUTIONS_ROOT = 'BLOCK_BAD_CONTRIBUTIONS_ROOT',
  DUPLICATE_TX = 'BLOCK_DUPLICATE_TX',
  BAD_STATE_ROOT = 'BLOCK_BAD_STATE_ROOT',
  TOO_MANY_TXS = 'BLOCK_TOO_MANY_TXS',
  TOO_LARGE = 'BLOCK_TOO_LARGE',
  /** A transaction of the block failed; context.cause holds the TxError code. */
  BAD_TX = 'BLOCK_BAD_TX',
  /** The state's own records are inconsistent (e.g. a diff applied to the wrong state). */
  STATE_MISMATCH = 'BLOCK_STATE_MISMATCH',
  // ---- mining (docs/mining-vm.md) ----
  /** header.checkpointRoot != the state's checkpoint root after the block. */
  BAD_CHECKPOINT_ROOT = 'BLOCK_BAD_CHECKPOINT_ROOT',
  /** The seal is not a well-formed ticket of this chain (decode, miner, job shape, lane); context.cause. */
  BAD_TICKET = 'BLOCK_BAD_TICKET',
  /** The ticket is for a round that is not the open one. */
  TICKET_ROUND_NOT_OPEN = 'BLOCK_TICKET_ROUND_NOT_OPEN',
  /** (round, miner, lane, step, jobId, ti, tj) already won. */
  DUPLICATE_WIN = 'BLOCK_DUPLICATE_WIN',
  /** The ticket's input roots differ from its miner's contribution for (step, jobId). */
  TICKET_MISMATCH = 'BLOCK_TICKET_MISMATCH',
  TOO_MANY_CONTRIBUTIONS = 'BLOCK_TOO_MANY_CONTRIBUTIONS',
  CONTRIBUTION_TOO_LARGE = 'BLOCK_CONTRIBUTION_TOO_LARGE',
  /** A contribution does not decode canonically for the task; context.cause = the decoder's code. */
  BAD_CONTRIBUTION = 'BLOCK_BAD_CONTRIBUTION',
  CONTRIBUTION_WRONG_ROUND = 'BLOCK_CONTRIBUTION_WRONG_ROUND',
  /** baseRoot != the open round's checkpoint root. */
  CONTRIBUTION_WRONG_BASE = 'BLOCK_CONTRIBUTION_WRONG_BASE',
  CONTRIBUTION_BAD_LANE = 'BLOCK_CONTRIBUTION_BAD_LANE',
  /** (round, miner, lane) already has a contribution. */
  DUPLICATE_CONTRIBUTION = 'BLOCK_DUPLICATE_CONTRIBUTION',
  /** The contribution's miner has bond < minBond. */
  UNBONDED_MINER = 'BLOCK_UNBONDED_MINER',
  /**
   * The contribution's signature is malformed, high-S, or does not recover to its miner field;
   * context.cause = the TxError code when it does not recover at all, else expected/got addresses.
   */
  CONTRIBUTION_BAD_SIGNATURE = 'BLOCK_CONTRIBUTION_BAD_SIGNATURE',
  // ---- hardening (docs/hardening.md) ----
  /**
   * The header's signature is missing, malformed or high-S (context.cause = the TxError code), or
   * recovers to another address than header.miner (context.got).
   */
  BAD_HEADER_SIGNATURE = 'BLOCK_BAD_HEADER_SIGNATURE',
  // ---- contribution parts, v2 (docs/mining-vm.md) ----
  /** The miner's bond is below bondPerLane times the lanes its parts of the round claim. */
  INSUFFICIENT_BOND = 'BLOCK_INSUFFICIENT_BOND',
  /** A part's lanes overlap a landed part of the same miner and round. */
  CONTRIBUTION_LANES_OVERLAP = 'BLOCK_CONTRIBUTION_LANES_OVERLAP',
  /** An element of a part's D is beyond what its lanes of H clipped steps can reach. */
  CONTRIBUTION_DELTA_OUT_OF_BOUND = 'BLOCK_CONTRIBUTION_DELTA_OUT_OF_BOUND',
  /** An opening does not prove its leaf, does not start from W_R, or opens a lane without a win. */
  CONTRIBUTION_BAD_OPENING = 'BLOCK_CONTRIBUTION_BAD_OPENING',
  /** A win of the miner on one of the part's lanes is not opened. */
  CONTRIBUTION_MISSING_OPENING = 'BLOCK_CONTRIBUTION_MISSING_OPENING',
  /** The ticket's lane is already covered by a landed part of its miner. */
  TICKET_LANE_CLOSED = 'BLOCK_TICKET_LANE_CLOSED',
}

export interface BlockErrorContext {
  height?: number;
  blockHash?: Uint8Array;
  expected?: number | bigint | string | Uint8Array;
  got?: number | bigint | string | Uint8Array;
  index?: number;
  txHash?: Uint8Array;
  cause?: string;
  reason?: string;
  /** Mining errors: the miner concerned and the round. */
  address?: Uint8Array;
  round?: number;
}

export class BlockError extends TesseraError<BlockErrorCode, BlockErrorContext> {
  constructor(code: BlockErrorCode, context: BlockErrorContext = {}) {
    super(code, context);
    this.name = 'BlockError';
  }
}
