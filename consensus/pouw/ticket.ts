// The ticket proof: everything a node needs to recheck one winning tile knowing nothing else about the
// miner's trajectory. Immutable; decoded only through decodeTicket (canonical, type byte first).
//
// Encoding (fixed-order msgpack tuple):
//   [0x50, round, miner(20), lane, step, jobId, m, k, n, r, h, w, ti, tj, hash(32),
//    linesRootA(32), linesRootB(32), rowsA[th] (k bytes each), proofsA[th][siblings],
//    colsB[tw] (k bytes each), proofsB[tw][siblings]]
// A row's Merkle index and count are implied (ti·h + x of m; tj·w + y of n), so they cannot be malleated.
// The job's input roots are derived: rootA = matRootFromLines(Rows, m, k, linesRootA), rootB likewise.
import { encode, decodeCanonical, TupleReader, type Encodable } from '../codec.ts';
import { CodecError, CodecErrorCode } from '../errors.ts';
import { colsOf, matRootFromLines, MatRootKind, rowsOf, type MatmulJob } from '../matmul.ts';
import { merkleRoot, MerkleTree } from '../merkle.ts';
import { TypeTag } from '../types.ts';
import type { PouwSpec } from './spec.ts';

export interface TicketProof {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
  readonly step: number;
  readonly jobId: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly r: number;
  readonly h: number;
  readonly w: number;
  readonly ti: number;
  readonly tj: number;
  /** The claimed tile hash (checked against the target first, then recomputed). */
  readonly hash: Uint8Array;
  readonly linesRootA: Uint8Array;
  readonly linesRootB: Uint8Array;
  /** The tile's rows of A (int8 bytes, k each). */
  readonly rowsA: readonly Uint8Array[];
  readonly proofsA: readonly (readonly Uint8Array[])[];
  /** The tile's columns of B (int8 bytes, k each). */
  readonly colsB: readonly Uint8Array[];
  readonly proofsB: readonly (readonly Uint8Array[])[];
  /** Derived: rootByRows(A) and rootByCols(B) of the job. */
  readonly rootA: Uint8Array;
  readonly rootB: Uint8Array;
}

/** Largest encoded ticket accepted (256 x 256 tiles at k = 4096 would not fit; specs stay far below). */
export const MAX_TICKET_BYTES = 4 * 1024 * 1024;
const MAX_DIM = 1 << 20;
const MAX_TILE = 256;
const MAX_DEPTH = 40;

type TicketFields = Omit<TicketProof, 'rootA' | 'rootB'>;

export function makeTicketProof(f: TicketFields): TicketProof {
  return Object.freeze({
    ...f,
    rootA: matRootFromLines(MatRootKind.Rows, f.m, f.k, f.linesRootA),
    rootB: matRootFromLines(MatRootKind.Cols, f.k, f.n, f.linesRootB),
  });
}

export function encodeTicket(t: TicketProof): Uint8Array {
  const v: Encodable = [
    TypeTag.Ticket, t.round, t.miner, t.lane, t.step, t.jobId, t.m, t.k, t.n, t.r, t.h, t.w, t.ti, t.tj, t.hash,
    t.linesRootA, t.linesRootB,
    [...t.rowsA], t.proofsA.map((p) => [...p]),
    [...t.colsB], t.proofsB.map((p) => [...p]),
  ];
  return encode(v);
}

function readLines(r: TupleReader, max: number): Uint8Array[] {
  return r.array(max).map((x, i) => {
    if (!(x instanceof Uint8Array)) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: r.what, reason: `line ${i} not bytes` });
    return new Uint8Array(x);
  });
}

function readProofs(r: TupleReader, max: number): Uint8Array[][] {
  return r.array(max).map((p, i) => {
    if (!Array.isArray(p) || p.length > MAX_DEPTH) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: r.what, reason: `proof ${i}` });
    return p.map((s) => {
      if (!(s instanceof Uint8Array) || s.length !== 32) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: r.what, reason: `proof ${i} sibling` });
      return new Uint8Array(s);
    });
  });
}

