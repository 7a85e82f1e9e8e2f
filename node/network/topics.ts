// Gossip topic names: /tessera/<genesis hash hex>/<kind>/<version>. The genesis hash keeps
// chains apart (a peer of another chain shares no topic); the version lets a message format
// change without old and new nodes reading each other's bytes.
import { toHex } from '../../consensus/bytes.ts';

export const TOPIC_KINDS = ['blocks', 'txs', 'contributions', 'attestations'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** Version of each topic's message format (contributions: v2, signed contribution parts, consensus/training/part.ts). */
export const TOPIC_VERSION: Readonly<Record<TopicKind, number>> = { blocks: 1, txs: 1, contributions: 2, attestations: 1 };

export function topicName(genesisHash: Uint8Array, kind: TopicKind): string {
  return `/tessera/${toHex(genesisHash)}/${kind}/${TOPIC_VERSION[kind]}`;
}

export type Topics = Readonly<Record<TopicKind, string>>;

export function topicsFor(genesisHash: Uint8Array): Topics {
  return Object.fromEntries(TOPIC_KINDS.map((k) => [k, topicName(genesisHash, k)])) as Record<TopicKind, string>;
}

/** The kind of a topic name of this chain, or undefined. */
export function topicKind(topics: Topics, topic: string): TopicKind | undefined {
  return TOPIC_KINDS.find((k) => topics[k] === topic);
}
