// The transaction pool. Rules:
// - every tx is checked on entry against the pending state: the head state plus the sender's
//   pooled txs before it, replayed in nonce order (balance for amount + fee + the account-creation
//   fee of a new recipient, bond for an Unbond, nonce), so a tx is pooled only if it would apply
//   after them (typed errors: TxError for consensus failures such as HIGH_S, WRONG_CHAIN,
//   BAD_NONCE, INSUFFICIENT_BALANCE, INSUFFICIENT_BOND; MempoolError for pool rules);
// - nonce ordering: an account's pooled txs have consecutive nonces starting at its head-state
//   nonce (a gap is refused: NONCE_GAP);
// - caps: at most `maxPerAccount` txs per sender and `maxTotal` in all; when full, a tx gets in
//   only by evicting the lowest-fee tx that is last in its account's queue (never leaving a gap)
//   and only if it pays a strictly higher fee;
// - replacement (same sender and nonce) only by a strictly higher fee;
// - on a head change the pool drops what the new state made invalid (included, nonce replayed,
//   unaffordable) and takes back the txs of abandoned blocks;
// - a tx that block assembly could not apply (its sender's state changed in a way the pool does
//   not see, e.g. a slashed bond) is evicted with its sender's later txs (evict()): it is tried once.
// - equivocation evidence is checked whole on entry (both header signatures, one ticket, two headers)
//   and refused when its offence is punished in the state already.
import { TxError, TxErrorCode, isTesseraError } from '../../consensus/errors.ts';
import { txHash } from '../../consensus/encoding/index.ts';
import { recoverTxSender } from '../../consensus/crypto/index.ts';
import { toHex, to0x } from '../../consensus/bytes.ts';
import { TypeTag, type Tx } from '../../consensus/types.ts';
import type { Logger } from '../log/logger.ts';
import { accountExists } from '../../vm/keys.ts';
import { bondKey, decodeAmount } from '../../vm/round/keys.ts';
import { checkEvidence, offenceKey } from '../../vm/tx/equivocation.ts';
import { MempoolError, MempoolErrorCode } from './errors.ts';

export interface AccountView {
  readonly balance: bigint;
  readonly nonce: number;
}
/** What the pool needs of a state: the vm's State satisfies it. */
export interface AccountReader {
  getAccount(address: Uint8Array): AccountView;
  /** Raw state reads (the bond of a sender); absent: nothing is bonded. */
  get?(key: Uint8Array): Uint8Array | undefined;
}

export interface MempoolOpts {
  chainId: number;
  minFee: bigint;
  /** The chain has training (Bond / Unbond exist); default false: they are refused (TX_NO_TRAINING). */
  training?: boolean;
  /** The chain's accountCreationFee (a transfer to a new account pays it); default 0. */
  accountCreationFee?: bigint;
  maxPerAccount?: number;
  maxTotal?: number;
}

export interface MempoolModules {
  logger: Logger;
  /**
   * The minFee in effect for the next block (governance may change it: paramsAt of the head);
   * absent: opts.minFee. A RegisterData tx pays it per sample, as the VM requires.
   */
  minFee?: () => bigint;
}

export interface PoolEntry {
  readonly tx: Tx;
  readonly hash: Uint8Array;
  readonly hashHex: string;
  readonly sender: Uint8Array;
  readonly senderHex: string;
  /** What the tx takes from the sender's balance (fee, plus the amount where it leaves the balance). */
  readonly cost: bigint;
}

export class Mempool {
  private readonly byHash = new Map<string, PoolEntry>();
  /** sender hex -> entries sorted by nonce, consecutive from the head-state nonce. */
  private readonly bySender = new Map<string, PoolEntry[]>();
  private readonly maxPerAccount: number;
  private readonly maxTotal: number;

  constructor(
    private readonly opts: MempoolOpts,
    private readonly modules: MempoolModules,
  ) {
    this.maxPerAccount = opts.maxPerAccount ?? 64;
    this.maxTotal = opts.maxTotal ?? 10_000;
  }

