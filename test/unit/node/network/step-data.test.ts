// Per-step training data over the network, as a validator asks for it: two real Network instances
// (libp2p over TCP on 127.0.0.1, each on its own Chain and LevelDB of the mining test chain). The
// serving node's miner (a real MinerLoop on the tiny task, its lanes handed to a real MiningService
// that keeps their leaves in the db) finished lanes 0..2 of round 0; the part [0, 3) commits to
// them. Network.fetchStepData returns each lane's leaf proven under the part's lanesRoot and
// W_{R,m,lane,s} hashing to the leaf's root of step s, exactly the weights a replay of the lane
// gives; what does not match the committed roots is a typed StepDataError and costs the peer score.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockHash } from '../../../../consensus/encoding/header.ts';
import { matmulPlain } from '../../../../consensus/matmul.ts';
import { pouwSeal } from '../../../../consensus/seal-pouw.ts';
import { readCheckpoint } from '../../../../vm/round/state.ts';
import { lanesRoot, type LaneLeaf } from '../../../../consensus/training/part.ts';
import { Chain } from '../../../../node/chain/chain.ts';
import { ChainDb } from '../../../../node/db/db.ts';
import { silentLogger } from '../../../../node/log/logger.ts';
import { ContributionPool } from '../../../../node/mempool/contributions.ts';
import { Mempool } from '../../../../node/mempool/mempool.ts';
import { dispatchToMiner } from '../../../../node/mining/dispatch.ts';
import { LaneLeafStore } from '../../../../node/mining/lane-leaves.ts';
import type { FromMiner, ToMiner } from '../../../../node/mining/messages.ts';
import { MiningService } from '../../../../node/mining/service.ts';
import { Network } from '../../../../node/network/network.ts';
import type { StepDataSource } from '../../../../node/network/reqresp.ts';
import { StepDataError, StepDataErrorCode, stepDataRequest, type CommittedPart } from '../../../../node/network/step-data.ts';
import { JsBackend } from '../../../../miner/backends/js.ts';
import { runLane } from '../../../../miner/lane.ts';
import { MinerLoop, type MinedContribution } from '../../../../miner/loop.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { MINING_PARAMS as p, miningGenesis, TINY_TASK, TINY_TRAINING, tinyDataset } from '../../../fixtures/mining.ts';

const key = testKey(1);
const miner = key.address();
const other = testKey(2).address();
const g = miningGenesis([miner, other], [miner, other]);
const H = TINY_TASK.localSteps;

let dir: string;
const dbs: ChainDb[] = [];
const nets: Network[] = [];
let server: Network;
let client: Network;
let svc: MiningService;
let leaves: LaneLeaf[];
let part: CommittedPart;
/** Fault injection on the serving side (a lying miner): off unless a test sets it. */
let lie: 'none' | 'weights' | 'leaf' = 'none';

