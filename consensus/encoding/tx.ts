// Transactions: fixed-order tuples, type byte first.
//   Transfer: [0x10, chainId, nonce, fee (u64), to (20 bytes), amount (u64), sig (65 bytes)]
//   Bond:     [0x11, chainId, nonce, fee (u64), amount (u64), sig]
//   Unbond:   [0x12, chainId, nonce, fee (u64), amount (u64), sig]
//   RegisterData: [0x20, chainId, nonce, fee, contributor (20), royaltyBps, dim, samples (n·dim bytes), labels (n bytes), sig]
//   PayRoyalty:   [0x21, chainId, nonce, fee, amount (u64), sig]
//   Propose:      [0x22, chainId, nonce, fee, deposit (u64), action, sig], action one of
//                   [0, text] | [1, param name, value u64] | [2, to (20), amount u64] | [3, encoded task]
//   Deposit:      [0x23, chainId, nonce, fee, proposal id, amount (u64), sig]
//   Vote:         [0x24, chainId, nonce, fee, proposal id, option (0 yes, 1 no, 2 abstain, 3 veto), sig]
//   Equivocation: [0x13, chainId, nonce, fee, header, header, sig]
//   Challenge:    [0x14, chainId, nonce, fee, part (signed part bytes), proof, sig], proof one of
//                   [0, lane, step, finalRoot, [step hashes, ...], [sibling, ...], [layer int32 LE bytes, ...]]
//                   [1, index, element, [[finalRoot, stepsDigest, [sibling, ...], element], ...]]
//                   [2, lane]                                   (a request for the lane's leaf)
//                   [3, lane, finalRoot, [step hashes, ...], [sibling, ...]]   (its answer)
//                 element = [[layer root, ...], row (int32 LE), [row sibling, ...]]
// Size: a RegisterData tx at most MAX_DATA_TX_BYTES, Equivocation MAX_EVIDENCE_TX_BYTES, Challenge
// MAX_CHALLENGE_TX_BYTES, every other tx at most MAX_TX_BYTES.
// Signing hash = SHA-256(u32be(chainId) || encode(tuple without sig)); txHash = SHA-256(encoded signed tx).
import { decodeCanonical, encode, TupleReader, type Encodable } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { sha256 } from '../hash.ts';
import { u32be } from '../bytes.ts';
import {
  ProposalKind, TypeTag, VoteOption, type BondTx, type DepositTx, type PayRoyaltyTx, type ProposalAction, type ProposeTx, type RegisterDataTx,
  type EquivocationTx, type Tx, type TransferTx, type UnbondTx, type VoteTx, ChallengeKind, type ChallengeTx, type ElementProof, type FraudProof,
  type LaneElementProof,
} from '../types.ts';
import { headerFromTuple, headerTuple } from './header.ts';
import { DEFAULT_LIMITS, MAX_ANY_TX_BYTES, MAX_CHALLENGE_TX_BYTES, MAX_DATA_TX_BYTES, MAX_EVIDENCE_TX_BYTES, MAX_TX_BYTES } from './limits.ts';

export const SIGNATURE_BYTES = 65;
export const ADDRESS_BYTES = 20;
/** Largest chain id (u32, it is hashed as u32be). */
export const MAX_CHAIN_ID = 0xffffffff;
/** Longest proposal text, parameter name (characters) and encoded task (bytes). */
export const MAX_PROPOSAL_TEXT = 512;
export const MAX_PARAM_NAME = 64;
export const MAX_TASK_BYTES = 2048;

function actionTuple(a: ProposalAction): Encodable[] {
  switch (a.kind) {
    case ProposalKind.Text:
      return [a.kind, a.text];
    case ProposalKind.ParamChange:
      return [a.kind, a.param, a.value];
    case ProposalKind.TreasurySpend:
      return [a.kind, a.to, a.amount];
    case ProposalKind.NewTask:
      return [a.kind, a.task];
  }
}

