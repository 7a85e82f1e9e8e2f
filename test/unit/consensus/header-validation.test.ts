import { describe, expect, it } from 'vitest';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { validateHeader, medianTimePast, type HeaderContext } from '../../../consensus/validation/header.ts';
import { TEST_SEAL, testSealFor, type Seal } from '../../../consensus/seal.ts';
import { blockHash, headerSigningHash } from '../../../consensus/encoding/header.ts';
import { signHeader } from '../../../consensus/crypto/header-signature.ts';
import { signHash } from '../../../consensus/crypto/signature.ts';
import type { BlockHeader } from '../../../consensus/types.ts';
import { buildGenesis } from '../../../genesis/build.ts';
import type { GenesisSpec } from '../../../genesis/spec.ts';
import { block1TimeOf, childBlock, TEST_PARAMS as P, testKey } from '../../fixtures/chain.ts';

const spec: GenesisSpec = {
  chainId: P.chainId,
  name: P.name,
  time: 1_700_000_000,
  checkpointRoot: new Uint8Array(32),
  params: P,
  allocations: [{ address: testKey(0).address(), balance: 1_000_000n }],
  devKeys: [],
};
const g = buildGenesis(spec);

// A chain of 12 blocks on schedule, so the median-time rule sees 11 ancestors.
const chain: BlockHeader[] = [g.block.header];
{
  let state = g.state;
  for (let i = 0; i < 12; i++) {
    const { block, post } = childBlock(chain[chain.length - 1]!, state, [], {});
    chain.push(block.header);
    state = post;
  }
}
const parent = chain[chain.length - 1]!;
const times = chain.map((h) => h.time);
const now = parent.time + 10;

function ctx(over: Partial<HeaderContext> = {}): HeaderContext {
  return { parent, ancestorTimes: times, now, block1Time: block1TimeOf(parent), seal: TEST_SEAL, ...over };
}

const MINER_KEY = testKey(99); // childBlock's default miner

/** A valid child header with some fields changed, resealed and re-signed so only the changed rule fails. */
function child(over: Partial<BlockHeader> = {}): BlockHeader {
  const base: BlockHeader = {
    ...parent,
    height: parent.height + 1,
    parent: blockHash(parent),
    time: parent.time + 10,
    ...over,
  };
  return signHeader({ ...base, seal: testSealFor(base) }, MINER_KEY);
}

function codeOf(h: BlockHeader, c: HeaderContext = ctx()): string | undefined {
  try {
    validateHeader(h, c, P);
  } catch (e) {
    if (e instanceof BlockError) return e.code;
    throw e;
  }
  return undefined;
}

