/**
 * Ledger applet: prepaid purse or postpaid usage meter with signed receipts (France Telecom
 * WO 00/63859: the card "updates the file, and only then" releases the payment proof), authorised
 * reloads, a cyclic usage log exported to and acknowledged by the payment server, and e-tickets
 * (tickets.ts). Commands: apdu-specs/ledger.ts; layouts and signed messages: card/protocol/ledger.ts.
 *
 * Atomicity (every state change is one JC transaction or one atomic write):
 * - DEBIT: funds/ceiling, balance or use, counter, the record written into the spare slot of the
 *   N+1-slot cyclic log, the newest-slot pointer, the host-random window and the "receipt pending"
 *   flag in ONE transaction. The receipt is signed over the committed record AFTER the commit, so
 *   a tear before the commit leaves nothing and no receipt can exist for it; a tear after the
 *   commit leaves the record with the flag set (GET INFO flags bit 0) and GET LAST RECEIPT
 *   re-signs it.
 * - Replay: a host random equal to one of the last K accepted ones is refused (LEDGER_REPLAYED);
 *   the date-time is recorded, not ordered (a host clock may step back); the software interface
 *   refuses receipts for offers other than the one it issued last.
 * - LOAD is refused while any record is unexported; the issuer signs (card id, one-use card
 *   challenge, amount, load counter), the counter must be the next one (replay refused).
 *
 * Advice of Charge: the SIM applet's EF_ACM / EF_ACMmax (TS 51.011 §10.3.6, INCREASE) is the
 * telephone-card meter: it counts call units in the handset's trust, without receipts. This
 * ledger is the same idea with proof: postpaid mode ~ ACM (cumulative use) with ceiling ~ ACMmax,
 * prepaid mode ~ a telephone card whose units go down; each unit is a signed record. A phone can
 * meter a call on both: ACM INCREASE per tick and one ledger DEBIT per charged unit, priced
 * units × EF_PUCT (EPPU · 10^EX in the currency's minor units), with the ceiling = ACMmax × that
 * price so both stop at the same tick (9850 / LEDGER_CEILING_REACHED):
 * test/applets/joint-aoc-ledger.test.ts.
 */
import { LEDGER_COMMANDS } from '../../../apdu-specs/ledger.js';
import { PERSONALIZATION_COMMANDS } from '../../../apdu-specs/personalization.js';
import { SW } from '../../../apdu-specs/status-words.js';
import {
  Applet, CardError, CommandTable, OwnerPin, equalBytes, triesLeft, readU16, readU32, writeU16, writeU32,
  type AppletContext, type AppletParams, type CommandApdu, type PBool, type PBytes, type PU16, type PU32, type PU8, type Reply,
} from '../../runtime/index.js';
import { bytesToBig, publicKeyOf, scalarFromSeed, signDigest, verifyDigest } from '../../algorithms/p256.js';
import {
  ackDigest, certDigest, exportDigest, loadDigest, offerDigest, receiptDigest, recordsDigest, CARD_ID_LENGTH, CHALLENGE_LENGTH, DEBIT, FLAG, INFO, RANDOM_LENGTH, REC,
} from '../../protocol/ledger.js';
import { checkParams, checkPersonalization } from './params.js';
import { Tickets } from './tickets.js';
import { isLedgerFactory, LedgerStoreData, untilLedgerPersonalized } from './store-data.js';
import { CODE_MAX_LENGTH, type LedgerParams } from './types.js';

const CONSENT = { none: 0, always: 1, above: 2 } as const;

