// State keys of governance (kinds 0x26..0x2d; docs/governance.md):
//   0x26 || u64be(id)                   proposal: encode([proposer, action, deposit u64, startHeight, endHeight, status, executeAt,
//                                        supply u64, yes u64, no u64, abstain u64, veto u64])
//   0x27 || u64be(id) || voter(20)      a vote: encode([option])  (a later vote replaces it)
//   0x28 || address || u64be(h)        balance checkpoint: encode([balance at the end of block h - 1]), written at the end of
//                                       block h for every account whose balance block h changed, while a proposal votes
//   0x29                                governance: encode([next proposal id, treasury u64, burned u64, [open proposal ids]])
//                                       (open: voting, or passed and waiting for execution)
//   0x2a || u8(param) || u64be(h)      a governed parameter's value from height h on: encode([value u64])
//   0x2b || u64be(id) || depositor(20) a deposit on a proposal: encode([amount u64])
//   0x2c                                the training task in effect, when governance replaced the genesis one: encoded task
//   0x2d                                a passed task waiting for the next round boundary: encoded task
import { concatBytes, u64be } from '../../consensus/bytes.ts';
import { decodeCanonical, encode, TupleReader } from '../../consensus/codec.ts';
import { txFromTuple, txTuple } from '../../consensus/encoding/tx.ts';
import { TypeTag, type ProposalAction, type ProposeTx } from '../../consensus/types.ts';

export enum GovKind {
  Proposal = 0x26,
  Vote = 0x27,
  BalanceCheckpoint = 0x28,
  Governance = 0x29,
  Param = 0x2a,
  Deposit = 0x2b,
  Task = 0x2c,
  PendingTask = 0x2d,
}

export enum ProposalStatus {
  Voting = 0,
  /** Passed, waiting for its timelock. */
  Passed = 1,
  Rejected = 2,
  /** Veto share reached: deposits burned. */
  Vetoed = 3,
  NoQuorum = 4,
  Executed = 5,
  /** Passed, but execution could not apply (e.g. the treasury was short): nothing changed. */
  Failed = 6,
}

export const STATUS_NAMES = ['voting', 'passed', 'rejected', 'vetoed', 'no-quorum', 'executed', 'failed'] as const;

export interface Proposal {
  readonly id: number;
  readonly proposer: Uint8Array;
  readonly action: ProposalAction;
  readonly deposit: bigint;
  /** Voting weights are balances at the end of this block (the block that included the Propose). */
  readonly startHeight: number;
  /** Votes are accepted in blocks startHeight + 1 .. endHeight; tallied at the end of endHeight. */
  readonly endHeight: number;
  readonly status: ProposalStatus;
  /** Passed: executed at the end of this block. */
  readonly executeAt: number;
  /** Sum of all balances at the end of startHeight (the quorum's base). */
  readonly supply: bigint;
  readonly yes: bigint;
  readonly no: bigint;
  readonly abstain: bigint;
  readonly veto: bigint;
}

export interface GovState {
  readonly nextId: number;
  readonly treasury: bigint;
  readonly burned: bigint;
  /** Ids of the proposals that vote or wait for execution, ascending. */
  readonly open: readonly number[];
}

const kind = (k: GovKind) => new Uint8Array([k]);

export const proposalKey = (id: number) => concatBytes(kind(GovKind.Proposal), u64be(id));
export const proposalPrefix = () => kind(GovKind.Proposal);
export const voteKey = (id: number, voter: Uint8Array) => concatBytes(kind(GovKind.Vote), u64be(id), voter);
export const votePrefix = (id: number) => concatBytes(kind(GovKind.Vote), u64be(id));
export const checkpointKey = (a: Uint8Array, h: number) => concatBytes(kind(GovKind.BalanceCheckpoint), a, u64be(h));
export const checkpointPrefix = (a?: Uint8Array) => (a ? concatBytes(kind(GovKind.BalanceCheckpoint), a) : kind(GovKind.BalanceCheckpoint));
export const govKey = () => kind(GovKind.Governance);
export const paramKey = (param: number, h: number) => concatBytes(kind(GovKind.Param), new Uint8Array([param]), u64be(h));
export const paramPrefix = () => kind(GovKind.Param);
export const depositKey = (id: number, a: Uint8Array) => concatBytes(kind(GovKind.Deposit), u64be(id), a);
export const depositPrefix = (id: number) => concatBytes(kind(GovKind.Deposit), u64be(id));
export const taskKey = () => kind(GovKind.Task);
export const pendingTaskKey = () => kind(GovKind.PendingTask);

const u64At = (k: Uint8Array, at: number) => Number(new DataView(k.buffer, k.byteOffset, k.length).getBigUint64(at));
/** The height of a balance checkpoint key. */
export const heightOfCheckpointKey = (k: Uint8Array) => u64At(k, 21);
/** The (param, height) of a parameter key. */
export const paramOfKey = (k: Uint8Array) => ({ param: k[1]!, height: u64At(k, 2) });
/** The voter / depositor address at the end of a vote or deposit key. */
export const addressOfKey = (k: Uint8Array) => k.slice(9, 29);

// The action is stored as the Propose tx's action tuple (one codec for both).
function actionTupleOf(a: ProposalAction): unknown {
  const t = txTuple({ type: TypeTag.Propose, chainId: 0, nonce: 0, fee: 0n, amount: 0n, action: a, sig: new Uint8Array(65) });
  return t[5];
}

function actionOf(v: unknown): ProposalAction {
  return (txFromTuple([TypeTag.Propose, 0, 0, 0n, 0n, v, new Uint8Array(65)], 'proposal') as ProposeTx).action;
}

export function encodeProposal(p: Proposal): Uint8Array {
  return encode([
    p.id, p.proposer, actionTupleOf(p.action) as never, p.deposit, p.startHeight, p.endHeight, p.status, p.executeAt, p.supply, p.yes, p.no, p.abstain, p.veto,
  ]);
}

export function decodeProposal(b: Uint8Array): Proposal {
  const r = TupleReader.of(decodeCanonical(b, 'proposal'), 'proposal', 13);
  const v: Proposal = {
    id: r.uint(), proposer: r.bytes(20), action: actionOf(r.raw()), deposit: r.u64(), startHeight: r.uint(), endHeight: r.uint(),
    status: r.uint(ProposalStatus.Failed), executeAt: r.uint(), supply: r.u64(), yes: r.u64(), no: r.u64(), abstain: r.u64(), veto: r.u64(),
  };
  r.end();
  return Object.freeze(v);
}

export function encodeGov(g: GovState): Uint8Array {
  return encode([g.nextId, g.treasury, g.burned, [...g.open]]);
}

export function decodeGov(b: Uint8Array): GovState {
  const r = TupleReader.of(decodeCanonical(b, 'governance'), 'governance', 4);
  const v = { nextId: r.uint(), treasury: r.u64(), burned: r.u64(), open: Object.freeze(r.array().map((x) => { if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) throw new RangeError('governance: bad open id'); return x; })) };
  r.end();
  return Object.freeze(v);
}

export const encodeU64 = (a: bigint) => encode([a]);
export function decodeU64(b: Uint8Array, what: string): bigint {
  const r = TupleReader.of(decodeCanonical(b, what), what, 1);
  const v = r.u64();
  r.end();
  return v;
}
export const encodeUint = (a: number) => encode([a]);
export function decodeUint(b: Uint8Array, what: string): number {
  const r = TupleReader.of(decodeCanonical(b, what), what, 1);
  const v = r.uint();
  r.end();
  return v;
}
