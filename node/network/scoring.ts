// Gossipsub limits and peer scoring. The library's defaults score no topic (`topics: {}`), so an
// invalid message would cost its sender nothing, and decode no RPC with a limit (Infinity): both
// are set here. Thresholds after Lodestar (gossip -4000, publish -8000, graylist -16000).
//
// Per topic: P4, invalid deliveries, is what punishes a peer: its counter is squared, so with
// weight -100 one invalid message costs 100, 7 cost 4,900 (below the gossip threshold: no more
// gossip to or from it), 13 cost 16,900 (graylisted: its RPCs are dropped). The counter decays by
// 1% a second (half-life ~70 s) so a peer that sent one bad block long ago recovers. Mesh delivery
// penalties (P3) stay off: on a quiet devnet honest peers deliver too little to meet any quota.
// The peer manager's own score (peers.ts: rejects, request abuse) enters as the app-specific score.
import type { GossipsubOpts } from '@chainsafe/libp2p-gossipsub';
import type { PeerScoreParams, PeerScoreThresholds, TopicScoreParams } from '@chainsafe/libp2p-gossipsub/score';
import type { TopicKind, Topics } from './topics.ts';
import { MAX_ANY_TX_BYTES } from '../../consensus/encoding/limits.ts';

export const SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -4000,
  publishThreshold: -8000,
  graylistThreshold: -16000,
  acceptPXThreshold: 100,
  opportunisticGraftThreshold: 5,
};

/** Per-topic weights: blocks matter most; a flood of bad txs costs as much as a few bad blocks. */
const TOPIC_WEIGHT: Readonly<Record<TopicKind, number>> = { blocks: 1, txs: 0.5, contributions: 0.8, attestations: 0.5 };

function topicParams(kind: TopicKind): TopicScoreParams {
  return {
    topicWeight: TOPIC_WEIGHT[kind],
    timeInMeshWeight: 0.01,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 300,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.99,
    firstMessageDeliveriesCap: 50,
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.9,
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 60_000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.9,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.99,
  };
}

export function scoreParams(topics: Topics, appScore: (peerId: string) => number): Partial<PeerScoreParams> {
  return {
    topics: Object.fromEntries((Object.keys(topics) as TopicKind[]).map((k) => [topics[k], topicParams(k)])),
    topicScoreCap: 100,
    appSpecificScore: appScore,
    appSpecificWeight: 1,
    // Many peers from one IP (a Sybil) score lower; loopback is exempt so that local devnets work.
    IPColocationFactorWeight: -50,
    IPColocationFactorThreshold: 4,
    IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
    behaviourPenaltyWeight: -10,
    behaviourPenaltyThreshold: 6,
    behaviourPenaltyDecay: 0.9,
    decayInterval: 1000,
    decayToZero: 0.01,
    retainScore: 10 * 60_000,
  };
}

/** Caps on what one gossipsub RPC may hold (the library's defaults are unlimited). */
export const DECODE_RPC_LIMITS: NonNullable<GossipsubOpts['decodeRpcLimits']> = {
  maxSubscriptions: 16,
  maxMessages: 64,
  maxIhaveMessageIDs: 1000,
  maxIwantMessageIDs: 1000,
  maxIdontwantMessageIDs: 1000,
  maxControlMessages: 64,
  maxPeerInfos: 16,
};

/**
 * Largest message per topic kind; the largest of them (plus RPC framing) caps one inbound RPC. A tx
 * may be as large as its type allows (a RegisterData with its samples, evidence with two seals):
 * the topic takes the largest, decodeTx then holds each type to its own cap (CODEC_TOO_LARGE).
 */
export function topicMaxBytes(p: { maxBlockBytes: number; training?: { maxContributionBytes: number } }): Readonly<Record<TopicKind, number>> {
  return { blocks: p.maxBlockBytes, txs: MAX_ANY_TX_BYTES, contributions: p.training?.maxContributionBytes ?? 0, attestations: 4096 };
}