export class LedgerApplet extends Applet {
  static readonly type = 'cardforge.ledger';
  override readonly extendedLength = true;
  private readonly p: LedgerParams;
  private readonly slots: number;
  private readonly cardId: PBytes;
  private readonly currency: PU16;
  private readonly limit: PU32;
  private readonly value: PU32;
  private readonly txCounter: PU32;
  private readonly loadCounter: PU32;
  private readonly exportCounter: PU32;
  private readonly settled: PU32;
  private readonly log: PBytes;
  private readonly newest: PU8;
  private readonly randoms: PBytes;
  private readonly randomNext: PU8;
  private readonly receiptPending: PBool;
  private readonly exportPending: PBool;
  private readonly pendingLast: PU32;
  private readonly pendingAmount: PU32;
  private readonly pendingDigest: PBytes;
  private readonly editorKey: PBytes;
  private readonly issuerKey: PBytes;
  private readonly serverKey: PBytes;
  private readonly privateKey: PBytes;
  private readonly publicKey: PBytes;
  private readonly cert: PBytes;
  private readonly certified: PBool;
  private readonly consentMode: PU8;
  private readonly threshold: PU32;
  private readonly code: OwnerPin;
  private readonly challenge: Uint8Array;
  private readonly offerMemo: Uint8Array;
  private readonly tickets: Tickets;
  /** PERSO_STORE_DATA and the blank state (store-data.ts, issue 8). */
  private readonly perso: LedgerStoreData;

  readonly commands = new CommandTable([...LEDGER_COMMANDS, ...PERSONALIZATION_COMMANDS], untilLedgerPersonalized(() => this.perso, {
    LEDGER_VERIFY_CODE: (a) => this.verifyCode(a),
    LEDGER_READ_RECORD: (a) => this.readRecord(a),
    LEDGER_GET_INFO: () => this.info(),
    LEDGER_GET_PUBLIC_KEY: () => ({ data: this.publicKey.get() }),
    LEDGER_PUT_CERTIFICATE: (a) => this.putCertificate(a),
    LEDGER_GET_CERTIFICATE: () => this.getCertificate(),
    LEDGER_GET_CHALLENGE: () => this.getChallenge(),
    LEDGER_DEBIT: (a) => this.debit(a),
    LEDGER_GET_LAST_RECEIPT: () => this.lastReceipt(),
    LEDGER_LOAD: (a) => this.load(a),
    LEDGER_EXPORT_LOG: () => this.exportLog(),
    LEDGER_ACK_EXPORT: (a) => this.ackExport(a),
    LEDGER_ISSUE_TICKET: (a) => this.tickets.issue(a),
    LEDGER_VALIDATE_TICKET: (a) => this.tickets.validate(a),
    LEDGER_REFUND_TICKET: (a) => this.tickets.refund(a),
    LEDGER_READ_TICKET: (a) => this.tickets.read(a),
    LEDGER_GET_TRANSFER_NONCE: () => this.tickets.nonce(),
    LEDGER_TRANSFER_OUT: (a) => this.tickets.transferOut(a),
    LEDGER_TRANSFER_IN: (a) => this.tickets.transferIn(a),
  }));

