/**
 * The ISD's secure channel: SCP02 (GP Card Specification v2.3.1 Appendix E, i = 55) and SCP03
 * (Amendment D v1.1.2, i = 70, S8 mode) on the card. All of its state is transient (RAM cleared on
 * reset and by the ISD's deselect): the session keys, the challenges, the MAC chaining value / ICV,
 * the encryption counter and the security level. The persistent parts — the SCP02 sequence counter,
 * the SCP03 card challenge counter and the authentication retry counter — belong to the applet.
 *
 * The crypto is card/algorithms' pure-TypeScript primitives (gp-scp.ts, des.ts, aes.ts), a code
 * path separate from the host's (host/gp uses node:crypto), so each checks the other.
 *
 * What the card checks, in order, for a command under the channel (GP CS §10.8, Amendment D §6.2.4):
 * the secure-messaging bit of CLA where the security level asks for C-MAC (else 6982 and the
 * session ends), the C-MAC (6982 and the session ends), then the decryption and its padding
 * (6982). Only then the command's own checks run: a refused P1-P2 after a good MAC leaves both
 * sides' chaining values in step.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import {
  aesDecryptCbc,
  aesEncryptCbc,
  pad80,
  retailMac,
  SCP02_DERIVATION,
  SCP03_DERIVATION,
  scp02CardCryptogram,
  scp02HostCryptogram,
  scp02IcvEncrypt,
  scp02SessionKey,
  scp03CMac,
  scp03CommandIcv,
  scp03Cryptogram,
  scp03PseudoRandomCardChallenge,
  scp03ResponseIcv,
  scp03RMac,
  scp03SessionKeys,
  tdesDecryptCbc,
  tdesDecryptEcb,
  unpad80,
} from '../../algorithms/index.js';
import { concat, equalBytes, readU32, u16, u24, writeU32, CardError, type CommandApdu, type Reply } from '../../runtime/index.js';

/** The security levels of EXTERNAL AUTHENTICATE P1 (GP CS §E.5.2.3 Table E-10, Amendment D §7.1.2.3 Table 7-5). */
export const LEVEL = { C_MAC: 0x01, C_DEC: 0x02, R_MAC: 0x10, R_ENC: 0x20 } as const;
export const SCP02_LEVELS: readonly number[] = [0x00, 0x01, 0x03];
export const SCP03_LEVELS: readonly number[] = [0x00, 0x01, 0x03, 0x11, 0x13, 0x33];

/** Session state (offsets into the transient cell). */
const STATE = 0; // 0 no session, 1 INITIALIZE UPDATE answered, 2 authenticated
const SCP = 1; // 2 or 3
const LEVEL_AT = 2;
const KVN = 3;
const S_ENC = 4;
const S_MAC = 20;
const S_RMAC = 36;
const S_DEK = 52; // SCP02's session DEK; SCP03 uses the static DEK (the applet's key table)
const CHAIN = 68; // SCP03: 16-byte MAC chaining value; SCP02: the last C-MAC (8 bytes)
const COUNTER = 84; // SCP03 encryption counter (u32)
const HOST_CHALLENGE = 88;
const CARD_CHALLENGE = 96; // 8 (SCP03) or 6 (SCP02)
const SEQ = 104; // SCP02 sequence counter (2)
const FIRST = 106; // SCP02: 1 until the first C-MAC (EXTERNAL AUTHENTICATE's ICV is zero)
export const SESSION_BYTES = 107;

const INITIATED = 1;
const AUTHENTICATED = 2;

export interface StaticKeys {
  readonly kvn: number;
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  readonly dek: Uint8Array;
}

/** The INITIALIZE UPDATE answer and what the host must prove in EXTERNAL AUTHENTICATE. */
export interface Initiated {
  readonly response: Uint8Array;
}

export class SecureChannel {
  constructor(private readonly ram: Uint8Array, private readonly aid: Uint8Array) {}

  get scp(): number {
    return this.ram[SCP]!;
  }
  get level(): number {
    return this.ram[LEVEL_AT]!;
  }
  get authenticated(): boolean {
    return this.ram[STATE] === AUTHENTICATED;
  }
  get initiated(): boolean {
    return this.ram[STATE] === INITIATED;
  }
  get kvn(): number {
    return this.ram[KVN]!;
  }

  /** End the session (deselect, reset, a MAC failure, a new INITIALIZE UPDATE): keys wiped. */
  close(): void {
    this.ram.fill(0);
  }

