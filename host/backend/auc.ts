/**
 * The host AuC (3GPP TS 33.102 §6.3, Annex C): keeps each subscriber's keys and SQN_HE, makes 3G
 * authentication vectors (quintuplets) and 2G triplets, checks RES/SRES, and resynchronises
 * SQN_HE from an AUTS. SQN generation follows Annex C.1.1/C.3.2: SQN = SEQ || IND, SEQ_HE
 * incremented per vector and IND cycling through the 2^indBits array slots of the USIM.
 *
 * Identification bound to the network (issue 18, SFR seed JP 2000-69571): every RAND the AuC
 * issues (triplet, quintuplet) is remembered for its IMSI; verifying the card's answer to it
 * (verifyAnswer, or checkSres / checkRes / checkGsmContext on an issued vector) appends
 * "IMSI authenticated with RAND at T" to an audit log (identificationLog) with an expiry. A
 * payment server asks confirmIdentification(IMSI hash, RAND, context) before it accepts a record
 * that needs identification: a RAND the AuC never issued, an answer nobody verified, a mismatch
 * or an expired entry is refused with the reason.
 */
import {
  c2, c3, comp128v1, comp128v2, comp128v3, generateAuthVector, gsmMilenage, milenageAka, openAuts, sqnJoin, sqnSplit, sqnToBytes, xor2g, xor3gAka,
  SQN_DEFAULT_PARAMS, type AkaFunctions,
} from '../../card/algorithms/index.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../card/runtime/index.js';
import { imsiHash } from '../../card/protocol/index.js';
import type { SubscriberAuthentication } from '../../apdu-specs/session-facts.js';
import { CardforgeError } from '../errors.js';

export type Algorithm3g = 'milenage' | 'xor';
export type Algorithm2g = 'comp128v1' | 'comp128v2' | 'comp128v3' | 'gsm-milenage' | 'xor2g';

export interface SubscriberKeys {
  readonly imsi: string;
  readonly ki: Uint8Array;
  /** OPc (the AuC derives it from OP at provisioning). Needed for milenage and gsm-milenage. */
  readonly opc?: Uint8Array;
  readonly algorithm: Algorithm3g;
  readonly gsmAlgorithm: Algorithm2g;
  /** Highest SQN handed out so far (48 bits); the next vector uses a higher one. */
  readonly sqn?: number;
}

export interface Quintuplet {
  readonly rand: Uint8Array;
  readonly xres: Uint8Array;
  readonly ck: Uint8Array;
  readonly ik: Uint8Array;
  readonly autn: Uint8Array;
  readonly sqn: number;
}

export interface Triplet {
  readonly rand: Uint8Array;
  readonly sres: Uint8Array;
  readonly kc: Uint8Array;
}

/** One entry of the AuC's identification audit log. */
export interface IdentificationRecord {
  readonly imsi: string;
  /** SHA-256 of the IMSI digits (card/protocol imsiHash), hex: what a signed purchase record carries. */
  readonly imsiHash: string;
  /** The RAND the AuC issued, hex. */
  readonly rand: string;
  readonly context: SubscriberAuthentication;
  /** 'verified': the answer matched; 'mismatch': it did not (logged, never confirmed). */
  readonly outcome: 'verified' | 'mismatch';
  /** Milliseconds since the epoch (the AuC clock). */
  readonly at: number;
  /** Confirmations after this instant are refused. */
  readonly expiresAt: number;
}

export class AucError extends CardforgeError<'AUC_UNKNOWN_SUBSCRIBER' | 'AUC_BAD_AUTS' | 'AUC_CONFIG' | 'AUC_RAND_NOT_ISSUED' | 'AUC_NOT_CONFIRMED'> {
  constructor(code: AucError['code'], message: string) {
    super(code, message);
    this.name = 'AucError';
  }
}

interface Entry {
  keys: SubscriberKeys;
  aka: AkaFunctions;
  seq: number;
  ind: number;
}

export interface AucOptions {
  /** Source of RAND values (defaults to Web Crypto). */
  random?: (n: number) => Uint8Array;
  indBits?: number;
  /** AMF for generated vectors: the separation bit (bit 0) set as TS 33.102 Annex H asks. */
  amf?: Uint8Array;
  /** The AuC clock for the identification log (default Date.now). */
  now?: () => number;
  /** How long a verified identification can be confirmed (default 10 minutes). */
  identificationTtlMs?: number;
}

interface Issued {
  readonly imsi: string;
  readonly kind: 'triplet' | 'quintuplet';
  readonly expected: { readonly sres: Uint8Array; readonly res?: Uint8Array };
  answered: boolean;
}

