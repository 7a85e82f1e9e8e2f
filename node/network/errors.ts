import { TesseraError } from '../../consensus/errors.ts';

/** Why the network refused a gossip message, a request or a peer (consensus failures keep their own codes). */
export enum NetworkErrorCode {
  /** A gossip message or request/response frame is larger than its topic's or protocol's cap. */
  TOO_LARGE = 'NET_TOO_LARGE',
  /** A block far below the head with less work than it: valid, maybe, but of no use to relay. */
  STALE_BLOCK = 'NET_STALE_BLOCK',
  /** The block's parent is unknown: held in the orphan pool while its ancestors are fetched. */
  ORPHAN = 'NET_ORPHAN',
  /** The orphan pool is full (the oldest entry was dropped) or the orphan chain is too long. */
  ORPHAN_POOL_FULL = 'NET_ORPHAN_POOL_FULL',
  /** The contribution pool already holds (round, miner, lane). */
  CONTRIBUTION_KNOWN = 'NET_CONTRIBUTION_KNOWN',
  /** The contribution pool is full. */
  CONTRIBUTION_POOL_FULL = 'NET_CONTRIBUTION_POOL_FULL',
  /** A message on a topic whose format this node does not validate yet (attestations). */
  UNSUPPORTED_TOPIC = 'NET_UNSUPPORTED_TOPIC',
  /** The chain does not train, so contributions have no meaning here. */
  NO_TRAINING = 'NET_NO_TRAINING',
  /** A peer asked more often than its protocol's rate allows. */
  RATE_LIMITED = 'NET_RATE_LIMITED',
  /** A request that does not decode, or asks for more than a response may hold. */
  BAD_REQUEST = 'NET_BAD_REQUEST',
  /** A response that does not decode, does not answer the request, or breaks the chain's links. */
  BAD_RESPONSE = 'NET_BAD_RESPONSE',
  /** The peer follows another chain (genesis hash or chain id differ). */
  WRONG_GENESIS = 'NET_WRONG_GENESIS',
  /** The peer did not answer in time, or the stream failed. */
  TIMEOUT = 'NET_TIMEOUT',
  /** The node itself failed (an internal error, not the peer's doing). */
  INTERNAL = 'NET_INTERNAL',
}

export interface NetworkErrorContext {
  peer?: string;
  topic?: string;
  protocol?: string;
  limit?: number;
  got?: number;
  height?: number;
  reason?: string;
  cause?: string;
}

export class NetworkError extends TesseraError<NetworkErrorCode, NetworkErrorContext> {
  constructor(code: NetworkErrorCode, context: NetworkErrorContext = {}) {
    super(code, context);
    this.name = 'NetworkError';
  }
}
