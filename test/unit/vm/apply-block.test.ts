import { describe, expect, it } from 'vitest';
import { applyBlock } from '../../../vm/apply-block.ts';
import { BlockError, BlockErrorCode, TxError, TxErrorCode } from '../../../consensus/errors.ts';
import { computeTxRoot, encodeBlock } from '../../../consensus/encoding/block.ts';
import { testSealFor } from '../../../consensus/seal.ts';
import type { Block } from '../../../consensus/types.ts';
import { buildGenesis } from '../../../genesis/build.ts';
import type { GenesisSpec } from '../../../genesis/spec.ts';
import { childBlock, TEST_PARAMS as P, testKey, transfer } from '../../fixtures/chain.ts';

const alice = testKey(0);
const bob = testKey(1);
const miner = testKey(9).address();
const spec: GenesisSpec = {
  chainId: P.chainId,
  name: P.name,
  time: 1_700_000_000,
  checkpointRoot: new Uint8Array(32),
  params: P,
  allocations: [{ address: alice.address(), balance: 1_000_000n }],
  devKeys: [],
};
const g = buildGenesis(spec);

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof BlockError || e instanceof TxError) return e.code;
    throw e;
  }
  return undefined;
}

/** Re-roots and reseals a block after its txs were changed (so only the rule under test fails). */
function withTxs(b: Block, txs: Block['txs']): Block {
  const h = { ...b.header, txRoot: computeTxRoot(txs) };
  return { ...b, txs, header: { ...h, seal: testSealFor(h) } };
}

describe('applyBlock', () => {
  const txs = [transfer(alice, bob.address(), 500n, 0, { fee: 20n }), transfer(alice, bob.address(), 100n, 1, { fee: 30n })];
  const { block: b1 } = childBlock(g.block.header, g.state, txs, { miner });

  it('applies transfers in order and locks subsidy + fees for the miner', () => {
    const r = applyBlock(g.state, b1, P);
    expect(r.state.getAccount(alice.address())).toEqual({ balance: 1_000_000n - 650n, nonce: 2 });
    expect(r.state.getAccount(bob.address())).toEqual({ balance: 600n, nonce: 0 });
    expect(r.fees).toBe(50n);
    expect(r.state.getAccount(miner).balance).toBe(0n); // locked, not yet credited
    expect(r.stateRoot).toEqual(b1.header.stateRoot);
    expect(g.state.applyDiff(r.diff).root()).toEqual(r.stateRoot);
    expect(r.state.revertDiff(r.diff).root()).toEqual(g.state.root());
    // The encoded size can be passed in (the node has the bytes).
    expect(applyBlock(g.state, b1, P, { encodedSize: encodeBlock(b1).length }).stateRoot).toEqual(r.stateRoot);
  });

  it('credits the reward exactly rewardMaturity blocks later', () => {
    let state = g.state;
    let parent = g.block.header;
    const balances: bigint[] = [];
    for (let i = 1; i <= P.rewardMaturity + 1; i++) {
      const t = i === 1 ? txs : [];
      const { block } = childBlock(parent, state, t, { miner });
      state = applyBlock(state, block, P).state;
      parent = block.header;
      balances.push(state.getAccount(miner).balance);
    }
    // Block 1's reward (subsidy + 50 fees) matures at height 1 + 3 = 4; block 2's at 5.
    expect(balances).toEqual([0n, 0n, 0n, P.subsidy + 50n]);
  });

  it('rejects a wrong state root and leaves the pre-state untouched', () => {
    const bad = { ...b1, header: { ...b1.header, stateRoot: g.state.root() } };
    const root = g.state.root();
    expect(codeOf(() => applyBlock(g.state, bad, P))).toBe(BlockErrorCode.BAD_STATE_ROOT);
    expect(g.state.root()).toEqual(root);
    expect(g.state.getAccount(alice.address()).nonce).toBe(0);
  });

  it('a failing tx fails the block with the tx error and its index', () => {
    const bad = withTxs(b1, [txs[0]!, transfer(alice, bob.address(), 1n, 5)]);
    try {
      applyBlock(g.state, bad, P);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TxError);
      expect((e as TxError).code).toBe(TxErrorCode.BAD_NONCE);
      expect((e as TxError).context).toMatchObject({ index: 1, expected: 1, got: 5 });
    }
  });

  it('rejects a duplicate tx in a block (before running it)', () => {
    expect(codeOf(() => applyBlock(g.state, withTxs(b1, [txs[0]!, txs[0]!]), P))).toBe(BlockErrorCode.DUPLICATE_TX);
  });

  it('rejects a wrong tx root, contributions root, too many txs, too many bytes', () => {
    expect(codeOf(() => applyBlock(g.state, { ...b1, txs: [txs[0]!] }, P))).toBe(BlockErrorCode.BAD_TX_ROOT);
    expect(codeOf(() => applyBlock(g.state, { ...b1, contributions: [new Uint8Array([1])] }, P))).toBe(BlockErrorCode.BAD_CONTRIBUTIONS_ROOT);
    expect(codeOf(() => applyBlock(g.state, b1, { ...P, maxTxsPerBlock: 1 }))).toBe(BlockErrorCode.TOO_MANY_TXS);
    expect(codeOf(() => applyBlock(g.state, b1, { ...P, maxBlockBytes: 200 }))).toBe(BlockErrorCode.TOO_LARGE);
  });

  it('is deterministic: the same block on the same state gives the same root and diff', () => {
    const a = applyBlock(g.state, b1, P);
    const b = applyBlock(g.state, b1, P, { backend: 'noble' });
    expect(b.stateRoot).toEqual(a.stateRoot);
    expect(b.diff).toEqual(a.diff);
  });
});
