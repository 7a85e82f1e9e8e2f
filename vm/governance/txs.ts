// Propose, Deposit and Vote (docs/governance.md). Rules, cheapest first; no write before all pass.
//  Propose: deposit >= minDeposit, the action (whitelisted parameter within its bounds; treasury
//    spend > 0; text 1..512 chars; a task that decodes, validates and fits the chain's data and
//    ticket shape), then the shared signed-tx rules, balance >= deposit + fee. The proposal votes
//    from the next block to startHeight + votingPeriod; weights are balances at the end of this block.
//  Deposit: proposal known, still voting, then the signed-tx rules, balance >= amount + fee.
//  Vote: proposal known, startHeight < height <= endHeight, then the signed-tx rules, balance >= fee.
//    One stored vote per (proposal, voter); a later vote replaces it. Its weight is fixed at tally.
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import type { SignatureBackend } from '../../consensus/crypto/signature.ts';
import { governanceOf, type ChainParams } from '../../consensus/params.ts';
import { decodeTask } from '../../consensus/training/task-codec.ts';
import { ProposalKind, type DepositTx, type ProposalAction, type ProposeTx, type VoteTx } from '../../consensus/types.ts';
import { readRegistry } from '../data/registry.ts';
import type { StateView } from '../view.ts';
import { checkSignedTx, MAX_U64, type TxOutcome } from '../tx/common.ts';
import { decodeU64, depositKey, encodeU64, encodeUint, ProposalStatus, voteKey } from './keys.ts';
import { governedParam } from './params.ts';
import { readGov, readProposal, writeGov, writeProposal } from './state.ts';

/** Throws the typed error of an action the chain cannot carry out. */
export function checkAction(view: StateView, a: ProposalAction, p: ChainParams): void {
  switch (a.kind) {
    case ProposalKind.Text:
      if (a.text.length === 0) throw new TxError(TxErrorCode.BAD_PROPOSAL, { reason: 'empty text' });
      return;
    case ProposalKind.ParamChange: {
      const g = governedParam(a.param);
      if (!g) throw new TxError(TxErrorCode.PARAM_NOT_GOVERNABLE, { got: a.param });
      if (a.value < g.min || a.value > g.max) throw new TxError(TxErrorCode.PARAM_OUT_OF_BOUNDS, { got: a.value, reason: `${a.param} in [${g.min}, ${g.max}]` });
      if (a.param === 'ticketShareBps' && !p.training) throw new TxError(TxErrorCode.NO_TRAINING, {});
      return;
    }
    case ProposalKind.TreasurySpend:
      if (a.amount === 0n) throw new TxError(TxErrorCode.BAD_PROPOSAL, { reason: 'treasury spend of 0' });
      return;
    case ProposalKind.NewTask: {
      const t = p.training;
      if (!t) throw new TxError(TxErrorCode.NO_TRAINING, {});
      let task;
      try {
        task = decodeTask(a.task);
      } catch (e) {
        throw new TxError(TxErrorCode.BAD_TASK, { reason: (e as Error).message });
      }
      const reg = readRegistry(view);
      const dim = reg?.dim ?? t.task.layers[0]!;
      const classes = reg?.classes ?? t.task.layers[t.task.layers.length - 1]!;
      if (task.layers[0] !== dim) throw new TxError(TxErrorCode.BAD_TASK, { expected: dim, got: task.layers[0], reason: 'input width != the data dim' });
      if (task.layers[task.layers.length - 1] !== classes) throw new TxError(TxErrorCode.BAD_TASK, { expected: classes, reason: 'output width != the classes' });
      // the seal's ticket rule (tile, noise rank) is checked from the genesis params before any state exists
      if (task.tile.h !== t.task.tile.h || task.tile.w !== t.task.tile.w || task.noiseRank !== t.task.noiseRank)
        throw new TxError(TxErrorCode.BAD_TASK, { reason: 'tile and noise rank must stay those of the chain' });
      return;
    }
  }
}

export function applyPropose(view: StateView, tx: ProposeTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const gp = governanceOf(p);
  if (tx.amount < gp.minDeposit) throw new TxError(TxErrorCode.DEPOSIT_TOO_LOW, { expected: gp.minDeposit, got: tx.amount });
  checkAction(view, tx.action, p);
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
  view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const g = readGov(view);
  const id = g.nextId;
  writeProposal(view, {
    id, proposer: sender, action: tx.action, deposit: tx.amount, startHeight: height, endHeight: height + gp.votingPeriod,
    status: ProposalStatus.Voting, executeAt: 0, supply: 0n, yes: 0n, no: 0n, abstain: 0n, veto: 0n,
  });
  view.set(depositKey(id, sender), encodeU64(tx.amount));
  writeGov(view, { ...g, nextId: id + 1, open: [...g.open, id] });
  return { sender, fee: tx.fee };
}

function votingProposal(view: StateView, id: number, height: number) {
  const prop = readProposal(view, id);
  if (!prop) throw new TxError(TxErrorCode.UNKNOWN_PROPOSAL, { got: id });
  if (prop.status !== ProposalStatus.Voting || height > prop.endHeight || height <= prop.startHeight)
    throw new TxError(TxErrorCode.VOTING_CLOSED, { got: height, reason: `proposal ${id} votes in blocks ${prop.startHeight + 1}..${prop.endHeight}` });
  return prop;
}

export function applyDeposit(view: StateView, tx: DepositTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const prop = readProposal(view, tx.proposal);
  if (!prop) throw new TxError(TxErrorCode.UNKNOWN_PROPOSAL, { got: tx.proposal });
  if (prop.status !== ProposalStatus.Voting || height > prop.endHeight) throw new TxError(TxErrorCode.VOTING_CLOSED, { got: height });
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  const cost = tx.amount + tx.fee;
  if (from.balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: cost, got: from.balance });
  if (prop.deposit + tx.amount > MAX_U64) throw new TxError(TxErrorCode.BALANCE_OVERFLOW, { address: sender });
  view.putAccount(sender, { balance: from.balance - cost, nonce: from.nonce + 1 });
  const k = depositKey(prop.id, sender);
  const had = view.get(k);
  view.set(k, encodeU64((had ? decodeU64(had, 'deposit') : 0n) + tx.amount));
  writeProposal(view, { ...prop, deposit: prop.deposit + tx.amount });
  return { sender, fee: tx.fee };
}

export function applyVote(view: StateView, tx: VoteTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  votingProposal(view, tx.proposal, height);
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  if (from.balance < tx.fee) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: tx.fee, got: from.balance });
  view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
  view.set(voteKey(tx.proposal, sender), encodeUint(tx.option));
  return { sender, fee: tx.fee };
}
