/**
 * A test-only GlobalPlatform host over node:crypto (OpenSSL): SCP02 (i=55) and SCP03 (S8) session
 * set-up and command wrapping, written from GP CS v2.3.1 Appendix E / Amendment D apart from the
 * card's primitives (card/algorithms), so a session the card accepts checks both.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { expect } from 'vitest';
import { bytesToHex, concat, hexToBytes, type Card } from '../../../card/runtime/index.js';

export const h = hexToBytes;
export const hex = bytesToHex;

function cipher(alg: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array, decrypt = false): Uint8Array {
  const c = decrypt ? createDecipheriv(alg, key, iv) : createCipheriv(alg, key, iv);
  c.setAutoPadding(false);
  return new Uint8Array(Buffer.concat([c.update(data), c.final()]));
}

export function pad(data: Uint8Array, bs: number): Uint8Array {
  const n = (Math.floor(data.length / bs) + 1) * bs;
  const out = new Uint8Array(n);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

export function unpad(data: Uint8Array): Uint8Array {
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (data[i] !== 0x80) throw new Error('bad padding');
  return data.slice(0, i);
}

const tdesCbc = (key: Uint8Array, data: Uint8Array, iv = new Uint8Array(8), decrypt = false): Uint8Array => cipher('des-ede-cbc', key, iv, data, decrypt);
const tdesEcb = (key: Uint8Array, data: Uint8Array, decrypt = false): Uint8Array => cipher('des-ede-ecb', key, null, data, decrypt);
const desEcb = (key8: Uint8Array, block: Uint8Array, decrypt = false): Uint8Array => cipher('des-ede-ecb', concat(key8, key8), null, block, decrypt);
export const aesCbc = (key: Uint8Array, iv: Uint8Array, data: Uint8Array, decrypt = false): Uint8Array => cipher('aes-128-cbc', key, iv, data, decrypt);
const aesEcb = (key: Uint8Array, block: Uint8Array): Uint8Array => cipher('aes-128-ecb', key, null, block);

/** AES-CMAC (NIST SP 800-38B / RFC 4493). */
export function cmac(key: Uint8Array, msg: Uint8Array): Uint8Array {
  const dbl = (b: Uint8Array): Uint8Array => {
    const o = new Uint8Array(16);
    for (let i = 0; i < 16; i++) o[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
    if (b[0]! & 0x80) o[15]! ^= 0x87;
    return o;
  };
  const k1 = dbl(aesEcb(key, new Uint8Array(16)));
  const k2 = dbl(k1);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const last = complete ? msg.slice((n - 1) * 16) : pad(msg.slice((n - 1) * 16), 16).slice(0, 16);
  const k = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) last[i]! ^= k[i]!;
  let x: Uint8Array = new Uint8Array(16);
  for (let b = 0; b < n - 1; b++) {
    const y = msg.slice(b * 16, b * 16 + 16);
    for (let i = 0; i < 16; i++) y[i]! ^= x[i]!;
    x = aesEcb(key, y);
  }
  for (let i = 0; i < 16; i++) last[i]! ^= x[i]!;
  return aesEcb(key, last);
}

/** Amendment D §4.1.5: 11 × 00 ‖ constant ‖ 00 ‖ L ‖ i ‖ context, AES-CMAC. */
export function kdf(key: Uint8Array, constant: number, context: Uint8Array, bits: number): Uint8Array {
  const out: Uint8Array[] = [];
  for (let i = 1; out.length * 16 < bits / 8; i++) out.push(cmac(key, concat(new Uint8Array(11), Uint8Array.of(constant, 0, bits >> 8, bits & 0xff, i), context)));
  return concat(...out).slice(0, bits / 8);
}

function retail(key: Uint8Array, data: Uint8Array, icv: Uint8Array): Uint8Array {
  let x = icv;
  for (let i = 0; i < data.length; i += 8) {
    const b = data.slice(i, i + 8);
    for (let j = 0; j < 8; j++) b[j]! ^= x[j]!;
    x = desEcb(key.subarray(0, 8), b);
  }
  return desEcb(key.subarray(0, 8), desEcb(key.subarray(8, 16), x, true));
}

const fullMac = (key: Uint8Array, data: Uint8Array): Uint8Array => tdesCbc(key, data).slice(-8);

export interface HostKeys {
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  readonly dek: Uint8Array;
}

