// Attacks on gossiped attestations (node/validator/ingest.ts), against the real ingest path: a
// real Chain over LevelDB on the mining test chain with landed parts, the part index fed from it
// (node/validator/parts.ts), the attestation store in the same db, real signatures. Each hostile
// message is refused with its typed code, mapped by the one verdict table (reject: the sender is
// charged; ignore: not), and leaves the attestation bucket unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pack } from 'msgpackr';
import { encode } from '../../consensus/codec.ts';
import { blockHash } from '../../consensus/encoding/header.ts';
import { pouwSeal } from '../../consensus/seal-pouw.ts';
import type { Block, BlockHeader } from '../../consensus/types.ts';
import { Chain } from '../../node/chain/chain.ts';
import { Bucket } from '../../node/db/buckets.ts';
import { ChainDb } from '../../node/db/db.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { gossipVerdict } from '../../node/network/verdict.ts';
import { AGGREGATE_STEP, decodeAttestation, encodeAttestation, signAttestation, Verdict, type UnsignedAttestation } from '../../node/validator/attestation.ts';
import { AttestationIngest } from '../../node/validator/ingest.ts';
import { PartFeed } from '../../node/validator/parts.ts';
import { AttestationStore } from '../../node/validator/store.ts';
import type { State } from '../../vm/state.ts';
import { testKey } from '../fixtures/chain.ts';
import { importMined, MINING_PARAMS as p, mineLane, minedBlock, miningGenesis } from '../fixtures/mining.ts';

const A = testKey(1).address();
const kB = testKey(2);
const B = kB.address();
const validator = testKey(3);
const g = miningGenesis([A, B], [A, B]);
const t = p.training!;

let dir: string;
let db: ChainDb;
let ingest: AttestationIngest;
let store: AttestationStore;
let feed: PartFeed;

async function bucketSize(): Promise<number> {
  let n = 0;
  for await (const _ of db.entries(Bucket.attestation)) n++;
  return n;
}

/** `bytes` is refused with `code` and verdict `action`; the bucket is unchanged. */
async function refused(bytes: Uint8Array, code: string, action: 'reject' | 'ignore'): Promise<void> {
  const before = await bucketSize();
  const e = await ingest.accept(bytes).then(() => undefined, (x: unknown) => x);
  expect(e, `expected ${code}`).toBeDefined();
  expect(gossipVerdict(e)).toEqual({ action, code });
  expect(await bucketSize()).toBe(before);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-attest-'));
  db = new ChainDb({ path: dir });
  await db.open();
  const genesisBlock: Block = { header: g.header, txs: [], contributions: [] };
  const chain = await Chain.open({ params: p, genesis: { block: genesisBlock, hash: blockHash(g.header), state: g.state, anchor: g.anchor }, now: () => g.header.time + 10_000 }, { db, logger: silentLogger, seal: pouwSeal(p) });
  // one block carrying B's part of lanes [0, 1)
  let pre: State = g.state;
  const parent: BlockHeader = g.header;
  const tk = (await mineLane(pre, parent, A, 100)).tickets[0]!;
  const b = minedBlock(pre, parent, tk, { contributions: [(await mineLane(pre, parent, B, 0)).bytes] });
  pre = importMined(pre, parent, b.block).state;
  expect((await chain.importBlock(b.block)).status).toBe('head');
  feed = new PartFeed({ task: t.task, keepRounds: 2 }, { chain });
  expect((await feed.scan()).length).toBe(1);
  store = new AttestationStore({ maxPerValidator: 2 }, { db });
  ingest = new AttestationIngest({ chainId: p.chainId, task: t.task }, { parts: feed, store });
});

