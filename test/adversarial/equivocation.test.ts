// Equivocation evidence (issue 13, item 2), through whole blocks on a real Chain over LevelDB with the
// devnet genesis. A miner signs two headers with one ticket on one parent; the chain keeps the pair
// (Chain.equivocations()); anyone puts it in an Equivocation tx; the block that carries it burns the
// miner's locked entries, its held ticket shares and a bond share, exactly, and the submitter gets
// nothing. Then the abuses: one header twice, two tickets, two miners, a forged signature, the same
// offence again (also as the swapped pair and as another pair), headers of another chain, a tx of
// another chain, evidence too old: each refused with its typed code, head, state and db unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHeader } from '../../consensus/crypto/header-signature.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import type { PrivateKey } from '../../consensus/crypto/keys.ts';
import { blockHash, computeTxRoot, decodeTx, encodeTx } from '../../consensus/encoding/index.ts';
import { TxErrorCode } from '../../consensus/errors.ts';
import { BPS, DEFAULT_EQUIVOCATION_BOND_SLASH_BPS, evidenceWindow, governanceOf } from '../../consensus/params.ts';
import type { TicketProof } from '../../consensus/pouw/ticket.ts';
import { TypeTag, type Block, type BlockHeader, type EquivocationTx, type Tx } from '../../consensus/types.ts';
import { WasmBackend } from '../../miner/backends/wasm/backend.ts';
import { Mempool } from '../../node/mempool/mempool.ts';
import { reportEquivocations } from '../../node/mining/evidence.ts';
import { silentLogger } from '../../node/log/logger.ts';
import { decodePunished, decodeRewards, StateKind, decodeAccount } from '../../vm/keys.ts';
import { decodeAmount, decodeRoundInfo, decodeWin, RoundKind, tileIdOfWinKey } from '../../vm/round/keys.ts';
import { readBond } from '../../vm/round/state.ts';
import type { State } from '../../vm/state.ts';
import { offenceKey } from '../../vm/tx/equivocation.ts';
import { readGov } from '../../vm/governance/state.ts';
import { applyTx } from '../../vm/tx/index.ts';
import { StateView } from '../../vm/view.ts';
import { honestTickets, openDevnetChain, sealedBlock, type DevnetChain } from './devnet-chain.ts';

const FEE = 10_000n;
const UNBOND = 1_000_000_000_000n;

let net: DevnetChain;
let offender: PrivateKey;
let submitter: PrivateKey;
/** Winning tickets of the offender on genesis, of keys[1] on block 1, of keys[2] on block 2. */
let t0: TicketProof[];
let t1: TicketProof[];
let t2: TicketProof[];
let backend: WasmBackend;

function evidence(key: PrivateKey, first: BlockHeader, second: BlockHeader, nonce: number, chainId = net.params.chainId): EquivocationTx {
  return signTx({ type: TypeTag.Equivocation, chainId, nonce, fee: FEE, first, second, sig: new Uint8Array(65) }, key);
}

const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** Supply as the state holds it, summed from the entries: balances, locked entries, bonds, pool, held ticket shares. */
function supplyOf(s: State): bigint {
  let supply = 0n;
  for (const [k, v] of s.entries()) {
    if (k[0] === StateKind.Account) supply += decodeAccount(v).balance;
    else if (k[0] === StateKind.LockedRewards) for (const r of decodeRewards(v)) supply += r.amount;
    else if (k[0] === RoundKind.Bond) supply += decodeAmount(v, 'bond');
    else if (k[0] === RoundKind.Round) supply += decodeRoundInfo(v).pool;
    else if (k[0] === RoundKind.Win) supply += decodeWin(v).amount;
  }
  return supply + readGov(s).treasury; // the treasury's share of each block (docs/governance.md)
}

/** The miner's locked entries and held ticket shares, read from the entries (not through the VM). */
function lockedOf(s: State, miner: Uint8Array): { locked: bigint; held: bigint } {
  let locked = 0n;
  let held = 0n;
  for (const [k, v] of s.entries()) {
    if (k[0] === StateKind.LockedRewards) for (const r of decodeRewards(v)) if (eq(r.address, miner)) locked += r.amount;
    if (k[0] === RoundKind.Win && eq(tileIdOfWinKey(k).miner, miner)) held += decodeWin(v).amount;
  }
  return { locked, held };
}

/** A block on the head carrying `txs`, sealed with `ticket`, whose VM run is not done here (the txs may fail). */
function blockWith(ticket: TicketProof, signer: PrivateKey, txs: Tx[]): Block {
  const head = net.chain.head();
  const base = sealedBlock(net.params, net.chain.state(), head.header, ticket, signer);
  return { ...base, txs, header: signHeader({ ...base.header, txRoot: computeTxRoot(txs) }, signer) };
}

