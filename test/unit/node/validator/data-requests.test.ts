// Data requests from the node's side, on a real Chain over LevelDB (fraud test chain: window 5,
// answers due 2 blocks after a request): miner A is honest and serves its leaves only on chain when
// asked; miner B trained a junk lane and serves nothing. A validator that gets no leaf served (two
// tries) attests `unavailable`, records a `request` finding and its Challenger pools a data request
// per part. B does not answer: at the deadline B's part is void and its bond slashed. A's node
// answers from its leaf store (node/mining/answers.ts): the answer lands, the request's bond pays A,
// A's part stays, and the validator checks A's lane from the leaf the answer put on chain: valid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesEqual, to0x } from '../../../../consensus/bytes.ts';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import type { Checkpoint } from '../../../../consensus/training/checkpoint.ts';
import { ChallengeKind, TypeTag } from '../../../../consensus/types.ts';
import { ChainDb } from '../../../../node/db/db.ts';
import { silentLogger } from '../../../../node/log/logger.ts';
import { Mempool } from '../../../../node/mempool/mempool.ts';
import { RequestAnswerer } from '../../../../node/mining/answers.ts';
import { LaneLeafStore } from '../../../../node/mining/lane-leaves.ts';
import { Verdict } from '../../../../node/validator/attestation.ts';
import { Challenger } from '../../../../node/validator/challenge.ts';
import { AttestationIngest } from '../../../../node/validator/ingest.ts';
import { PartFeed } from '../../../../node/validator/parts.ts';
import { ValidatorService } from '../../../../node/validator/service.ts';
import { AttestationStore } from '../../../../node/validator/store.ts';
import { checkpointRoot } from '../../../../consensus/training/checkpoint.ts';
import { partVoidOf, pendingRequests, requestOf } from '../../../../vm/fraud-proofs.ts';
import { readBond } from '../../../../vm/round/state.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain, runLane, signedPart, TINY_DATA, type LaneData } from '../../../fixtures/fraud.ts';

const t = p.training!;
const task = t.task;
const [kA, kB, kV] = [1, 2, 6].map(testKey) as [ReturnType<typeof testKey>, ReturnType<typeof testKey>, ReturnType<typeof testKey>];

let ch: FraudChain;
let leafDir: string;
let leafDb: ChainDb;

beforeAll(async () => {
  ch = await FraudChain.open([kA, kB, kV].map((k) => k.address()), [kA, kB].map((k) => k.address()));
  leafDir = await mkdtemp(join(tmpdir(), 'tessera-leaves-'));
  leafDb = new ChainDb({ path: leafDir });
  await leafDb.open();
});
afterAll(async () => {
  await ch?.close();
  await leafDb?.close().catch(() => {});
  if (leafDir) await rm(leafDir, { recursive: true, force: true });
});

