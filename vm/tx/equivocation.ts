// Equivocation evidence (TypeTag 0x13): two block headers signed by one miner with one ticket (the
// same seal) on one parent, but different signing hashes. Anyone may submit it; it is signed, pays its
// fee and uses a nonce like any tx. Rules, cheapest first (each a typed TxError, nothing written
// before all pass):
//   1. the shared rules (chain id, fee, the submitter's signature and nonce, balance >= fee);
//   2. sizes: each seal <= maxSealBytes (EVIDENCE_TOO_LARGE);
//   3. both headers carry the chain's id (EVIDENCE_WRONG_CHAIN);
//   4. same miner, parent, height and seal (EVIDENCE_NOT_CONFLICTING, reason = the field);
//   5. different signing hashes (EVIDENCE_SAME_HEADER);
//   6. height + evidenceWindow >= the including block's height (EVIDENCE_TOO_OLD);
//   7. (miner, parent, SHA-256(seal)) not punished yet (EVIDENCE_ALREADY_PUNISHED);
//   8. both header signatures recover to the miner (EVIDENCE_BAD_SIGNATURE; two recoveries, last).
// Effect, exact: the miner's every locked entry (state kind 0x02: ticket and pool rewards, block
// rewards, bond on its way out through Unbond) and its ticket shares held in the open round's win
// records are burned in full, and floor(bond x equivocationBondSlashBps / 10,000) of its bond. The
// submitter receives nothing (docs/hardening.md, "Equivocation evidence"): supply falls by exactly
// the burn, recorded with the offence at 0x09.
import { bytesEqual } from '../../consensus/bytes.ts';
import { TxError, TxErrorCode } from '../../consensus/errors.ts';
import { headerSigningHash } from '../../consensus/encoding/header.ts';
import { recoverAddress, type SignatureBackend } from '../../consensus/crypto/signature.ts';
import { sha256 } from '../../consensus/hash.ts';
import { BPS, DEFAULT_EQUIVOCATION_BOND_SLASH_BPS, evidenceWindow, type ChainParams } from '../../consensus/params.ts';
import type { BlockHeader, EquivocationTx } from '../../consensus/types.ts';
import { decodeRewards, encodePunished, encodeRewards, punishedKey, StateKind } from '../keys.ts';
import { decodeWin, tileIdOfWinKey, winPrefix } from '../round/keys.ts';
import { readBond, readRound, writeBond } from '../round/state.ts';
import type { StateView } from '../view.ts';
import { checkSignedTx, type TxOutcome } from './common.ts';

/** What evidence burned, by source; `total` is their sum. */
export interface EquivocationBurn {
  readonly locked: bigint;
  readonly held: bigint;
  readonly bond: bigint;
  readonly total: bigint;
}

/** The state key recording the offence of a header (one per miner, parent and ticket). */
export function offenceKey(h: BlockHeader): Uint8Array {
  return punishedKey(h.miner, h.parent, sha256(h.seal));
}

/**
 * Rules 2-5 and 8: what a header pair must be to be evidence, without state. Used by the VM and
 * by mempool admission. `maxSealBytes` defaults to the decoder's cap.
 */
export function checkEvidence(tx: Pick<EquivocationTx, 'first' | 'second'>, chainId: number, maxSealBytes?: number, backend?: SignatureBackend): void {
  checkEvidenceFields(tx, chainId, maxSealBytes);
  checkEvidenceSignatures(tx, backend);
}

