// Governance at the end of every block h (after txs and mining), in this order:
//  1. balance checkpoints of the accounts the block changed (while a proposal is open);
//  2. each open proposal in id order: voting ends at h -> tally; passed with executeAt == h -> execute;
//  3. proposals started at h record the eligible supply (sum of balances at the end of h);
//  4. checkpoints again for what steps 2-3 changed; all of them deleted once nothing is open.
// Tally: weight of a vote = the voter's balance at the end of startHeight. total = yes+no+abstain+veto.
//   total · 10^4 < quorumBps · supply       -> NoQuorum, deposits refunded
//   veto · 10^4 >= vetoBps · total           -> Vetoed, deposits burned
//   yes · 10^4 > thresholdBps · (yes+no+veto) -> Passed, executeAt = h + timelock, deposits refunded
//   else                                      -> Rejected, deposits refunded
// Execution is all-or-nothing (a view checkpoint): a param change within bounds takes effect from
// h + 1; a treasury spend pays if the treasury holds the amount, once; a new task waits for the
// next round boundary; text does nothing. Anything that cannot apply reverts and marks Failed.
import { BPS, governanceOf, type ChainParams } from '../../consensus/params.ts';
import { ProposalKind } from '../../consensus/types.ts';
import { credit } from '../rewards.ts';
import type { StateReader } from '../round/state.ts';
import type { StateView } from '../view.ts';
import { balanceAt, clearCheckpoints, recordCheckpoints, totalBalances } from './checkpoints.ts';
import { addressOfKey, decodeU64, decodeUint, depositPrefix, encodeU64, paramKey, pendingTaskKey, ProposalStatus, votePrefix, type Proposal } from './keys.ts';
import { governedParam } from './params.ts';
import { readGov, readProposal, recordBurn, writeGov, writeProposal } from './state.ts';

function settleDeposits(view: StateView, id: number, burn: boolean): void {
  let burned = 0n;
  for (const k of view.keysWithPrefix(depositPrefix(id))) {
    const amount = decodeU64(view.get(k)!, 'deposit');
    if (burn) burned += amount;
    else credit(view, addressOfKey(k), amount);
    view.set(k, null);
  }
  recordBurn(view, burned);
}

function tally(view: StateView, prop: Proposal, p: ChainParams, height: number): Proposal {
  const gp = governanceOf(p);
  const w = [0n, 0n, 0n, 0n];
  for (const k of view.keysWithPrefix(votePrefix(prop.id))) {
    const option = decodeUint(view.get(k)!, 'vote');
    w[option] = w[option]! + balanceAt(view, addressOfKey(k), prop.startHeight);
    view.set(k, null);
  }
  const [yes, no, abstain, veto] = w as [bigint, bigint, bigint, bigint];
  const total = yes + no + abstain + veto;
  const B = BigInt(BPS);
  let status: ProposalStatus;
  if (total * B < BigInt(gp.quorumBps) * prop.supply || total === 0n) status = ProposalStatus.NoQuorum;
  else if (veto * B >= BigInt(gp.vetoBps) * total) status = ProposalStatus.Vetoed;
  else if (yes * B > BigInt(gp.thresholdBps) * (yes + no + veto)) status = ProposalStatus.Passed;
  else status = ProposalStatus.Rejected;
  settleDeposits(view, prop.id, status === ProposalStatus.Vetoed);
  return { ...prop, yes, no, abstain, veto, status, executeAt: status === ProposalStatus.Passed ? height + gp.timelock : 0 };
}

function execute(view: StateView, prop: Proposal, p: ChainParams, height: number): ProposalStatus {
  const a = prop.action;
  switch (a.kind) {
    case ProposalKind.Text:
      return ProposalStatus.Executed;
    case ProposalKind.ParamChange: {
      const g = governedParam(a.param);
      if (!g || a.value < g.min || a.value > g.max) return ProposalStatus.Failed;
      view.set(paramKey(g.id, height + 1), encodeU64(a.value));
      return ProposalStatus.Executed;
    }
    case ProposalKind.TreasurySpend: {
      const gov = readGov(view);
      if (gov.treasury < a.amount) return ProposalStatus.Failed;
      writeGov(view, { ...gov, treasury: gov.treasury - a.amount });
      credit(view, a.to, a.amount);
      return ProposalStatus.Executed;
    }
    case ProposalKind.NewTask:
      if (!p.training) return ProposalStatus.Failed;
      view.set(pendingTaskKey(), a.task);
      return ProposalStatus.Executed;
  }
}

export function endBlockGovernance(view: StateView, pre: StateReader, p: ChainParams, height: number): void {
  const open0 = readGov(view).open;
  if (open0.length === 0) return;
  recordCheckpoints(view, pre, view.diff(), height);
  const stillOpen: number[] = [];
  for (const id of open0) {
    let prop = readProposal(view, id)!;
    if (prop.status === ProposalStatus.Voting && height >= prop.endHeight) prop = tally(view, prop, p, height);
    if (prop.status === ProposalStatus.Passed && height >= prop.executeAt) {
      view.checkpoint();
      let status: ProposalStatus;
      try {
        status = execute(view, prop, p, height);
      } catch {
        status = ProposalStatus.Failed;
      }
      if (status === ProposalStatus.Failed) view.revert();
      else view.commit();
      prop = { ...prop, status };
    }
    writeProposal(view, prop);
    if (prop.status === ProposalStatus.Voting || prop.status === ProposalStatus.Passed) stillOpen.push(id);
  }
  writeGov(view, { ...readGov(view), open: stillOpen });
  // 3. the eligible supply of the proposals started in this block, after every balance change of the block
  const supply = totalBalances(view);
  for (const id of stillOpen) {
    const prop = readProposal(view, id)!;
    if (prop.status === ProposalStatus.Voting && prop.startHeight === height) writeProposal(view, { ...prop, supply });
  }
  if (stillOpen.length === 0) clearCheckpoints(view);
  else recordCheckpoints(view, pre, view.diff(), height);
}