/** The response of an APDU: data and SW. */
export function send(card: Card, apdu: Uint8Array | string): { data: Uint8Array; sw: number } {
  const r = card.transmit(typeof apdu === 'string' ? h(apdu.replace(/ /g, '')) : apdu);
  return { data: r.subarray(0, r.length - 2), sw: (r[r.length - 2]! << 8) | r[r.length - 1]! };
}

export function swOf(card: Card, apdu: Uint8Array | string): string {
  return send(card, apdu).sw.toString(16).padStart(4, '0');
}

/** A host secure channel session (one per INITIALIZE UPDATE). */
export class HostSession {
  scp = 0;
  level = 0;
  private sEnc: Uint8Array = new Uint8Array(16);
  private sMac: Uint8Array = new Uint8Array(16);
  private sRmac: Uint8Array = new Uint8Array(16);
  private sDek: Uint8Array = new Uint8Array(16);
  private chain: Uint8Array = new Uint8Array(16);
  private counter = 0;
  hostChallenge: Uint8Array;
  cardChallenge: Uint8Array = new Uint8Array(0);
  seq: Uint8Array = new Uint8Array(2);

  constructor(readonly keys: HostKeys, hostChallenge = h('0102030405060708'), readonly cla = 0x80) {
    this.hostChallenge = hostChallenge;
  }

  initializeUpdate(kvn = 0): Uint8Array {
    return concat(Uint8Array.of(this.cla, 0x50, kvn, 0x00, 0x08), this.hostChallenge, Uint8Array.of(0));
  }

  /** Check the card's INITIALIZE UPDATE answer (card cryptogram) and derive the session keys. */
  accept(resp: Uint8Array): void {
    this.scp = resp[11]!;
    if (this.scp === 2) {
      expect(resp.length).toBe(28);
      this.seq = resp.slice(12, 14);
      this.cardChallenge = resp.slice(14, 20);
      const derive = (key: Uint8Array, c: number): Uint8Array => tdesCbc(key, concat(Uint8Array.of(c >> 8, c & 0xff), this.seq, new Uint8Array(12)));
      this.sEnc = derive(this.keys.enc, 0x0182);
      this.sMac = derive(this.keys.mac, 0x0101);
      this.sRmac = derive(this.keys.mac, 0x0102);
      this.sDek = derive(this.keys.dek, 0x0181);
      expect(hex(fullMac(this.sEnc, pad(concat(this.hostChallenge, this.seq, this.cardChallenge), 8))), 'SCP02 card cryptogram').toBe(hex(resp.slice(20, 28)));
    } else {
      expect(this.scp).toBe(3);
      expect([29, 32]).toContain(resp.length);
      this.cardChallenge = resp.slice(13, 21);
      const ctx = concat(this.hostChallenge, this.cardChallenge);
      this.sEnc = kdf(this.keys.enc, 0x04, ctx, 128);
      this.sMac = kdf(this.keys.mac, 0x06, ctx, 128);
      this.sRmac = kdf(this.keys.mac, 0x07, ctx, 128);
      expect(hex(kdf(this.sMac, 0x00, ctx, 64)), 'SCP03 card cryptogram').toBe(hex(resp.slice(21, 29)));
    }
  }

  /** The session keys (for the leak checks of the tests). */
  sessionKeys(): Uint8Array[] {
    return [this.sEnc, this.sMac, this.sRmac, this.sDek].filter((k) => k.some((b) => b !== 0));
  }

  /** SCP02 i=55: the card challenge the card must have answered for this AID (GP CS E.4.2.1). */
  pseudoRandomScp02Challenge(aid: Uint8Array): Uint8Array {
    return retail(this.sMac, pad(aid, 8), new Uint8Array(8)).slice(0, 6);
  }

  hostCryptogram(): Uint8Array {
    if (this.scp === 2) return fullMac(this.sEnc, pad(concat(this.seq, this.cardChallenge, this.hostChallenge), 8));
    return kdf(this.sMac, 0x01, concat(this.hostChallenge, this.cardChallenge), 64);
  }

  externalAuthenticate(level: number, cryptogram = this.hostCryptogram()): Uint8Array {
    this.level = 0x01; // the EXTERNAL AUTHENTICATE itself is C-MACed
    this.chain = new Uint8Array(16);
    this.counter = 0;
    this.first = true;
    const cmd = this.wrap(Uint8Array.of(this.cla, 0x82, level, 0x00), cryptogram, false, true);
    this.level = level;
    return cmd;
  }

