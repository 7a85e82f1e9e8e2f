// What a miner may choose freely that feeds a ticket, each run as an attack against a real Chain
// over LevelDB on the devnet genesis: every choice either changes the seed (so the tile's
// transcript must be recomputed: its whole h·w·k product) or is rejected, with a typed error,
// the head, the state and the db unchanged. The headline: A := -E (issue 13, item 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHash } from '../../consensus/encoding/header.ts';
import { BlockErrorCode } from '../../consensus/errors.ts';
import { INT7_MAX, matmulRef } from '../../consensus/matmul.ts';
import { noiseFactors } from '../../consensus/pouw/noise.ts';
import { PouwErrorCode } from '../../consensus/pouw/errors.ts';
import { jobRoots } from '../../consensus/pouw/operands.ts';
import { pouwSeed } from '../../consensus/pouw/seed.ts';
import { buildTicketProof, encodeTicket, makeTicketProof, type TicketProof } from '../../consensus/pouw/ticket.ts';
import { hashWins, tileHash } from '../../consensus/pouw/transcript.ts';
import type { Block } from '../../consensus/types.ts';
import { devnetJob, honestTickets, openDevnetChain, sealedBlock, swapSeal, type DevnetChain } from './devnet-chain.ts';

let net: DevnetChain;
let honest: TicketProof[];

beforeAll(async () => {
  net = await openDevnetChain(4);
  honest = await honestTickets(net.params, net.genesis.block.header, net.keys[0]!.address(), net.params.initialTarget);
});
afterAll(async () => net?.close());

/** Imports `block`, expects the typed rejection, and checks that head, state and db did not move. */
async function rejected(block: Block, match: Record<string, unknown>): Promise<void> {
  const before = await net.db.contentSize();
  const head = net.chain.head().hash;
  const root = net.chain.state().root();
  await expect(net.chain.importBlock(block)).rejects.toMatchObject(match);
  expect(net.chain.head().hash).toEqual(head);
  expect(net.chain.state().root()).toEqual(root);
  expect(await net.db.contentSize()).toEqual(before);
}

const g = () => net.genesis.block.header;
const gs = () => net.genesis.state;
const reencoded = (t: TicketProof, over: Partial<TicketProof>): TicketProof => makeTicketProof({ ...t, ...over });

describe('a miner cannot choose A := -E (the operand roots bind the noise)', () => {
  it('the attacker zeroes every running sum under the noise it read, and the chain answers BAD_SEAL / BAD_TRANSCRIPT', async () => {
    const p = net.params;
    const spec = p.training!.pouw;
    const key = net.keys[1]!;
    const job = devnetJob(p, 'attacker');
    const { m, k, n } = job;
    const id = { parent: blockHash(g()), miner: key.address(), round: 0, lane: 0, step: job.step, jobId: job.jobId };
    // 1. the attacker reads the noise from a seed over some operand roots ...
    const seed0 = pouwSeed({ ...id, ...jobRoots(job) });
    const f = noiseFactors(seed0, spec.r, m, k, n);
    const e = matmulRef({ m, k: spec.r, n: k, a: f.eL, b: f.eR });
    // 2. ... and sets A := -E (a valid int7 matrix), so that A + E = 0 under that seed
    const a = new Int8Array(m * k);
    for (let i = 0; i < a.length; i++) a[i] = -e[i]!;
    expect(a.every((x) => Math.abs(x) <= INT7_MAX)).toBe(true);
    const forged = { ...job, a };
    // 3. every running sum of (A + E)·(B + F) is 0 under seed0: each tile's fold states are one constant,
    //    so a tile's ticket costs one HMAC; it scans tiles until one wins.
    const zeros = new Int32Array(spec.h * spec.w);
    let ticket: TicketProof | undefined;
    for (let ti = 0; ti * spec.h < m && !ticket; ti++)
      for (let tj = 0; tj * spec.w < n && !ticket; tj++) {
        const hash = tileHash(seed0, { m, k, n }, ti, tj, zeros, spec.w);
        if (hashWins(hash, p.initialTarget, spec.h, spec.w, k)) ticket = buildTicketProof(id, forged, spec, ti, tj, hash);
      }
    expect(ticket).toBeDefined();
    // Under pouw/v1 (no roots in the seed) this ticket verified. Now the seed is over root(-E), not the
    // roots E was read from: other noise, other transcript.
    expect(pouwSeed({ ...id, rootA: ticket!.rootA, rootB: ticket!.rootB })).not.toEqual(seed0);
    const block = sealedBlock(p, gs(), g(), ticket!, key);
    await rejected(block, { code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_TRANSCRIPT } });
  });

  it('an honest ticket of the same job shape imports (the rule costs honest miners nothing but the roots)', async () => {
    expect(honest.length).toBeGreaterThan(0);
    const block = sealedBlock(net.params, gs(), g(), honest[0]!, net.keys[0]!);
    await expect(net.chain.importBlock(block)).resolves.toMatchObject({ status: 'head' });
  });
});