function actionFromTuple(value: unknown, what: string): ProposalAction {
  if (!Array.isArray(value) || value.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: 'action: not a tuple' });
  const kind = value[0];
  switch (kind) {
    case ProposalKind.Text: {
      const r = TupleReader.of(value, `${what}.action`, 2);
      r.uint(0xff);
      const a = { kind, text: r.string(MAX_PROPOSAL_TEXT) } as const;
      r.end();
      return Object.freeze(a);
    }
    case ProposalKind.ParamChange: {
      const r = TupleReader.of(value, `${what}.action`, 3);
      r.uint(0xff);
      const a = { kind, param: r.string(MAX_PARAM_NAME), value: r.u64() } as const;
      r.end();
      return Object.freeze(a);
    }
    case ProposalKind.TreasurySpend: {
      const r = TupleReader.of(value, `${what}.action`, 3);
      r.uint(0xff);
      const a = { kind, to: r.bytes(ADDRESS_BYTES), amount: r.u64() } as const;
      r.end();
      return Object.freeze(a);
    }
    case ProposalKind.NewTask: {
      const r = TupleReader.of(value, `${what}.action`, 2);
      r.uint(0xff);
      const a = { kind, task: r.bytes(undefined, MAX_TASK_BYTES) } as const;
      r.end();
      return Object.freeze(a);
    }
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `unknown proposal kind ${String(kind)}` });
  }
}

// ---- fraud proofs (Challenge) ----
/** Structural caps of a proof's lists (the VM checks them against the task and the part). */
const MAX_PROOF_STEPS = 1024;
const MAX_STEP_HASHES = 1 + 3 * 64;
const MAX_SIBLINGS = 64;
const MAX_LAYERS = 64;

function elementTuple(e: ElementProof): Encodable {
  return [[...e.layerRoots], e.row, [...e.siblings]];
}

function proofTuple(p: FraudProof): Encodable {
  switch (p.kind) {
    case ChallengeKind.Step:
      return [p.kind, p.lane, p.step, p.finalRoot, p.steps.map((s) => [...s]), [...p.siblings], [...p.weights]];
    case ChallengeKind.Aggregate:
      return [p.kind, p.index, elementTuple(p.base), p.lanes.map((l) => [l.finalRoot, l.stepsDigest, [...l.siblings], elementTuple(l.element)])];
    case ChallengeKind.Request:
      return [p.kind, p.lane];
    case ChallengeKind.Answer:
      return [p.kind, p.lane, p.finalRoot, p.steps.map((s) => [...s]), [...p.siblings]];
  }
}

function hashList(r: TupleReader, max: number, what: string): Uint8Array[] {
  return r.array(max).map((h, i) => {
    if (!(h instanceof Uint8Array) || h.length !== 32) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `item ${i} is not 32 bytes` });
    return new Uint8Array(h);
  });
}

function elementFromTuple(value: unknown, what: string): ElementProof {
  const r = TupleReader.of(value, what, 3);
  const e = { layerRoots: hashList(r, MAX_LAYERS, `${what}.layerRoots`), row: r.bytes(undefined, MAX_CHALLENGE_TX_BYTES), siblings: hashList(r, MAX_SIBLINGS, `${what}.siblings`) };
  r.end();
  return Object.freeze(e);
}

