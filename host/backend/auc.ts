/**
 * The host AuC (3GPP TS 33.102 §6.3, Annex C): keeps each subscriber's keys and SQN_HE, makes 3G
 * authentication vectors (quintuplets) and 2G triplets, checks RES/SRES, and resynchronises
 * SQN_HE from an AUTS. SQN generation follows Annex C.1.1/C.3.2: SQN = SEQ || IND, SEQ_HE
 * incremented per vector and IND cycling through the 2^indBits array slots of the USIM.
 */
import {
  c2, c3, comp128v1, comp128v2, comp128v3, generateAuthVector, gsmMilenage, milenageAka, openAuts, sqnJoin, sqnSplit, sqnToBytes, xor2g, xor3gAka,
  SQN_DEFAULT_PARAMS, type AkaFunctions,
} from '../../card/algorithms/index.js';
import { equalBytes, hexToBytes } from '../../card/runtime/index.js';
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

export class AucError extends CardforgeError<'AUC_UNKNOWN_SUBSCRIBER' | 'AUC_BAD_AUTS' | 'AUC_CONFIG'> {
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
}

export class AuC {
  private readonly subs = new Map<string, Entry>();
  private readonly random: (n: number) => Uint8Array;
  private readonly indBits: number;
  private readonly amf: Uint8Array;

  constructor(opts: AucOptions = {}) {
    this.random = opts.random ?? ((n) => globalThis.crypto.getRandomValues(new Uint8Array(n)));
    this.indBits = opts.indBits ?? SQN_DEFAULT_PARAMS.indBits;
    this.amf = opts.amf ?? hexToBytes('8000');
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
    return { ...v, sqn };
  }

  /** A 2G triplet with the subscriber's GSM algorithm. */
  triplet(imsi: string, opts: { rand?: Uint8Array } = {}): Triplet {
    const e = this.entry(imsi);
    const rand = opts.rand ?? this.random(16);
    const k = e.keys;
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

  checkRes(v: Quintuplet, res: Uint8Array): boolean {
    return equalBytes(v.xres, res);
  }

  checkSres(t: Triplet, sres: Uint8Array): boolean {
    return equalBytes(t.sres, sres);
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
