// One ticket seals one block (issue 13, item 2), against a real Chain over LevelDB on the devnet
// genesis. Before: anyone re-issued a seen block's ticket with other txs, time or a junk body, and
// 204 junk siblings from one copied seal grew the db from 1 MB to 83 MB. Now the header's miner
// signs the whole header, so only the miner can re-use its ticket, and the chain keeps the first
// block per (parent, ticket): every later one is refused before its body is decoded, and the db
// does not grow. A second signed header is kept as equivocation evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHeader, verifyHeaderSignature } from '../../consensus/crypto/header-signature.ts';
import { blockHash, decodeBlockHeader, encodeHeader, headerSigningHash } from '../../consensus/encoding/index.ts';
import { BlockErrorCode } from '../../consensus/errors.ts';
import type { TicketProof } from '../../consensus/pouw/ticket.ts';
import { encode } from '../../consensus/codec.ts';
import type { Block } from '../../consensus/types.ts';
import { ChainErrorCode } from '../../node/chain/errors.ts';
import { transfer } from '../fixtures/chain.ts';
import { honestTickets, openDevnetChain, sealedBlock, type DevnetChain } from './devnet-chain.ts';

let net: DevnetChain;
let tickets: TicketProof[];

beforeAll(async () => {
  net = await openDevnetChain(4);
  tickets = await honestTickets(net.params, net.genesis.block.header, net.keys[0]!.address(), net.params.initialTarget);
});
afterAll(async () => net?.close());

/** A block's bytes with its header and a body of `junk` bytes that is not even a list of txs. */
function withJunkBody(header: Block['header'], junk: number, salt: number): Uint8Array {
  const body = new Uint8Array(junk).fill(salt & 0xff);
  // [0x02, header, <junk bin>, []]: a 4-tuple whose third element is bytes, not txs
  const full = encode([2, 0, body, []]);
  const hdr = encodeHeader(header);
  // splice the header tuple in place of the placeholder 0 (1 byte at offset 2)
  const out = new Uint8Array(full.length - 1 + hdr.length);
  out.set(full.subarray(0, 2), 0);
  out.set(hdr, 2);
  out.set(full.subarray(3), 2 + hdr.length);
  return out;
}

describe('one ticket seals one block', () => {
  it('the first block with a ticket imports; 204 junk siblings with that ticket are refused before their bodies and the db does not grow', async () => {
    const key = net.keys[0]!;
    const g = net.genesis.block;
    const first = sealedBlock(net.params, net.genesis.state, g.header, tickets[0]!, key);
    await expect(net.chain.importBlock(first)).resolves.toMatchObject({ status: 'head' });
    const before = await net.db.contentSize();
    // The miner itself re-issues its ticket: other times, bogus state roots, 60 kB junk bodies.
    // Each sibling's header is signed by the miner (the only one who can), so each passes the
    // signature; the (parent, ticket) lookup stops it before the body, which would not even decode.
    expect(blockHash(decodeBlockHeader(withJunkBody(first.header, 10, 0)))).toEqual(blockHash(first.header)); // the splice keeps the header
    const codes = new Map<string, number>();
    let junkBytes = 0;
    for (let i = 0; i < 204; i++) {
      const header = signHeader({ ...first.header, time: first.header.time + 1 + i, stateRoot: new Uint8Array(32).fill(i & 0xff) }, key);
      const bytes = withJunkBody(header, 60_000, i);
      junkBytes += bytes.length;
      try {
        await net.chain.importBlock(bytes);
        codes.set('imported', (codes.get('imported') ?? 0) + 1);
      } catch (e) {
        const c = (e as { code?: string }).code ?? String(e);
        codes.set(c, (codes.get(c) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(codes)).toEqual({ [ChainErrorCode.DUPLICATE_TICKET]: 204 });
    expect(junkBytes).toBeGreaterThan(12_000_000);
    expect(await net.db.contentSize()).toEqual(before);
    expect(net.chain.head().hash).toEqual(blockHash(first.header));
  });

  it('a valid sibling with other txs and time is refused too (DUPLICATE_TICKET), and its signed header is equivocation evidence', async () => {
    const key = net.keys[0]!;
    const g = net.genesis.block;
    const first = await net.chain.getBlockByHeight(1);
    const tx = transfer(net.keys[1]!, net.keys[2]!.address(), 5n, 0, { chainId: net.params.chainId, fee: 10_000n });
    const sibling = sealedBlock(net.params, net.genesis.state, g.header, tickets[0]!, key, { txs: [tx], time: g.header.time + 7 });
    expect(blockHash(sibling.header)).not.toEqual(first!.hash);
    const before = await net.db.contentSize();
    await expect(net.chain.importBlock(sibling)).rejects.toMatchObject({
      code: ChainErrorCode.DUPLICATE_TICKET,
      context: { reason: 'equivocation', expected: '0x' + Buffer.from(first!.hash).toString('hex') },
    });
    expect(await net.db.contentSize()).toEqual(before);
    // one pair kept per (parent, ticket): the first block and the first signed sibling (the junk ones above)
    const ev = net.chain.equivocations();
    expect(ev.length).toBe(1);
    expect(blockHash(ev[0]!.first)).toEqual(first!.hash);
    expect(ev[0]!.second.seal).toEqual(first!.block.header.seal);
    expect(() => verifyHeaderSignature(ev[0]!.second)).not.toThrow();
    expect(headerSigningHash(ev[0]!.second)).not.toEqual(headerSigningHash(ev[0]!.first));
    // resent: a lookup
    await expect(net.chain.importBlock(sibling)).rejects.toMatchObject({ code: ChainErrorCode.KNOWN_INVALID, context: { cause: ChainErrorCode.DUPLICATE_TICKET } });
  });

  it('anyone else re-issuing the ticket fails the signature, before the seal and the body; the ticket stays the miner\'s', async () => {
    const thief = net.keys[3]!;
    const g = net.genesis.block;
    const own = sealedBlock(net.params, net.genesis.state, g.header, tickets[1]!, net.keys[0]!);
    // the thief re-signs the victim's header with junk: no key of the miner, so BAD_HEADER_SIGNATURE
    const forged = { ...own.header, time: own.header.time + 3, sig: signHeader({ ...own.header, miner: thief.address() }, thief).sig };
    const before = await net.db.contentSize();
    await expect(net.chain.importBlock(withJunkBody(forged, 1_000_000, 7))).rejects.toMatchObject({ code: BlockErrorCode.BAD_HEADER_SIGNATURE });
    expect(await net.db.contentSize()).toEqual(before);
    // a forged body under the miner's real header does not claim the ticket either: the real block still imports
    await expect(net.chain.importBlock(withJunkBody(own.header, 1_000, 1))).rejects.toMatchObject({ code: 'CODEC_BAD_SHAPE' });
    await expect(net.chain.importBlock(own)).resolves.toMatchObject({ status: 'side' });
  });
});
