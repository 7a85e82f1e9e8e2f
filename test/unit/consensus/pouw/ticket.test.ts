import { describe, expect, it } from 'vitest';
import { matmulRef, rootByCols, rootByRows, type MatmulJob } from '../../../../consensus/matmul.ts';
import { noiseFactors, noisedOperands } from '../../../../consensus/pouw/noise.ts';
import { pouwSeed } from '../../../../consensus/pouw/seed.ts';
import { DEFAULT_POUW_SPEC, type PouwSpec } from '../../../../consensus/pouw/spec.ts';
import { buildTicketProof, decodeTicket, encodeTicket, makeTicketProof, type TicketProof } from '../../../../consensus/pouw/ticket.ts';
import { hashWins, noisedProductRef, tileHash, tileStates } from '../../../../consensus/pouw/transcript.ts';
import { decodeCanonical } from '../../../../consensus/codec.ts';
import { verifyTicket } from '../../../../consensus/pouw/verify.ts';
import { PouwErrorCode } from '../../../../consensus/pouw/errors.ts';
import { job, MINER, PARENT, easyTarget } from './helpers.ts';

const spec: PouwSpec = { ...DEFAULT_POUW_SPEC, r: 8, h: 8, w: 8 };
const m = 48, k = 40, n = 40;
const TARGET = easyTarget(spec.h * spec.w * k, 3);
const id = { round: 7, miner: MINER, lane: 1 };

/** Honest mining of one job with the reference: every winning tile's proof. */
function mine(j: MatmulJob, parent = PARENT, cheat?: 'no-noise' | 'fold-first'): TicketProof[] {
  const seed = pouwSeed({ parent, miner: MINER, round: id.round, lane: id.lane, step: j.step, jobId: j.jobId, rootA: rootByRows(j.a, m, k), rootB: rootByCols(j.b, k, n) });
  const f = noiseFactors(seed, spec.r, m, k, n);
  let { aP, bP } = noisedOperands(j.a, j.b, m, k, n, f);
  if (cheat === 'no-noise') ({ aP, bP } = { aP: j.a, bP: j.b });
  let fold: Int32Array;
  if (cheat === 'fold-first') {
    // a miner that folds the operands' blocks first (sum over each depth-r block) and multiplies once
    fold = new Int32Array(m * n);
    const c = matmulRef({ m, k, n, a: aP, b: bP });
    for (let i = 0; i < m * n; i++) fold[i] = c[i]! ^ (c[i]! >>> 15);
  } else fold = noisedProductRef(aP, bP, m, k, n, spec.r).fold;
  const out: TicketProof[] = [];
  for (let ti = 0; ti * spec.h < m; ti++)
    for (let tj = 0; tj * spec.w < n; tj++) {
      const hash = tileHash(seed, j, ti, tj, tileStates(fold, n, ti * spec.h, tj * spec.w, spec.h, spec.w), spec.w);
      if (hashWins(hash, TARGET, spec.h, spec.w, k)) out.push(buildTicketProof(id, j, spec, ti, tj, hash));
    }
  return out;
}

function code(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return undefined;
}

const j0 = job(m, k, n, 'tk', 2, 1);
const tickets = mine(j0);