  get size(): number {
    return this.byHash.size;
  }

  has(hash: Uint8Array): boolean {
    return this.byHash.has(toHex(hash));
  }

  get(hash: Uint8Array): PoolEntry | undefined {
    return this.byHash.get(toHex(hash));
  }

  /** Every pooled tx, grouped by sender (sorted by address), each sender's in nonce order. */
  list(): PoolEntry[] {
    return [...this.bySender.keys()].sort().flatMap((k) => this.bySender.get(k)!);
  }

  /** Up to `max` txs for a block: each sender's in nonce order, senders interleaved by fee (highest first). */
  pending(max: number): Tx[] {
    const queues = [...this.bySender.values()].map((q) => ({ q, i: 0 }));
    const out: Tx[] = [];
    while (out.length < max) {
      let best: { q: PoolEntry[]; i: number } | undefined;
      for (const c of queues) if (c.i < c.q.length && (!best || c.q[c.i]!.tx.fee > best.q[best.i]!.tx.fee)) best = c;
      if (!best) break;
      out.push(best.q[best.i++]!.tx);
    }
    return out;
  }

  /**
   * Adds a tx checked against `state` (the head state). Returns its entry; throws TxError or
   * MempoolError. `replaced` is the hash of a tx it replaced, `evicted` of one it pushed out.
   */
  add(tx: Tx, state: AccountReader): { entry: PoolEntry; replaced?: Uint8Array; evicted?: Uint8Array } {
    return this.insert(this.entryOf(tx), state);
  }

  /** Stateless checks and the signature (cheapest first); the entry knows its sender. */
  private entryOf(tx: Tx): PoolEntry {
    const hash = txHash(tx);
    const hashHex = toHex(hash);
    if (this.byHash.has(hashHex)) throw new MempoolError(MempoolErrorCode.ALREADY_KNOWN, { txHash: '0x' + hashHex });
    if (tx.chainId !== this.opts.chainId) throw new TxError(TxErrorCode.WRONG_CHAIN, { txHash: hash, expected: this.opts.chainId, got: tx.chainId });
    const floor = this.feeFloor(tx);
    if (tx.fee < floor) throw new TxError(TxErrorCode.FEE_TOO_LOW, { txHash: hash, expected: floor, got: tx.fee });
    if ('amount' in tx && tx.amount === 0n) throw new TxError(TxErrorCode.ZERO_AMOUNT, { txHash: hash });
    if ((tx.type === TypeTag.Bond || tx.type === TypeTag.Unbond) && !this.opts.training) throw new TxError(TxErrorCode.NO_TRAINING, { txHash: hash });
    let sender: Uint8Array;
    try {
      sender = recoverTxSender(tx);
    } catch (e) {
      if (isTesseraError(e)) (e.context as { txHash?: Uint8Array }).txHash ??= hash;
      throw e;
    }
    if (tx.type === TypeTag.Equivocation) withTxHash(hash, () => checkEvidence(tx, this.opts.chainId));
    return { tx, hash, hashHex, sender, senderHex: toHex(sender), cost: balanceCost(tx) };
  }

  /** The least fee `tx` may pay now: minFee of the next block (per sample for RegisterData). */
  private feeFloor(tx: Tx): bigint {
    const minFee = this.modules.minFee?.() ?? this.opts.minFee;
    return tx.type === TypeTag.RegisterData ? minFee * BigInt(Math.max(1, tx.labels.length)) : minFee;
  }