  private first = true;

  /** Wrap a command (header 4 bytes, data, Le present?) at the session's level. */
  wrap(header: Uint8Array, data: Uint8Array = new Uint8Array(0), le = false, noEnc = false): Uint8Array {
    if ((this.level & 0x01) === 0) return concat(header, data.length ? Uint8Array.of(data.length) : new Uint8Array(0), data, le ? Uint8Array.of(0) : new Uint8Array(0));
    const cla = header[0]! | 0x04;
    let body = data;
    let mac: Uint8Array;
    if (this.scp === 3) {
      if ((this.level & 0x02) !== 0 && !noEnc) {
        this.counter++;
        if (data.length) body = aesCbc(this.sEnc, aesEcb(this.sEnc, counterBlock(this.counter)), pad(data, 16));
      }
      const m = cmac(this.sMac, concat(this.chain, Uint8Array.of((cla & 0xf0) | 0x04, header[1]!, header[2]!, header[3]!, body.length + 8), body));
      this.chain = m;
      mac = m.slice(0, 8);
    } else {
      const icv = this.first ? new Uint8Array(8) : desEcb(this.sMac.subarray(0, 8), this.chain.subarray(0, 8));
      mac = retail(this.sMac, pad(concat(Uint8Array.of(cla, header[1]!, header[2]!, header[3]!, data.length + 8), data), 8), icv);
      this.first = false;
      this.chain = concat(mac, new Uint8Array(8));
      if ((this.level & 0x02) !== 0 && !noEnc && data.length) body = tdesCbc(this.sEnc, pad(data, 8));
    }
    return concat(Uint8Array.of(cla, header[1]!, header[2]!, header[3]!, body.length + 8), body, mac, le ? Uint8Array.of(0) : new Uint8Array(0));
  }

  /** Check and strip R-MAC / R-ENC (SCP03 levels 11/13/33) of a response. */
  unwrap(data: Uint8Array, sw: number): Uint8Array {
    if (this.scp !== 3 || (this.level & 0x10) === 0 || (sw !== 0x9000 && sw >> 8 !== 0x62 && sw >> 8 !== 0x63)) return data;
    const body = data.slice(0, data.length - 8);
    const rmac = cmac(this.sRmac, concat(this.chain, body, Uint8Array.of(sw >> 8, sw & 0xff))).slice(0, 8);
    expect(hex(data.slice(data.length - 8)), 'R-MAC').toBe(hex(rmac));
    if ((this.level & 0x20) === 0 || body.length === 0) return body;
    const block = counterBlock(this.counter);
    block[0] = 0x80;
    return unpad(aesCbc(this.sEnc, aesEcb(this.sEnc, block), body, true));
  }

  /** A PUT KEY key data block: type, encrypted key, KCV (SCP02: session DEK ECB; SCP03: static DEK CBC). */
  keyBlock(type: number, key: Uint8Array): Uint8Array {
    const enc = this.scp === 2 ? tdesEcb(this.sDek, key) : aesCbc(this.keys.dek, new Uint8Array(16), key);
    const kcv = type === 0x88 ? aesEcb(key, new Uint8Array(16).fill(1)).slice(0, 3) : tdesEcb(key, new Uint8Array(8)).slice(0, 3);
    return concat(Uint8Array.of(type, enc.length), enc, Uint8Array.of(3), kcv);
  }
}

function counterBlock(n: number): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 15, v = n; v > 0; i--, v = Math.floor(v / 256)) b[i] = v & 0xff;
  return b;
}

/** Open a session on the card: INITIALIZE UPDATE, check, EXTERNAL AUTHENTICATE at `level`. */
export function openSession(card: Card, keys: HostKeys, level: number, kvn = 0, hostChallenge?: Uint8Array): HostSession {
  const s = new HostSession(keys, hostChallenge);
  const iu = send(card, s.initializeUpdate(kvn));
  expect(iu.sw.toString(16)).toBe('9000');
  s.accept(iu.data);
  expect(swOf(card, s.externalAuthenticate(level))).toBe('9000');
  return s;
}

/** Send a wrapped command and unwrap its answer. */
export function sendWrapped(card: Card, s: HostSession, header: string, data = '', le = true): { data: Uint8Array; sw: number } {
  const r = send(card, s.wrap(h(header), h(data), le));
  return { data: s.unwrap(r.data, r.sw), sw: r.sw };
}