export class AuC {
  private readonly subs = new Map<string, Entry>();
  private readonly random: (n: number) => Uint8Array;
  private readonly indBits: number;
  private readonly amf: Uint8Array;
  private readonly now: () => number;
  private readonly ttl: number;
  /** RANDs issued (hex → IMSI and the expected answers), until answered. */
  private readonly issued = new Map<string, Issued>();
  private readonly log: IdentificationRecord[] = [];

  constructor(opts: AucOptions = {}) {
    this.random = opts.random ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
    this.indBits = opts.indBits ?? SQN_DEFAULT_PARAMS.indBits;
    this.amf = opts.amf ?? hexToBytes('8000');
    this.now = opts.now ?? Date.now;
    this.ttl = opts.identificationTtlMs ?? 600_000;
    if (!Number.isInteger(this.ttl) || this.ttl < 1) throw new AucError('AUC_CONFIG', `"identificationTtlMs" expected a positive integer, got ${this.ttl}`);
  }

  addSubscriber(keys: SubscriberKeys): void {
    if ((keys.algorithm === 'milenage' || keys.gsmAlgorithm === 'gsm-milenage') && !keys.opc) {
      throw new AucError('AUC_CONFIG', `subscriber ${keys.imsi}: milenage needs OPc`);
    }
    const aka = keys.algorithm === 'milenage' ? milenageAka(keys.ki, keys.opc!) : xor3gAka(keys.ki);
    const { seq, ind } = sqnSplit(keys.sqn ?? 0, this.indBits);
    this.subs.set(keys.imsi, { keys, aka, seq, ind });
  }

  private entry(imsi: string): Entry {
    const e = this.subs.get(imsi);
    if (!e) throw new AucError('AUC_UNKNOWN_SUBSCRIBER', `no subscriber with IMSI ${imsi}`);
    return e;
  }

  /** Highest SQN handed out for the subscriber. */
  sqnOf(imsi: string): number {
    const e = this.entry(imsi);
    return sqnJoin(e.seq, e.ind, this.indBits);
  }

  /**
   * A fresh 3G authentication vector; SEQ_HE steps by one and IND moves to the next slot.
   * `sqn` forces a given SQN (tests, replaying a recorded vector) without moving SQN_HE.
   */
  quintuplet(imsi: string, opts: { rand?: Uint8Array; amf?: Uint8Array; sqn?: number } = {}): Quintuplet {
    const e = this.entry(imsi);
    let sqn: number;
    if (opts.sqn !== undefined) sqn = opts.sqn;
    else {
      e.seq += 1;
      e.ind = (e.ind + 1) % (1 << this.indBits);
      sqn = sqnJoin(e.seq, e.ind, this.indBits);
    }
    const rand = opts.rand ?? this.random(16);
    const v = generateAuthVector(e.aka, rand, sqnToBytes(sqn), opts.amf ?? this.amf);
    this.issued.set(bytesToHex(rand), { imsi, kind: 'quintuplet', expected: { sres: c2(v.xres), res: v.xres }, answered: false });
    return { ...v, sqn };
  }

  /** A 2G triplet with the subscriber's GSM algorithm. */
  triplet(imsi: string, opts: { rand?: Uint8Array } = {}): Triplet {
    const t = this.computeTriplet(imsi, opts.rand ?? this.random(16));
    this.issued.set(bytesToHex(t.rand), { imsi, kind: 'triplet', expected: { sres: t.sres }, answered: false });
    return t;
  }

  private computeTriplet(imsi: string, rand: Uint8Array): Triplet {
    const k = this.entry(imsi).keys;
    switch (k.gsmAlgorithm) {
      case 'comp128v1':
        return { rand, ...comp128v1(k.ki, rand) };
      case 'comp128v2':
        return { rand, ...comp128v2(k.ki, rand) };
      case 'comp128v3':
        return { rand, ...comp128v3(k.ki, rand) };
      case 'gsm-milenage':
        return { rand, ...gsmMilenage(k.ki, k.opc!, rand) };
      case 'xor2g':
        return { rand, ...xor2g(k.ki, rand) };
    }
  }

  /** The GSM context of a 3G vector (TS 33.102 §6.8.1.2): SRES = c2(XRES), Kc = c3(CK, IK). */
  static gsmContextOf(v: Quintuplet): { sres: Uint8Array; kc: Uint8Array } {
    return { sres: c2(v.xres), kc: c3(v.ck, v.ik) };
  }

  /** RES against XRES; when the AuC issued v, the outcome is logged (identification, '3g'). */
  checkRes(v: Quintuplet, res: Uint8Array): boolean {
    this.answerIfIssued(v.rand, res, '3g');
    return equalBytes(v.xres, res);
  }

  /** SRES against the triplet's; when the AuC issued t, the outcome is logged (identification, 'gsm'). */
  checkSres(t: Triplet, sres: Uint8Array): boolean {
    this.answerIfIssued(t.rand, sres, 'gsm');
    return equalBytes(t.sres, sres);
  }