describe('data requests, node side', () => {
  it('a withholding miner loses its part at the deadline; an honest miner answers, and its lane is checked from the answered leaf', async () => {
    const { base: W0 } = ch.round();
    const a: LaneData[] = await Promise.all([0, 1].map((l) => runLane(t, W0, 0, kA.address(), l)));
    const b: LaneData[] = [await runLane(t, W0, 0, kB.address(), 0), await runLane(t, W0, 0, kB.address(), 1, { kind: 'junk' })];
    const partA = signedPart(p, W0, 0, kA, a);
    const partB = signedPart(p, W0, 0, kB, b);
    await ch.mine({ contributions: [partA, partB] }); // block 1

    // A's node keeps its leaves (what its miner wrote as each lane finished)
    const leaves = new LaneLeafStore({ keepRounds: 3 }, { db: leafDb });
    for (const l of a) await leaves.put(0, l.lane, checkpointRoot(task, W0), l.leaf);

    const mempool = new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true, accountCreationFee: p.accountCreationFee }, { logger: silentLogger });
    const challenger = new Challenger({ key: kV, params: p }, { chain: ch.chain, mempool, logger: silentLogger });
    const feed = new PartFeed({ task, keepRounds: 3 }, { chain: ch.chain });
    const store = new AttestationStore({}, { db: ch.db });
    const ingest = new AttestationIngest({ chainId: p.chainId, task }, { parts: feed, store });
    let asked = 0;
    const v = new ValidatorService(
      { key: kV, sample: 1, chainId: p.chainId, training: t, retryMs: 5 },
      {
        parts: feed, ingest, challenger, data: TINY_DATA, matmul: matmulPlain, logger: silentLogger,
        // no miner serves a leaf over the network here
        served: { opening: async () => void asked++, stepData: async () => undefined },
        checkpoint: async (r): Promise<Checkpoint | undefined> => (r === 0 ? W0 : undefined),
      },
    );
    await v.onHead();
    await v.idle();
    // every sampled check: unavailable; one request finding per part at least, one request pooled per part
    expect(v.stats.verdicts).toEqual({ unavailable: 6 }); // 4 lanes + 2 aggregates
    expect(v.findings.length).toBeGreaterThanOrEqual(2);
    expect(v.findings.every((f) => f.kind === 'request')).toBe(true);
    // asked twice for the first lane of each part; after that the part is known not to be served
    expect(asked).toBe(4);
    const pooled = mempool.list().map((e) => e.tx);
    expect(pooled).toHaveLength(2);
    expect(pooled.every((tx) => tx.type === TypeTag.Challenge && tx.proof.kind === ChallengeKind.Request)).toBe(true);

    const vBalance = ch.state().getAccount(kV.address()).balance;
    const aBalance = ch.state().getAccount(kA.address()).balance;
    const bBond = readBond(ch.state(), kB.address());
    const aBond = readBond(ch.state(), kA.address());
    await ch.mine({ txs: mempool.pending(10) }); // block 2: both requests, deadline 4
    mempool.onHeadChange(ch.state());
    const requested = pendingRequests(ch.state());
    expect(requested.map((r) => to0x(r.miner)).sort()).toEqual([to0x(kA.address()), to0x(kB.address())].sort());

    // A's node answers its request from the leaf store; B withholds
    const answers = new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true, accountCreationFee: p.accountCreationFee }, { logger: silentLogger });
    const published: unknown[] = [];
    const answerer = new RequestAnswerer({ key: kA, params: p }, { chain: ch.chain, mempool: answers, leaves, publish: (tx) => published.push(tx), logger: silentLogger });
    expect(await answerer.onHead()).toBe(1);
    expect(await answerer.onHead()).toBe(0); // once per request
    expect(published).toHaveLength(1);
    await ch.mine({ txs: answers.pending(10) }); // block 3: A's answer (and round 0 closes)
    expect(requestOf(ch.state(), 0, kA.address(), 0)).toBeUndefined();
    expect(requestOf(ch.state(), 0, kB.address(), 0)).toBeDefined();
    await ch.mine(); // block 4: B's deadline, unanswered
    const post = ch.state();
    expect(partVoidOf(post, 0, kB.address(), 0)).toMatchObject({ challenger: kV.address(), kind: ChallengeKind.Request });
    expect(readBond(post, kB.address())).toBeLessThan(bBond);
    expect(partVoidOf(post, 0, kA.address(), 0)).toBeUndefined();
    expect(readBond(post, kA.address())).toBe(aBond);
    // A was paid the request's bond for its answer, less the answer's fee; the validator spent one bond and two fees, and got B's slash share
    expect(post.getAccount(kA.address()).balance).toBeGreaterThanOrEqual(aBalance + t.challengeBond! - p.minFee);
    const voidB = partVoidOf(post, 0, kB.address(), 0)!;
    expect(post.getAccount(kV.address()).balance).toBe(vBalance - 2n * p.minFee - t.challengeBond! + voidB.challengerPaid);

    // the validator follows: A's leaf is on chain now, and A's lane is checked from it
    const before = v.stats.verdicts.valid ?? 0;
    await v.onHead();
    await v.idle();
    expect(v.stats.verdicts.valid ?? 0).toBe(before + 1);
    expect(feed.answered(0, kA.address(), 0, requested.find((r) => bytesEqual(r.miner, kA.address()))!.request.lane)).toBeDefined();
    const st = v.status() as { findings: { kind: string; miner: string; lane: number; answered?: boolean; challenge?: { voided?: boolean } }[] };
    // one request per part: the lane it named was answered (A's other lanes stay unserved)
    const ofA = st.findings.filter((f) => f.miner === to0x(kA.address()));
    expect(new Set(ofA.filter((f) => f.answered === true).map((f) => f.lane)).size).toBe(1);
    expect(ofA.every((f) => f.challenge?.voided === false)).toBe(true);
    expect(st.findings.filter((f) => f.miner === to0x(kB.address())).every((f) => f.answered === false && f.challenge?.voided === true)).toBe(true);
    const atts = await store.byRound(0);
    expect(atts.filter((x) => bytesEqual(x.miner, kA.address()) && x.verdict === Verdict.Valid)).toHaveLength(1);
  });
});
