// Attacks on the data registry, against the real VM: claiming samples someone registered already
// (as they are, relabelled, or twice in one tx) and malformed registrations get typed errors and
// change nothing, so attribution cannot be stolen by re-registering public data.
import { describe, expect, it } from 'vitest';
import { TxErrorCode } from '../../consensus/errors.ts';
import type { Tx } from '../../consensus/types.ts';
import { signTx } from '../../consensus/crypto/signature.ts';
import { applyTxs } from '../../vm/apply-block.ts';
import { readRegistry } from '../../vm/data/registry.ts';
import { testKey } from '../fixtures/chain.ts';
import { rows, TrainChain } from '../fixtures/data.ts';
import { TEST_GOVERNANCE } from '../fixtures/gov.ts';
import { MINING_PARAMS } from '../fixtures/mining.ts';

const A = testKey(1);
const M = testKey(4); // the attacker
const P = { ...MINING_PARAMS, governance: TEST_GOVERNANCE };

function codeOf(ch: TrainChain, tx: Tx): string | undefined {
  try {
    applyTxs(ch.state, { height: ch.height + 1, miner: A.address() }, [tx], P);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

const reg = (ch: TrainChain, ...a: Parameters<TrainChain['register']>) => {
  ch.resetNonces();
  return ch.register(...a);
};

describe('data registry attacks', () => {
  const ch = new TrainChain(P, [A.address(), M.address()], [A.address()], [{ contributor: testKey(11).address(), royaltyBps: 10_000, from: 0, to: 40 }]);
  const mine = M.address();

  it('re-registering registered samples, relabelled or not, or one sample twice, is a duplicate', () => {
    const taken = rows(ch.data, 5, 7);
    expect(codeOf(ch, reg(ch, M, mine, 10_000, 16, taken.pixels, taken.labels))).toBe(TxErrorCode.DATA_DUPLICATE);
    const relabelled = taken.labels.map((y) => (y + 1) % 4);
    expect(codeOf(ch, reg(ch, M, mine, 10_000, 16, taken.pixels, relabelled))).toBe(TxErrorCode.DATA_DUPLICATE);
    const fresh = rows(ch.data, 50, 51);
    const twice = new Uint8Array([...fresh.pixels, ...fresh.pixels]);
    expect(codeOf(ch, reg(ch, M, mine, 10_000, 16, twice, new Uint8Array([0, 1])))).toBe(TxErrorCode.DATA_DUPLICATE);
    // a fresh sample is fine
    expect(codeOf(ch, reg(ch, M, mine, 10_000, 16, fresh.pixels, fresh.labels))).toBe('BLOCK_BAD_TICKET'); // passes the tx, fails only for want of a seal here
  });

  it('malformed registrations are refused before the signature is checked', () => {
    const s = rows(ch.data, 50, 52);
    const bad: Array<[Uint8Array, Uint8Array, number, number]> = [
      [new Uint8Array(0), new Uint8Array(0), 16, 10_000], // empty
      [s.pixels, s.labels, 8, 10_000], // wrong dim
      [s.pixels.subarray(0, 20), s.labels, 16, 10_000], // pixels != n x dim
      [s.pixels, new Uint8Array([0, 4]), 16, 10_000], // label >= classes
      [s.pixels.map((v, i) => (i === 3 ? 64 : v)), s.labels, 16, 10_000], // pixel > 63
      [s.pixels, s.labels, 16, 10_001], // royalty share > 100%
      [new Uint8Array(161 * 16), new Uint8Array(161), 16, 10_000], // more than MAX_SAMPLES_PER_TX
    ];
    for (const [pixels, labels, dim, bps] of bad) expect(codeOf(ch, reg(ch, M, mine, bps, dim, pixels, labels))).toBe(TxErrorCode.DATA_BAD_SHAPE);
    expect(readRegistry(ch.state)).toMatchObject({ total: 40, active: 40 });
  });

  it('a registration pays minFee per sample (its bytes stay in state)', () => {
    const s = rows(ch.data, 50, 60);
    ch.resetNonces();
    const cheap = signTx({ ...ch.register(M, mine, 10_000, 16, s.pixels, s.labels), fee: P.minFee * 9n, sig: new Uint8Array(65) }, M);
    expect(codeOf(ch, cheap)).toBe(TxErrorCode.FEE_TOO_LOW);
  });
});