  /** The GSM-context SRES (c2(XRES)) of a quintuplet; logged like checkRes ('gsm-context'). */
  checkGsmContext(v: Quintuplet, sres: Uint8Array): boolean {
    this.answerIfIssued(v.rand, sres, 'gsm-context');
    return equalBytes(c2(v.xres), sres);
  }

  private answerIfIssued(rand: Uint8Array, answer: Uint8Array, context: SubscriberAuthentication): void {
    const i = this.issued.get(bytesToHex(rand));
    if (i !== undefined && !i.answered && (i.kind === 'triplet') === (context === 'gsm')) this.verifyAnswer(i.imsi, rand, answer, context);
  }

  /**
   * The network's check of the card's answer to a RAND this AuC issued for `imsi`: SRES for a
   * triplet ('gsm'), RES ('3g') or c2(XRES) ('gsm-context') for a quintuplet. Each issued RAND is
   * answered once; the outcome (verified or mismatch) goes to the identification log.
   * AucError AUC_RAND_NOT_ISSUED when the RAND was never issued for this IMSI or was already answered.
   */
  verifyAnswer(imsi: string, rand: Uint8Array, answer: Uint8Array, context: SubscriberAuthentication): IdentificationRecord {
    const hex = bytesToHex(rand);
    const i = this.issued.get(hex);
    if (i === undefined || i.imsi !== imsi) throw new AucError('AUC_RAND_NOT_ISSUED', `RAND ${hex} was not issued by this AuC for IMSI ${imsi}`);
    if (i.answered) throw new AucError('AUC_RAND_NOT_ISSUED', `RAND ${hex} was already answered (one answer per issued RAND)`);
    if ((i.kind === 'triplet') !== (context === 'gsm')) throw new AucError('AUC_RAND_NOT_ISSUED', `RAND ${hex} was issued in a ${i.kind}, not for a ${context} authentication`);
    i.answered = true;
    const expected = context === '3g' ? i.expected.res! : i.expected.sres;
    const at = this.now();
    const rec: IdentificationRecord = {
      imsi, imsiHash: bytesToHex(imsiHash(imsi)), rand: hex, context, outcome: equalBytes(expected, answer) ? 'verified' : 'mismatch', at, expiresAt: at + this.ttl,
    };
    this.log.push(rec);
    return rec;
  }

  /** The identification audit log, oldest first. */
  identificationLog(): readonly IdentificationRecord[] {
    return this.log;
  }

  /**
   * Confirm that the subscriber with this IMSI hash was authenticated with this RAND (in this
   * context, when given) and that the entry has not expired. Returns the log entry, or throws
   * AucError AUC_NOT_CONFIRMED naming why (never issued, never answered, answer mismatch, another
   * IMSI, another context, expired).
   */
  confirmIdentification(imsiHashValue: Uint8Array, rand: Uint8Array, context?: SubscriberAuthentication): IdentificationRecord {
    const hex = bytesToHex(rand);
    const hash = bytesToHex(imsiHashValue);
    const no = (why: string): never => {
      throw new AucError('AUC_NOT_CONFIRMED', `no network identification for IMSI hash ${hash.slice(0, 16)}… with RAND ${hex}: ${why}`);
    };
    if (rand.length !== 16) no(`RAND expected 16 bytes, got ${rand.length}`);
    const issued = this.issued.get(hex);
    if (issued === undefined) no('the AuC never issued this RAND (host-chosen?)');
    if (!issued!.answered) no('the AuC issued this RAND but never verified an answer to it');
    const entries = this.log.filter((r) => r.rand === hex);
    const rec = entries[entries.length - 1]!;
    if (rec.imsiHash !== hash) no('the RAND was issued to another subscriber');
    if (rec.outcome !== 'verified') no('the card\'s answer did not match (SRES/RES mismatch)');
    if (context !== undefined && rec.context !== context) no(`verified in the ${rec.context} context, the card claims ${context}`);
    if (this.now() > rec.expiresAt) no(`the identification expired at ${new Date(rec.expiresAt).toISOString()}`);
    return rec;
  }

  /**
   * Resynchronisation (TS 33.102 §6.3.5): recover SQN_MS from AUTS with the RAND of the rejected
   * vector; when MAC-S verifies, SQN_HE is set to SQN_MS so the next vector is fresh for the USIM.
   */
  resync(imsi: string, rand: Uint8Array, auts: Uint8Array): number {
    const e = this.entry(imsi);
    const opened = openAuts(e.aka, rand, auts);
    if (!opened.macOk) throw new AucError('AUC_BAD_AUTS', `subscriber ${imsi}: MAC-S of AUTS does not verify; SQN_HE unchanged`);
    const { seq, ind } = sqnSplit(opened.sqnMsValue, this.indBits);
    e.seq = seq;
    e.ind = ind;
    return opened.sqnMsValue;
  }
}
