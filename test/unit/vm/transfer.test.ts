import { describe, expect, it } from 'vitest';
import { State } from '../../../vm/state.ts';
import { StateView } from '../../../vm/view.ts';
import { applyTransfer } from '../../../vm/tx/transfer.ts';
import { accountKey, encodeAccount } from '../../../vm/keys.ts';
import { TxError, TxErrorCode } from '../../../consensus/errors.ts';
import { bigIntToBytes, bytesToBigInt } from '../../../consensus/bytes.ts';
import { CURVE_N } from '../../../consensus/crypto/signature.ts';
import type { TransferTx } from '../../../consensus/types.ts';
import { TEST_PARAMS as P, testKey, transfer } from '../../fixtures/chain.ts';

const alice = testKey(0);
const bob = testKey(1).address();
const pre = State.fromEntries([[accountKey(alice.address()), encodeAccount({ balance: 1000n, nonce: 2 })]]);

/** Applies the tx on a fresh view; returns the error code (or undefined) and whether anything changed. */
function attempt(tx: TransferTx, backend?: 'native' | 'noble'): { code?: string; changed: boolean; view: StateView } {
  const view = new StateView(pre);
  view.checkpoint();
  try {
    applyTransfer(view, tx, P, backend);
    view.commit();
    return { changed: view.diff().changes.length > 0, view };
  } catch (e) {
    if (!(e instanceof TxError)) throw e;
    // No write happened before the throw: even without the revert, nothing changed.
    const changed = view.diff().changes.length > 0;
    view.revert();
    return { code: e.code, changed, view };
  }
}

describe('Transfer', () => {
  it('moves amount, charges fee, bumps the nonce', () => {
    const r = attempt(transfer(alice, bob, 300n, 2, { fee: 10n }));
    expect(r.code).toBeUndefined();
    expect(r.view.getAccount(alice.address())).toEqual({ balance: 690n, nonce: 3 });
    expect(r.view.getAccount(bob)).toEqual({ balance: 300n, nonce: 0 });
  });

  it('spends exactly the whole balance', () => {
    expect(attempt(transfer(alice, bob, 990n, 2, { fee: 10n })).code).toBeUndefined();
  });

  const cases: [string, () => TransferTx, TxErrorCode][] = [
    ['another chain id', () => transfer(alice, bob, 1n, 2, { chainId: 2 }), TxErrorCode.WRONG_CHAIN],
    ['zero amount', () => transfer(alice, bob, 0n, 2), TxErrorCode.ZERO_AMOUNT],
    ['fee below minFee', () => transfer(alice, bob, 1n, 2, { fee: 9n }), TxErrorCode.FEE_TOO_LOW],
    ['replayed nonce', () => transfer(alice, bob, 1n, 1), TxErrorCode.BAD_NONCE],
    ['gapped nonce', () => transfer(alice, bob, 1n, 3), TxErrorCode.BAD_NONCE],
    ['insufficient balance (amount + fee)', () => transfer(alice, bob, 991n, 2, { fee: 10n }), TxErrorCode.INSUFFICIENT_BALANCE],
    ['tampered amount (signature by no account holder)', () => ({ ...transfer(alice, bob, 1n, 2), amount: 2n }), TxErrorCode.BAD_NONCE],
    [
      'high-S signature',
      () => {
        const tx = transfer(alice, bob, 1n, 2);
        const sig = new Uint8Array(tx.sig);
        sig.set(bigIntToBytes(CURVE_N - bytesToBigInt(sig.subarray(32, 64)), 32), 32);
        sig[64] = sig[64]! ^ 1;
        return { ...tx, sig };
      },
      TxErrorCode.HIGH_S,
    ],
    ['malformed signature', () => ({ ...transfer(alice, bob, 1n, 2), sig: new Uint8Array(65) }), TxErrorCode.MALFORMED_SIGNATURE],
  ];

  for (const [name, make, code] of cases) {
    it(`${name} -> ${code}, and changes nothing (both signature paths)`, () => {
      for (const backend of ['native', 'noble'] as const) {
        const r = attempt(make(), backend);
        expect(r.code).toBe(code);
        expect(r.changed).toBe(false);
        expect(r.view.root()).toEqual(pre.root());
      }
    });
  }

  it('a nonce error says what was expected and what came', () => {
    try {
      applyTransfer(new StateView(pre), transfer(alice, bob, 1n, 7), P);
      expect.unreachable();
    } catch (e) {
      expect((e as TxError).context).toMatchObject({ expected: 2, got: 7, reason: 'gapped' });
      expect((e as TxError).message).toMatch(/TX_BAD_NONCE.*expected=2.*got=7/);
    }
  });

  it('a tampered tx recovers to another (empty) account, so it cannot spend alice\'s funds', () => {
    const tx = { ...transfer(alice, bob, 1n, 0), amount: 2n };
    const r = attempt(tx);
    // The recovered signer is an unknown account with nonce 0 and no balance.
    expect(r.code).toBe(TxErrorCode.INSUFFICIENT_BALANCE);
    expect(r.changed).toBe(false);
  });
});