describe('tickets', () => {
  it('honest mining finds tickets that verify, with the job input roots', () => {
    expect(tickets.length).toBeGreaterThan(0);
    for (const t of tickets) {
      expect(code(() => verifyTicket(t, PARENT, TARGET, spec))).toBeUndefined();
      expect(t.rootA).toEqual(rootByRows(j0.a, m, k));
      expect(t.rootB).toEqual(rootByCols(j0.b, k, n));
    }
  });

  it('encodes canonically, type byte first, and round-trips', () => {
    const t = tickets[0]!;
    const enc = encodeTicket(t);
    expect((decodeCanonical(enc) as unknown[])[0]).toBe(0x50);
    const back = decodeTicket(enc);
    expect(encodeTicket(back)).toEqual(enc);
    expect(code(() => verifyTicket(back, PARENT, TARGET, spec))).toBeUndefined();
  });

  it('rejects a one-bit change in any field', () => {
    const t = tickets[0]!;
    const flipBytes = (b: Uint8Array, i = 0) => { const c = new Uint8Array(b); c[i]! ^= 1; return c; };
    const variants: [string, Partial<TicketProof>][] = [
      ['round', { round: t.round ^ 1 }], ['miner', { miner: flipBytes(t.miner) }], ['lane', { lane: t.lane ^ 1 }],
      ['step', { step: t.step ^ 1 }], ['jobId', { jobId: t.jobId ^ 1 }], ['m', { m: t.m ^ 1 }], ['k', { k: t.k ^ 1 }],
      ['n', { n: t.n ^ 1 }], ['r', { r: t.r ^ 1 }], ['h', { h: t.h ^ 1 }], ['w', { w: t.w ^ 1 }],
      ['ti', { ti: t.ti ^ 1 }], ['tj', { tj: t.tj ^ 1 }], ['hash', { hash: flipBytes(t.hash, 31) }],
      ['linesRootA', { linesRootA: flipBytes(t.linesRootA) }], ['linesRootB', { linesRootB: flipBytes(t.linesRootB) }],
      ['rowsA', { rowsA: t.rowsA.map((r, i) => (i === 3 ? flipBytes(r, 5) : r)) }],
      ['colsB', { colsB: t.colsB.map((r, i) => (i === 1 ? flipBytes(r, 0) : r)) }],
      ['proofsA', { proofsA: t.proofsA.map((p, i) => (i === 0 ? p.map((s, q) => (q === 0 ? flipBytes(s) : s)) : p)) }],
      ['proofsB', { proofsB: t.proofsB.map((p, i) => (i === 2 ? p.map((s, q) => (q === 1 ? flipBytes(s) : s)) : p)) }],
    ];
    for (const [name, change] of variants) {
      const { rootA: _a, rootB: _b, ...fields } = { ...t, ...change };
      const bad = makeTicketProof(fields);
      expect(code(() => verifyTicket(bad, PARENT, TARGET, spec)), name).toBeDefined();
    }
    // and against another parent or a lower target
    expect(code(() => verifyTicket(t, new Uint8Array(32), TARGET, spec))).toBe(PouwErrorCode.BAD_TRANSCRIPT);
    expect(code(() => verifyTicket(t, PARENT, 0n, spec))).toBe(PouwErrorCode.ABOVE_TARGET);
  });

  it('rejects a wrong Merkle proof with BAD_PROOF', () => {
    const t = tickets[0]!;
    const other = job(m, k, n, 'other');
    const { rootA: _a, rootB: _b, ...fields } = { ...t, rowsA: t.rowsA.map((r, i) => (i === 0 ? other.a.slice(0, k) : r)) };
    const bytes = (x: Int8Array) => new Uint8Array(x.buffer, x.byteOffset, x.length);
    const bad = makeTicketProof({ ...fields, rowsA: fields.rowsA.map((r) => bytes(r as unknown as Int8Array).slice()) });
    expect(code(() => verifyTicket(bad, PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_PROOF);
    const { rootA: _c, rootB: _d, ...f2 } = { ...t, proofsB: t.proofsB.map((p) => p.slice(1)) };
    expect(code(() => verifyTicket(makeTicketProof(f2), PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_PROOF);
  });

  it('rejects a tile of another job', () => {
    const j1 = job(m, k, n, 'tk2', 2, 2);
    const t1 = mine(j1)[0]!;
    expect(code(() => verifyTicket(t1, PARENT, TARGET, spec))).toBeUndefined();
    // claim it as job 1 of the step (the seed differs)
    const { rootA: _a, rootB: _b, ...fields } = { ...t1, jobId: 1 };
    expect(code(() => verifyTicket(makeTicketProof(fields), PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_TRANSCRIPT);
    // graft the first job's tile data onto the second's identity
    const t0 = tickets[0]!;
    const { rootA: _c, rootB: _d, ...f2 } = { ...t0, jobId: 2 };
    expect(code(() => verifyTicket(makeTicketProof(f2), PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_TRANSCRIPT);
  });

  it('tickets of a miner that skips the noise, folds first, or reuses an earlier parent fail', () => {
    for (const cheat of ['no-noise', 'fold-first'] as const) {
      const ts = mine(j0, PARENT, cheat);
      expect(ts.length).toBeGreaterThan(0);
      for (const t of ts) expect(code(() => verifyTicket(t, PARENT, TARGET, spec)), cheat).toBe(PouwErrorCode.BAD_TRANSCRIPT);
    }
    const old = mine(j0, new Uint8Array(32).fill(9));
    expect(old.length).toBeGreaterThan(0);
    for (const t of old) expect(code(() => verifyTicket(t, PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_TRANSCRIPT);
  });

  it('rejects spec mismatch, non-ticket jobs and non-int7 rows', () => {
    const t = tickets[0]!;
    expect(code(() => verifyTicket(t, PARENT, TARGET, { ...spec, r: 16 }))).toBe(PouwErrorCode.BAD_SHAPE);
    const small = { ...spec, minDimFactor: 8 };
    expect(code(() => verifyTicket(t, PARENT, TARGET, small))).toBe(PouwErrorCode.NOT_TICKET_JOB);
    const { rootA: _a, rootB: _b, ...fields } = { ...t, rowsA: t.rowsA.map((r, i) => (i === 0 ? new Uint8Array(k).fill(100) : r)) };
    expect(code(() => verifyTicket(makeTicketProof(fields), PARENT, TARGET, spec))).toBe(PouwErrorCode.BAD_OPERAND);
  });
});
