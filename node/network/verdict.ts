// THE one place where typed errors become gossip verdicts (after Lodestar's gossipValidatorFn):
//   accept  - valid: deliver and relay;
//   ignore  - not relayed, the sender not punished: duplicates, what depends on our own state or
//             clock (unknown parent, nonce gaps, a round that just closed), our own faults
//             (queue full, db, closed);
//   reject  - provably invalid whatever the receiver's state: not relayed, and gossipsub counts an
//             invalid delivery against the sender's score (scoring.ts), which the peer manager
//             also charges (peers.ts) until the peer is banned.
// The table is total over every code a gossip validator can meet: `satisfies Record<...>` makes
// the compiler refuse a code without a verdict. A throw that is not a TesseraError is our bug and
// is ignored (logged), never blamed on the peer.
import { BlockErrorCode, CodecErrorCode, isTesseraError, TxErrorCode } from '../../consensus/errors.ts';
import { ChainErrorCode } from '../chain/errors.ts';
import { MempoolErrorCode } from '../mempool/errors.ts';
import { NetworkErrorCode } from './errors.ts';
import { ValidatorErrorCode } from '../validator/errors.ts';

export type GossipAction = 'accept' | 'ignore' | 'reject';
export type GossipErrorCode = CodecErrorCode | TxErrorCode | BlockErrorCode | ChainErrorCode | MempoolErrorCode | NetworkErrorCode | ValidatorErrorCode;