function proofFromTuple(value: unknown, what: string): FraudProof {
  if (!Array.isArray(value) || value.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: 'proof: not a tuple' });
  switch (value[0]) {
    case ChallengeKind.Step: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const lane = r.uint(0xffff_ffff);
      const step = r.uint(0xffff_ffff);
      const finalRoot = r.bytes(32);
      const steps = r.array(MAX_PROOF_STEPS).map((s, i) => hashList(TupleReader.of([s], `${what}.steps[${i}]`, 1), MAX_STEP_HASHES, `${what}.steps[${i}]`));
      const siblings = hashList(r, MAX_SIBLINGS, `${what}.siblings`);
      const weights = r.array(MAX_LAYERS).map((w, i) => {
        if (!(w instanceof Uint8Array)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `weights layer ${i} is not bytes` });
        return new Uint8Array(w);
      });
      r.end();
      return Object.freeze({ kind: ChallengeKind.Step, lane, step, finalRoot, steps, siblings, weights } as const);
    }
    case ChallengeKind.Aggregate: {
      const r = TupleReader.of(value, what, 4);
      r.uint(0xff);
      const index = r.uint(0xffff_ffff);
      const base = elementFromTuple(r.raw(), `${what}.base`);
      const lanes: LaneElementProof[] = r.array().map((l, i) => {
        const lr = TupleReader.of(l, `${what}.lanes[${i}]`, 4);
        const x = { finalRoot: lr.bytes(32), stepsDigest: lr.bytes(32), siblings: hashList(lr, MAX_SIBLINGS, `${what}.lanes[${i}].siblings`), element: elementFromTuple(lr.raw(), `${what}.lanes[${i}].element`) };
        lr.end();
        return Object.freeze(x);
      });
      r.end();
      return Object.freeze({ kind: ChallengeKind.Aggregate, index, base, lanes } as const);
    }
    case ChallengeKind.Request: {
      const r = TupleReader.of(value, what, 2);
      r.uint(0xff);
      const lane = r.uint(0xffff_ffff);
      r.end();
      return Object.freeze({ kind: ChallengeKind.Request, lane } as const);
    }
    case ChallengeKind.Answer: {
      const r = TupleReader.of(value, what, 5);
      r.uint(0xff);
      const lane = r.uint(0xffff_ffff);
      const finalRoot = r.bytes(32);
      const steps = r.array(MAX_PROOF_STEPS).map((s, i) => hashList(TupleReader.of([s], `${what}.steps[${i}]`, 1), MAX_STEP_HASHES, `${what}.steps[${i}]`));
      const siblings = hashList(r, MAX_SIBLINGS, `${what}.siblings`);
      r.end();
      return Object.freeze({ kind: ChallengeKind.Answer, lane, finalRoot, steps, siblings } as const);
    }
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `unknown proof kind ${String(value[0])}` });
  }
}

function unsignedTuple(tx: Tx): Encodable[] {
  switch (tx.type) {
    case TypeTag.Transfer:
      return [TypeTag.Transfer, tx.chainId, tx.nonce, tx.fee, tx.to, tx.amount];
    case TypeTag.Bond:
    case TypeTag.Unbond:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.amount];
    case TypeTag.Equivocation:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, headerTuple(tx.first), headerTuple(tx.second)];
    case TypeTag.RegisterData:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.contributor, tx.royaltyBps, tx.dim, tx.samples, tx.labels];
    case TypeTag.PayRoyalty:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.amount];
    case TypeTag.Propose:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.amount, actionTuple(tx.action)];
    case TypeTag.Deposit:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.proposal, tx.amount];
    case TypeTag.Vote:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.proposal, tx.option];
    case TypeTag.Challenge:
      return [tx.type, tx.chainId, tx.nonce, tx.fee, tx.part, proofTuple(tx.proof)];
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'tx', reason: `unknown type ${(tx as { type: unknown }).type}` });
  }
}

/** The signed tuple (what goes into blocks). */
export function txTuple(tx: Tx): Encodable[] {
  return [...unsignedTuple(tx), tx.sig];
}

export function encodeTx(tx: Tx): Uint8Array {
  return encode(txTuple(tx));
}

export function txSigningHash(tx: Tx): Uint8Array {
  return sha256(u32be(tx.chainId), encode(unsignedTuple(tx)));
}

export function txHash(tx: Tx): Uint8Array {
  return sha256(encodeTx(tx));
}