beforeAll(async () => {
  net = await openDevnetChain(2);
  backend = await WasmBackend.create({ threads: 2 });
  offender = net.keys[0]!;
  submitter = net.keys[2]!;
  t0 = await honestTickets(net.params, net.genesis.block.header, offender.address(), net.params.initialTarget, undefined, 0, backend);
}, 120_000);
afterAll(async () => {
  await backend?.close();
  await net?.close();
});

describe('equivocation evidence', () => {
  let first: BlockHeader;
  let second: BlockHeader;

  it('a second header with a used ticket is refused and kept as evidence', async () => {
    const g = net.genesis.block.header;
    const unbond = signTx({ type: TypeTag.Unbond, chainId: net.params.chainId, nonce: 0, fee: FEE, amount: UNBOND, sig: new Uint8Array(65) }, offender);
    const b1 = sealedBlock(net.params, net.genesis.state, g, t0[0]!, offender, { txs: [unbond] });
    await expect(net.chain.importBlock(b1)).resolves.toMatchObject({ status: 'head' });
    const sibling = sealedBlock(net.params, net.genesis.state, g, t0[0]!, offender, { time: g.time + 7 });
    await expect(net.chain.importBlock(sibling)).rejects.toMatchObject({ code: 'CHAIN_DUPLICATE_TICKET', context: { reason: 'equivocation' } });
    const ev = net.chain.equivocations();
    expect(ev.length).toBe(1);
    ({ first, second } = ev[0]!);
    expect(blockHash(first)).toEqual(blockHash(b1.header));
  });

  it('the evidence, mined, burns the locked entries, the held ticket share and the bond share, exactly; the submitter gets nothing', async () => {
    t1 = await honestTickets(net.params, net.chain.head().header, net.keys[1]!.address(), net.params.initialTarget, undefined, 0, backend);
    // the node path: a node mining with the submitter's key pools evidence for the pair, once
    const pool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
    const reporter = { reported: new Set<string>() };
    expect(reportEquivocations(net.chain, pool, offender, silentLogger, reporter)).toBe(0); // not against its own key
    expect(reportEquivocations(net.chain, pool, submitter, silentLogger, reporter)).toBe(1);
    expect(reportEquivocations(net.chain, pool, submitter, silentLogger, reporter)).toBe(0);
    const tx = pool.pending(10)[0] as EquivocationTx;
    expect(tx).toEqual(signTx({ type: TypeTag.Equivocation, chainId: net.params.chainId, nonce: 0, fee: net.params.minFee, first, second, sig: new Uint8Array(65) }, submitter));
    expect(decodeTx(encodeTx(tx))).toEqual(tx); // round-trips through its encoding
    const pre = net.chain.state();
    const t = net.params.training!;
    const { locked, held } = lockedOf(pre, offender.address());
    // the offender's Unbond of block 1 is a locked entry; its ticket share of block 1 is held in a win record
    expect(locked).toBe(UNBOND);
    const reward = net.params.subsidy + FEE;
    const afterTreasury = reward - (reward * BigInt(governanceOf(net.params).treasuryShareBps)) / BigInt(BPS); // the treasury's share first (docs/governance.md)
    expect(held).toBe((afterTreasury * BigInt(t.ticketShareBps)) / BigInt(BPS));
    const bond = readBond(pre, offender.address());
    expect(bond).toBe(net.spec.bonds!.find((b) => eq(b.address, offender.address()))!.balance - UNBOND);
    const share = (bond * BigInt(t.equivocationBondSlashBps ?? DEFAULT_EQUIVOCATION_BOND_SLASH_BPS)) / BigInt(BPS);
    expect(share).toBe(900_000_000_000n); // 10% of 9e12 on the devnet genesis
    const burn = UNBOND + held + share;

    const offenderBefore = pre.getAccount(offender.address());
    const submitterBefore = pre.getAccount(submitter.address());
    const b2 = sealedBlock(net.params, pre, net.chain.head().header, t1[0]!, net.keys[1]!, { txs: [tx] });
    await expect(net.chain.importBlock(b2)).resolves.toMatchObject({ status: 'head' });
    const post = net.chain.state();

    expect(lockedOf(post, offender.address())).toEqual({ locked: 0n, held: 0n });
    expect(readBond(post, offender.address())).toBe(bond - share);
    expect(post.getAccount(offender.address())).toEqual(offenderBefore);
    expect(post.getAccount(submitter.address())).toEqual({ balance: submitterBefore.balance - tx.fee, nonce: submitterBefore.nonce + 1 });
    expect(decodePunished(post.get(offenceKey(first))!)).toEqual({ height: 2, burned: burn });
    // conservation: the block adds its subsidy, the evidence takes exactly the burn
    expect(supplyOf(post)).toBe(supplyOf(pre) + net.params.subsidy - burn);
    // punished: a node that sees the pair now reports nothing
    expect(reportEquivocations(net.chain, pool, net.keys[1]!, silentLogger, { reported: new Set() })).toBe(0);
  }, 120_000);

  describe('abuses, each refused with its code, head, state and db unchanged', () => {
    let nonce = 1;
    const refused = async (txs: Tx[], cause: TxErrorCode) => {
      const head = net.chain.head().hash;
      const root = net.chain.state().root();
      const size = await net.db.contentSize();
      const b = blockWith(t2.shift()!, net.keys[3]!, txs);
      await expect(net.chain.importBlock(b)).rejects.toMatchObject({ code: cause });
      expect(net.chain.head().hash).toEqual(head);
      expect(net.chain.state().root()).toEqual(root);
      expect(await net.db.contentSize()).toEqual(size);
    };

    beforeAll(async () => {
      t2 = await honestTickets(net.params, net.chain.head().header, net.keys[3]!.address(), net.params.initialTarget, undefined, 0, backend);
      expect(t2.length).toBeGreaterThanOrEqual(10);
    }, 120_000);

    it('one header twice', async () => {
      await refused([evidence(submitter, first, first, nonce)], TxErrorCode.EVIDENCE_SAME_HEADER);
    });

    it('two tickets of the same miner on the same parent (two blocks, not one ticket twice)', async () => {
      const g = net.genesis.block.header;
      const other = sealedBlock(net.params, net.genesis.state, g, t0[1]!, offender).header;
      await refused([evidence(submitter, first, other, nonce)], TxErrorCode.EVIDENCE_NOT_CONFLICTING);
    });

    it('two miners (the ticket copied under another miner, signed by that miner)', async () => {
      const thief = net.keys[3]!;
      const copied = signHeader({ ...second, miner: thief.address() }, thief);
      await refused([evidence(submitter, first, copied, nonce)], TxErrorCode.EVIDENCE_NOT_CONFLICTING);
    });

    it('a forged signature: a header claiming the offender, signed by someone else (framing)', async () => {
      const framer = net.keys[3]!;
      // a fresh offence (another ticket of the offender), so that only the signature decides
      const g = net.genesis.block.header;
      const real = sealedBlock(net.params, net.genesis.state, g, t0[3]!, offender).header;
      const forged = { ...real, time: real.time + 1, sig: signHeader({ ...real, time: real.time + 1, miner: framer.address() }, framer).sig };
      await refused([evidence(submitter, real, forged, nonce)], TxErrorCode.EVIDENCE_BAD_SIGNATURE);
      // the pool refuses it too, before it could reach a block
      const pool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
      expect(() => pool.add(evidence(submitter, real, forged, nonce), net.chain.state())).toThrow(expect.objectContaining({ code: TxErrorCode.EVIDENCE_BAD_SIGNATURE }));
      expect(pool.size).toBe(0);
    });

    it('the same offence again: the same pair, the swapped pair, another pair with the ticket', async () => {
      await refused([evidence(submitter, first, second, nonce)], TxErrorCode.EVIDENCE_ALREADY_PUNISHED);
      await refused([evidence(net.keys[1]!, second, first, 0)], TxErrorCode.EVIDENCE_ALREADY_PUNISHED);
      const third = signHeader({ ...second, time: second.time + 2 }, offender);
      await refused([evidence(submitter, first, third, nonce)], TxErrorCode.EVIDENCE_ALREADY_PUNISHED);
      const pool = new Mempool({ chainId: net.params.chainId, minFee: net.params.minFee }, { logger: silentLogger });
      expect(() => pool.add(evidence(submitter, first, third, nonce), net.chain.state())).toThrow(expect.objectContaining({ code: TxErrorCode.EVIDENCE_ALREADY_PUNISHED }));
    });

    it('headers of another chain, and the evidence tx of another chain', async () => {
      const other = net.params.chainId + 1;
      const a = signHeader({ ...first, chainId: other }, offender);
      const b = signHeader({ ...second, chainId: other }, offender);
      await refused([evidence(submitter, a, b, nonce)], TxErrorCode.EVIDENCE_WRONG_CHAIN);
      await refused([evidence(submitter, first, second, nonce, other)], TxErrorCode.WRONG_CHAIN);
    });

    it('evidence older than the window (a fresh offence, so only the age decides)', async () => {
      // a new pair of the offender (another ticket on genesis), offered at the last height the window
      // allows and one block later; reaching that height by mining would cost a ticket job per block,
      // so this case runs the VM on the head state at those heights
      const g = net.genesis.block.header;
      const a = sealedBlock(net.params, net.genesis.state, g, t0[2]!, offender).header;
      const b = signHeader({ ...a, time: a.time + 3 }, offender);
      const tx = evidence(submitter, a, b, nonce);
      const last = a.height + evidenceWindow(net.params);
      const s = net.chain.state();
      expect(() => applyTx(new StateView(s), tx, net.params, undefined, last + 1)).toThrow(expect.objectContaining({ code: TxErrorCode.EVIDENCE_TOO_OLD }));
      const view = new StateView(s);
      applyTx(view, tx, net.params, undefined, last);
      expect(decodePunished(view.get(offenceKey(a))!).height).toBe(last);
      expect(net.chain.state().get(offenceKey(a))).toBeUndefined();
    });
  });
});