  /**
   * SCP02 INITIALIZE UPDATE (GP CS §E.5.1, i = 55): session keys from the sequence counter, a
   * pseudo-random card challenge (GP CS 2.2.1 §E.4.2.1 as quoted on javacardos.com: the AID padded
   * per B.4, the single-DES-plus-final-triple-DES MAC of B.1.2.2 under the C-MAC session key with a
   * zero ICV, its six leftmost bytes), the card cryptogram. Answer: key
   * diversification data(10) ‖ KVN ‖ 02 ‖ sequence counter(2) ‖ card challenge(6) ‖ card cryptogram(8).
   */
  initScp02(keys: StaticKeys, seq: number, hostChallenge: Uint8Array, kdd: Uint8Array): Uint8Array {
    this.close();
    const s = u16(seq);
    const r = this.ram;
    const sEnc = scp02SessionKey(keys.enc, SCP02_DERIVATION.S_ENC, s);
    const sMac = scp02SessionKey(keys.mac, SCP02_DERIVATION.C_MAC, s);
    r.set(sEnc, S_ENC);
    r.set(sMac, S_MAC);
    r.set(scp02SessionKey(keys.mac, SCP02_DERIVATION.R_MAC, s), S_RMAC);
    r.set(scp02SessionKey(keys.dek, SCP02_DERIVATION.DEK, s), S_DEK);
    const cardChallenge = retailMac(sMac, pad80(this.aid, 8)).subarray(0, 6);
    r.set(hostChallenge, HOST_CHALLENGE);
    r.set(cardChallenge, CARD_CHALLENGE);
    r.set(s, SEQ);
    r[SCP] = 2;
    r[KVN] = keys.kvn;
    r[FIRST] = 1;
    r[STATE] = INITIATED;
    return concat(kdd, Uint8Array.of(keys.kvn, 0x02), s, cardChallenge, scp02CardCryptogram(sEnc, hostChallenge, s, cardChallenge));
  }

  /**
   * SCP03 INITIALIZE UPDATE (Amendment D §7.1.1, i = 70): pseudo-random card challenge from the
   * (already incremented) counter and the AID, session keys, card cryptogram. Answer: key
   * diversification data(10) ‖ KVN ‖ 03 ‖ i ‖ card challenge(8) ‖ card cryptogram(8) ‖ counter(3).
   */
  initScp03(keys: StaticKeys, counter: number, i: number, hostChallenge: Uint8Array, kdd: Uint8Array): Uint8Array {
    this.close();
    const c = u24(counter);
    const r = this.ram;
    const cardChallenge = scp03PseudoRandomCardChallenge(keys.enc, c, this.aid);
    const sk = scp03SessionKeys(keys.enc, keys.mac, hostChallenge, cardChallenge);
    r.set(sk.sEnc, S_ENC);
    r.set(sk.sMac, S_MAC);
    r.set(sk.sRmac, S_RMAC);
    r.set(hostChallenge, HOST_CHALLENGE);
    r.set(cardChallenge, CARD_CHALLENGE);
    r[SCP] = 3;
    r[KVN] = keys.kvn;
    r[STATE] = INITIATED;
    const cryptogram = scp03Cryptogram(sk.sMac, SCP03_DERIVATION.CARD_CRYPTOGRAM, hostChallenge, cardChallenge);
    return concat(kdd, Uint8Array.of(keys.kvn, 0x03, i), cardChallenge, cryptogram, c);
  }

  /** The host cryptogram the card expects in EXTERNAL AUTHENTICATE. */
  expectedHostCryptogram(): Uint8Array {
    const r = this.ram;
    const sEnc = r.subarray(S_ENC, S_ENC + 16);
    const hc = r.subarray(HOST_CHALLENGE, HOST_CHALLENGE + 8);
    if (r[SCP] === 2) return scp02HostCryptogram(sEnc, r.subarray(SEQ, SEQ + 2), r.subarray(CARD_CHALLENGE, CARD_CHALLENGE + 6), hc);
    return scp03Cryptogram(r.subarray(S_MAC, S_MAC + 16), SCP03_DERIVATION.HOST_CRYPTOGRAM, hc, r.subarray(CARD_CHALLENGE, CARD_CHALLENGE + 8));
  }

  /**
   * Verify the C-MAC of EXTERNAL AUTHENTICATE (its CLA carries the SM bit; the MAC covers header ‖
   * host cryptogram) and move the chaining value / ICV on. False when the MAC is wrong.
   */
  verifyAuthenticateMac(apdu: CommandApdu): boolean {
    return this.checkMac(apdu, apdu.data.subarray(0, apdu.data.length - 8));
  }

  /** EXTERNAL AUTHENTICATE succeeded: the session is open at `level`. */
  open(level: number): void {
    this.ram[LEVEL_AT] = level;
    this.ram[STATE] = AUTHENTICATED;
    writeU32(this.ram, COUNTER, 0);
  }

