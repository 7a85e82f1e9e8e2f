import { describe, expect, it } from 'vitest';
import { matmulRef, rootByCols, rootByRows } from '../../../consensus/matmul.ts';
import { DEFAULT_POUW_SPEC } from '../../../consensus/pouw/spec.ts';
import { decodeTicket, encodeTicket } from '../../../consensus/pouw/ticket.ts';
import { verifyTicket } from '../../../consensus/pouw/verify.ts';
import { JsBackend } from '../../../miner/backends/js.ts';
import { newTicketStats, ticketMatmul, type TicketContext, type WinningTicket } from '../../../miner/ticket-matmul.ts';
import { easyTarget, job, MINER, PARENT } from '../consensus/pouw/helpers.ts';

const spec = { ...DEFAULT_POUW_SPEC, r: 8, h: 8, w: 8 };

describe('ticketMatmul (js backend)', () => {
  it('returns A·B exactly, reports winners that verify, and counts work', async () => {
    const ctx: TicketContext = { parent: PARENT, miner: MINER, round: 3, lane: 2, target: easyTarget(8 * 8 * 40, 4), spec };
    const wins: WinningTicket[] = [];
    const stats = newTicketStats();
    const mm = ticketMatmul(ctx, new JsBackend(), (t) => wins.push(t), stats);
    const big = job(40, 40, 44, 'big', 1, 0); // ticket job (all dims >= 4r = 32)
    const small = job(40, 10, 40, 'small', 1, 1); // 10-wide: plain
    expect(await mm(big)).toEqual(matmulRef(big));
    expect(await mm(small)).toEqual(matmulRef(small));
    expect(stats).toMatchObject({ ticketJobs: 1, plainJobs: 1, ticketMacs: 40 * 40 * 44, plainMacs: 40 * 10 * 40, tiles: 5 * 6 });
    expect(stats.wins).toBe(wins.length);
    expect(wins.length).toBeGreaterThan(0);
    for (const w of wins) {
      const back = decodeTicket(encodeTicket(w.proof));
      expect(() => verifyTicket(back, PARENT, ctx.target, spec)).not.toThrow();
      expect(w.step).toBe(1);
    }
    // the edge tiles (44 = 5·8 + 4 columns) are tickets too: their proofs carry 4 columns
    const all = new Set(wins.map((w) => w.proof.colsB.length));
    expect([...all].every((x) => x === 8 || x === 4)).toBe(true);
  });

  it('another parent gives other tickets (no reuse)', async () => {
    const ctx: TicketContext = { parent: PARENT, miner: MINER, round: 0, lane: 0, target: easyTarget(8 * 8 * 40, 2), spec };
    const j = job(40, 40, 40, 'reuse');
    const a: WinningTicket[] = [];
    await ticketMatmul(ctx, new JsBackend(), (t) => a.push(t))(j);
    const other = new Uint8Array(32).fill(1);
    for (const t of a) expect(() => verifyTicket(t.proof, other, ctx.target, spec)).toThrow();
  });
});

describe('ticketMatmul: the pouw/v2 seed over the operand roots', () => {
  it('roots handed over by the caller give the same tickets as roots computed here; wrong roots give tickets that fail', async () => {
    const ctx: TicketContext = { parent: PARENT, miner: MINER, round: 1, lane: 0, target: easyTarget(8 * 8 * 40, 2), spec };
    const j = job(40, 40, 40, 'roots');
    const computed: WinningTicket[] = [];
    const given: WinningTicket[] = [];
    const wrong: WinningTicket[] = [];
    await ticketMatmul(ctx, new JsBackend(), (t) => computed.push(t))(j);
    await ticketMatmul(ctx, new JsBackend(), (t) => given.push(t))({ ...j, roots: { rootA: rootByRows(j.a, 40, 40), rootB: rootByCols(j.b, 40, 40) } });
    expect(given.map((t) => encodeTicket(t.proof))).toEqual(computed.map((t) => encodeTicket(t.proof)));
    expect(computed.length).toBeGreaterThan(0);
    // a caller lying about the roots only hurts itself: its tickets do not verify
    await ticketMatmul(ctx, new JsBackend(), (t) => wrong.push(t))({ ...j, roots: { rootA: rootByRows(j.b, 40, 40), rootB: rootByCols(j.a, 40, 40) } });
    expect(wrong.length).toBeGreaterThan(0);
    for (const t of wrong) expect(() => verifyTicket(t.proof, PARENT, ctx.target, spec)).toThrow();
  });
});

describe('ticketMatmul (wasm backend, fused ticket job)', () => {
  it('gives the same product, the same winning tickets and the same stats as the js backend', async () => {
    const { createBackend } = await import('../../../miner/backends/index.ts');
    const wasm = await createBackend('wasm', { threads: 2 });
    try {
      const spec16 = { ...DEFAULT_POUW_SPEC, r: 16, h: 16, w: 16 };
      const ctx: TicketContext = { parent: PARENT, miner: MINER, round: 1, lane: 0, target: easyTarget(16 * 16 * 100, 3), spec: spec16 };
      const j = job(70, 100, 68, 'wasm-vs-js', 2, 0);
      const run = async (be: Parameters<typeof ticketMatmul>[1]) => {
        const wins: WinningTicket[] = [];
        const stats = newTicketStats();
        const c = await ticketMatmul(ctx, be, (t) => wins.push(t), stats)(j);
        return { c, wins: wins.map((w) => [w.ti, w.tj, Buffer.from(w.hash).toString('hex')]), stats };
      };
      const a = await run(new JsBackend());
      const b = await run(wasm);
      expect(b.c).toEqual(matmulRef(j));
      expect(b.wins).toEqual(a.wins);
      expect(b.stats).toEqual(a.stats);
      expect(a.wins.length).toBeGreaterThan(0);
    } finally {
      await wasm.close();
    }
  });
});
