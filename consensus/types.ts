// The chain's data classes. Immutable (readonly) plain objects, decoded only through the
// factory functions of consensus/encoding (decodeTx, decodeBlock, decodeHeader), which check
// shape and canonicality. Type byte first in every encoding.

export type Hash = Uint8Array; // 32 bytes
export type Address = Uint8Array; // 20 bytes: SHA-256(compressed public key)[0..20]

/** One-byte type tags, first field of every encoding. Retired values are never reused. */
export enum TypeTag {
  Header = 0x01,
  Block = 0x02,
  // transactions: 0x10..0x3f
  Transfer = 0x10,
  /** Moves balance into the signer's mining bond. */
  Bond = 0x11,
  /** Takes bond out; credited after the chain's unbondDelay. */
  Unbond = 0x12,
  // later issues add: Equivocation 0x13, Challenge 0x14
  /** Registers labelled training samples under a contributor address (vm/data/). */
  RegisterData = 0x20,
  /** A model usage fee, split among data contributors by cumulative attribution. */
  PayRoyalty = 0x21,
  /** A governance proposal with its deposit (vm/governance/). */
  Propose = 0x22,
  /** Adds deposit to a proposal. */
  Deposit = 0x23,
  /** A token-holder vote on a proposal. */
  Vote = 0x24,
  /** Two headers signed by one miner with one ticket on one parent: burns the miner's locked rewards and a bond share (vm/tx/equivocation.ts). */
  Equivocation = 0x13,
  /** A fraud proof against a landed contribution part, with the challenger's bond (vm/tx/challenge.ts). */
  Challenge = 0x14,
  /** A winning proof-of-useful-work ticket (consensus/pouw/ticket.ts). */
  Ticket = 0x50,
  // 0x40: the per-lane contribution of v1, retired (never reused)
  /** A miner's contribution part, v2 (consensus/training/part.ts). */
  ContributionPart = 0x41,
}

export interface BlockHeader {
  readonly version: number;
  readonly chainId: number;
  readonly height: number;
  readonly parent: Hash;
  /** Unix time in seconds. */
  readonly time: number;
  readonly stateRoot: Hash;
  readonly txRoot: Hash;
  readonly contributionsRoot: Hash;
  readonly checkpointRoot: Hash;
  /** 256-bit target; lower is harder. */
  readonly target: bigint;
  /** The block seal (winning ticket and its proof), opaque to the chain core; see consensus/seal.ts. */
  readonly seal: Uint8Array;
  readonly miner: Address;
  /**
   * The miner's signature over every other field (headerSigningHash, consensus/encoding/header.ts):
   * 65 bytes r || s || recovery id, recovering to `miner`. Empty only in the genesis header.
   */
  readonly sig: Uint8Array;
}

interface TxCommon {
  readonly chainId: number;
  readonly nonce: number;
  readonly fee: bigint;
  /** 65 bytes: r (32) || s (32) || recovery id (1). Empty in an unsigned tx. */
  readonly sig: Uint8Array;
}

export interface TransferTx extends TxCommon {
  readonly type: TypeTag.Transfer;
  readonly to: Address;
  readonly amount: bigint;
}

export interface BondTx extends TxCommon {
  readonly type: TypeTag.Bond;
  readonly amount: bigint;
}

export interface UnbondTx extends TxCommon {
  readonly type: TypeTag.Unbond;
  readonly amount: bigint;
}

export interface RegisterDataTx extends TxCommon {
  readonly type: TypeTag.RegisterData;
  /** Who is credited for the samples (need not be the signer). */
  readonly contributor: Address;
  /** Parts per 10,000 of the contributor's attribution earnings it asks for (the rest goes to the treasury). */
  readonly royaltyBps: number;
  /** Features per sample (must equal the registry's). */
  readonly dim: number;
  /** n x dim int7 pixels (0..63), row-major. */
  readonly samples: Uint8Array;
  /** n labels. */
  readonly labels: Uint8Array;
}

export interface PayRoyaltyTx extends TxCommon {
  readonly type: TypeTag.PayRoyalty;
  readonly amount: bigint;
}

/** What a proposal asks for (the payload of Propose). */
export enum ProposalKind {
  Text = 0,
  ParamChange = 1,
  TreasurySpend = 2,
  NewTask = 3,
}

export type ProposalAction =
  | { readonly kind: ProposalKind.Text; readonly text: string }
  | { readonly kind: ProposalKind.ParamChange; readonly param: string; readonly value: bigint }
  | { readonly kind: ProposalKind.TreasurySpend; readonly to: Address; readonly amount: bigint }
  /** The task as its canonical encoding (consensus/training/task-codec.ts). */
  | { readonly kind: ProposalKind.NewTask; readonly task: Uint8Array };