  /**
   * A command under the session: checks the SM bit the level asks for, verifies and strips the
   * C-MAC, decrypts (C-DECRYPTION). Returns the plain command data (a copy). Any failure ends the
   * session and answers 6982 (GP CS §10.8.2: "the Secure Channel Session shall be terminated").
   * Without an open session, a command with the SM bit answers 6982 and a plain one passes.
   */
  unwrap(apdu: CommandApdu): Uint8Array {
    const sm = apdu.claInfo.sm !== 0;
    if (!this.authenticated) {
      if (sm) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'secure messaging without an open secure channel session');
      return apdu.data.slice();
    }
    const level = this.level;
    if ((level & LEVEL.C_MAC) === 0) {
      if (sm) this.fail('secure messaging in a session opened without C-MAC');
      return apdu.data.slice();
    }
    if (!sm) this.fail('a command without its C-MAC in a C-MAC session');
    if (apdu.data.length < 8) this.fail('command data shorter than the C-MAC');
    const body = apdu.data.subarray(0, apdu.data.length - 8);
    if (this.scp === 3) {
      if (!this.checkMac(apdu, body)) this.fail('wrong C-MAC');
      if ((level & LEVEL.C_DEC) === 0) return body.slice();
      const n = readU32(this.ram, COUNTER) + 1;
      writeU32(this.ram, COUNTER, n);
      if (body.length === 0) return new Uint8Array(0);
      if (body.length % 16 !== 0) this.fail('encrypted data not a multiple of 16 bytes');
      const plain = unpad80(aesDecryptCbc(this.key(S_ENC), scp03CommandIcv(this.key(S_ENC), n), body), 16);
      if (!plain) this.fail('bad padding after decryption');
      return plain;
    }
    // SCP02, C-MAC on the modified APDU over the plain data (GP CS §E.4.4, §E.4.6).
    let plain: Uint8Array = body;
    if ((level & LEVEL.C_DEC) !== 0 && body.length > 0) {
      if (body.length % 8 !== 0) this.fail('encrypted data not a multiple of 8 bytes');
      const p = unpad80(tdesDecryptCbc(this.key(S_ENC), new Uint8Array(8), body), 8);
      if (!p) this.fail('bad padding after decryption');
      plain = p;
    }
    if (!this.checkMac(apdu, plain)) this.fail('wrong C-MAC');
    return plain.slice();
  }

  /**
   * The reply under the session: R-ENCRYPTION and R-MAC (SCP03, levels 11/13/33). Only 9000 and
   * warnings (62xx, 63xx) get an R-MAC (Amendment D §6.2.5); errors travel as a bare status word.
   */
  wrap(reply: Reply): Reply {
    if (!this.authenticated || this.scp !== 3 || (this.level & LEVEL.R_MAC) === 0) return reply;
    const sw = reply.sw ?? SW.OK;
    if (sw !== SW.OK && sw >> 8 !== 0x62 && sw >> 8 !== 0x63) return reply;
    let data = reply.data ?? new Uint8Array(0);
    if ((this.level & LEVEL.R_ENC) !== 0 && data.length > 0) {
      data = aesEncryptCbc(this.key(S_ENC), scp03ResponseIcv(this.key(S_ENC), readU32(this.ram, COUNTER)), pad80(data, 16));
    }
    const mac = scp03RMac(this.key(S_RMAC), this.ram.subarray(CHAIN, CHAIN + 16), concat(data, u16(sw))).subarray(0, 8);
    return { ...reply, data: concat(data, mac) };
  }

  /** Decrypt a key component of PUT KEY: SCP02 with the session DEK (TDEA-ECB, §E.4.7). */
  decryptScp02Key(block: Uint8Array): Uint8Array {
    return tdesDecryptEcb(this.key(S_DEK), block);
  }

  private key(at: number): Uint8Array {
    return this.ram.subarray(at, at + 16);
  }

  private fail(why: string): never {
    this.close();
    throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, `secure channel closed: ${why}`);
  }

  /** Verify the C-MAC of the command over its header and `data` (the plain data for SCP02). */
  private checkMac(apdu: CommandApdu, data: Uint8Array): boolean {
    const mac = apdu.data.subarray(apdu.data.length - 8);
    if (this.scp === 3) {
      // Amendment D §6.2.4: CLA with the channel number cleared and the GP SM bit set; Lc as sent.
      const header = Uint8Array.of((apdu.cla & 0xf0) | 0x04, apdu.ins, apdu.p1, apdu.p2, apdu.data.length);
      const full = scp03CMac(this.key(S_MAC), this.ram.subarray(CHAIN, CHAIN + 16), concat(header, data));
      if (!equalBytes(full.subarray(0, 8), mac)) return false;
      this.ram.set(full, CHAIN);
      return true;
    }
    const first = this.ram[FIRST] === 1;
    const icv = first ? new Uint8Array(8) : scp02IcvEncrypt(this.key(S_MAC), this.ram.subarray(CHAIN, CHAIN + 8));
    const header = Uint8Array.of(apdu.cla, apdu.ins, apdu.p1, apdu.p2, data.length + 8);
    const expected = retailMac(this.key(S_MAC), pad80(concat(header, data), 8), icv);
    if (!equalBytes(expected, mac)) return false;
    this.ram.set(expected, CHAIN);
    this.ram[FIRST] = 0;
    return true;
  }
}