  constructor(ctx: AppletContext, params: AppletParams) {
    super(ctx, params);
    this.p = checkParams(params);
    this.slots = this.p.logSize + 1;
    const s = ctx.persistent;
    this.cardId = s.bytes('cardId', CARD_ID_LENGTH);
    this.currency = s.u16('currency');
    this.limit = s.u32('limit');
    this.value = s.u32('value');
    this.txCounter = s.u32('txCounter');
    this.loadCounter = s.u32('loadCounter');
    this.exportCounter = s.u32('exportCounter');
    this.settled = s.u32('settled');
    this.log = s.bytes('log', this.slots * REC.length);
    this.newest = s.u8('newest');
    this.randoms = s.bytes('randoms', this.p.replayWindow * RANDOM_LENGTH);
    this.randomNext = s.u8('randomNext');
    this.receiptPending = s.bool('receiptPending');
    this.exportPending = s.bool('exportPending');
    this.pendingLast = s.u32('pendingLast');
    this.pendingAmount = s.u32('pendingAmount');
    this.pendingDigest = s.bytes('pendingDigest', 32);
    this.editorKey = s.bytes('editorKey', 65);
    this.issuerKey = s.bytes('issuerKey', 65);
    this.serverKey = s.bytes('serverKey', 65);
    this.privateKey = s.bytes('privateKey', 32);
    this.publicKey = s.bytes('publicKey', 65);
    this.cert = s.bytes('certificate', 64);
    this.certified = s.bool('certified');
    this.consentMode = s.u8('consentMode');
    this.threshold = s.u32('threshold');
    this.code = new OwnerPin(s, ctx.transient, 'paymentCode', { tryLimit: 3, maxLength: CODE_MAX_LENGTH });
    // RAM: [0] = 1 while the challenge is unused, [1..17) the challenge.
    this.challenge = ctx.transient.bytes('challenge', 1 + CHALLENGE_LENGTH);
    // RAM: [0] = 1 when [1..33) offer digest and [33..97) its signature verified with the editor key.
    this.offerMemo = ctx.transient.bytes('offerMemo', 1 + 32 + 64);
    this.tickets = new Tickets(ctx, this.p.ticketSlots, {
      cardId: () => this.cardId.view(),
      publicKey: () => this.publicKey.view(),
      issuerKey: () => this.issuerKey.view(),
      certificate: () => (this.certified.get() ? this.cert.view() : undefined),
      sign: (digest) => this.sign(digest),
      privateScalar: () => bytesToBig(this.privateKey.view()),
      takeChallenge: () => this.takeChallenge(),
    });
    this.perso = new LedgerStoreData(ctx, {
      mode: this.p.mode, cardId: this.cardId, currency: this.currency, limit: this.limit, value: this.value, editorKey: this.editorKey, issuerKey: this.issuerKey,
      serverKey: this.serverKey, consentMode: this.consentMode, threshold: this.threshold, code: this.code, generateKeys: () => this.generateKeys(),
    });
  }

  private generateKeys(): void {
    // The card's own key pair, generated here and never readable (FIPS 186-5 A.2.1).
    const d = scalarFromSeed(this.ctx.rng.fill(new Uint8Array(48)));
    this.privateKey.set(bytes32(d));
    this.publicKey.set(publicKeyOf(d));
  }

  override install(personalization: unknown): void {
    // Blank (issue 8): layout only; PERSO_STORE_DATA personalizes it and generates the keys.
    if (isLedgerFactory(personalization)) return this.perso.factory();
    this.generateKeys();
    // Installed without values (e.g. an empty image): all keys zero, so every signed command is
    // refused (LEDGER_BAD_SIGNATURE) until the card is personalized.
    if (typeof personalization === 'object' && personalization !== null && Object.keys(personalization).length === 0) return;
    const v = checkPersonalization(personalization, this.p.mode);
    this.cardId.set(v.cardId);
    this.currency.set(v.currency);
    this.limit.set(v.limit);
    this.value.set(this.p.mode === 'prepaid' ? (v.initialBalance ?? 0) : 0);
    this.editorKey.set(v.editorRootKey);
    this.issuerKey.set(v.issuerKey);
    this.serverKey.set(v.serverKey);
    const c = v.consent ?? { mode: 'none' as const };
    this.consentMode.set(CONSENT[c.mode]);
    this.threshold.set(c.threshold ?? 0);
    if (c.code !== undefined) this.code.update(c.code);
  }

  private sign(digest: Uint8Array): Uint8Array {
    return signDigest(bytesToBig(this.privateKey.view()), digest, this.ctx.rng.fill(new Uint8Array(16)));
  }

