/**
 * The wallet's purse (SFR seed 000): PAY, GET LAST RECEIPT and LOAD, plus GET INFO, the public key
 * and the LOAD challenge.
 * - PAY: the subscriber must have been authenticated by the SIM in this session (the SIM-owned
 *   session fact SUBSCRIBER_AUTHENTICATED; 6982 otherwise): the wallet belongs to the subscriber
 *   whose IMSI hash it stores, and every receipt carries that hash. The card decides the path:
 *   amount ≤ threshold → the purse; above → WALLET_USE_PAYMENT_CARD, nothing changed (the
 *   terminal asks the payment applet's SIGN TRANSACTION: the credit card).
 * - Atomicity: balance, counter, the record and the "receipt pending" flag in ONE transaction;
 *   the receipt is signed over the committed record AFTER the commit, so a tear before the commit
 *   leaves nothing and no receipt can exist for it; a tear after it leaves the record with the
 *   flag set (GET INFO flags bit 0) and GET LAST RECEIPT re-signs it.
 * - Replay: a PAY with the host challenge of the last committed payment is refused
 *   (WALLET_REPLAYED): a terminal retrying after a lost answer asks GET LAST RECEIPT instead.
 * - LOAD: the issuer signs (wallet id, one-use card challenge, amount, load counter); the counter
 *   must be the next one (WALLET_REPLAYED), so a captured LOAD never credits twice.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { SESSION_FACTS } from '../../../apdu-specs/session-facts.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { bytesToHex, CardError, checkParams, equalBytes, readU16, readU32, writeU16, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { PAY, WALLET_CHALLENGE_LENGTH, WALLET_FLAG, WALLET_LOAD, WINFO, WREC, walletLoadStatement, walletReceiptDigest } from '../../protocol/wallet.js';
import type { WalletCore } from './core.js';

function receipt(core: WalletCore, rec: Uint8Array): Uint8Array {
  const o = new Uint8Array(rec.length + 64);
  o.set(rec);
  o.set(core.sign(walletReceiptDigest(rec)), rec.length);
  return o;
}

export function pay(core: WalletCore, a: CommandApdu, spec: CommandSpec): Reply {
  const d = a.data;
  if (d.length !== PAY.length) throw new CardError(SW.WRONG_LENGTH);
  checkParams(a, spec);
  if (core.ctx.session.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED) === undefined) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'subscriber not authenticated in this session');
  // The subscriber the SIM authenticated must be the one this wallet belongs to (seed 000: tied to the IMSI).
  if (core.ctx.session.get(SESSION_FACTS.SUBSCRIBER_IMSI_HASH) !== bytesToHex(core.imsiHash.view())) {
    throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'the subscriber authenticated in this session is not the wallet\'s');
  }
  const amount = readU32(d, PAY.amount);
  if (amount === 0 || readU16(d, PAY.currency) !== core.currency.get()) throw new CardError(SW.WRONG_DATA, 'amount 0 or another currency');
  if (amount > core.threshold.get()) throw new CardError(SW.WALLET_USE_PAYMENT_CARD, 'above the purse threshold: pay by card');
  const hostChallenge = d.subarray(PAY.hostChallenge, PAY.length);
  const tx = core.txCounter.get();
  if (tx > 0 && equalBytes(core.last.view().subarray(WREC.hostChallenge, WREC.imsiHash), hostChallenge)) throw new CardError(SW.WALLET_REPLAYED, 'host challenge of the last payment');
  const before = core.balance.get();
  if (before < amount) throw new CardError(SW.WALLET_INSUFFICIENT_FUNDS);
  if (tx === 0xffffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'transaction counter exhausted');
  const rec = new Uint8Array(WREC.length);
  rec.set(core.walletId.view(), WREC.walletId);
  writeU32(rec, WREC.counter, tx + 1);
  writeU32(rec, WREC.amount, amount);
  writeU16(rec, WREC.currency, core.currency.get());
  rec.set(d.subarray(PAY.merchantId, PAY.hostChallenge), WREC.merchantId);
  writeU32(rec, WREC.before, before);
  writeU32(rec, WREC.after, before - amount);
  rec.set(hostChallenge, WREC.hostChallenge);
  rec.set(core.imsiHash.view(), WREC.imsiHash);
  core.ctx.beginTransaction();
  core.balance.set(before - amount);
  core.txCounter.set(tx + 1);
  core.last.set(rec);
  core.receiptPending.set(true);
  core.ctx.commitTransaction();
  // Committed: only now the receipt may exist.
  const out = receipt(core, rec);
  core.receiptPending.set(false);
  return { data: out };
}

export function lastReceipt(core: WalletCore): Reply {
  if (core.txCounter.get() === 0) throw new CardError(SW.RECORD_NOT_FOUND);
  const out = receipt(core, core.last.get());
  if (core.receiptPending.get()) core.receiptPending.set(false);
  return { data: out };
}

export function load(core: WalletCore, a: CommandApdu, spec: CommandSpec): Reply {
  if (a.data.length !== WALLET_LOAD.length) throw new CardError(SW.WRONG_LENGTH);
  checkParams(a, spec);
  const amount = readU32(a.data, WALLET_LOAD.amount);
  const counter = readU32(a.data, WALLET_LOAD.loadCounter);
  const challenge = core.takeChallenge();
  if (challenge === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
  if (counter !== core.loadCounter.get() + 1) throw new CardError(SW.WALLET_REPLAYED, 'load counter is not the next one');
  const signed = walletLoadStatement(core.walletId.view(), challenge, amount, counter);
  if (!core.verifyStatement(core.issuerKey.view(), signed, a.data.subarray(WALLET_LOAD.signature))) throw new CardError(SW.WALLET_BAD_SIGNATURE);
  if (amount === 0) throw new CardError(SW.WRONG_DATA);
  const balance = core.balance.get() + amount;
  if (balance > core.maxBalance.get()) throw new CardError(SW.WALLET_MAX_BALANCE);
  core.ctx.beginTransaction();
  core.balance.set(balance);
  core.loadCounter.set(counter);
  core.ctx.commitTransaction();
  const o = new Uint8Array(4);
  writeU32(o, 0, balance);
  return { data: o };
}

export function info(core: WalletCore): Reply {
  const o = new Uint8Array(WINFO.length);
  o.set(core.walletId.view(), WINFO.walletId);
  writeU16(o, WINFO.currency, core.currency.get());
  writeU32(o, WINFO.balance, core.balance.get());
  writeU32(o, WINFO.threshold, core.threshold.get());
  writeU32(o, WINFO.maxBalance, core.maxBalance.get());
  writeU32(o, WINFO.txCounter, core.txCounter.get());
  writeU32(o, WINFO.loadCounter, core.loadCounter.get());
  o[WINFO.flags] = core.receiptPending.get() ? WALLET_FLAG.receiptPending : 0;
  return { data: o };
}

export function publicKey(core: WalletCore): Reply {
  return { data: core.publicKey.get() };
}

export function challenge(core: WalletCore): Reply {
  const o = new Uint8Array(WALLET_CHALLENGE_LENGTH + 4);
  o.set(core.challenge.issue());
  writeU32(o, WALLET_CHALLENGE_LENGTH, (core.loadCounter.get() + 1) >>> 0);
  return { data: o };
}
