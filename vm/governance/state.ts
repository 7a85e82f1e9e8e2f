// Reading and writing the governance records: the treasury, the burn counter, proposals.
import { BlockError, BlockErrorCode } from '../../consensus/errors.ts';
import type { StateReader, StateWriter } from '../round/state.ts';
import { MAX_U64 } from '../tx/common.ts';
import { decodeGov, decodeProposal, encodeGov, encodeProposal, govKey, proposalKey, type GovState, type Proposal } from './keys.ts';

const EMPTY: GovState = Object.freeze({ nextId: 0, treasury: 0n, burned: 0n, open: Object.freeze([]) });

export function readGov(s: StateReader): GovState {
  const v = s.get(govKey());
  return v ? decodeGov(v) : EMPTY;
}

export function writeGov(s: StateWriter, g: GovState): void {
  s.set(govKey(), g.nextId === 0 && g.treasury === 0n && g.burned === 0n && g.open.length === 0 ? null : encodeGov(g));
}

export function addTreasury(s: StateWriter, amount: bigint): void {
  if (amount === 0n) return;
  const g = readGov(s);
  if (g.treasury + amount > MAX_U64) throw new BlockError(BlockErrorCode.STATE_MISMATCH, { reason: 'treasury past 2^64 - 1' });
  writeGov(s, { ...g, treasury: g.treasury + amount });
}

/** Records `amount` as destroyed (the supply's burn counter). */
export function recordBurn(s: StateWriter, amount: bigint): void {
  if (amount === 0n) return;
  const g = readGov(s);
  writeGov(s, { ...g, burned: g.burned + amount });
}

export function readProposal(s: StateReader, id: number): Proposal | undefined {
  const v = s.get(proposalKey(id));
  return v ? decodeProposal(v) : undefined;
}

export function writeProposal(s: StateWriter, p: Proposal): void {
  s.set(proposalKey(p.id), encodeProposal(p));
}
