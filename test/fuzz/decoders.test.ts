// Property-based fuzzing (fast-check) of every decoder a peer can reach: blocks, headers, tickets,
// transactions, contributions, the request/response messages and attestations. For arbitrary bytes and for
// mutations of valid encodings (a byte changed, cut short, bytes appended or inserted), a decoder
// returns a value or throws a typed TesseraError: never another exception, never a hang (each run
// is synchronous, so a hang would time the test out). A short run is part of `npm test`; set
// FUZZ_RUNS (npm run fuzz: 20,000 per decoder) for a long one.
import { describe, expect, it, beforeAll } from 'vitest';
import fc from 'fast-check';
import { isTesseraError } from '../../consensus/errors.ts';
import { decodeBlock, decodeHeader, decodeTx, encodeBlock, encodeHeader, encodeTx } from '../../consensus/encoding/index.ts';
import { decodeTicket, encodeTicket } from '../../consensus/pouw/ticket.ts';
import { decodeSignedPart, openLanes } from '../../consensus/training/part.ts';
import {
  decodeLaneOpening, decodeRequest, decodeResponseCode, decodeStatus, decodeStepData, encodeLaneOpening, encodeRequest, encodeResponseCode, encodeStatus,
  encodeStepData, NetTag, ResponseCode,
} from '../../node/network/messages.ts';
import { decodeAttestation, encodeAttestation, signAttestation, Verdict } from '../../node/validator/attestation.ts';
import { EASY_TARGET, MINING_PARAMS, mineLane, minedBlock, miningGenesis, TINY_TASK } from '../fixtures/mining.ts';
import { testKey, transfer } from '../fixtures/chain.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const LIMITS = { maxBlockBytes: 1 << 20, maxTxsPerBlock: 100, maxSealBytes: 64 * 1024, maxContributionBytes: 256 * 1024 };
const LAYERS = [16, 4];

type Decoder = (b: Uint8Array) => unknown;
const seeds = new Map<string, Uint8Array[]>();

beforeAll(async () => {
  const k = testKey(1);
  const g = miningGenesis([k.address()], [k.address()]);
  const work = await mineLane(g.state, g.header, k, 0, EASY_TARGET);
  const ticketLane = await mineLane(g.state, g.header, k, 1, EASY_TARGET); // the lane in progress when the ticket won
  const tx = transfer(testKey(1), testKey(2).address(), 5n, 0, { fee: 1000n, chainId: MINING_PARAMS.chainId });
  const { block } = minedBlock(g.state, g.header, ticketLane.tickets[0]!, { contributions: [work.bytes], txs: [tx] });
  seeds.set('block', [encodeBlock(block)]);
  seeds.set('header', [encodeHeader(block.header)]);
  seeds.set('ticket', [encodeTicket(work.tickets[0]!)]);
  seeds.set('tx', [encodeTx(tx)]);
  seeds.set('contribution', [work.bytes]);
  seeds.set('status', [encodeStatus({ chainId: 7, genesis: new Uint8Array(32).fill(1), head: new Uint8Array(32).fill(2), height: 9, totalWork: 12345n })]);
  seeds.set('request', [
    encodeRequest({ type: NetTag.HeadersByRange, start: 3, count: 100 }),
    encodeRequest({ type: NetTag.BlocksByRange, start: 0, count: 32 }),
    encodeRequest({ type: NetTag.BlocksByHash, hashes: [new Uint8Array(32).fill(3), new Uint8Array(32)] }),
    encodeRequest({ type: NetTag.StepData, round: 1, miner: new Uint8Array(20).fill(9), laneStart: 2, laneCount: 3, lane: 3, step: 3 }),
  ]);
  seeds.set('attestation', [
    encodeAttestation(signAttestation({ validator: k.address(), round: 3, miner: k.address(), laneStart: 0, partHash: new Uint8Array(32).fill(4), lane: 1, step: 0, verdict: Verdict.Fraud, flags: 1 }, k, 7)),
  ]);
  seeds.set('response code', [encodeResponseCode(ResponseCode.OK), encodeResponseCode(ResponseCode.RATE_LIMITED)]);
  seeds.set('step data', [encodeStepData([new Int32Array(16).fill(-5), new Int32Array(4).fill(7)])]);
  const leaves = [work, ticketLane].map((w) => ({ finalRoot: new Uint8Array(32).fill(w.contribution.lane + 1), steps: w.contribution.steps }));
  seeds.set('lane opening', openLanes(0, leaves, [0, 1]).map(encodeLaneOpening));
}, 120_000);

const DECODERS: Record<string, Decoder> = {
  block: (b) => decodeBlock(b, LIMITS),
  header: (b) => decodeHeader(b, LIMITS),
  ticket: (b) => decodeTicket(b),
  tx: (b) => decodeTx(b),
  contribution: (b) => decodeSignedPart(TINY_TASK, b),
  status: (b) => decodeStatus(b),
  request: (b) => decodeRequest(b),
  'response code': (b) => decodeResponseCode(b),
  'step data': (b) => decodeStepData(b, LAYERS),
  'lane opening': (b) => decodeLaneOpening(TINY_TASK, b),
  attestation: (b) => decodeAttestation(b),
};

/** Only typed errors may escape. */
function typedOnly(decode: Decoder, bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch (e) {
    if (isTesseraError(e)) return true;
    throw e;
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
);

function mutate(seed: Uint8Array, ms: readonly { kind: string; at?: number; value?: number; bytes?: Uint8Array }[]): Uint8Array {
  let b = new Uint8Array(seed);
  for (const m of ms) {
    const at = b.length ? (m.at ?? 0) % b.length : 0;
    if (m.kind === 'set' && b.length) b[at] = m.value!;
    else if (m.kind === 'cut') b = b.subarray(0, at);
    else if (m.kind === 'append') b = new Uint8Array([...b, ...m.bytes!]);
    else if (m.kind === 'insert') b = new Uint8Array([...b.subarray(0, at), ...m.bytes!, ...b.subarray(at)]);
  }
  return b;
}

describe('decoders a peer can reach', () => {
  for (const [name, decode] of Object.entries(DECODERS)) {
    it(`${name}: the valid seeds decode`, () => {
      for (const s of seeds.get(name)!) expect(() => decode(s)).not.toThrow();
    });

    it(`${name}: arbitrary bytes give a value or a typed error`, () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => typedOnly(decode, b)), { numRuns: RUNS, seed: 7 });
    });

    it(`${name}: mutated valid encodings give a value or a typed error`, () => {
      const list = seeds.get(name)!;
      fc.assert(
        fc.property(fc.nat({ max: list.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => typedOnly(decode, mutate(list[i]!, ms))),
        { numRuns: RUNS, seed: 11 },
      );
    });
  }
});
