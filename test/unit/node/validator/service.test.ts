// The validator service end to end in one process, on a real Chain over LevelDB (mining test chain,
// tiny task, H = 2): a block lands an honest part of miner A and a part of miner B whose lanes were
// trained with the wrong-weights fault at the last step; the validator (sample 1: every lane at a
// random step, every aggregate) finds B's fault wherever it checks step 1 and in B's aggregate, never
// A's, and signs one attestation per check, stored
// through the same ingest as gossip. Served data comes from the miners' own code (leaves with their
// paths in the part's lanesRoot, W_s from a StepStore replaying the lanes); a miner that serves no
// leaf gets `unavailable` verdicts and a data request (data-requests.test.ts follows one on chain). The challenger (node/validator/challenge.ts) turns a finding into a
// Challenge tx that a block lands: the part is void and the miner slashed; a challenge of an honest
// part is not sent (the VM's dry run finds no fraud), and sent anyway it costs its signer the bond.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesEqual, to0x } from '../../../../consensus/bytes.ts';
import { blockHash } from '../../../../consensus/encoding/header.ts';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { pouwSeal } from '../../../../consensus/seal-pouw.ts';
import { initCheckpoint } from '../../../../consensus/training/checkpoint.ts';
import { partOfLanes } from '../../../../consensus/training/contribution.ts';
import { encodeSignedPart, openLanes, signPart, verifyOpening } from '../../../../consensus/training/part.ts';
import type { Block } from '../../../../consensus/types.ts';
import { parseFault, type FaultSpec } from '../../../../miner/faults.ts';
import { runLane, type LaneResult } from '../../../../miner/lane.ts';
import { StepStore } from '../../../../miner/step-store.ts';
import { Chain } from '../../../../node/chain/chain.ts';
import { ChainDb } from '../../../../node/db/db.ts';
import { silentLogger } from '../../../../node/log/logger.ts';
import { attestationSigner, AGGREGATE_STEP, Verdict } from '../../../../node/validator/attestation.ts';
import { AttestationIngest } from '../../../../node/validator/ingest.ts';
import { PartFeed } from '../../../../node/validator/parts.ts';
import { ValidatorService, type ServedData } from '../../../../node/validator/service.ts';
import { AttestationStore } from '../../../../node/validator/store.ts';
import { readCheckpoint } from '../../../../vm/round/state.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { registerTrainingSet } from '../../../../vm/data/training-sets.ts';
import { partVoidOf, stepChallenge } from '../../../../vm/fraud-proofs.ts';
import { readBond } from '../../../../vm/round/state.ts';
import { Mempool } from '../../../../node/mempool/mempool.ts';
import { Challenger } from '../../../../node/validator/challenge.ts';
import type { Finding } from '../../../../node/validator/service.ts';
import { MINING_PARAMS as p, mineLane, minedBlock, miningGenesis, tinyDataset } from '../../../fixtures/mining.ts';

const kA = testKey(1);
const kB = testKey(2);
const kV = testKey(3);
const g = miningGenesis([kA.address(), kB.address(), kV.address()], [kA.address(), kB.address()]);
registerTrainingSet(tinyDataset()); // what a node does when it loads its training set (the VM re-executes a challenged step on it)
const t = p.training!;
const task = t.task;
const data = tinyDataset();
const ck = initCheckpoint(task);

let dir: string;
let db: ChainDb;
let chain: Chain;
let found: Finding[] = [];
let partA: Uint8Array;
let leafA: { leaf: LaneResult['leaf'] } | undefined;