export interface ProposeTx extends TxCommon {
  readonly type: TypeTag.Propose;
  /** The initial deposit, taken from the signer. */
  readonly amount: bigint;
  readonly action: ProposalAction;
}

export interface DepositTx extends TxCommon {
  readonly type: TypeTag.Deposit;
  readonly proposal: number;
  readonly amount: bigint;
}

export enum VoteOption {
  Yes = 0,
  No = 1,
  Abstain = 2,
  Veto = 3,
}

export interface VoteTx extends TxCommon {
  readonly type: TypeTag.Vote;
  readonly proposal: number;
  readonly option: VoteOption;
}

/** Evidence of equivocation: two block headers, each signed by its miner, with one ticket on one parent. */
export interface EquivocationTx extends TxCommon {
  readonly type: TypeTag.Equivocation;
  readonly first: BlockHeader;
  readonly second: BlockHeader;
}

/** The two kinds of fraud proof (docs/validators.md). */
export enum ChallengeKind {
  /** One local step of one lane re-executed by every node. */
  Step = 0,
  /** One weight index: the lanes' final values added up against D's value. */
  Aggregate = 1,
  /** A request for one lane's leaf: unanswered by its deadline, the part is void. */
  Request = 2,
  /** The answer to a request: the lane's leaf with its path in lanesRoot. */
  Answer = 3,
}

/** A step commitment as the proof carries it: [weightsRoot, a0, b0, c0, a1, ...] (32 bytes each). */
export type StepHashes = readonly Uint8Array[];

/** Single-step fraud proof: the lane's leaf with its path in the part's lanesRoot, and W_{R,m,lane,s} (int32 LE per layer). */
export interface StepProof {
  readonly kind: ChallengeKind.Step;
  readonly lane: number;
  readonly step: number;
  readonly finalRoot: Hash;
  readonly steps: readonly StepHashes[];
  readonly siblings: readonly Hash[];
  readonly weights: readonly Uint8Array[];
}

/**
 * One weight of a weights list against its weightsRoot: the per-layer matrix roots, the whole row
 * holding the weight (int32 LE) and the row's Merkle path in its layer's matrix root.
 */
export interface ElementProof {
  readonly layerRoots: readonly Hash[];
  readonly row: Uint8Array;
  readonly siblings: readonly Hash[];
}

/** One lane of an aggregate proof: its leaf (final root, steps digest) with its path, and its final weight at the index. */
export interface LaneElementProof {
  readonly finalRoot: Hash;
  readonly stepsDigest: Hash;
  readonly siblings: readonly Hash[];
  readonly element: ElementProof;
}

/** Single-element aggregate fraud proof at flat weight `index`: W_R's weight and every lane's final weight there. */
export interface AggregateProof {
  readonly kind: ChallengeKind.Aggregate;
  readonly index: number;
  readonly base: ElementProof;
  readonly lanes: readonly LaneElementProof[];
}

/** A request for lane `lane`'s leaf (its miner, or anyone holding it, answers on chain before the deadline). */
export interface RequestProof {
  readonly kind: ChallengeKind.Request;
  readonly lane: number;
}

/** The answer to a pending request: the lane's leaf and its path in the part's lanesRoot. */
export interface AnswerProof {
  readonly kind: ChallengeKind.Answer;
  readonly lane: number;
  readonly finalRoot: Hash;
  readonly steps: readonly StepHashes[];
  readonly siblings: readonly Hash[];
}

export type FraudProof = StepProof | AggregateProof | RequestProof | AnswerProof;

/**
 * A challenge: the signed part as it landed (its bytes hash to the part's record) and a fraud
 * proof against it. The signer posts the chain's challenge bond: kept on a proven fraud (and paid a
 * share of the slash), burned when the claim is false.
 */
export interface ChallengeTx extends TxCommon {
  readonly type: TypeTag.Challenge;
  readonly part: Uint8Array;
  readonly proof: FraudProof;
}

/** The transaction union; later issues add members. */
export type Tx = TransferTx | BondTx | UnbondTx | EquivocationTx | RegisterDataTx | PayRoyaltyTx | ProposeTx | DepositTx | VoteTx | ChallengeTx;

export interface Block {
  readonly header: BlockHeader;
  readonly txs: readonly Tx[];
  /** Miners' round contributions, encoded; defined by the mining issue. Empty until then. */
  readonly contributions: readonly Uint8Array[];
}
