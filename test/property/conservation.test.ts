// Conservation (property-based, fast-check): over random runs of transfers, proposals (text,
// parameter changes including the subsidy, treasury spends), deposits, votes (vetoes burn),
// royalties, equivocation evidence against the block producer (burns its locked rewards) and
// blocks, total supply == genesis + subsidies - burns, exactly, after every block.
// Txs a run draws that the chain refuses (spent balance, closed vote, ...) are left out of the
// block, as a block producer would. `npm test` runs a few short runs; `npm run test:conservation`
// runs many long ones (CONSERVATION_RUNS, CONSERVATION_BLOCKS).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signTx } from '../../consensus/crypto/signature.ts';
import { signHeader } from '../../consensus/crypto/index.ts';
import { decodePunished, StateKind } from '../../vm/keys.ts';
import { isTesseraError } from '../../consensus/errors.ts';
import { ProposalKind, TypeTag, VoteOption, type ProposalAction, type Tx } from '../../consensus/types.ts';
import { applyTxs } from '../../vm/apply-block.ts';
import { attributionKey, encodeAttribution } from '../../vm/data/keys.ts';
import { registryEntries } from '../../vm/data/genesis.ts';
import { writeRegistry, readRegistry } from '../../vm/data/registry.ts';
import { readGov } from '../../vm/governance/state.ts';
import { State } from '../../vm/state.ts';
import { testKey } from '../fixtures/chain.ts';
import { GOV_PARAMS, GovChain } from '../fixtures/gov.ts';
import { supplyOf } from '../fixtures/supply.ts';

const RUNS = Number(process.env.CONSERVATION_RUNS ?? 8);
const BLOCKS = Number(process.env.CONSERVATION_BLOCKS ?? 24);
const keys = [0, 1, 2, 3, 4].map(testKey);
const minerKey = testKey(9);
const miner = minerKey.address();
const contributors = [21, 22, 23].map((i) => testKey(i).address());

type Op =
  | { t: 'transfer'; from: number; to: number; amount: number }
  | { t: 'propose'; from: number; kind: number; value: number }
  | { t: 'deposit'; from: number; id: number; amount: number }
  | { t: 'vote'; from: number; id: number; option: number }
  | { t: 'royalty'; from: number; amount: number }
  | { t: 'equivocate'; from: number };