export const GOSSIP_ACTION = {
  // decoding: bytes a correct peer never sends
  [CodecErrorCode.MALFORMED]: 'reject',
  [CodecErrorCode.NON_CANONICAL]: 'reject',
  [CodecErrorCode.BAD_SHAPE]: 'reject',
  [CodecErrorCode.TOO_LARGE]: 'reject',
  // transactions: signature and static rules reject; what depends on the head state ignores
  [TxErrorCode.MALFORMED_SIGNATURE]: 'reject',
  [TxErrorCode.HIGH_S]: 'reject',
  [TxErrorCode.BAD_SIGNATURE]: 'reject',
  [TxErrorCode.WRONG_CHAIN]: 'reject',
  [TxErrorCode.BAD_NONCE]: 'ignore',
  [TxErrorCode.INSUFFICIENT_BALANCE]: 'ignore',
  [TxErrorCode.FEE_TOO_LOW]: 'reject',
  [TxErrorCode.ZERO_AMOUNT]: 'reject',
  [TxErrorCode.BALANCE_OVERFLOW]: 'ignore',
  [TxErrorCode.NONCE_OVERFLOW]: 'ignore',
  [TxErrorCode.UNKNOWN_TYPE]: 'reject',
  [TxErrorCode.INSUFFICIENT_BOND]: 'ignore',
  [TxErrorCode.NO_TRAINING]: 'reject',
  // data registry and governance: shape and whitelist rules reject; duplicates, deposits (a
  // governable minimum), proposals and voting windows depend on the head state
  [TxErrorCode.DATA_BAD_SHAPE]: 'reject',
  [TxErrorCode.DATA_DUPLICATE]: 'ignore',
  [TxErrorCode.DEPOSIT_TOO_LOW]: 'ignore',
  [TxErrorCode.PARAM_NOT_GOVERNABLE]: 'reject',
  [TxErrorCode.PARAM_OUT_OF_BOUNDS]: 'reject',
  [TxErrorCode.BAD_TASK]: 'reject',
  [TxErrorCode.UNKNOWN_PROPOSAL]: 'ignore',
  [TxErrorCode.VOTING_CLOSED]: 'ignore',
  [TxErrorCode.BAD_PROPOSAL]: 'reject',
  // equivocation evidence: the pair's own faults reject; age and punishment depend on the head
  [TxErrorCode.EVIDENCE_TOO_LARGE]: 'reject',
  [TxErrorCode.EVIDENCE_WRONG_CHAIN]: 'reject',
  [TxErrorCode.EVIDENCE_NOT_CONFLICTING]: 'reject',
  [TxErrorCode.EVIDENCE_SAME_HEADER]: 'reject',
  [TxErrorCode.EVIDENCE_TOO_OLD]: 'ignore',
  [TxErrorCode.EVIDENCE_ALREADY_PUNISHED]: 'ignore',
  [TxErrorCode.EVIDENCE_BAD_SIGNATURE]: 'reject',
  // a challenge's proof is checked against the part bytes it carries: a shape or a path that fails is
  // the sender's; which parts are landed, open or void depends on the relayer's head
  [TxErrorCode.CHALLENGE_MALFORMED]: 'reject',
  [TxErrorCode.CHALLENGE_UNKNOWN_PART]: 'ignore',
  [TxErrorCode.CHALLENGE_WINDOW_CLOSED]: 'ignore',
  [TxErrorCode.CHALLENGE_PART_VOID]: 'ignore',
  [TxErrorCode.CHALLENGE_BAD_PATH]: 'reject',
  [TxErrorCode.CHALLENGE_BAD_WEIGHTS]: 'ignore',
  [TxErrorCode.CHALLENGE_BLOCK_FULL]: 'ignore',
  [TxErrorCode.CHALLENGE_PENDING]: 'ignore',
  [TxErrorCode.CHALLENGE_NO_REQUEST]: 'ignore',
  // blocks: a block whose body matched its header and still fails is invalid (reject); unknown
  // parents and the future-time rule depend on us
  [BlockErrorCode.UNKNOWN_PARENT]: 'ignore',
  [BlockErrorCode.BAD_VERSION]: 'reject',
  [BlockErrorCode.WRONG_CHAIN]: 'reject',
  [BlockErrorCode.BAD_HEIGHT]: 'reject',
  [BlockErrorCode.BAD_PARENT_HASH]: 'reject',
  [BlockErrorCode.TIME_TOO_OLD]: 'reject',
  [BlockErrorCode.TIME_TOO_NEW]: 'ignore',
  [BlockErrorCode.BAD_TARGET]: 'reject',
  [BlockErrorCode.BAD_SEAL]: 'reject',
  [BlockErrorCode.WRONG_SEAL]: 'reject',
  [BlockErrorCode.BAD_TX_ROOT]: 'reject',
  [BlockErrorCode.BAD_CONTRIBUTIONS_ROOT]: 'reject',
  [BlockErrorCode.DUPLICATE_TX]: 'reject',
  [BlockErrorCode.BAD_STATE_ROOT]: 'reject',
  [BlockErrorCode.TOO_MANY_TXS]: 'reject',
  [BlockErrorCode.TOO_LARGE]: 'reject',
  [BlockErrorCode.BAD_TX]: 'reject',
  [BlockErrorCode.STATE_MISMATCH]: 'ignore', // our own undo records, never the peer's doing
  [BlockErrorCode.BAD_CHECKPOINT_ROOT]: 'reject',
  [BlockErrorCode.BAD_TICKET]: 'reject',
  [BlockErrorCode.TICKET_ROUND_NOT_OPEN]: 'reject',
  [BlockErrorCode.DUPLICATE_WIN]: 'reject',
  [BlockErrorCode.TICKET_MISMATCH]: 'reject',
  [BlockErrorCode.TOO_MANY_CONTRIBUTIONS]: 'reject',
  [BlockErrorCode.CONTRIBUTION_TOO_LARGE]: 'reject',
  [BlockErrorCode.BAD_CONTRIBUTION]: 'reject',
  // contributions: round, base, bond and duplicates depend on the head (a round that just
  // closed, a fork); a gossiped contribution that fails them is ignored, a block that carries one
  // is still refused by the chain (not relayed), it only escapes the penalty
  [BlockErrorCode.CONTRIBUTION_WRONG_ROUND]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_WRONG_BASE]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_BAD_LANE]: 'reject',
  [BlockErrorCode.DUPLICATE_CONTRIBUTION]: 'ignore',
  [BlockErrorCode.UNBONDED_MINER]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_BAD_SIGNATURE]: 'reject',
  [BlockErrorCode.BAD_HEADER_SIGNATURE]: 'reject',
  // contribution parts: what any receiver can check alone rejects; bond, overlap with landed parts
  // and the wins a part must open depend on the head state (ignore)
  [BlockErrorCode.INSUFFICIENT_BOND]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_LANES_OVERLAP]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_DELTA_OUT_OF_BOUND]: 'reject',
  [BlockErrorCode.CONTRIBUTION_BAD_OPENING]: 'ignore',
  [BlockErrorCode.CONTRIBUTION_MISSING_OPENING]: 'ignore',
  [BlockErrorCode.TICKET_LANE_CLOSED]: 'reject',
  // mempool admission
  [MempoolErrorCode.ALREADY_KNOWN]: 'ignore',
  [MempoolErrorCode.NONCE_GAP]: 'ignore',
  [MempoolErrorCode.FEE_TOO_LOW_TO_REPLACE]: 'ignore',
  [MempoolErrorCode.ACCOUNT_FULL]: 'ignore',
  [MempoolErrorCode.POOL_FULL]: 'ignore',
  // chain import
  [ChainErrorCode.ALREADY_KNOWN]: 'ignore',
  [ChainErrorCode.UNKNOWN_PARENT]: 'ignore',
  [ChainErrorCode.INVALID_ANCESTOR]: 'reject',
  [ChainErrorCode.WRONG_GENESIS]: 'ignore',
  [ChainErrorCode.CLOSED]: 'ignore',
  [ChainErrorCode.QUEUE_FULL]: 'ignore',
  [ChainErrorCode.CORRUPT_DB]: 'ignore',
  [ChainErrorCode.PRUNED]: 'ignore',
  // a second block with a used ticket: which one came first depends on the receiver (an honest peer
  // may have seen the other first); remembered failures carry several causes, some of them ours
  [ChainErrorCode.DUPLICATE_TICKET]: 'ignore',
  [ChainErrorCode.KNOWN_INVALID]: 'ignore',
  // network
  [NetworkErrorCode.TOO_LARGE]: 'reject',
  [NetworkErrorCode.STALE_BLOCK]: 'ignore',
  [NetworkErrorCode.ORPHAN]: 'ignore',
  [NetworkErrorCode.ORPHAN_POOL_FULL]: 'ignore',
  [NetworkErrorCode.CONTRIBUTION_KNOWN]: 'ignore',
  [NetworkErrorCode.CONTRIBUTION_POOL_FULL]: 'ignore',
  [NetworkErrorCode.UNSUPPORTED_TOPIC]: 'ignore',
  [NetworkErrorCode.NO_TRAINING]: 'reject',
  [NetworkErrorCode.RATE_LIMITED]: 'ignore',
  [NetworkErrorCode.BAD_REQUEST]: 'reject',
  [NetworkErrorCode.BAD_RESPONSE]: 'reject',
  [NetworkErrorCode.WRONG_GENESIS]: 'reject',
  [NetworkErrorCode.TIMEOUT]: 'ignore',
  [NetworkErrorCode.INTERNAL]: 'ignore',
  // attestations: what the message alone proves wrong rejects; what depends on the parts this node
  // has seen, on what it stored already, or on its caps ignores
  [ValidatorErrorCode.BAD_SIGNATURE]: 'reject',
  [ValidatorErrorCode.BAD_ATTESTATION]: 'reject',
  [ValidatorErrorCode.UNKNOWN_PART]: 'ignore',
  [ValidatorErrorCode.DUPLICATE]: 'ignore',
  [ValidatorErrorCode.STORE_FULL]: 'ignore',
  [ValidatorErrorCode.CANNOT_CHECK]: 'ignore',
} as const satisfies Record<GossipErrorCode, GossipAction>;

/** The verdict for a validator's throw, and the code it is counted under ('INTERNAL' for our bugs). */
export function gossipVerdict(e: unknown): { action: GossipAction; code: string } {
  if (isTesseraError(e) && Object.hasOwn(GOSSIP_ACTION, e.code)) return { action: GOSSIP_ACTION[e.code as GossipErrorCode], code: e.code };
  return { action: 'ignore', code: NetworkErrorCode.INTERNAL };
}
