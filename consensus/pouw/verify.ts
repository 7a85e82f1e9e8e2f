// verifyTicket: validation in layers, cheapest first.
//  1. shape: spec parameters, ticket-job rule, tile position, line counts and lengths  (BAD_SHAPE, NOT_TICKET_JOB)
//  2. target: the claimed hash against target·th·tw·k                                 (ABOVE_TARGET)
//  3. operands int7                                                                    (BAD_OPERAND)
//  4. Merkle proofs of the tile's rows of A and columns of B                           (BAD_PROOF)
//  5. the transcript recomputed exactly (th·tw·k MACs) and hashed, the seed over the job's
//     operand roots (rootA, rootB derived from the proven line roots; seed.ts)           (BAD_TRANSCRIPT)
import { bytesEqual } from '../bytes.ts';
import { INT7_MAX } from '../matmul.ts';
import { verifyMerkleProof } from '../merkle.ts';
import { PouwError, PouwErrorCode } from './errors.ts';
import { addLowRank, noiseEL, noiseER, noiseFL, noiseFR } from './noise.ts';
import { pouwSeed } from './seed.ts';
import { DEFAULT_POUW_SPEC, isTicketJob, type PouwSpec } from './spec.ts';
import type { TicketProof } from './ticket.ts';
import { hashWins, tileFoldRef, tileHash } from './transcript.ts';

function shapeError(field: string, reason: string): never {
  throw new PouwError(PouwErrorCode.BAD_SHAPE, { field, reason });
}

/** Throws PouwError unless `t` is a valid winning ticket on `parent` at `target` under `spec`. */
export function verifyTicket(t: TicketProof, parent: Uint8Array, target: bigint, spec: PouwSpec = DEFAULT_POUW_SPEC): void {
  // 1. shape
  if (parent.length !== 32) shapeError('parent', 'not 32 bytes');
  if (t.r !== spec.r || t.h !== spec.h || t.w !== spec.w) shapeError('spec', `r/h/w ${t.r}/${t.h}/${t.w} != ${spec.r}/${spec.h}/${spec.w}`);
  const { m, k, n } = t;
  if (!isTicketJob(spec, m, k, n)) throw new PouwError(PouwErrorCode.NOT_TICKET_JOB, { reason: `${m}x${k}x${n}` });
  const i0 = t.ti * spec.h;
  const j0 = t.tj * spec.w;
  if (i0 >= m || j0 >= n) shapeError('tile', `(${t.ti}, ${t.tj}) outside ${m}x${n}`);
  const th = Math.min(spec.h, m - i0);
  const tw = Math.min(spec.w, n - j0);
  if (t.rowsA.length !== th || t.proofsA.length !== th) shapeError('rowsA', `expected ${th} rows with proofs`);
  if (t.colsB.length !== tw || t.proofsB.length !== tw) shapeError('colsB', `expected ${tw} columns with proofs`);
  for (const [i, x] of [...t.rowsA, ...t.colsB].entries()) if (x.length !== k) shapeError('line', `line ${i} has ${x.length} != k = ${k} entries`);

  // 2. target (on the claimed hash; step 5 proves the claim)
  if (t.hash.length !== 32) shapeError('hash', 'not 32 bytes');
  if (!hashWins(t.hash, target, th, tw, k)) throw new PouwError(PouwErrorCode.ABOVE_TARGET, { reason: `tile ${th}x${tw}x${k}` });

  // 3. operands are int7
  const aRows = new Int8Array(th * k);
  const bCols = new Int8Array(tw * k);
  t.rowsA.forEach((row, x) => aRows.set(new Int8Array(row.buffer, row.byteOffset, k), x * k));
  t.colsB.forEach((col, y) => bCols.set(new Int8Array(col.buffer, col.byteOffset, k), y * k));
  for (const [name, arr] of [['rowsA', aRows], ['colsB', bCols]] as const)
    for (let i = 0; i < arr.length; i++)
      if (arr[i]! > INT7_MAX || arr[i]! < -INT7_MAX) throw new PouwError(PouwErrorCode.BAD_OPERAND, { field: name, index: i });

  // 4. Merkle proofs against the job's input roots
  for (let x = 0; x < th; x++)
    if (!verifyMerkleProof(t.linesRootA, t.rowsA[x]!, { index: i0 + x, count: m, siblings: t.proofsA[x]! }))
      throw new PouwError(PouwErrorCode.BAD_PROOF, { field: 'rowsA', index: x });
  for (let y = 0; y < tw; y++)
    if (!verifyMerkleProof(t.linesRootB, t.colsB[y]!, { index: j0 + y, count: n, siblings: t.proofsB[y]! }))
      throw new PouwError(PouwErrorCode.BAD_PROOF, { field: 'colsB', index: y });

  // 5. transcript
  const seed = pouwSeed({ parent, miner: t.miner, round: t.round, lane: t.lane, step: t.step, jobId: t.jobId, rootA: t.rootA, rootB: t.rootB });
  const r = spec.r;
  const aP = addLowRank(aRows, noiseEL(seed, r, i0, th), noiseER(seed, r, k), th, r, k);
  // B' columns as rows of B'^T = B^T + F_R^T · F_L^T  (tw x r)·(r x k)
  const fr = noiseFR(seed, r, j0, tw); // r x tw
  const frT = new Int8Array(tw * r);
  for (let t2 = 0; t2 < r; t2++) for (let y = 0; y < tw; y++) frT[y * r + t2] = fr[t2 * tw + y]!;
  const fl = noiseFL(seed, r, k); // k x r
  const flT = new Int8Array(r * k);
  for (let l = 0; l < k; l++) for (let t2 = 0; t2 < r; t2++) flT[t2 * k + l] = fl[l * r + t2]!;
  const bP = addLowRank(bCols, frT, flT, tw, r, k);
  const states = tileFoldRef(aP, bP, th, tw, k, r);
  if (!bytesEqual(tileHash(seed, t, t.ti, t.tj, states, tw), t.hash)) throw new PouwError(PouwErrorCode.BAD_TRANSCRIPT, { reason: `tile (${t.ti}, ${t.tj})` });
}
