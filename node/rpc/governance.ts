// gov_*, data_* and attribution_* JSON-RPC methods: proposals, the data registry and attribution,
// read from the head state. Amounts are decimal strings, addresses 0x hex.
import { fromHex, to0x } from '../../consensus/bytes.ts';
import { ProposalKind, type ProposalAction } from '../../consensus/types.ts';
import { decodeTask } from '../../consensus/training/task-codec.ts';
import { governanceOf } from '../../consensus/params.ts';
import {
  attributionKey, decodeAttribution, decodeRoundAttribution, roundAttributionPrefix, roundOfAttributionKey,
} from '../../vm/data/keys.ts';
import { readRegistrations, readRegistry } from '../../vm/data/registry.ts';
import { decodeProposal, proposalPrefix, STATUS_NAMES, type Proposal } from '../../vm/governance/keys.ts';
import { paramsAt, GOVERNED_PARAMS } from '../../vm/governance/params.ts';
import { readGov, readProposal } from '../../vm/governance/state.ts';
import { badParams } from './errors.ts';
import type { Json, RpcMethods } from './jsonrpc.ts';
import type { RpcContext } from './methods.ts';

export const VOTE_NAMES = ['yes', 'no', 'abstain', 'veto'] as const;
const KIND_NAMES = ['text', 'param', 'treasury-spend', 'new-task'] as const;
const ADDR_RE = /^0x[0-9a-fA-F]{40}$/;

export function actionJson(a: ProposalAction): { [k: string]: Json } {
  switch (a.kind) {
    case ProposalKind.Text:
      return { kind: 'text', text: a.text };
    case ProposalKind.ParamChange:
      return { kind: 'param', param: a.param, value: a.value.toString() };
    case ProposalKind.TreasurySpend:
      return { kind: 'treasury-spend', to: to0x(a.to), amount: a.amount.toString() };
    case ProposalKind.NewTask: {
      let name: string | null = null;
      try {
        name = decodeTask(a.task).name;
      } catch {
        name = null;
      }
      return { kind: 'new-task', task: name, spec: to0x(a.task) };
    }
  }
}

export function proposalJson(p: Proposal): { [k: string]: Json } {
  return {
    id: p.id, proposer: to0x(p.proposer), kind: KIND_NAMES[p.action.kind], action: actionJson(p.action), deposit: p.deposit.toString(),
    startHeight: p.startHeight, endHeight: p.endHeight, status: STATUS_NAMES[p.status], executeAt: p.executeAt || null,
    supply: p.supply.toString(), tally: { yes: p.yes.toString(), no: p.no.toString(), abstain: p.abstain.toString(), veto: p.veto.toString() },
  };
}

function oneArg(params: unknown, usage: string): unknown {
  if (!Array.isArray(params) || params.length !== 1) throw badParams(`expected ${usage}`);
  return params[0];
}

export function governanceMethods(ctx: RpcContext): RpcMethods {
  const state = () => ctx.chain.state();
  return {
    gov_list: (params): Json => {
      if (params !== undefined && (!Array.isArray(params) || params.length > 0)) throw badParams('expected no params');
      const s = state();
      const g = readGov(s);
      const height = ctx.chain.head().header.height;
      const p = paramsAt(s, ctx.chain.params, height + 1);
      const gp = governanceOf(p);
      return {
        height, treasury: g.treasury.toString(), burned: g.burned.toString(),
        params: Object.fromEntries(GOVERNED_PARAMS.map((x) => [x.name, x.read(p).toString()])),
        rules: { minDeposit: gp.minDeposit.toString(), votingPeriod: gp.votingPeriod, timelock: gp.timelock },
        proposals: s.keysWithPrefix(proposalPrefix()).map((k) => proposalJson(decodeProposal(s.get(k)!))),
      };
    },
    gov_show: (params): Json => {
      const id = oneArg(params, '[proposal id]');
      if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw badParams('proposal id must be a non-negative integer');
      const p = readProposal(state(), id);
      return p ? proposalJson(p) : null;
    },
    data_list: (params): Json => {
      if (params !== undefined && (!Array.isArray(params) || params.length > 0)) throw badParams('expected no params');
      const s = state();
      const reg = readRegistry(s);
      if (!reg) return null;
      return {
        dim: reg.dim, classes: reg.classes, samples: reg.total, active: reg.active, attributed: reg.attributed.toString(),
        registrations: readRegistrations(s).map((r, id) => ({
          id, contributor: to0x(r.contributor), royaltyBps: r.royaltyBps, first: r.first, count: r.count, contentHash: to0x(r.contentHash),
          height: r.height, source: r.source || 'tx',
        })),
      };
    },
    attribution_get: (params): Json => {
      const a = oneArg(params, '[address]');
      if (typeof a !== 'string' || !ADDR_RE.test(a)) throw badParams('address must be 0x and 40 hex digits');
      const s = state();
      const who = fromHex(a);
      const v = s.get(attributionKey(who));
      const total = v ? decodeAttribution(v) : undefined;
      const rounds = s.keysWithPrefix(roundAttributionPrefix(who)).map((k) => {
        const r = decodeRoundAttribution(s.get(k)!);
        return { round: roundOfAttributionKey(k), samples: r.samples.toString(), earned: r.earned.toString(), closeHeight: r.closeHeight };
      });
      const regs = readRegistrations(s).filter((r) => to0x(r.contributor) === a.toLowerCase());
      return {
        address: to0x(who), registeredSamples: regs.reduce((n, r) => n + r.count, 0),
        samplesUsed: (total?.samples ?? 0n).toString(), dataEarnings: (total?.dataEarnings ?? 0n).toString(),
        royalties: (total?.royalties ?? 0n).toString(), rounds,
      };
    },
  };
}
