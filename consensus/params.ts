// Chain parameters, fixed by the genesis spec (later: changed by governance at known heights).
// Consensus code reads every limit from here, never from constants scattered in files.
import type { PouwSpec } from './pouw/spec.ts';
import type { TrainingTask } from './training/spec.ts';

/**
 * Training in rounds and the proof-of-useful-work rules (docs/mining-vm.md). A chain without
 * this section has no rounds (test chains); a chain with it needs the "pouw" seal.
 */
export interface TrainingParams {
  /** The training task (resolved from its genesis name). */
  readonly task: TrainingTask;
  /** Ticket rule: r = task.noiseRank, h/w = task.tile, minDimFactor from genesis. */
  readonly pouw: PouwSpec;
  /** A round lasts this many blocks and closes at the end of its last block. */
  readonly roundBlocks: number;
  /** Round rewards (ticket and pool) unlock this many blocks after the round closes. */
  readonly challengeWindow: number;
  /** Least bond of a miner whose contribution a block may include. */
  readonly minBond: bigint;
  /** Lanes per miner and round: lane < maxLanes. */
  readonly maxLanes: number;
  /** Cap on one encoded contribution. */
  readonly maxContributionBytes: number;
  readonly maxContributionsPerBlock: number;
  /** Parts per 10,000 of a block's subsidy + fees held for its ticket winner; the rest goes to the round pool. */
  readonly ticketShareBps: number;
  /** An Unbond's amount is credited this many blocks after the Unbond (> roundBlocks + challengeWindow). */
  readonly unbondDelay: number;
  /**
   * SHA-256 content hash of the training set (consensus/training/dataset.ts datasetHash): every
   * node checks the bytes it trains on against it at start, so all train on the same data.
   */
  readonly datasetHash: Uint8Array;
  /**
   * Parts per 10,000 of a miner's bond burned by equivocation evidence (vm/tx/equivocation.ts);
   * absent: DEFAULT_EQUIVOCATION_BOND_SLASH_BPS.
   */
  readonly equivocationBondSlashBps?: number;
}

/** The bond share equivocation evidence burns when genesis does not say (10%). */
export const DEFAULT_EQUIVOCATION_BOND_SLASH_BPS = 1_000;

/**
 * How many blocks after its headers' height equivocation evidence is accepted: while what the
 * offence earned is still locked (training: unbondDelay, longer than any ticket reward's lock since
 * unbondDelay > roundBlocks + challengeWindow; without training: rewardMaturity).
 */
export function evidenceWindow(p: Pick<ChainParams, 'rewardMaturity' | 'training'>): number {
  return p.training ? Math.max(p.training.unbondDelay, p.rewardMaturity) : p.rewardMaturity;
}

/** The PoUW spec a task implies (its tile shape and noise rank). */
export function pouwSpecOf(task: TrainingTask, minDimFactor: number): PouwSpec {
  return Object.freeze({ r: task.noiseRank, h: task.tile.h, w: task.tile.w, minDimFactor });
}

export const BPS = 10_000;

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
  /**
   * Paid, on top of the fee, by the sender of a Transfer whose recipient has no account yet, and
   * burned (not paid to the miner, who could otherwise create accounts for free in its own
   * blocks): every state entry costs its creator this much (docs/chain-core.md).
   */
  readonly accountCreationFee: bigint;
  readonly maxFutureSeconds: number;
  /** Number of ancestors whose median time a new block must exceed (11). */
  readonly medianTimeSpan: number;
  readonly maxBlockBytes: number;
  readonly maxTxsPerBlock: number;
  readonly maxSealBytes: number;
  /** Name of the seal that header validation must use ("pouw"). */
  readonly sealName: string;
  /** Rounds, bonds, contributions, tickets; absent on chains without training (tests). */
  readonly training?: TrainingParams;
}

export const HEADER_VERSION = 1;