/** Decodes a canonical ticket encoding; shape only (verifyTicket checks the rest). */
export function decodeTicket(bytes: Uint8Array): TicketProof {
  const r = TupleReader.of(decodeCanonical(bytes, 'ticket', MAX_TICKET_BYTES), 'ticket', 21);
  const type = r.uint(255);
  if (type !== TypeTag.Ticket) throw new CodecError(CodecErrorCode.BAD_SHAPE, { what: 'ticket', reason: `type ${type}` });
  const round = r.uint(0xffffffff);
  const miner = r.bytes(20);
  const lane = r.uint(0xffffffff);
  const step = r.uint(0xffffffff);
  const jobId = r.uint(0xffffffff);
  const m = r.uint(MAX_DIM);
  const k = r.uint(MAX_DIM);
  const n = r.uint(MAX_DIM);
  const rr = r.uint(255);
  const h = r.uint(MAX_TILE);
  const w = r.uint(MAX_TILE);
  const ti = r.uint(MAX_DIM);
  const tj = r.uint(MAX_DIM);
  const hash = r.bytes(32);
  const linesRootA = r.bytes(32);
  const linesRootB = r.bytes(32);
  const rowsA = readLines(r, MAX_TILE);
  const proofsA = readProofs(r, MAX_TILE);
  const colsB = readLines(r, MAX_TILE);
  const proofsB = readProofs(r, MAX_TILE);
  r.end();
  return makeTicketProof({ round, miner, lane, step, jobId, m, k, n, r: rr, h, w, ti, tj, hash, linesRootA, linesRootB, rowsA, proofsA, colsB, proofsB });
}

export interface TicketIdentity {
  readonly round: number;
  readonly miner: Uint8Array;
  readonly lane: number;
}

/** Miner side: the proof for tile (ti, tj) of a job, from the job's operands. */
export function buildTicketProof(
  id: TicketIdentity,
  job: MatmulJob,
  spec: PouwSpec,
  ti: number,
  tj: number,
  hash: Uint8Array,
  lines?: { rowsA: Uint8Array[]; colsB: Uint8Array[]; linesRootA?: Uint8Array; linesRootB?: Uint8Array },
): TicketProof {
  const { m, k, n } = job;
  const rows = lines?.rowsA ?? rowsOf(job.a, m, k);
  const cols = lines?.colsB ?? colsOf(job.b, k, n);
  const i0 = ti * spec.h;
  const j0 = tj * spec.w;
  const th = Math.min(spec.h, m - i0);
  const tw = Math.min(spec.w, n - j0);
  // one tree per operand for the tile's th + tw line proofs
  const treeA = MerkleTree.ofLeaves(rows), treeB = MerkleTree.ofLeaves(cols);
  const rowsA: Uint8Array[] = [];
  const proofsA: Uint8Array[][] = [];
  for (let x = 0; x < th; x++) {
    rowsA.push(new Uint8Array(rows[i0 + x]!));
    proofsA.push([...treeA.proof(i0 + x).siblings]);
  }
  const colsB: Uint8Array[] = [];
  const proofsB: Uint8Array[][] = [];
  for (let y = 0; y < tw; y++) {
    colsB.push(new Uint8Array(cols[j0 + y]!));
    proofsB.push([...treeB.proof(j0 + y).siblings]);
  }
  return makeTicketProof({
    round: id.round, miner: id.miner, lane: id.lane, step: job.step, jobId: job.jobId,
    m, k, n, r: spec.r, h: spec.h, w: spec.w, ti, tj, hash,
    linesRootA: lines?.linesRootA ?? treeA.root, linesRootB: lines?.linesRootB ?? treeB.root,
    rowsA, proofsA, colsB, proofsB,
  });
}