  private info(): Reply {
    const o = new Uint8Array(INFO.length);
    o.set(this.cardId.view(), INFO.cardId);
    o[INFO.mode] = this.p.mode === 'prepaid' ? 1 : 2;
    writeU16(o, INFO.currency, this.currency.get());
    writeU32(o, INFO.value, this.value.get());
    writeU32(o, INFO.limit, this.limit.get());
    writeU32(o, INFO.txCounter, this.txCounter.get());
    writeU32(o, INFO.loadCounter, this.loadCounter.get());
    writeU32(o, INFO.exportCounter, this.exportCounter.get());
    writeU32(o, INFO.settled, this.settled.get());
    o[INFO.flags] =
      (this.receiptPending.get() ? FLAG.receiptPending : 0) | (this.exportPending.get() ? FLAG.exportPending : 0) |
      (this.certified.get() ? FLAG.certified : 0) | this.tickets.flags();
    o[INFO.logSize] = this.p.logSize;
    o[INFO.ticketSlots] = this.p.ticketSlots;
    return { data: o };
  }

  private verifyCode(a: CommandApdu): Reply {
    if (a.p1 !== 0x00 || a.p2 !== 0x81) throw new CardError(SW.INCORRECT_P1P2);
    if (!this.code.initialised) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no payment code configured');
    if (this.code.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    if (a.apduCase === 1) {
      if (this.code.isValidated) return {};
      throw triesLeft(this.code.triesRemaining);
    }
    if (this.code.check(a.data)) return {};
    const left = this.code.triesRemaining;
    if (left === 0) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    throw triesLeft(left);
  }

  private recordAt(n: number): Uint8Array {
    const slot = (this.newest.get() - (n - 1) + this.slots * 2) % this.slots;
    return this.log.read(slot * REC.length, REC.length);
  }

  private readRecord(a: CommandApdu): Reply {
    if (a.p2 !== 0x04) throw new CardError(SW.INCORRECT_P1P2);
    const available = Math.min(this.txCounter.get(), this.p.logSize);
    if (a.p1 < 1 || a.p1 > available) throw new CardError(SW.RECORD_NOT_FOUND);
    return { data: this.recordAt(a.p1) };
  }

  private putCertificate(a: CommandApdu): Reply {
    if (a.data.length !== 64) throw new CardError(SW.WRONG_LENGTH);
    if (this.certified.get()) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'certificate already stored');
    if (!verifyDigest(this.issuerKey.view(), certDigest(this.cardId.view(), this.publicKey.view()), a.data)) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    this.ctx.beginTransaction();
    this.cert.set(a.data);
    this.certified.set(true);
    this.ctx.commitTransaction();
    return {};
  }

  private getCertificate(): Reply {
    if (!this.certified.get()) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
    const o = new Uint8Array(8 + 65 + 64);
    o.set(this.cardId.view());
    o.set(this.publicKey.view(), 8);
    o.set(this.cert.view(), 73);
    return { data: o };
  }

  private getChallenge(): Reply {
    this.ctx.rng.fill(this.challenge.subarray(1));
    this.challenge[0] = 1;
    const o = new Uint8Array(CHALLENGE_LENGTH + 4);
    o.set(this.challenge.subarray(1));
    writeU32(o, CHALLENGE_LENGTH, (this.loadCounter.get() + 1) >>> 0);
    return { data: o };
  }

  /** The one-use challenge, consumed; undefined if none was issued since the last use/reset. */
  private takeChallenge(): Uint8Array | undefined {
    if (this.challenge[0] !== 1) return undefined;
    this.challenge[0] = 0;
    return this.challenge.slice(1);
  }

  private consentNeeded(price: number): boolean {
    const m = this.consentMode.get();
    return m === CONSENT.always || (m === CONSENT.above && price > this.threshold.get());
  }

  private randomSeen(r: Uint8Array): boolean {
    const w = this.randoms.view();
    for (let off = 0; off < w.length; off += RANDOM_LENGTH) if (equalBytes(w.subarray(off, off + RANDOM_LENGTH), r)) return true;
    return false;
  }