/** A miner's lanes [0, n) of round 0 (with `fault`) and the served data its node would give. */
async function minerLanes(key: typeof kA, n: number, fault?: FaultSpec): Promise<{ bytes: Uint8Array; served: ServedData; results: LaneResult[] }> {
  const miner = key.address();
  const results: LaneResult[] = [];
  for (let lane = 0; lane < n; lane++) results.push((await runLane(task, data, ck, { round: 0, miner, lane }, matmulPlain, () => false, () => false, fault ? { spec: fault, isTicket: () => false } : undefined))!);
  const bytes = encodeSignedPart(signPart(partOfLanes(task, ck.weights, results.map((r) => r.contribution)), key, p.chainId));
  const store = new StepStore({ task, miner, keepRounds: 1 }, { data, matmul: matmulPlain, ...(fault ? { fault } : {}) });
  store.openRound(0, ck);
  results.forEach((r, lane) => store.put(0, lane, r.leaf.steps.map((s) => s.weightsRoot)));
  const leaves = results.map((r) => r.leaf);
  return {
    bytes, results,
    served: {
      // what the step-data client hands over: the opening proven under the part's lanesRoot (node/network/step-data.ts)
      opening: async (part, lane) => {
        if (part.round !== 0 || !bytesEqual(part.miner, miner) || lane >= n) return undefined;
        const [o] = openLanes(0, leaves, [lane]);
        return o && verifyOpening(part, o) ? o : undefined;
      },
      stepData: async (part, lane, step) => (part.round === 0 && bytesEqual(part.miner, miner) ? ((await store.get(part.round, lane, step)) as Int32Array[] | undefined) : undefined),
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-validator-'));
  db = new ChainDb({ path: dir });
  await db.open();
  const genesisBlock: Block = { header: g.header, txs: [], contributions: [] };
  chain = await Chain.open({ params: p, genesis: { block: genesisBlock, hash: blockHash(g.header), state: g.state, anchor: g.anchor }, now: () => g.header.time + 10_000 }, { db, logger: silentLogger, seal: pouwSeal(p) });
});

afterAll(async () => {
  await chain?.close().catch(() => {});
  await db?.close().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ValidatorService', () => {
  it('finds the faulty miner\'s wrong step in every lane and its aggregate, attests every check, never blames the honest miner', async () => {
    const A = await minerLanes(kA, 1);
    const B = await minerLanes(kB, 2, parseFault('wrong-weights:1'));
    const tk = (await mineLane(g.state, g.header, kA.address(), 100)).tickets[0]!;
    const b = minedBlock(g.state, g.header, tk, { contributions: [A.bytes, B.bytes] });
    expect((await chain.importBlock(b.block)).status).toBe('head');

    const feed = new PartFeed({ task, keepRounds: 2 }, { chain });
    const store = new AttestationStore({}, { db });
    const ingest = new AttestationIngest({ chainId: p.chainId, task }, { parts: feed, store });
    const published: Uint8Array[] = [];
    const served: ServedData = {
      opening: async (part, lane) => (await A.served.opening(part, lane)) ?? B.served.opening(part, lane),
      stepData: async (part, lane, step) => (await A.served.stepData(part, lane, step)) ?? B.served.stepData(part, lane, step),
    };
    const v = new ValidatorService(
      { key: kV, sample: 1, chainId: p.chainId, training: t },
      { parts: feed, ingest, served, checkpoint: async () => readCheckpoint(chain.state(), task), data, matmul: matmulPlain, logger: silentLogger, publish: (x) => published.push(x) },
    );
    await v.onHead();
    await v.idle();

    const st = v.status() as { findings: { kind: string; miner: string; lane: number; step?: number; reason: string }[]; stepChecks: number; aggregateChecks: number; verdicts: Record<string, number> };
    expect(st.stepChecks).toBe(3);
    expect(st.aggregateChecks).toBe(2);
    expect(st.findings.filter((f) => f.miner === to0x(kA.address()))).toEqual([]);
    // each sampled step is drawn at random: B's step checks find the fault when they drew step 1; the
    // aggregate re-executes every lane's last step and stops at the first wrong lane (lane 0)
    expect(st.findings.every((f) => f.miner === to0x(kB.address()) && f.kind === 'step' && f.step === 1 && f.reason === 'next-weights')).toBe(true);
    expect(st.findings.some((f) => f.lane === 0)).toBe(true);
    expect(v.findings.every((f) => f.opening && f.weights && f.partBytes.length > 0)).toBe(true);

    const atts = await store.byRound(0);
    expect(atts).toHaveLength(5);
    expect(published).toHaveLength(5);
    for (const a of atts) expect(attestationSigner(a, p.chainId)).toEqual(kV.address());
    const byMiner = (k: typeof kA) => atts.filter((a) => bytesEqual(a.miner, k.address()));
    expect(byMiner(kA).map((a) => a.verdict)).toEqual([Verdict.Valid, Verdict.Valid]);
    expect(byMiner(kB).filter((a) => a.step === AGGREGATE_STEP).map((a) => a.verdict)).toEqual([Verdict.Fraud]);
    const steps = byMiner(kB).filter((a) => a.step !== AGGREGATE_STEP);
    expect(steps).toHaveLength(2);
    for (const a of steps) expect(a.verdict).toBe(a.step === 1 ? Verdict.Fraud : Verdict.Valid);
    for (const a of steps.filter((x) => x.step === 1)) expect(st.findings.some((f) => f.lane === a.lane)).toBe(true);
    expect(atts.every((a) => a.flags === 1)).toBe(true); // every W_s was served
    found = v.findings;
    partA = A.bytes;
    leafA = { leaf: A.results[0]!.leaf };
  });

  it('a miner that serves no leaf gets unavailable verdicts (after a second try), and a data request finding per part, not a fraud', async () => {
    const feed = new PartFeed({ task, keepRounds: 2 }, { chain });
    const store = new AttestationStore({}, { db });
    const ingest = new AttestationIngest({ chainId: p.chainId, task }, { parts: feed, store });
    const other = testKey(4);
    let asked = 0;
    const v = new ValidatorService(
      { key: other, sample: 1, chainId: p.chainId, training: t, retryMs: 5 },
      { parts: feed, ingest, served: { opening: async () => void asked++, stepData: async () => undefined }, checkpoint: async () => readCheckpoint(chain.state(), task), data, matmul: matmulPlain, logger: silentLogger },
    );
    await v.onHead();
    await v.idle();
    expect(v.findings.length).toBeGreaterThanOrEqual(2);
    expect(v.findings.every((f) => f.kind === 'request')).toBe(true);
    expect(new Set(v.findings.map((f) => to0x(f.miner)))).toEqual(new Set([to0x(kA.address()), to0x(kB.address())]));
    expect(asked).toBe(4); // two tries per part, then its other lanes are not asked for
    expect(v.stats.verdicts).toEqual({ unavailable: 5 });
    expect((await store.byRound(0)).filter((a) => bytesEqual(a.validator, other.address())).every((a) => a.verdict === Verdict.Unavailable)).toBe(true);
  });
  it('a finding becomes a Challenge that voids the part and slashes the miner; a challenge of an honest part is not sent, and costs its signer when it lands', async () => {
    const mempool = new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true, accountCreationFee: p.accountCreationFee }, { logger: silentLogger });
    const sent: unknown[] = [];
    const ch = new Challenger({ key: kV, params: p }, { chain, mempool, publish: (tx) => sent.push(tx), logger: silentLogger });
    const f = found.find((x) => x.kind === 'step')!;
    expect(ch.submit(f).status).toBe('submitted');
    expect(ch.submit(f).status).toBe('submitted'); // once per part
    expect(mempool.size).toBe(1);
    expect(sent).toHaveLength(1);
    // a block carries it: the part is void, B's bond slashed (all of it by default)
    const head = chain.head();
    const pre = chain.state();
    const bondBefore = readBond(pre, kB.address());
    const tk = (await mineLane(pre, head.header, kA.address(), 101)).tickets[0]!;
    const b2 = minedBlock(pre, head.header, tk, { txs: mempool.pending(10) });
    expect((await chain.importBlock(b2.block)).status).toBe('head');
    expect(partVoidOf(chain.state(), 0, kB.address(), 0)).toBeDefined();
    expect(readBond(chain.state(), kB.address())).toBeLessThan(bondBefore);
    expect(ch.outcome(f)).toMatchObject({ status: 'submitted', voided: true });
    expect(partVoidOf(chain.state(), 0, kA.address(), 0)).toBeUndefined();

    // the honest part A: the VM's dry run finds no fraud, so the validator does not send it ...
    const honest: Finding = { kind: 'step', round: 0, miner: kA.address(), laneStart: 0, partHash: new Uint8Array(32), height: 1, lane: 0, step: 0, reason: 'test', weights: ck.weights, partBytes: partA, opening: { leaf: leafA!.leaf, siblings: [] } };
    expect(ch.submit(honest).status).toBe('not-fraud');
    // ... and the same challenge sent anyway lands and costs its signer the bond and the fee
    const state = chain.state();
    const before = state.getAccount(kV.address()).balance;
    const tx = stepChallenge({ part: partA, lane: 0, step: 0, leaf: leafA!.leaf, siblings: [], weights: ck.weights }, { chainId: p.chainId, nonce: state.getAccount(kV.address()).nonce, fee: p.minFee }, kV);
    const tk3 = (await mineLane(state, chain.head().header, kA.address(), 102)).tickets[0]!;
    const b3 = minedBlock(state, chain.head().header, tk3, { txs: [tx] });
    expect((await chain.importBlock(b3.block)).status).toBe('head');
    const bond = t.challengeBond ?? t.bondPerLane;
    expect(chain.state().getAccount(kV.address()).balance).toBe(before - bond - p.minFee);
    expect(partVoidOf(chain.state(), 0, kA.address(), 0)).toBeUndefined();
  });
});
