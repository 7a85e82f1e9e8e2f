// The blocks topic relays a block on its prechecks (header against its parent, seal, signature, body
// roots) and imports it after: the validator's verdict comes before the state transition, so each hop
// of the gossip no longer waits for it. On a real Chain over LevelDB (fraud test chain, real seals):
// a valid block is accepted before it is the head, then imported; a block whose seal is broken is
// rejected before anything is queued; a block whose seal is real but whose tx fails its state
// transition is accepted (relayed), then its import fails typed and the sender is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../../../consensus/bytes.ts';
import { signHeader } from '../../../../consensus/crypto/header-signature.ts';
import { encodeBlock } from '../../../../consensus/encoding/index.ts';
import { blockHash } from '../../../../consensus/encoding/header.ts';
import { signTx } from '../../../../consensus/crypto/signature.ts';
import { TypeTag, type TransferTx } from '../../../../consensus/types.ts';
import { ContributionPool } from '../../../../node/mempool/contributions.ts';
import type { Mempool } from '../../../../node/mempool/mempool.ts';
import { GossipValidators } from '../../../../node/network/gossip.ts';
import { gossipVerdict } from '../../../../node/network/verdict.ts';
import { testKey } from '../../../fixtures/chain.ts';
import { FRAUD_PARAMS as p, FraudChain } from '../../../fixtures/fraud.ts';

const kA = testKey(1);
let ch: FraudChain;
const imported: Uint8Array[] = [];
const failed: { height: number; code: string; from: string }[] = [];
let gossip: GossipValidators;

beforeAll(async () => {
  ch = await FraudChain.open([kA.address()], [kA.address()]);
  gossip = new GossipValidators(p, {
    chain: ch.chain, mempool: {} as Mempool, contributions: new ContributionPool(), onOrphan: () => {},
    onImported: (h) => imported.push(h),
    onImportFailed: (_h, height, e, from) => failed.push({ height, code: gossipVerdict(e).code, from }),
  });
});
afterAll(async () => ch?.close());

const until = async (f: () => boolean): Promise<void> => {
  for (let i = 0; i < 400 && !f(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(f()).toBe(true);
};

describe('block gossip relays on the prechecks', () => {
  it('accepts a valid block before its state transition, then imports it', async () => {
    const b = await ch.build();
    const hash = blockHash(b.header);
    await gossip.validate('blocks', encodeBlock(b), 'peer-1'); // the verdict: accept (relayed)
    expect(bytesEqual(ch.chain.head().hash, hash)).toBe(false); // not imported yet
    await until(() => imported.some((h) => bytesEqual(h, hash)));
    expect(bytesEqual(ch.chain.head().hash, hash)).toBe(true);
    // the same block again: known
    await expect(gossip.validate('blocks', encodeBlock(b), 'peer-2')).rejects.toMatchObject({ code: 'CHAIN_ALREADY_KNOWN' });
  });

  it('rejects a broken seal before anything is imported', async () => {
    const b = await ch.build();
    const seal = new Uint8Array(b.header.seal);
    seal[seal.length - 2]! ^= 0x5a;
    const bad = { ...b, header: signHeader({ ...b.header, seal }, ch.ticketer) };
    const head = ch.chain.head().hash;
    const err = await gossip.validate('blocks', encodeBlock(bad), 'peer-3')?.then(() => undefined, (e: unknown) => e);
    expect(gossipVerdict(err)).toMatchObject({ action: 'reject', code: expect.stringMatching(/^BLOCK_BAD_(SEAL|TICKET)$/) });
    expect(ch.chain.queuedImports).toBe(0);
    expect(ch.chain.head().hash).toEqual(head);
  });

  it('relays a sealed block whose tx fails, then reports its failed import (typed) against the sender', async () => {
    const state = ch.state();
    // a transfer with a nonce from the future: the header, seal and roots are right, the state transition fails
    const tx = signTx<TransferTx>({ type: TypeTag.Transfer, chainId: p.chainId, nonce: state.getAccount(kA.address()).nonce + 5, fee: p.minFee, to: testKey(9).address(), amount: 1n, sig: new Uint8Array(65) }, kA);
    const b = await ch.unchecked([tx]);
    const head = ch.chain.head().hash;
    await gossip.validate('blocks', encodeBlock(b), 'peer-4');
    await until(() => failed.length === 1);
    expect(failed[0]).toMatchObject({ height: b.header.height, from: 'peer-4', code: expect.stringMatching(/^TX_/) });
    expect(ch.chain.head().hash).toEqual(head);
    // known invalid now: a second copy is refused without an import
    await expect(gossip.validate('blocks', encodeBlock(b), 'peer-5')).rejects.toMatchObject({ code: 'CHAIN_KNOWN_INVALID' });
  });
});