describe('every other free choice that feeds a ticket changes the seed or is rejected', () => {
  const key = () => net.keys[0]!;
  const t = () => honest[1]!;

  it('miner address: another header miner (BAD_TICKET), another ticket miner (BAD_TRANSCRIPT), another signer (BAD_HEADER_SIGNATURE)', async () => {
    const thief = net.keys[2]!;
    const own = sealedBlock(net.params, gs(), g(), t(), key());
    await rejected(swapSeal(own, t(), thief, thief.address()), { code: BlockErrorCode.BAD_TICKET, context: { cause: 'MINER' } });
    const stolen = reencoded(t(), { miner: thief.address() });
    await rejected(swapSeal(own, stolen, thief), { code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_TRANSCRIPT } });
    // the victim's header, signed by the thief
    const thiefSigned = swapSeal(own, t(), thief, thief.address()).header.sig;
    await rejected({ ...own, header: { ...own.header, sig: thiefSigned } }, { code: BlockErrorCode.BAD_HEADER_SIGNATURE });
  });

  it('lane, step and round are in the seed: changing one is another ticket (BAD_TRANSCRIPT)', async () => {
    const own = sealedBlock(net.params, gs(), g(), t(), key());
    for (const over of [{ lane: 1 }, { step: 1 }, { round: 1 }])
      await rejected(swapSeal(own, reencoded(t(), over), key()), { code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_TRANSCRIPT } });
  });

  it('job: another job id names another shape (BAD_TICKET JOB_SHAPE); a job past the step is BAD_TICKET JOB', async () => {
    const own = sealedBlock(net.params, gs(), g(), t(), key());
    await rejected(swapSeal(own, reencoded(t(), { jobId: 4 }), key()), { code: BlockErrorCode.BAD_TICKET, context: { cause: 'JOB_SHAPE' } });
    await rejected(swapSeal(own, reencoded(t(), { jobId: 99 }), key()), { code: BlockErrorCode.BAD_TICKET, context: { cause: 'JOB' } });
  });

  it('operand roots: other line roots fail the Merkle proofs (BAD_PROOF); another tile position fails its proofs or transcript', async () => {
    await rejected(sealedBlock(net.params, gs(), g(), reencoded(t(), { linesRootA: new Uint8Array(32).fill(1) }), key()), { code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_PROOF } });
    await rejected(sealedBlock(net.params, gs(), g(), reencoded(t(), { ti: t().ti + 1 }), key()), { code: BlockErrorCode.BAD_SEAL });
  });

  it('parent: a ticket won on genesis does not seal a block on another parent (BAD_TRANSCRIPT)', async () => {
    const b1 = await net.chain.getBlockByHeight(1);
    expect(b1).toBeDefined();
    const block = sealedBlock(net.params, net.chain.state(), b1!.block.header, t(), key(), { target: net.chain.nextTarget() });
    await rejected(block, { code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_TRANSCRIPT } });
  });

  it('target: only the ASERT target of the parent is accepted (BAD_TARGET), so a miner cannot ease its own lottery', async () => {
    await rejected(sealedBlock(net.params, gs(), g(), t(), key(), { target: net.params.initialTarget * 2n }), { code: BlockErrorCode.BAD_TARGET });
  });
});