  /** The state rules: nonce order, replacement, caps, balance. */
  private insert(entry: PoolEntry, state: AccountReader): { entry: PoolEntry; replaced?: Uint8Array; evicted?: Uint8Array } {
    const { tx, hash, hashHex, sender, senderHex } = entry;
    if (this.byHash.has(hashHex)) throw new MempoolError(MempoolErrorCode.ALREADY_KNOWN, { txHash: '0x' + hashHex });
    if (tx.type === TypeTag.Equivocation && state.get?.(offenceKey(tx.first)) !== undefined)
      throw new TxError(TxErrorCode.EVIDENCE_ALREADY_PUNISHED, { txHash: hash, address: tx.first.miner });
    const account = state.getAccount(sender);
    const queue = this.bySender.get(senderHex) ?? [];
    const next = account.nonce + queue.length;
    if (tx.nonce < account.nonce) throw new TxError(TxErrorCode.BAD_NONCE, { txHash: hash, address: sender, expected: account.nonce, got: tx.nonce });
    if (tx.nonce > next)
      throw new MempoolError(MempoolErrorCode.NONCE_GAP, { txHash: '0x' + hashHex, sender: to0x(sender), nonce: tx.nonce, expected: next });

    const slot = tx.nonce - account.nonce;
    const old = slot < queue.length ? queue[slot] : undefined;
    if (old && tx.fee <= old.tx.fee)
      throw new MempoolError(MempoolErrorCode.FEE_TOO_LOW_TO_REPLACE, { txHash: '0x' + hashHex, nonce: tx.nonce, fee: tx.fee, need: old.tx.fee + 1n });
    if (!old && queue.length >= this.maxPerAccount)
      throw new MempoolError(MempoolErrorCode.ACCOUNT_FULL, { txHash: '0x' + hashHex, sender: to0x(sender), limit: this.maxPerAccount });

    // the sender's queue up to this tx's slot, replayed on the head state, must leave this tx
    // applicable; with a replacement, every later tx must stay applicable too
    const seq = queue.slice();
    seq[slot] = entry;
    this.replay(seq, account, state, old ? seq.length : slot + 1);

    let evicted: PoolEntry | undefined;
    if (!old && this.byHash.size >= this.maxTotal) {
      evicted = this.cheapestTail(senderHex);
      if (!evicted || evicted.tx.fee >= tx.fee)
        throw new MempoolError(MempoolErrorCode.POOL_FULL, { txHash: '0x' + hashHex, limit: this.maxTotal, fee: tx.fee });
      this.removeTail(evicted);
    }
    if (old) {
      this.byHash.delete(old.hashHex);
      queue[slot] = entry;
    } else queue.push(entry);
    this.bySender.set(senderHex, queue);
    this.byHash.set(hashHex, entry);
    this.modules.logger.debug('tx pooled', { tx: '0x' + hashHex, sender: to0x(sender), nonce: tx.nonce, size: this.byHash.size });
    return { entry, ...(old ? { replaced: old.hash } : {}), ...(evicted ? { evicted: evicted.hash } : {}) };
  }

  /**
   * The head changed to `state`: every pooled tx and every tx of the abandoned blocks is
   * checked again against it, in nonce order per sender (pooled first on a tie); what the new
   * state includes, replays or cannot pay for is dropped. Returns how many pooled txs were
   * dropped and how many abandoned txs came back.
   */
  onHeadChange(state: AccountReader, abandoned: readonly Tx[] = []): { dropped: number; readded: number } {
    const old = [...this.byHash.values()];
    const back: PoolEntry[] = [];
    for (const tx of abandoned) {
      try {
        back.push(this.entryOf(tx));
      } catch {
        // already pooled, or no longer valid on its own (cannot happen for txs of a valid block)
      }
    }
    this.byHash.clear();
    this.bySender.clear();
    const all = [...old.map((e) => ({ e, pooled: 1 })), ...back.map((e) => ({ e, pooled: 0 }))];
    all.sort((a, b) => a.e.tx.nonce - b.e.tx.nonce || b.pooled - a.pooled);
    let kept = 0;
    let readded = 0;
    for (const { e, pooled } of all) {
      try {
        if (e.tx.fee < this.feeFloor(e.tx)) continue; // a governed minFee rise: not pooled any more
        this.insert(e, state);
        if (pooled) kept++;
        else readded++;
      } catch {
        // included or replayed on the new head, unaffordable, or behind a gap: not pooled
      }
    }
    const dropped = old.length - kept;
    if (dropped || readded) this.modules.logger.debug('mempool updated for new head', { dropped, readded, size: this.byHash.size });
    return { dropped, readded };
  }

