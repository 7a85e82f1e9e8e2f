// The proof-of-useful-work seal: header.seal is an encoded TicketProof (consensus/pouw/ticket.ts).
// verify(header, parent), cheapest first:
//   1. size cap (maxSealBytes), canonical decode                         BAD_TICKET (cause: codec code)
//   2. ticket.miner == header.miner                                      BAD_TICKET
//   3. the job exists in the task: step < H, jobId < jobs per step, (m, k, n) = the job's shape
//      (any u32 lane: a miner trains as many lanes as it can)            BAD_TICKET
//   4. verifyTicket(proof, blockHash(parent), header.target, spec): spec, target, int7, Merkle
//      proofs, exact transcript recompute                                BAD_SEAL (cause: PouwErrorCode)
// What needs state (the round is open, no second win of a tile, roots against the miner's
// contribution) is checked by the VM (vm/round/ticket.ts).
import { bytesEqual } from './bytes.ts';
import { blockHash } from './encoding/header.ts';
import { BlockError, BlockErrorCode, isTesseraError } from './errors.ts';
import type { ChainParams, TrainingParams } from './params.ts';
import { PouwError } from './pouw/errors.ts';
import { decodeTicket, type TicketProof } from './pouw/ticket.ts';
import { verifyTicket } from './pouw/verify.ts';
import { TEST_SEAL, type Seal } from './seal.ts';
import { stepJobShapes } from './training/step.ts';
import type { BlockHeader } from './types.ts';

export const POUW_SEAL_NAME = 'pouw';

function training(p: ChainParams): TrainingParams {
  if (!p.training) throw new BlockError(BlockErrorCode.WRONG_SEAL, { reason: 'the pouw seal needs params.training' });
  return p.training;
}

/** The header fields the ticket checks read. */
export type SealedFields = Pick<BlockHeader, 'height' | 'miner' | 'seal'>;

function badTicket(header: SealedFields, cause: string, reason: string): never {
  throw new BlockError(BlockErrorCode.BAD_TICKET, { height: header.height, cause, reason });
}

/** Layers 1-3: decodes the seal and checks it names a real job of the task mined by header.miner. */
export function decodeSealTicket(header: SealedFields, p: ChainParams): TicketProof {
  const t = training(p);
  if (header.seal.length > p.maxSealBytes) badTicket(header, 'TOO_LARGE', `seal of ${header.seal.length} > ${p.maxSealBytes} bytes`);
  let proof: TicketProof;
  try {
    proof = decodeTicket(header.seal);
  } catch (e) {
    if (isTesseraError(e)) badTicket(header, e.code, e.message);
    throw e;
  }
  if (!bytesEqual(proof.miner, header.miner)) badTicket(header, 'MINER', 'ticket.miner != header.miner');
  if (proof.step >= t.task.localSteps) badTicket(header, 'STEP', `step ${proof.step} >= ${t.task.localSteps}`);
  const shapes = stepJobShapes(t.task);
  const shape = shapes[proof.jobId];
  if (!shape) badTicket(header, 'JOB', `jobId ${proof.jobId} >= ${shapes.length}`);
  if (proof.m !== shape[0] || proof.k !== shape[1] || proof.n !== shape[2])
    badTicket(header, 'JOB_SHAPE', `${proof.m}x${proof.k}x${proof.n} != ${shape.join('x')} for job ${proof.jobId}`);
  return proof;
}

/** The PoUW seal of a chain with training params. */
export function pouwSeal(p: ChainParams): Seal {
  const spec = training(p).pouw;
  return Object.freeze({
    name: POUW_SEAL_NAME,
    testOnly: false,
    verify(header: BlockHeader, parent: BlockHeader): void {
      const proof = decodeSealTicket(header, p);
      try {
        verifyTicket(proof, blockHash(parent), header.target, spec);
      } catch (e) {
        if (e instanceof PouwError) throw new BlockError(BlockErrorCode.BAD_SEAL, { height: header.height, cause: e.code, reason: e.message });
        throw e;
      }
    },
  });
}

/** The seal a chain's params name: "pouw" (needs params.training) or "test" (tests only). */
export function sealFor(p: ChainParams): Seal {
  if (p.sealName === POUW_SEAL_NAME) return pouwSeal(p);
  if (p.sealName === TEST_SEAL.name) return TEST_SEAL;
  throw new BlockError(BlockErrorCode.WRONG_SEAL, { reason: `unknown seal "${p.sealName}"` });
}
