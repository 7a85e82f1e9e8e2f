// Chain parameters, fixed by the genesis spec (later: changed by governance at known heights).
// Consensus code reads every limit from here, never from constants scattered in files.

export interface ChainParams {
  readonly chainId: number;
  readonly name: string;
  /** The header version this chain accepts. */
  readonly version: number;
  readonly blockTimeSeconds: number;
  readonly asertHalfLifeSeconds: number;
  /** Target of block 1 (the ASERT anchor's target). */
  readonly initialTarget: bigint;
  /** Easiest allowed target; ASERT clamps to [1, maxTarget]. */
  readonly maxTarget: bigint;
  /** A block reward is credited this many blocks after the block that earned it. */
  readonly rewardMaturity: number;
  readonly subsidy: bigint;
  readonly minFee: bigint;
  readonly maxFutureSeconds: number;
  /** Number of ancestors whose median time a new block must exceed (11). */
  readonly medianTimeSpan: number;
  readonly maxBlockBytes: number;
  readonly maxTxsPerBlock: number;
  readonly maxSealBytes: number;
  /** Name of the seal that header validation must use ("pouw"). */
  readonly sealName: string;
}

export const HEADER_VERSION = 1;