  /**
   * Replays the first `upto` entries of a sender's queue (consecutive nonces from its head-state
   * nonce) on its head-state balance and bond; throws the TxError the first one that would fail
   * throws. A recipient the queue already paid is no longer new (no second creation fee).
   */
  private replay(seq: readonly PoolEntry[], account: AccountView, state: AccountReader, upto: number): void {
    const creationFee = this.opts.accountCreationFee ?? 0n;
    let balance = account.balance;
    const get = state.get?.bind(state);
    const raw = get && this.opts.training ? get(bondKey(seq[0]!.sender)) : undefined;
    let bond = raw ? decodeAmount(raw, 'bond') : 0n;
    const paid = new Set<string>();
    for (let i = 0; i < upto; i++) {
      const { tx, hash, sender } = seq[i]!;
      let cost = tx.fee;
      if (tx.type === TypeTag.Transfer) {
        cost += tx.amount;
        const to = toHex(tx.to);
        if (!paid.has(to) && !accountExists(state.getAccount(tx.to))) cost += creationFee;
        paid.add(to);
      } else if (tx.type === TypeTag.Bond) cost += tx.amount;
      if (balance < cost) throw new TxError(TxErrorCode.INSUFFICIENT_BALANCE, { txHash: hash, address: sender, expected: cost, got: balance });
      balance -= cost;
      if (tx.type === TypeTag.Bond) bond += tx.amount;
      else if (tx.type === TypeTag.Unbond) {
        if (bond < tx.amount) throw new TxError(TxErrorCode.INSUFFICIENT_BOND, { txHash: hash, address: sender, expected: tx.amount, got: bond });
        bond -= tx.amount;
      }
    }
  }

  /**
   * Removes a tx that could not be applied in block assembly, with its sender's later txs (they
   * would follow a nonce gap). Returns the hashes removed (none when it is not pooled).
   */
  evict(hash: Uint8Array): Uint8Array[] {
    const e = this.byHash.get(toHex(hash));
    if (!e) return [];
    const q = this.bySender.get(e.senderHex)!;
    const at = q.indexOf(e);
    const gone = q.splice(at);
    if (q.length === 0) this.bySender.delete(e.senderHex);
    for (const g of gone) this.byHash.delete(g.hashHex);
    this.modules.logger.debug('evicted txs that did not apply', { tx: '0x' + e.hashHex, removed: gone.length, size: this.byHash.size });
    return gone.map((g) => g.hash);
  }

  private cheapestTail(exceptSender: string): PoolEntry | undefined {
    let best: PoolEntry | undefined;
    for (const [s, q] of this.bySender) {
      if (s === exceptSender) continue;
      const tail = q[q.length - 1]!;
      if (!best || tail.tx.fee < best.tx.fee) best = tail;
    }
    return best;
  }

  private removeTail(e: PoolEntry): void {
    const q = this.bySender.get(e.senderHex)!;
    q.pop();
    if (q.length === 0) this.bySender.delete(e.senderHex);
    this.byHash.delete(e.hashHex);
  }
}

/** Balance a tx spends: transfers, bonds, royalties and deposits move `amount` out of the balance; the rest only pay their fee. */
function balanceCost(tx: Tx): bigint {
  switch (tx.type) {
    case TypeTag.Transfer:
    case TypeTag.Bond:
    case TypeTag.PayRoyalty:
    case TypeTag.Propose:
    case TypeTag.Deposit:
      return tx.amount + tx.fee;
    default:
      return tx.fee;
  }
}

/** Runs `f`, adding the tx hash to the context of a typed error it throws. */
function withTxHash(hash: Uint8Array, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (isTesseraError(e)) (e.context as { txHash?: Uint8Array }).txHash ??= hash;
    throw e;
  }
}