const who = fc.integer({ min: 0, max: keys.length - 1 });
const recent = fc.integer({ min: 0, max: 2 }); // 0: the latest proposal, 1: the one before, ...
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('transfer' as const), from: who, to: who, amount: fc.integer({ min: 1, max: 200_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('propose' as const), from: who, kind: fc.constantFrom(0, 1, 2, 3, 3), value: fc.integer({ min: 1, max: 120_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('deposit' as const), from: who, id: recent, amount: fc.integer({ min: 1, max: 5_000 }) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('vote' as const), from: who, id: recent, option: fc.constantFrom(0, 0, 0, 1, 2, 3) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('royalty' as const), from: who, amount: fc.integer({ min: 1, max: 50_000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('equivocate' as const), from: who }) },
);

/** What evidence burned over all runs (a check that the runs include punishments). */
let evidenceBurned = 0n;

function action(kind: number, value: number): ProposalAction {
  switch (kind) {
    case 0:
      return { kind: ProposalKind.Text, text: `t${value}` };
    case 1:
      return { kind: ProposalKind.ParamChange, param: 'subsidy', value: BigInt(value) };
    case 2:
      return { kind: ProposalKind.ParamChange, param: 'treasuryShareBps', value: BigInt(value % 2_001) };
    default:
      return { kind: ProposalKind.TreasurySpend, to: keys[value % keys.length]!.address(), amount: BigInt(1 + (value % 20_000)) };
  }
}

/** A chain whose three contributors carry attribution already, so royalties split among them. */
function newChain(): GovChain {
  const ch = new GovChain(GOV_PARAMS, keys.map((k, i) => [k.address(), BigInt(200_000 * (i + 1))] as const), miner);
  const entries: Array<[Uint8Array, Uint8Array]> = [...ch.state.entries()];
  const reg = new Map(registryEntries(4, 2, []).map(([k, v]) => [Buffer.from(k).toString('hex'), [k, v] as [Uint8Array, Uint8Array]]));
  const w = { get: (k: Uint8Array) => reg.get(Buffer.from(k).toString('hex'))?.[1], set: (k: Uint8Array, v: Uint8Array | null) => void reg.set(Buffer.from(k).toString('hex'), [k, v!]), keysWithPrefix: () => [] };
  writeRegistry(w, { ...readRegistry(w)!, attributed: 1_000n });
  contributors.forEach((c, i) => entries.push([attributionKey(c), encodeAttribution({ samples: BigInt(100 * (i + 2)), weighted: BigInt(100 * (i + 2)) * BigInt(3_000 * (i + 1)), dataEarnings: 0n, royalties: 0n, rounds: 1 })]));
  const state = State.fromEntries([...entries, ...reg.values()]);
  return GovChain.fromState(GOV_PARAMS, { ...ch.header, stateRoot: state.root() }, state, miner);
}

function txOf(ch: GovChain, o: Op, nonce: number): Tx {
  const k = keys[o.from]!;
  const latest = readGov(ch.state).nextId - 1;
  const common = { chainId: GOV_PARAMS.chainId, nonce, fee: 10n, sig: new Uint8Array(65) };
  switch (o.t) {
    case 'transfer':
      return signTx({ type: TypeTag.Transfer, ...common, to: keys[o.to]!.address(), amount: BigInt(o.amount) }, k);
    case 'propose':
      return signTx({ type: TypeTag.Propose, ...common, amount: 1_000n + BigInt(o.value % 3_000), action: action(o.kind, o.value) }, k);
    case 'deposit':
      return signTx({ type: TypeTag.Deposit, ...common, proposal: Math.max(0, latest - o.id), amount: BigInt(o.amount) }, k);
    case 'vote':
      return signTx({ type: TypeTag.Vote, ...common, proposal: Math.max(0, latest - o.id), option: o.option as VoteOption }, k);
    case 'royalty':
      return signTx({ type: TypeTag.PayRoyalty, ...common, amount: BigInt(o.amount) }, k);
    case 'equivocate': {
      // the producer of the head signs a sibling of it with the same seal: two headers, one ticket
      const first = signHeader({ ...ch.header, time: ch.header.time + 1 }, minerKey);
      const second = signHeader({ ...ch.header, time: ch.header.time + 2 }, minerKey);
      return signTx({ type: TypeTag.Equivocation, ...common, first, second }, k);
    }
  }
}

function punishedBurns(s: State): bigint {
  let b = 0n;
  for (const [k, v] of s.entries()) if (k[0] === StateKind.Punished) b += decodePunished(v).burned;
  return b;
}

function runChain(blocks: Op[][]): void {
  const ch = newChain();
  const genesis = supplyOf(ch.state).supply;
  for (const ops of blocks) {
    const txs: Tx[] = [];
    const used = new Map<number, number>();
    for (const o of ops) {
      if (o.t === 'equivocate' && ch.height === 0) continue; // genesis has no producer to punish
      const n = ch.state.getAccount(keys[o.from]!.address()).nonce + (used.get(o.from) ?? 0);
      const tx = txOf(ch, o, n);
      try {
        applyTxs(ch.state, { height: ch.height + 1, miner }, [...txs, tx], GOV_PARAMS);
      } catch (e) {
        if (isTesseraError(e)) continue; // refused: left out of the block
        throw e;
      }
      txs.push(tx);
      used.set(o.from, (used.get(o.from) ?? 0) + 1);
    }
    const punishedBefore = punishedBurns(ch.state);
    ch.block(txs);
    evidenceBurned += punishedBurns(ch.state) - punishedBefore;
    const { supply, burned } = supplyOf(ch.state);
    expect(supply).toBe(genesis + ch.subsidies - burned);
  }
  // every block pays the treasury its share (a check on the run, not on the VM)
  expect(readGov(ch.state).treasury > 0n).toBe(true);
}

describe('conservation of supply', () => {
  it('total supply == genesis + subsidies - burns after every block of random runs', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { minLength: BLOCKS, maxLength: BLOCKS }), (blocks) => {
        runChain(blocks);
      }),
      { numRuns: RUNS, seed: process.env.CONSERVATION_SEED ? Number(process.env.CONSERVATION_SEED) : undefined },
    );
    expect(evidenceBurned).toBeGreaterThan(0n); // the runs punished the producer (a check on the runs)
  });
});