/** Decodes a tx from an already-decoded tuple (used by decodeBlock). */
export function txFromTuple(value: unknown, what = 'tx'): Tx {
  if (!Array.isArray(value) || value.length === 0) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: 'not a tuple' });
  const tag = value[0];
  switch (tag) {
    case TypeTag.Transfer: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: TransferTx = {
        type: TypeTag.Transfer,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        to: r.bytes(ADDRESS_BYTES),
        amount: r.u64(),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Bond:
    case TypeTag.Unbond: {
      const r = TupleReader.of(value, what, 6);
      r.uint(0xff);
      const tx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        amount: r.u64(),
        sig: r.bytes(SIGNATURE_BYTES),
      } as BondTx | UnbondTx;
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.RegisterData: {
      const r = TupleReader.of(value, what, 10);
      r.uint(0xff);
      const tx: RegisterDataTx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        contributor: r.bytes(ADDRESS_BYTES),
        royaltyBps: r.uint(0xffff),
        dim: r.uint(0xffff),
        samples: r.bytes(undefined, MAX_DATA_TX_BYTES),
        labels: r.bytes(undefined, MAX_DATA_TX_BYTES),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.PayRoyalty: {
      const r = TupleReader.of(value, what, 6);
      r.uint(0xff);
      const tx: PayRoyaltyTx = { type: tag, chainId: r.uint(MAX_CHAIN_ID), nonce: r.uint(), fee: r.u64(), amount: r.u64(), sig: r.bytes(SIGNATURE_BYTES) };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Propose: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: ProposeTx = {
        type: tag, chainId: r.uint(MAX_CHAIN_ID), nonce: r.uint(), fee: r.u64(), amount: r.u64(), action: actionFromTuple(r.raw(), what), sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Deposit: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: DepositTx = {
        type: tag, chainId: r.uint(MAX_CHAIN_ID), nonce: r.uint(), fee: r.u64(), proposal: r.uint(), amount: r.u64(), sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Vote: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: VoteTx = {
        type: tag, chainId: r.uint(MAX_CHAIN_ID), nonce: r.uint(), fee: r.u64(), proposal: r.uint(), option: r.uint(VoteOption.Veto) as VoteOption, sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Equivocation: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: EquivocationTx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        first: headerFromTuple(r.raw(), DEFAULT_LIMITS, `${what}.first`),
        second: headerFromTuple(r.raw(), DEFAULT_LIMITS, `${what}.second`),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    case TypeTag.Challenge: {
      const r = TupleReader.of(value, what, 7);
      r.uint(0xff);
      const tx: ChallengeTx = {
        type: tag,
        chainId: r.uint(MAX_CHAIN_ID),
        nonce: r.uint(),
        fee: r.u64(),
        part: r.bytes(undefined, MAX_CHALLENGE_TX_BYTES),
        proof: proofFromTuple(r.raw(), `${what}.proof`),
        sig: r.bytes(SIGNATURE_BYTES),
      };
      r.end();
      return Object.freeze(tx);
    }
    default:
      throw new CodecError(CodecErrorCode.BAD_SHAPE, { what, reason: `unknown tx type ${String(tag)}` });
  }
}

/** Factory: the only way bytes become a Tx. Rejects non-canonical bytes and wrong shapes. */
export function decodeTx(bytes: Uint8Array): Tx {
  const value = decodeCanonical(bytes, 'tx', MAX_ANY_TX_BYTES);
  // the size by type, before the fields: RegisterData and evidence (two headers with their seals) may pass MAX_TX_BYTES
  const tag = Array.isArray(value) ? value[0] : undefined;
  const max =
    tag === TypeTag.RegisterData ? MAX_DATA_TX_BYTES : tag === TypeTag.Equivocation ? MAX_EVIDENCE_TX_BYTES : tag === TypeTag.Challenge ? MAX_CHALLENGE_TX_BYTES : MAX_TX_BYTES;
  if (bytes.length > max) throw new CodecError(CodecErrorCode.TOO_LARGE, { what: 'tx', reason: `${bytes.length} > ${max} bytes` });
  return txFromTuple(value);
}
