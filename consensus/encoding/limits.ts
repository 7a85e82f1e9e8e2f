// Size caps for decoding, taken from the chain parameters (see decodeLimits in ../params.ts).
import type { ChainParams } from '../params.ts';

export interface DecodeLimits {
  readonly maxBlockBytes: number;
  readonly maxTxsPerBlock: number;
  readonly maxSealBytes: number;
  /** Cap on one contribution's bytes; defaults to maxBlockBytes. */
  readonly maxContributionBytes?: number;
}

/** Generous defaults for decoding outside a chain context (tools, tests). */
export const DEFAULT_LIMITS: DecodeLimits = {
  maxBlockBytes: 4 * 1024 * 1024,
  maxTxsPerBlock: 10_000,
  maxSealBytes: 256 * 1024,
};

/** A transaction is ~120 bytes; anything above this is not a transaction. */
export const MAX_TX_BYTES = 1024;
/** A RegisterData tx carries samples: up to 128 KiB (about 160 MNIST digits). */
export const MAX_DATA_TX_BYTES = 128 * 1024;
/** An Equivocation tx carries two headers with their seals: two default-size seals plus the headers around them. */
export const MAX_EVIDENCE_TX_BYTES = 2 * DEFAULT_LIMITS.maxSealBytes + 2048;

/**
 * A Challenge tx carries the part it challenges (at most the chain's maxContributionBytes: 1.2 MB on
 * the devnet) and, for a step proof, W_{R,m,lane,s} (406 kB at the 784-128-10 MLP) or, for an
 * aggregate proof, one weights row and paths per lane of the part: 4 MiB covers the devnet with room
 * (docs/validators.md "Sizes"); the block limit bounds them further.
 */
export const MAX_CHALLENGE_TX_BYTES = 4 * 1024 * 1024;

export function decodeLimits(p: Pick<ChainParams, 'maxBlockBytes' | 'maxTxsPerBlock' | 'maxSealBytes'> & Partial<Pick<ChainParams, 'training'>>): DecodeLimits {
  const l = { maxBlockBytes: p.maxBlockBytes, maxTxsPerBlock: p.maxTxsPerBlock, maxSealBytes: p.maxSealBytes };
  return p.training ? { ...l, maxContributionBytes: p.training.maxContributionBytes } : l;
}

export function withDefaults(l?: Partial<DecodeLimits>): DecodeLimits {
  return { ...DEFAULT_LIMITS, ...(l ?? {}) };
}

/** The largest tx of any type (decodeTx then applies the cap of its type). */
export const MAX_ANY_TX_BYTES = Math.max(MAX_TX_BYTES, MAX_DATA_TX_BYTES, MAX_EVIDENCE_TX_BYTES, MAX_CHALLENGE_TX_BYTES);
