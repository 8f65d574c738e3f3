/**
 * The ledger's purse: DEBIT (a signed receipt per use), GET LAST RECEIPT and LOAD (prepaid).
 * - DEBIT: funds/ceiling, balance or use, counter, the record written into the spare slot of the
 *   N+1-slot cyclic log, the newest-slot pointer and the "receipt pending"
 *   flag in ONE transaction. The receipt is signed over the committed record AFTER the commit, so
 *   a tear before the commit leaves nothing and no receipt can exist for it; a tear after the
 *   commit leaves the record with the flag set (GET INFO flags bit 0) and GET LAST RECEIPT
 *   re-signs it.
 * - Replay (issue 18): pay per use accepts each offer once. The offer's random is the card's
 *   one-use GET CHALLENGE value and the editor's signature covers it (and the date-time), so a
 *   DEBIT is accepted only with the challenge outstanding on this card now: none outstanding →
 *   6985, another one → LEDGER_REPLAYED. Any DEBIT that gets that far consumes the challenge, so
 *   a captured DEBIT APDU is refused forever, after any number of other debits, with nothing
 *   changed in persistent memory. The date-time is recorded, not ordered (a host clock may step
 *   back); the software interface refuses receipts for offers other than the one it issued last.
 * - LOAD is refused while any record is unexported; the issuer signs (card id, one-use card
 *   challenge, amount, load counter), the counter must be the next one (replay refused).
 */
import { SW } from '../../../apdu-specs/status-words.js';
import type { CommandSpec } from '../../../apdu-specs/types.js';
import { CardError, checkParams, equalBytes, readU16, readU32, writeU16, writeU32, type CommandApdu, type Reply } from '../../runtime/index.js';
import { CHALLENGE_LENGTH, DEBIT, REC, loadStatement, offerStatement, receiptDigest } from '../../protocol/ledger.js';
import { CONSENT, concat2, type LedgerCore } from './core.js';

function consentNeeded(core: LedgerCore, price: number): boolean {
  const m = core.consentMode.get();
  return m === CONSENT.always || (m === CONSENT.above && price > core.threshold.get());
}

export function debit(core: LedgerCore, a: CommandApdu, spec: CommandSpec): Reply {
  const d = a.data;
  if (d.length !== DEBIT.length) throw new CardError(SW.WRONG_LENGTH);
  checkParams(a, spec);
  const price = readU32(d, DEBIT.price);
  if (price === 0 || readU16(d, DEBIT.currency) !== core.currency.get()) throw new CardError(SW.WRONG_DATA);
  if (consentNeeded(core, price) && !core.code.isValidated) throw new CardError(core.code.blocked ? SW.AUTH_METHOD_BLOCKED : SW.SECURITY_STATUS_NOT_SATISFIED);
  const challenge = d.subarray(DEBIT.challenge, DEBIT.challenge + CHALLENGE_LENGTH);
  const outstanding = core.takeChallenge();
  if (outstanding === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first (a DEBIT answers one card challenge)');
  if (!equalBytes(outstanding, challenge)) throw new CardError(SW.LEDGER_REPLAYED, 'not the outstanding card challenge');
  const editorId = d.subarray(DEBIT.editorId, DEBIT.offerHash);
  const offer = offerStatement(editorId, d.subarray(DEBIT.offerHash, DEBIT.price), price, readU16(d, DEBIT.currency), challenge, readU32(d, DEBIT.dateTime));
  if (!core.verifyStatement(core.editorKeyOf(editorId) ?? core.editorKey.view(), offer, d.subarray(DEBIT.signature))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  const before = core.value.get();
  let after: number;
  if (core.p.mode === 'prepaid') {
    if (before < price) throw new CardError(SW.LEDGER_INSUFFICIENT_FUNDS);
    after = before - price;
  } else {
    if (before + price > core.limit.get()) throw new CardError(SW.LEDGER_CEILING_REACHED);
    after = before + price;
  }
  const tx = core.txCounter.get();
  if (tx - core.settled.get() >= core.p.logSize) throw new CardError(SW.LEDGER_LOG_NOT_EXPORTED, 'log full of unexported records');
  if (tx === 0xffffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'transaction counter exhausted');
  const rec = new Uint8Array(REC.length);
  rec.set(core.cardId.view(), REC.cardId);
  writeU32(rec, REC.counter, tx + 1);
  rec.set(d.subarray(0, DEBIT.price), REC.editorId); // editor id then offer hash: same order
  writeU32(rec, REC.price, price);
  writeU16(rec, REC.currency, core.currency.get());
  writeU32(rec, REC.before, before);
  writeU32(rec, REC.after, after);
  rec.set(challenge, REC.challenge);
  rec.set(d.subarray(DEBIT.dateTime, DEBIT.signature), REC.dateTime);
  const slot = (core.newest.get() + 1) % core.slots;
  core.ctx.beginTransaction();
  core.value.set(after);
  core.txCounter.set(tx + 1);
  core.log.setAt(slot * REC.length, rec);
  core.newest.set(slot);
  core.receiptPending.set(true);
  core.ctx.commitTransaction();
  // Committed: only now the receipt may exist.
  core.code.reset();
  const sig = core.sign(receiptDigest(rec));
  core.receiptPending.set(false);
  return { data: concat2(rec, sig) };
}

export function lastReceipt(core: LedgerCore): Reply {
  if (core.txCounter.get() === 0) throw new CardError(SW.RECORD_NOT_FOUND);
  const rec = core.recordAt(1);
  const sig = core.sign(receiptDigest(rec));
  if (core.receiptPending.get()) core.receiptPending.set(false);
  return { data: concat2(rec, sig) };
}

export function load(core: LedgerCore, a: CommandApdu, spec: CommandSpec): Reply {
  if (a.data.length !== 72) throw new CardError(SW.WRONG_LENGTH);
  checkParams(a, spec);
  if (core.p.mode !== 'prepaid') throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'LOAD is for prepaid cards');
  const amount = readU32(a.data, 0);
  const counter = readU32(a.data, 4);
  const challenge = core.takeChallenge();
  if (challenge === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
  if (core.txCounter.get() !== core.settled.get()) throw new CardError(SW.LEDGER_LOG_NOT_EXPORTED);
  if (counter !== core.loadCounter.get() + 1) throw new CardError(SW.LEDGER_REPLAYED, 'load counter is not the next one');
  if (!core.verifyStatement(core.issuerKey.view(), loadStatement(core.cardId.view(), challenge, amount, counter), a.data.subarray(8))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
  if (amount === 0) throw new CardError(SW.WRONG_DATA);
  const balance = core.value.get() + amount;
  if (balance > core.limit.get()) throw new CardError(SW.LEDGER_MAX_BALANCE);
  core.ctx.beginTransaction();
  core.value.set(balance);
  core.loadCounter.set(counter);
  core.ctx.commitTransaction();
  const o = new Uint8Array(4);
  writeU32(o, 0, balance);
  return { data: o };
}