function checkEvidenceFields(tx: Pick<EquivocationTx, 'first' | 'second'>, chainId: number, maxSealBytes?: number): void {
  const hs = [tx.first, tx.second];
  hs.forEach((h, index) => {
    if (maxSealBytes !== undefined && h.seal.length > maxSealBytes) throw new TxError(TxErrorCode.EVIDENCE_TOO_LARGE, { index, expected: maxSealBytes, got: h.seal.length });
  });
  hs.forEach((h, index) => {
    if (h.chainId !== chainId) throw new TxError(TxErrorCode.EVIDENCE_WRONG_CHAIN, { index, expected: chainId, got: h.chainId });
  });
  const [a, b] = [tx.first, tx.second];
  const differs = !bytesEqual(a.miner, b.miner) ? 'miner' : !bytesEqual(a.parent, b.parent) ? 'parent' : a.height !== b.height ? 'height' : !bytesEqual(a.seal, b.seal) ? 'seal' : undefined;
  if (differs) throw new TxError(TxErrorCode.EVIDENCE_NOT_CONFLICTING, { reason: `${differs} differs`, address: a.miner });
  if (bytesEqual(headerSigningHash(a), headerSigningHash(b))) throw new TxError(TxErrorCode.EVIDENCE_SAME_HEADER, { address: a.miner });
}

function checkEvidenceSignatures(tx: Pick<EquivocationTx, 'first' | 'second'>, backend?: SignatureBackend): void {
  [tx.first, tx.second].forEach((h, index) => {
    let got: Uint8Array;
    try {
      got = recoverAddress(headerSigningHash(h), h.sig, backend);
    } catch (e) {
      if (e instanceof TxError) throw new TxError(TxErrorCode.EVIDENCE_BAD_SIGNATURE, { index, address: h.miner, reason: e.code });
      throw e;
    }
    if (!bytesEqual(got, h.miner)) throw new TxError(TxErrorCode.EVIDENCE_BAD_SIGNATURE, { index, address: h.miner, reason: 'signed by another key than the header miner' });
  });
}

/** `height`: the including block's height. */
export function applyEquivocation(view: StateView, tx: EquivocationTx, p: ChainParams, height: number, backend?: SignatureBackend): TxOutcome {
  const { sender, from } = checkSignedTx(view, tx, p, backend);
  if (from.balance < tx.fee) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { address: sender, expected: tx.fee, got: from.balance });
  checkEvidenceFields(tx, p.chainId, p.maxSealBytes);
  const h = tx.first;
  const window = evidenceWindow(p);
  if (h.height + window < height) throw new TxError(TxErrorCode.EVIDENCE_TOO_OLD, { address: h.miner, expected: height - window, got: h.height });
  const key = offenceKey(h);
  if (view.get(key) !== undefined) throw new TxError(TxErrorCode.EVIDENCE_ALREADY_PUNISHED, { address: h.miner, got: h.height });
  checkEvidenceSignatures(tx, backend);

  view.putAccount(sender, { balance: from.balance - tx.fee, nonce: from.nonce + 1 });
  const burn = burnOffender(view, h.miner, p);
  view.set(key, encodePunished({ height, burned: burn.total }));
  return { sender, fee: tx.fee };
}

/** Burns the miner's locked entries, held ticket shares and bond share; returns the amounts. */
export function burnOffender(view: StateView, miner: Uint8Array, p: ChainParams): EquivocationBurn {
  let locked = 0n;
  for (const k of view.keysWithPrefix(new Uint8Array([StateKind.LockedRewards]))) {
    const list = decodeRewards(view.get(k)!);
    const keep = list.filter((r) => !bytesEqual(r.address, miner));
    if (keep.length === list.length) continue;
    for (const r of list) if (bytesEqual(r.address, miner)) locked += r.amount;
    view.set(k, keep.length ? encodeRewards(keep) : null);
  }
  let held = 0n;
  let bond = 0n;
  const t = p.training;
  if (t) {
    const round = readRound(view);
    if (round) {
      for (const k of view.keysWithPrefix(winPrefix(round.round))) {
        if (!bytesEqual(tileIdOfWinKey(k).miner, miner)) continue;
        held += decodeWin(view.get(k)!).amount;
        view.set(k, null);
      }
    }
    const b = readBond(view, miner);
    bond = (b * BigInt(t.equivocationBondSlashBps ?? DEFAULT_EQUIVOCATION_BOND_SLASH_BPS)) / BigInt(BPS);
    if (bond > 0n) writeBond(view, miner, b - bond);
  }
  return { locked, held, bond, total: locked + held + bond };
}