afterAll(async () => {
  await db?.close().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

function base(): UnsignedAttestation {
  const part = feed.known(0, B, 0)!;
  return { validator: validator.address(), round: 0, miner: B, laneStart: 0, partHash: part.partHash, lane: 0, step: 1, verdict: Verdict.Valid, flags: 1 };
}
const signed = (u: UnsignedAttestation, key = validator) => encodeAttestation(signAttestation(u, key, p.chainId));

describe('hostile attestations', () => {
  it('an honest attestation is stored once; a second copy is DUPLICATE (ignore)', async () => {
    const bytes = signed(base());
    expect((await ingest.accept(bytes)).verdict).toBe(Verdict.Valid);
    expect(await bucketSize()).toBe(1);
    expect((await store.byRound(0)).map((a) => a.step)).toEqual([1]);
    await refused(bytes, 'VAL_DUPLICATE', 'ignore');
    // the same check with the other verdict: still one per (validator, part, lane, step)
    await refused(signed({ ...base(), verdict: Verdict.Fraud }), 'VAL_DUPLICATE', 'ignore');
  });

  it('oversize, garbage, non-canonical, wrong type byte: refused before any lookup (reject)', async () => {
    await refused(new Uint8Array(4096), 'NET_TOO_LARGE', 'reject');
    await refused(new Uint8Array([0xc1, 1, 2]), 'CODEC_MALFORMED', 'reject');
    const good = signed({ ...base(), step: 0 });
    const tuple = decodeAttestation(good);
    // the same tuple with the type byte changed
    const wrongTag = encode([0x41, tuple.validator, 0, tuple.miner, 0, tuple.partHash, 0, 0, 0, 1, tuple.sig]);
    await refused(wrongTag, 'CODEC_BAD_SHAPE', 'reject');
    // a float where an integer belongs
    const float = pack([0x69, tuple.validator, 0.5, tuple.miner, 0, tuple.partHash, 0, 0, 0, 1, tuple.sig]);
    const e = await ingest.accept(float).then(() => undefined, (x: unknown) => x);
    expect(gossipVerdict(e).action).toBe('reject');
  });

  it('a step beyond H, or an aggregate not named by its first lane: BAD_ATTESTATION (reject)', async () => {
    await refused(signed({ ...base(), step: t.task.localSteps }), 'VAL_BAD_ATTESTATION', 'reject');
    await refused(signed({ ...base(), step: AGGREGATE_STEP, lane: 1 }), 'VAL_BAD_ATTESTATION', 'reject');
  });

  it('a part this node does not know (another hash, another miner, a future round): UNKNOWN_PART (ignore)', async () => {
    await refused(signed({ ...base(), partHash: new Uint8Array(32).fill(1) }), 'VAL_UNKNOWN_PART', 'ignore');
    await refused(signed({ ...base(), miner: A }), 'VAL_UNKNOWN_PART', 'ignore');
    await refused(signed({ ...base(), round: 7 }), 'VAL_UNKNOWN_PART', 'ignore');
  });

  it('a lane outside the part: BAD_ATTESTATION (reject)', async () => {
    await refused(signed({ ...base(), lane: 1 }), 'VAL_BAD_ATTESTATION', 'reject');
  });

  it('signed by another key, or altered after signing: BAD_SIGNATURE (reject)', async () => {
    await refused(signed({ ...base(), step: 0 }, kB), 'VAL_BAD_SIGNATURE', 'reject');
    const a = signAttestation({ ...base(), step: 0 }, validator, p.chainId);
    await refused(encodeAttestation({ ...a, verdict: Verdict.Fraud }), 'VAL_BAD_SIGNATURE', 'reject');
    // signed for another chain id
    await refused(encodeAttestation(signAttestation({ ...base(), step: 0 }, validator, p.chainId + 1)), 'VAL_BAD_SIGNATURE', 'reject');
  });

  it('a validator key past its cap per round: STORE_FULL (ignore); another validator still gets in', async () => {
    await ingest.accept(signed({ ...base(), step: 0 }));
    expect(await bucketSize()).toBe(2);
    await refused(signed({ ...base(), step: AGGREGATE_STEP }), 'VAL_STORE_FULL', 'ignore');
    const other = testKey(4);
    await ingest.accept(signed({ ...base(), validator: other.address() }, other));
    expect(await bucketSize()).toBe(3);
  });
});
