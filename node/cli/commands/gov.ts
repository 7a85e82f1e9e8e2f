// `tessera gov propose | deposit | vote | list | show`: token-holder governance over JSON-RPC.
import { readFileSync } from 'node:fs';
import { parseAddress } from '../../../consensus/crypto/index.ts';
import { encodeTask } from '../../../consensus/training/task-codec.ts';
import type { TrainingTask } from '../../../consensus/training/spec.ts';
import { ProposalKind, TypeTag, VoteOption, type ProposalAction } from '../../../consensus/types.ts';
import { RpcClient } from '../../rpc/client.ts';
import { CliError, EXIT_FAIL, EXIT_OK, parseAmount, parseFlags, rpcUrl, toJson, usageError, type Io } from '../util.ts';
import { pretty } from './query.ts';
import { SIGNER_FLAGS, SIGNER_HELP, signAndSend } from './sign-send.ts';

export const GOV_HELP = `Usage: tessera gov propose --from <signer> --deposit <n> --fee <n> <what> [options]
       tessera gov deposit --from <signer> --proposal <id> --amount <n> --fee <n> [options]
       tessera gov vote    --from <signer> --proposal <id> --option yes|no|abstain|veto --fee <n> [options]
       tessera gov list [--rpc <host:port>] [--json]
       tessera gov show <id> [--rpc <host:port>] [--json]

Token-holder governance. A proposal votes from the block after the one that includes it for the
chain's voting period; a vote weighs the voter's balance at the end of the proposal's block, and a
later vote replaces an earlier one. Passed proposals execute after the timelock; a veto share
burns the deposits. "gov list" shows the governed parameters in effect and every proposal.

What a proposal asks (exactly one):
  --text <text>                      a text (signals, nothing executes)
  --param <name> --value <n>         a parameter change from the whitelist, within its bounds
  --spend <n> --to <address>         a payment from the treasury
  --task-file <file.json>            a new training task spec (JSON, the fields of a task);
                                     training switches at the next round boundary

Options:
  --deposit <n>             the proposal's deposit (at least the chain's minDeposit)
  --proposal <id>           the proposal id (deposit, vote)
  --amount <n>              deposit to add
  --option <o>              yes | no | abstain | veto
${SIGNER_HELP}
  -h, --help                this help`;

const FLAGS = {
  ...SIGNER_FLAGS,
  deposit: { type: 'string' },
  proposal: { type: 'string' },
  amount: { type: 'string' },
  option: { type: 'string' },
  text: { type: 'string' },
  param: { type: 'string' },
  value: { type: 'string' },
  spend: { type: 'string' },
  to: { type: 'string' },
  'task-file': { type: 'string' },
} as const;

const OPTIONS: Record<string, VoteOption> = { yes: VoteOption.Yes, no: VoteOption.No, abstain: VoteOption.Abstain, veto: VoteOption.Veto };

function proposalId(s: string | undefined): number {
  if (s === undefined) throw usageError('missing --proposal', GOV_HELP);
  if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) throw usageError(`--proposal must be a whole number, got "${s}"`, GOV_HELP);
  return Number(s);
}

function actionOf(v: { text?: string; param?: string; value?: string; spend?: string; to?: string; 'task-file'?: string }): ProposalAction {
  const given = [v.text !== undefined, v.param !== undefined, v.spend !== undefined, v['task-file'] !== undefined].filter(Boolean).length;
  if (given !== 1) throw usageError('give exactly one of --text, --param, --spend, --task-file', GOV_HELP);
  if (v.text !== undefined) return { kind: ProposalKind.Text, text: v.text };
  if (v.param !== undefined) return { kind: ProposalKind.ParamChange, param: v.param, value: parseAmount(v.value, '--value', GOV_HELP) };
  if (v.spend !== undefined) {
    if (!v.to) throw usageError('missing --to', GOV_HELP);
    let to: Uint8Array;
    try {
      to = parseAddress(v.to);
    } catch {
      throw usageError(`--to must be 0x and 40 hex digits, got "${v.to}"`, GOV_HELP);
    }
    return { kind: ProposalKind.TreasurySpend, to, amount: parseAmount(v.spend, '--spend', GOV_HELP) };
  }
  let task: TrainingTask;
  try {
    task = JSON.parse(readFileSync(v['task-file']!, 'utf8')) as TrainingTask;
  } catch (e) {
    throw new CliError(`cannot read the task file: ${(e as Error).message}`, EXIT_FAIL);
  }
  return { kind: ProposalKind.NewTask, task: encodeTask(task) };
}

export async function govCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    io.out(GOV_HELP);
    return EXIT_OK;
  }
  if (sub === 'list' || sub === 'show') {
    const { values, positionals } = parseFlags(rest, { rpc: { type: 'string' }, json: { type: 'boolean' } }, GOV_HELP, sub === 'show' ? { min: 1, max: 1 } : { min: 0, max: 0 });
    const addr = rpcUrl(values.rpc, GOV_HELP);
    const rpc = new RpcClient(addr);
    const result = sub === 'list' ? await rpc.call('gov_list', []) : await rpc.call('gov_show', [proposalId(positionals[0])]);
    if (result === null) throw new CliError(`proposal ${positionals[0]} not found`, EXIT_FAIL);
    io.out(values.json ? toJson(result) : pretty(result));
    return EXIT_OK;
  }
  if (sub !== 'propose' && sub !== 'deposit' && sub !== 'vote') throw usageError(sub === undefined ? 'missing subcommand' : `unknown gov subcommand "${sub}"`, GOV_HELP);
  const { values } = parseFlags(rest, FLAGS, GOV_HELP);
  let out: Record<string, unknown>;
  if (sub === 'propose') {
    const amount = parseAmount(values.deposit, '--deposit', GOV_HELP);
    const action = actionOf(values);
    const r = await signAndSend(values, GOV_HELP, (c) => ({ type: TypeTag.Propose, ...c, amount, action }));
    out = { ...r, type: 'propose', deposit: amount };
  } else if (sub === 'deposit') {
    const proposal = proposalId(values.proposal);
    const amount = parseAmount(values.amount, '--amount', GOV_HELP);
    const r = await signAndSend(values, GOV_HELP, (c) => ({ type: TypeTag.Deposit, ...c, proposal, amount }));
    out = { ...r, type: 'deposit', proposal, amount };
  } else {
    const proposal = proposalId(values.proposal);
    const option = values.option === undefined ? undefined : OPTIONS[values.option];
    if (option === undefined) throw usageError('--option must be yes, no, abstain or veto', GOV_HELP);
    const r = await signAndSend(values, GOV_HELP, (c) => ({ type: TypeTag.Vote, ...c, proposal, option }));
    out = { ...r, type: 'vote', proposal, option: values.option };
  }
  io.out(values.json ? toJson(out) : `sent ${String(out.hash)} (nonce ${String(out.nonce)})`);
  return EXIT_OK;
}