  /**
   * The editor signature check, memoised in RAM for the last verified (offer, signature): the
   * same offer paid again (pay per use) costs one signature, not two. Sound because the editor
   * key is fixed at personalization and a signature that verified once always verifies; the memo
   * holds the exact digest and signature bytes, compared in full, and is cleared by reset.
   */
  private offerVerified(digest: Uint8Array, sig: Uint8Array): boolean {
    const m = this.offerMemo;
    if (m[0] === 1 && equalBytes(m.subarray(1, 33), digest) && equalBytes(m.subarray(33), sig)) return true;
    if (!verifyDigest(this.editorKey.view(), digest, sig)) return false;
    m.set(digest, 1);
    m.set(sig, 33);
    m[0] = 1;
    return true;
  }

  private debit(a: CommandApdu): Reply {
    const d = a.data;
    if (d.length !== DEBIT.length) throw new CardError(SW.WRONG_LENGTH);
    if (a.p1 !== 0 || a.p2 !== 0) throw new CardError(SW.INCORRECT_P1P2);
    const price = readU32(d, DEBIT.price);
    if (price === 0 || readU16(d, DEBIT.currency) !== this.currency.get()) throw new CardError(SW.WRONG_DATA);
    const hostRandom = d.subarray(DEBIT.hostRandom, DEBIT.hostRandom + RANDOM_LENGTH);
    if (this.randomSeen(hostRandom)) throw new CardError(SW.LEDGER_REPLAYED, 'host random already used');
    if (this.consentNeeded(price) && !this.code.isValidated) throw new CardError(this.code.blocked ? SW.AUTH_METHOD_BLOCKED : SW.SECURITY_STATUS_NOT_SATISFIED);
    const digest = offerDigest(d.subarray(0, 4), d.subarray(DEBIT.offerHash, DEBIT.price), d.subarray(DEBIT.price, DEBIT.currency), d.subarray(DEBIT.currency, DEBIT.hostRandom));
    if (!this.offerVerified(digest, d.subarray(DEBIT.signature))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    const before = this.value.get();
    let after: number;
    if (this.p.mode === 'prepaid') {
      if (before < price) throw new CardError(SW.LEDGER_INSUFFICIENT_FUNDS);
      after = before - price;
    } else {
      if (before + price > this.limit.get()) throw new CardError(SW.LEDGER_CEILING_REACHED);
      after = before + price;
    }
    const tx = this.txCounter.get();
    if (tx - this.settled.get() >= this.p.logSize) throw new CardError(SW.LEDGER_LOG_NOT_EXPORTED, 'log full of unexported records');
    if (tx === 0xffffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'transaction counter exhausted');
    const rec = new Uint8Array(REC.length);
    rec.set(this.cardId.view(), REC.cardId);
    writeU32(rec, REC.counter, tx + 1);
    rec.set(d.subarray(0, DEBIT.price), REC.editorId); // editor id then offer hash: same order
    writeU32(rec, REC.price, price);
    writeU16(rec, REC.currency, this.currency.get());
    writeU32(rec, REC.before, before);
    writeU32(rec, REC.after, after);
    rec.set(hostRandom, REC.hostRandom);
    rec.set(d.subarray(DEBIT.dateTime, DEBIT.signature), REC.dateTime);
    const slot = (this.newest.get() + 1) % this.slots;
    const ri = this.randomNext.get();
    this.ctx.beginTransaction();
    this.value.set(after);
    this.txCounter.set(tx + 1);
    this.log.setAt(slot * REC.length, rec);
    this.newest.set(slot);
    this.randoms.setAt(ri * RANDOM_LENGTH, hostRandom);
    this.randomNext.set((ri + 1) % this.p.replayWindow);
    this.receiptPending.set(true);
    this.ctx.commitTransaction();
    // Committed: only now the receipt may exist.
    this.code.reset();
    const sig = this.sign(receiptDigest(rec));
    this.receiptPending.set(false);
    return { data: concat2(rec, sig) };
  }

  private lastReceipt(): Reply {
    if (this.txCounter.get() === 0) throw new CardError(SW.RECORD_NOT_FOUND);
    const rec = this.recordAt(1);
    const sig = this.sign(receiptDigest(rec));
    if (this.receiptPending.get()) this.receiptPending.set(false);
    return { data: concat2(rec, sig) };
  }

  private load(a: CommandApdu): Reply {
    if (a.data.length !== 72) throw new CardError(SW.WRONG_LENGTH);
    if (a.p1 !== 0 || a.p2 !== 0) throw new CardError(SW.INCORRECT_P1P2);
    if (this.p.mode !== 'prepaid') throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'LOAD is for prepaid cards');
    const amount = readU32(a.data, 0);
    const counter = readU32(a.data, 4);
    const challenge = this.takeChallenge();
    if (challenge === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
    if (this.txCounter.get() !== this.settled.get()) throw new CardError(SW.LEDGER_LOG_NOT_EXPORTED);
    if (counter !== this.loadCounter.get() + 1) throw new CardError(SW.LEDGER_REPLAYED, 'load counter is not the next one');
    if (!verifyDigest(this.issuerKey.view(), loadDigest(this.cardId.view(), challenge, amount, counter), a.data.subarray(8))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    if (amount === 0) throw new CardError(SW.WRONG_DATA);
    const balance = this.value.get() + amount;
    if (balance > this.limit.get()) throw new CardError(SW.LEDGER_MAX_BALANCE);
    this.ctx.beginTransaction();
    this.value.set(balance);
    this.loadCounter.set(counter);
    this.ctx.commitTransaction();
    const o = new Uint8Array(4);
    writeU32(o, 0, balance);
    return { data: o };
  }

  private exportLog(): Reply {
    const last = this.txCounter.get();
    const first = this.settled.get() + 1;
    if (last < first) throw new CardError(SW.RECORD_NOT_FOUND, 'nothing to export');
    const records: Uint8Array[] = [];
    let amount = 0;
    for (let c = first; c <= last; c++) {
      const r = this.recordAt(last - c + 1);
      records.push(r);
      amount += readU32(r, REC.price);
    }
    if (amount > 0xffffffff) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'export amount overflows');
    const digest = recordsDigest(records);
    const ec = this.exportCounter.get() + 1;
    this.ctx.beginTransaction();
    this.exportCounter.set(ec);
    this.exportPending.set(true);
    this.pendingLast.set(last);
    this.pendingAmount.set(amount);
    this.pendingDigest.set(digest);
    this.ctx.commitTransaction();
    const o = new Uint8Array(48);
    writeU32(o, 0, ec);
    writeU32(o, 4, first);
    writeU32(o, 8, last);
    writeU32(o, 12, amount);
    o.set(digest, 16);
    return { data: concat2(o, this.sign(exportDigest(this.cardId.view(), ec, first, last, amount, digest))) };
  }

  private ackExport(a: CommandApdu): Reply {
    if (a.data.length !== 72) throw new CardError(SW.WRONG_LENGTH);
    if (a.p1 !== 0 || a.p2 !== 0) throw new CardError(SW.INCORRECT_P1P2);
    const ec = readU32(a.data, 0);
    const last = readU32(a.data, 4);
    if (!this.exportPending.get() || ec !== this.exportCounter.get()) throw new CardError(SW.LEDGER_REPLAYED, 'no such pending export');
    if (last !== this.pendingLast.get()) throw new CardError(SW.WRONG_DATA);
    if (!verifyDigest(this.serverKey.view(), ackDigest(this.cardId.view(), ec, last, this.pendingDigest.view()), a.data.subarray(8))) throw new CardError(SW.LEDGER_BAD_SIGNATURE);
    this.ctx.beginTransaction();
    this.settled.set(last);
    this.exportPending.set(false);
    if (this.p.mode === 'postpaid') this.value.set(this.value.get() - this.pendingAmount.get());
    this.ctx.commitTransaction();
    return {};
  }
}

function bytes32(d: bigint): Uint8Array {
  const o = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, d >>= 8n) o[i] = Number(d & 0xffn);
  return o;
}

function concat2(a: Uint8Array, b: Uint8Array): Uint8Array {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
}
