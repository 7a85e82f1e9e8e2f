// Import order and bounds (issue 13, item 6), against a real Chain over LevelDB on the devnet
// genesis: the header (parent, time, target, signature, seal) is checked before the body is
// decoded or hashed; failures are remembered by block hash and by (parent, ticket), so a resent
// invalid block costs a lookup, never a second transcript; the caches and the import queue are
// bounded in count and in bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHeader } from '../../consensus/crypto/header-signature.ts';
import { encode } from '../../consensus/codec.ts';
import { encodeHeader } from '../../consensus/encoding/index.ts';
import { BlockErrorCode } from '../../consensus/errors.ts';
import { PouwErrorCode } from '../../consensus/pouw/errors.ts';
import { makeTicketProof, type TicketProof } from '../../consensus/pouw/ticket.ts';
import type { BlockHeader } from '../../consensus/types.ts';
import { ChainErrorCode } from '../../node/chain/errors.ts';
import { honestTickets, openDevnetChain, sealedBlock, swapSeal, type DevnetChain } from './devnet-chain.ts';

/** Encoded block: `header`, then a body of `junk` bytes where the txs belong (not decodable as a block). */
function junkBlock(header: BlockHeader, junk: number): Uint8Array {
  const hdr = encodeHeader(header);
  const rest = encode([new Uint8Array(junk), []]);
  const out = new Uint8Array(2 + hdr.length + rest.length - 1);
  out[0] = 0x94;
  out[1] = 0x02;
  out.set(hdr, 2);
  out.set(rest.subarray(1), 2 + hdr.length); // drop the 2-tuple's own array byte
  return out;
}

let net: DevnetChain;
let verified = 0;
let tickets: TicketProof[];

beforeAll(async () => {
  net = await openDevnetChain(4, { maxRememberedFailures: 8, maxQueuedImports: 64, maxQueuedBytes: 3_000_000, onSealVerify: () => verified++ });
  tickets = await honestTickets(net.params, net.genesis.block.header, net.keys[0]!.address(), net.params.initialTarget);
});
afterAll(async () => net?.close());

describe('header before body, failures remembered, every bound held', () => {
  it('a bad seal on a 2 MB junk body is BAD_SEAL (the body is never decoded); resent, it costs a lookup and no transcript', async () => {
    const key = net.keys[0]!;
    const good = sealedBlock(net.params, net.genesis.state, net.genesis.block.header, tickets[0]!, key);
    const badTicket = makeTicketProof({ ...tickets[0]!, hash: new Uint8Array(32) }); // wins any target, proves nothing
    const bad = swapSeal(good, badTicket, key);
    const before = await net.db.contentSize();
    await expect(net.chain.importBlock(junkBlock(bad.header, 2_000_000))).rejects.toMatchObject({ code: BlockErrorCode.BAD_SEAL, context: { cause: PouwErrorCode.BAD_TRANSCRIPT } });
    expect(verified).toBe(1);
    // resent: by block hash
    await expect(net.chain.importBlock(junkBlock(bad.header, 2_000_000))).rejects.toMatchObject({ code: ChainErrorCode.KNOWN_INVALID, context: { cause: BlockErrorCode.BAD_SEAL } });
    // the same bad ticket under another header (another time, re-signed): by (parent, ticket)
    const other = signHeader({ ...bad.header, time: bad.header.time + 1 }, key);
    await expect(net.chain.importBlock(junkBlock(other, 1000))).rejects.toMatchObject({ code: ChainErrorCode.KNOWN_INVALID, context: { cause: BlockErrorCode.BAD_SEAL } });
    expect(verified).toBe(1);
    expect(await net.db.contentSize()).toEqual(before);
    // an unknown parent is refused on the header too
    await expect(net.chain.importBlock(junkBlock({ ...bad.header, parent: new Uint8Array(32).fill(5) }, 2_000_000))).rejects.toMatchObject({ code: ChainErrorCode.UNKNOWN_PARENT });
    // and the honest block with that parent still imports
    await expect(net.chain.importBlock(good)).resolves.toMatchObject({ status: 'head' });
    expect(verified).toBe(2);
  });

  it('remembered failures stay within their bound (8 here) however many invalid headers arrive', async () => {
    const key = net.keys[1]!;
    const base = sealedBlock(net.params, net.genesis.state, net.genesis.block.header, tickets[1]!, net.keys[0]!);
    for (let i = 0; i < 40; i++) {
      // signed by another key than the miner's: BAD_HEADER_SIGNATURE, remembered by hash
      const h = { ...base.header, time: base.header.time + 100 + i, sig: signHeader({ ...base.header, miner: key.address(), time: base.header.time + 100 + i }, key).sig };
      await expect(net.chain.importBlock(junkBlock(h, 100))).rejects.toMatchObject({ code: BlockErrorCode.BAD_HEADER_SIGNATURE });
    }
    const r = net.chain.rememberedFailures();
    expect(r.limit).toBe(8);
    expect(r.byHash).toBe(8);
    expect(r.bySeal).toBeLessThanOrEqual(8);
  });

  it('the import queue is bounded in bytes (3 MB here) and a block over maxBlockBytes is refused at the door', async () => {
    const base = sealedBlock(net.params, net.genesis.state, net.genesis.block.header, tickets[2]!, net.keys[0]!);
    const blocks = Array.from({ length: 8 }, (_, i) => junkBlock({ ...base.header, time: base.header.time + 1000 + i }, 1_000_000));
    const results = await Promise.allSettled(blocks.map((b) => net.chain.importBlock(b)));
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code: string }).code : 'ok'));
    const full = results.filter((r) => r.status === 'rejected' && (r.reason as { code: string }).code === ChainErrorCode.QUEUE_FULL);
    expect(full.length).toBeGreaterThanOrEqual(5); // at most 3 MB of 1 MB blocks wait at once
    expect((full[0] as PromiseRejectedResult).reason).toMatchObject({ context: { unit: 'bytes', limit: 3_000_000 } });
    expect(codes.filter((c) => c !== ChainErrorCode.QUEUE_FULL).length).toBeGreaterThan(0);
    expect(net.chain.queuedBytes).toBe(0);
    await expect(net.chain.importBlock(junkBlock(base.header, net.params.maxBlockBytes))).rejects.toMatchObject({ code: BlockErrorCode.TOO_LARGE });
  });
});