describe('header validation', () => {
  it('accepts a valid child', () => {
    expect(codeOf(child())).toBeUndefined();
  });

  it('unknown parent', () => {
    expect(codeOf(child(), ctx({ parent: undefined }))).toBe(BlockErrorCode.UNKNOWN_PARENT);
  });

  it('bad version, wrong chain id, bad height, bad parent hash', () => {
    expect(codeOf(child({ version: 2 }))).toBe(BlockErrorCode.BAD_VERSION);
    expect(codeOf(child({ chainId: 2 }))).toBe(BlockErrorCode.WRONG_CHAIN);
    expect(codeOf(child({ height: parent.height + 2 }))).toBe(BlockErrorCode.BAD_HEIGHT);
    expect(codeOf(child({ height: parent.height }))).toBe(BlockErrorCode.BAD_HEIGHT);
    expect(codeOf(child({ parent: blockHash(chain[3]!) }))).toBe(BlockErrorCode.BAD_PARENT_HASH);
  });

  it('time must be above the median of the last 11 blocks', () => {
    const mtp = medianTimePast(times.slice(-11));
    expect(mtp).toBe(parent.time - 50);
    expect(codeOf(child({ time: mtp }))).toBe(BlockErrorCode.TIME_TOO_OLD);
    expect(codeOf(child({ time: mtp - 100 }))).toBe(BlockErrorCode.TIME_TOO_OLD);
    // Above the median but before the parent is allowed (time need not increase).
    expect(codeOf(child({ time: mtp + 1 }))).toBeUndefined();
  });

  it('time at most now + maxFutureSeconds', () => {
    expect(codeOf(child({ time: now + P.maxFutureSeconds }))).not.toBe(BlockErrorCode.TIME_TOO_NEW);
    expect(codeOf(child({ time: now + P.maxFutureSeconds + 1 }))).toBe(BlockErrorCode.TIME_TOO_NEW);
  });

  it('target must equal the ASERT expectation', () => {
    expect(codeOf(child({ target: parent.target + 1n }))).toBe(BlockErrorCode.BAD_TARGET);
    expect(codeOf(child({ target: parent.target / 2n }))).toBe(BlockErrorCode.BAD_TARGET);
  });

  it('the seal is checked last, through the Seal interface', () => {
    const h = signHeader({ ...child(), seal: new Uint8Array(8) }, MINER_KEY);
    expect(codeOf(h)).toBe(BlockErrorCode.BAD_SEAL);
    // A header broken in a cheap way reports the cheap error, not the seal.
    expect(codeOf({ ...child({ height: 99 }), seal: new Uint8Array(8) })).toBe(BlockErrorCode.BAD_HEIGHT);
    let called = 0;
    const counting: Seal = { name: 'test', testOnly: true, verify: () => void called++ };
    validateHeader(child(), ctx({ seal: counting }), P);
    expect(called).toBe(1);
    expect(codeOf(child(), ctx({ seal: { ...counting, name: 'pouw' } }))).toBe(BlockErrorCode.WRONG_SEAL);
  });

  it('the miner signs the whole header: checked after the cheap rules, before the seal', () => {
    let called = 0;
    const counting: Seal = { name: 'test', testOnly: true, verify: () => void called++ };
    const c = ctx({ seal: counting });
    const good = child();
    // unsigned, another key, a signature over another header, a high-S twin, a garbage recovery id
    const cases: BlockHeader[] = [
      { ...good, sig: new Uint8Array(0) },
      { ...good, sig: signHash(headerSigningHash(good), testKey(5)) },
      { ...good, sig: signHash(headerSigningHash({ ...good, time: good.time + 1 }), MINER_KEY) },
      { ...good, sig: new Uint8Array([...good.sig.subarray(0, 64), 7]) },
    ];
    for (const h of cases) expect(codeOf(h, c)).toBe(BlockErrorCode.BAD_HEADER_SIGNATURE);
    // every field is covered: change one after signing (the seal and the miner too) and it fails
    const seal2 = testSealFor({ ...good, stateRoot: new Uint8Array(32).fill(1) });
    for (const over of [{ stateRoot: new Uint8Array(32).fill(1) }, { txRoot: new Uint8Array(32) }, { checkpointRoot: new Uint8Array(32).fill(2) }, { seal: seal2 }, { miner: testKey(5).address() }] as Partial<BlockHeader>[])
      expect(codeOf({ ...good, ...over }, c)).toBe(BlockErrorCode.BAD_HEADER_SIGNATURE);
    expect(called).toBe(0); // the seal never ran on a badly signed header
    // a cheap rule still comes first
    expect(codeOf({ ...child({ height: 99 }), sig: new Uint8Array(0) }, c)).toBe(BlockErrorCode.BAD_HEIGHT);
    // the signing hash is tagged and bound to the chain id: another chain id is another hash
    expect(headerSigningHash({ ...good, chainId: 2 })).not.toEqual(headerSigningHash(good));
    expect(codeOf(good, c)).toBeUndefined();
    expect(called).toBe(1);
  });

  it('errors carry typed context', () => {
    try {
      validateHeader(child({ height: 5 }), ctx(), P);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BlockError);
      expect((e as BlockError).context).toMatchObject({ expected: parent.height + 1, got: 5 });
    }
  });
});
