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
  /**
   * Bond per lane: a miner's parts of a round may claim at most bond / bondPerLane lanes in all
   * (and its bond must be >= minBond), so one minimum bond cannot back any number of junk lanes.
   */
  readonly bondPerLane: bigint;
  /**
   * Lanes one round's pool pays for: each lane earns pool / max(laneBudget, lanes of the round);
   * what no lane claims carries over to the next round (docs/mining-vm.md, "pool rewards").
   */
  readonly laneBudget: number;
  /** Cap on one encoded contribution part. */
  readonly maxContributionBytes: number;
  /** Parts per block (at most one per miner). */
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
  /**
   * What a Challenge's signer puts up (docs/validators.md): kept when the fraud is proven, burned
   * when the claim is false. Absent: bondPerLane (one lane's bond).
   */
  readonly challengeBond?: bigint;
  /** Parts per 10,000 of a miner's bond slashed by a proven fraud; absent: DEFAULT_FRAUD_BOND_SLASH_BPS (all of it). */
  readonly fraudBondSlashBps?: number;
  /**
   * Parts per 10,000 of a proven fraud's slash (bond share + the void part's locked rewards) paid to the
   * challenger; the rest is burned. Absent: DEFAULT_CHALLENGE_REWARD_BPS (half).
   */
  readonly challengeRewardBps?: number;
  /** Challenge txs one block may hold (each may re-execute one local step); absent: DEFAULT_MAX_CHALLENGES_PER_BLOCK. */
  readonly maxChallengesPerBlock?: number;
  /**
   * Blocks a lane's miner has to answer a data request on chain (the request resolves at the end of
   * the block `height + challengeAnswerBlocks`, at most challengeWindow - 1 after it); absent: DEFAULT_CHALLENGE_ANSWER_BLOCKS.
   */
  readonly challengeAnswerBlocks?: number;
  /**
   * Most lanes one part may cover. An aggregate fraud proof carries an entry per lane of its part
   * (~1.4 kB at the 784-128-10 MLP: consensus/training/fraud.ts aggregateProofBytes), so a part of
   * more lanes than a challenge can carry could lie in D unchallenged: a chain sets this so that the
   * proof of a full part fits a challenge (docs/validators.md "Sizes"). Absent: no cap (test chains).
   */
  readonly maxPartLanes?: number;
}

/** A proven fraud slashes the whole bond unless genesis says otherwise. */
export const DEFAULT_FRAUD_BOND_SLASH_BPS = 10_000;
/** Half the slash to the challenger, half burned (so a miner front-running a challenge of its own fraud still loses half). */
export const DEFAULT_CHALLENGE_REWARD_BPS = 5_000;
/** Four single-step re-executions per block at most (each ~0.1-0.3 s at the devnet task: docs/validators.md). */
export const DEFAULT_MAX_CHALLENGES_PER_BLOCK = 4;

/** Two blocks to answer a data request. */
export const DEFAULT_CHALLENGE_ANSWER_BLOCKS = 2;

/** The fraud-proof parameters of `t`, defaults filled in. */
export function challengeParams(t: TrainingParams): { bond: bigint; slashBps: number; rewardBps: number; perBlock: number; answerBlocks: number } {
  return {
    answerBlocks: t.challengeAnswerBlocks ?? DEFAULT_CHALLENGE_ANSWER_BLOCKS,
    bond: t.challengeBond ?? t.bondPerLane,
    slashBps: t.fraudBondSlashBps ?? DEFAULT_FRAUD_BOND_SLASH_BPS,
    rewardBps: t.challengeRewardBps ?? DEFAULT_CHALLENGE_REWARD_BPS,
    perBlock: t.maxChallengesPerBlock ?? DEFAULT_MAX_CHALLENGES_PER_BLOCK,
  };
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

/**
 * Token-holder governance and the reward split (DESIGN.md "Governance", "Attribution and
 * rewards"; docs/governance.md). Genesis defaults; the whitelisted ones change by proposal and
 * take effect by height (vm/governance/params.ts paramsAt).
 */
export interface GovernanceParams {
  /** Least deposit of a Propose (the proposal votes at once). */
  readonly minDeposit: bigint;
  /** Blocks of voting after the proposal's start height. */
  readonly votingPeriod: number;
  /** Blocks between a passed tally and execution. */
  readonly timelock: number;
  /** Votes cast (weight) / eligible supply at the start height, parts per 10,000, for a valid tally. */
  readonly quorumBps: number;
  /** yes / (yes + no + veto) must exceed this to pass. */
  readonly thresholdBps: number;
  /** veto / all votes at or above this: vetoed, deposits burned. */
  readonly vetoBps: number;
  /** Part of a round's pool paid to data contributors (pro rata samples used). */
  readonly dataShareBps: number;
  /** Part of every block reward (subsidy + fees) paid to the treasury. */
  readonly treasuryShareBps: number;
}

export const DEFAULT_GOVERNANCE: GovernanceParams = Object.freeze({
  minDeposit: 1_000n,
  votingPeriod: 20,
  timelock: 5,
  quorumBps: 3_340,
  thresholdBps: 5_000,
  vetoBps: 3_340,
  dataShareBps: 0,
  treasuryShareBps: 0,
});

/** The governance section of `p`, defaults where the genesis has none. */
export function governanceOf(p: ChainParams): GovernanceParams {
  return p.governance ?? DEFAULT_GOVERNANCE;
}

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
  /** Governance and reward split; DEFAULT_GOVERNANCE when absent. */
  readonly governance?: GovernanceParams;
}

export const HEADER_VERSION = 1;
