import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/errors.ts';
import { BlockError, BlockErrorCode } from '../../../consensus/errors.ts';
import { makeTicketProof, encodeTicket } from '../../../consensus/pouw/ticket.ts';
import { POUW_SEAL_NAME, pouwSeal, sealFor } from '../../../consensus/seal-pouw.ts';
import { TEST_SEAL } from '../../../consensus/seal.ts';
import { TEST_PARAMS, testKey } from '../../fixtures/chain.ts';
import { MINING_PARAMS, mineLane, minedBlock, miningGenesis } from '../../fixtures/mining.ts';

const A = testKey(1).address();
const g = miningGenesis([A], [A]);

const err = (f: () => unknown): BlockError => thrown(BlockError, f);

describe('sealFor', () => {
  it('resolves "pouw" to the PoUW seal and "test" to the test seal; refuses others', () => {
    const s = sealFor(MINING_PARAMS);
    expect([s.name, s.testOnly]).toEqual([POUW_SEAL_NAME, false]);
    expect(sealFor(TEST_PARAMS)).toBe(TEST_SEAL);
    expect(err(() => sealFor({ ...TEST_PARAMS, sealName: 'sha256d' })).code).toBe(BlockErrorCode.WRONG_SEAL);
    expect(err(() => sealFor({ ...MINING_PARAMS, training: undefined })).code).toBe(BlockErrorCode.WRONG_SEAL);
  });
});

describe('PoUW seal', () => {
  const seal = pouwSeal(MINING_PARAMS);

  it('accepts a winning ticket mined on the parent, and only on that parent', async () => {
    const w = await mineLane(g.state, g.header, A, 0);
    const { block } = minedBlock(g.state, g.header, w.tickets[0]!);
    expect(() => seal.verify(block.header, g.header)).not.toThrow();
    const otherParent = { ...g.header, time: g.header.time + 1 };
    const e = err(() => seal.verify(block.header, otherParent));
    expect([e.code, e.context.cause]).toEqual([BlockErrorCode.BAD_SEAL, 'POUW_BAD_TRANSCRIPT']);
  });

  it('rejects, before any recompute, a ticket for a job the task does not have, or an oversized seal', async () => {
    const w = await mineLane(g.state, g.header, A, 0);
    const t = w.tickets[0]!;
    const { block } = minedBlock(g.state, g.header, t);
    const withSeal = (bytes: Uint8Array) => ({ ...block.header, seal: bytes });
    const cause = (bytes: Uint8Array) => {
      const e = err(() => seal.verify(withSeal(bytes), g.header));
      return [e.code, e.context.cause];
    };
    expect(cause(encodeTicket(makeTicketProof({ ...t, step: 2 })))).toEqual([BlockErrorCode.BAD_TICKET, 'STEP']);
    expect(cause(encodeTicket(makeTicketProof({ ...t, jobId: 9 })))).toEqual([BlockErrorCode.BAD_TICKET, 'JOB']);
    expect(cause(encodeTicket(makeTicketProof({ ...t, jobId: t.jobId === 0 ? 4 : 0 })))).toEqual([BlockErrorCode.BAD_TICKET, 'JOB_SHAPE']);
    expect(cause(new Uint8Array(MINING_PARAMS.maxSealBytes + 1))).toEqual([BlockErrorCode.BAD_TICKET, 'TOO_LARGE']);
  });
});