async function startNetwork(name: string, stepData?: StepDataSource, bootnodes: string[] = []): Promise<Network> {
  const db = new ChainDb({ path: join(dir, name) });
  await db.open();
  dbs.push(db);
  const mempool = new Mempool({ chainId: p.chainId, minFee: p.minFee, training: true }, { logger: silentLogger });
  const chain = await Chain.open(
    { params: p, genesis: { block: { header: g.header, txs: [], contributions: [] }, hash: blockHash(g.header), state: g.state, anchor: g.anchor }, now: () => g.header.time + 10 },
    { db, logger: silentLogger, seal: pouwSeal(p), mempool },
  );
  const net = new Network(
    { datadir: join(dir, name), listen: { host: '127.0.0.1', port: 0 }, bootnodes },
    { chain, mempool, contributions: new ContributionPool(), db, seal: pouwSeal(p), logger: silentLogger, ...(stepData ? { stepData } : {}) },
  );
  await net.start();
  nets.push(net);
  return net;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-step-data-'));
  const ck = readCheckpoint(g.state, TINY_TASK);
  // the miner finishes lanes 0, 1, 2 of round 0
  const made: MinedContribution[] = [];
  const loop = new MinerLoop(
    { task: TINY_TASK, pouw: TINY_TRAINING.pouw, miner, keepRounds: 2 },
    { backend: new JsBackend(), data: tinyDataset(), events: { ticket: () => {}, contribution: (c) => made.push(c) } },
  );
  loop.setWork({ parent: new Uint8Array(32).fill(1), height: 1, target: 1n, round: 0, checkpoint: ck });
  const running = loop.run();
  while (made.length < 3) await new Promise((r) => setTimeout(r, 5));
  loop.stop();
  await running;

  // its node: the service gets the lanes as from its worker and keeps their leaves in the db
  const db = new ChainDb({ path: join(dir, 'leaves') });
  await db.open();
  dbs.push(db);
  const store = new LaneLeafStore({ keepRounds: 2 }, { db });
  svc = new MiningService(
    { miner, key, backend: 'js', params: p },
    { chain: { state: () => g.state } as unknown as Chain, mempool: {} as Mempool, contributions: new ContributionPool(), logger: silentLogger, leaves: store },
  );
  const toService = (m: FromMiner) => (svc as unknown as { onMessage(m: FromMiner): void }).onMessage(m);
  (svc as unknown as { worker: { postMessage(m: ToMiner): void } }).worker = { postMessage: (m) => dispatchToMiner(loop, m, toService) };
  for (const c of made.slice(0, 3)) toService({ type: 'contribution', ...c });
  await store.flushed();
  leaves = [0, 1, 2].map((l) => made.find((c) => c.lane === l)!.leaf);
  part = { round: 0, miner, laneStart: 0, laneCount: 3, lanesRoot: lanesRoot(0, leaves) };

  const source: StepDataSource = {
    miner,
    leaves: async (round, a, n) => {
      const ls = await store.range(round, a, n);
      if (!ls || lie !== 'leaf') return ls;
      return ls.map((l, i) => (i === 0 ? { ...l, finalRoot: new Uint8Array(32).fill(7) } : l)); // lane 0's leaf altered
    },
    weights: async (round, lane, step) => {
      const w = await svc.getStepData(round, lane, step);
      if (!w || lie !== 'weights') return w;
      const bad = w.map((x) => Int32Array.from(x));
      bad[0]![0]! += 1;
      return bad;
    },
  };
  server = await startNetwork('server', source);
  client = await startNetwork('client', undefined, [server.addresses()[0]!]);
  const end = Date.now() + 20_000;
  while (!client.peerList().some((x) => x.id === server.peerId)) {
    if (Date.now() > end) throw new Error('the client never connected');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 120_000);

afterAll(async () => {
  for (const n of nets) await n.stop();
  for (const db of dbs) await db.close().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function stepError(f: Promise<unknown>): Promise<StepDataError> {
  const e = await f.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepDataError);
  return e as StepDataError;
}

describe('per-step training data (network step-data, v2 parts)', () => {
  it('serves every lane leaf with its path in lanesRoot and W_{R,m,lane,s} of every step, as a replay gives them', async () => {
    const ck = readCheckpoint(g.state, TINY_TASK);
    for (let lane = 0; lane < 3; lane++) {
      const replay = await runLane(TINY_TASK, tinyDataset(), ck, { round: 0, miner, lane }, matmulPlain, () => false, () => true);
      for (let step = 0; step < H; step++) {
        const got = await client.fetchStepData({ part, lane, step });
        expect(got.peer).toBe(server.peerId);
        expect(got.opening.lane).toBe(lane);
        expect(got.opening.leaf).toEqual(leaves[lane]);
        expect(got.weights).toEqual(step === 0 ? ck.weights : replay!.kept.get(step));
      }
      // step H: the lane's final weights, W_R + the lane's delta, proven by the leaf's final root
      const final = await client.fetchStepData({ part, lane, step: H });
      expect(final.weights).toEqual(ck.weights.map((w, l) => Int32Array.from(w, (x, i) => x + replay!.contribution.delta[l]![i]!)));
    }
    // the opening alone (no weights asked)
    const only = await client.fetchStepData({ part, lane: 1, step: 0 }, { weights: false, peer: server.peerId });
    expect(only.weights).toBeUndefined();
    expect(only.opening.leaf).toEqual(leaves[1]);
  });

  it('refuses, typed, what is not served or does not match the committed part, and charges only the lies', async () => {
    const peer = server.peerId;
    // a lane the miner did not finish (the part as claimed covers lanes 0..4): not served, no charge
    const wider = { ...part, laneCount: 5, lanesRoot: new Uint8Array(32) };
    expect((await stepError(client.fetchStepData({ part: wider, lane: 4, step: 0 }, { peer }))).code).toBe(StepDataErrorCode.NOT_SERVED);
    const none = await stepError(client.fetchStepData({ part: wider, lane: 4, step: 0 }));
    expect(none.code).toBe(StepDataErrorCode.NO_PEER);
    expect(none.context.tried).toEqual({ [peer]: StepDataErrorCode.NOT_SERVED });
    // another miner's part: this node does not serve it
    expect((await stepError(client.fetchStepData({ part: { ...part, miner: other }, lane: 0, step: 0 }, { peer }))).code).toBe(StepDataErrorCode.NOT_SERVED);
    // past step H nothing is kept; the opening still is
    expect((await stepError(client.fetchStepData({ part, lane: 0, step: H + 1 }, { peer }))).code).toBe(StepDataErrorCode.WEIGHTS_NOT_SERVED);
    expect(client.peerList().find((x) => x.id === peer)!.score).toBe(0);

    // a part whose committed root is not over these leaves: the opening does not prove
    const otherRoot = { ...part, lanesRoot: lanesRoot(0, [leaves[0]!, leaves[1]!, leaves[1]!]) };
    const badRoot = await stepError(client.fetchStepData({ part: otherRoot, lane: 2, step: H - 1 }, { peer }));
    expect(badRoot.code).toBe(StepDataErrorCode.BAD_OPENING);
    expect(badRoot.context).toMatchObject({ round: 0, lane: 2, step: H - 1, peer });
    const afterRoot = client.peerList().find((x) => x.id === peer)!;
    expect(afterRoot.score).toBeLessThan(0);
    expect(afterRoot.offences).toMatchObject({ [StepDataErrorCode.BAD_OPENING]: 1 });

    try {
      // the miner serves an altered leaf (lane 0's): lane 0 fails, and so does lane 1 (its path uses lane 0's hash)
      lie = 'leaf';
      expect((await stepError(client.fetchStepData({ part, lane: 0, step: 0 }, { peer }))).code).toBe(StepDataErrorCode.BAD_OPENING);
      expect((await stepError(client.fetchStepData({ part, lane: 1, step: 0 }, { peer }))).code).toBe(StepDataErrorCode.BAD_OPENING);
      // the miner serves weights off by one unit in one entry
      lie = 'weights';
      expect((await stepError(client.fetchStepData({ part, lane: 2, step: H - 1 }, { peer }))).code).toBe(StepDataErrorCode.WEIGHTS_MISMATCH);
    } finally {
      lie = 'none';
    }
    expect(client.peerList().find((x) => x.id === peer)!.offences).toMatchObject({
      [StepDataErrorCode.BAD_OPENING]: 3,
      [StepDataErrorCode.WEIGHTS_MISMATCH]: 1,
    });
    // honest again: served and checked
    expect((await client.fetchStepData({ part, lane: 2, step: H - 1 }, { peer })).weights).toBeDefined();
    // a lane outside the part is the caller's mistake, refused before anything is sent
    expect(() => stepDataRequest({ part, lane: 3, step: 0 })).toThrow(RangeError);
  });
});
