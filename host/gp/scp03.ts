/**
 * SCP03, host side (GlobalPlatform Card Specification v2.3.1 Amendment D v1.2), S8 mode (8-byte
 * challenges, cryptograms and MACs). Security levels 01 C-MAC, 03 + C-DECRYPTION, 11 C-MAC +
 * R-MAC, 13, 33 + R-ENCRYPTION.
 *
 * - KDF (§6.2.2): NIST SP 800-108 counter mode, PRF AES-CMAC, input
 *   `00*11 ‖ constant ‖ 00 ‖ L(2) ‖ i(1) ‖ host challenge ‖ card challenge`; constants 00 card
 *   cryptogram, 01 host cryptogram, 04 S-ENC, 06 S-MAC, 07 S-RMAC (§6.2.1 table 6-1).
 * - C-MAC (§6.2.4): AES-CMAC under S-MAC of MAC chaining value ‖ modified header (CLA b3, Lc + 8)
 *   ‖ data; the chaining value is the whole 16-byte CMAC, the first 8 bytes go on the wire.
 * - C-DECRYPTION (§6.2.6): AES-CBC under S-ENC with ICV = AES(S-ENC, encryption counter as 16
 *   bytes); the counter counts every command after EXTERNAL AUTHENTICATE, with data or without.
 *   Padding 80 00… always; a command without data is not encrypted.
 * - R-MAC (§6.2.5): AES-CMAC under S-RMAC of the chaining value ‖ response data ‖ SW, on 9000 and
 *   62xx/63xx only; R-ENCRYPTION (§6.2.7): ICV = AES(S-ENC, 80 ‖ counter).
 * - Key encryption for PUT KEY (§7.2.2.2): AES-CBC, ICV zero, under the static DEK.
 */
import { concat, equalBytes } from '../../card/runtime/index.js';
import { aesCbc, aesCmac, aesEcb, kdfCounterCmac, pad80, unpad80 } from './crypto.js';
import { joinApdu, smCla, splitApdu } from './apdu.js';
import { GpError } from './errors.js';
import type { StaticKeys } from './keys.js';

export const SCP03_CONSTANTS = { cardCryptogram: 0x00, hostCryptogram: 0x01, cardChallenge: 0x02, sEnc: 0x04, sMac: 0x06, sRmac: 0x07 } as const;

/** The SCP03 KDF of Amendment D §6.2.2: `bits` of output from `key` for `constant` and `context`. */
export function scp03Kdf(key: Uint8Array, constant: number, context: Uint8Array, bits: number): Uint8Array {
  const label = new Uint8Array(12);
  label[11] = constant;
  return kdfCounterCmac(key, concat(label, Uint8Array.of(0x00, bits >> 8, bits & 0xff)), context, bits / 8);
}

export interface Scp03SessionKeys {
  readonly enc: Uint8Array;
  readonly mac: Uint8Array;
  readonly rmac: Uint8Array;
}

export function scp03SessionKeys(keys: StaticKeys, hostChallenge: Uint8Array, cardChallenge: Uint8Array): Scp03SessionKeys {
  for (const [n, k] of [['ENC', keys.enc], ['MAC', keys.mac], ['DEK', keys.dek]] as const) {
    if (k.length !== 16 && k.length !== 24 && k.length !== 32) throw new GpError('GP_BAD_KEY', `SCP03 ${n} key: AES keys are 16, 24 or 32 bytes, got ${k.length}`);
  }
  const ctx = concat(hostChallenge, cardChallenge);
  return {
    enc: scp03Kdf(keys.enc, SCP03_CONSTANTS.sEnc, ctx, keys.enc.length * 8),
    mac: scp03Kdf(keys.mac, SCP03_CONSTANTS.sMac, ctx, keys.mac.length * 8),
    rmac: scp03Kdf(keys.mac, SCP03_CONSTANTS.sRmac, ctx, keys.mac.length * 8),
  };
}

/** The fields of an SCP03 INITIALIZE UPDATE response (Amendment D §7.1.1.6, S8 mode: 29 or 32 bytes). */
export interface Scp03InitResponse {
  readonly kdd: Uint8Array;
  readonly kvn: number;
  /** The "i" parameter (Amendment D §5.1): 10 pseudo-random card challenge, 20 R-MAC, 60 R-ENC support. */
  readonly i: number;
  readonly cardChallenge: Uint8Array;
  readonly cardCryptogram: Uint8Array;
  /** Present with a pseudo-random card challenge (i b5). */
  readonly sequenceCounter?: Uint8Array;
}

export function parseScp03InitResponse(data: Uint8Array): Scp03InitResponse {
  if ((data.length !== 29 && data.length !== 32) || data[11] !== 0x03) throw new GpError('GP_BAD_RESPONSE', `INITIALIZE UPDATE response: SCP03 in S8 mode answers 29 or 32 bytes with SCP identifier 03 at offset 11, got ${data.length} bytes (S16 mode is not supported)`);
  return { kdd: data.slice(0, 10), kvn: data[10]!, i: data[12]!, cardChallenge: data.slice(13, 21), cardCryptogram: data.slice(21, 29), ...(data.length === 32 ? { sequenceCounter: data.slice(29, 32) } : {}) };
}

function counterBlock(n: number, first = 0): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = first;
  for (let i = 15, v = n; i >= 12; i--, v = Math.floor(v / 256)) b[i] = v & 0xff;
  return b;
}

/**
 * The header as the C-MAC covers it (Amendment D §6.2.4, as the card checks it in
 * card/applets/isd/channel.ts): the logical channel number cleared, the GP SM bit set; on channel
 * 0 the header as sent. Without this a session on logical channels 1..3 failed at EXTERNAL
 * AUTHENTICATE (6982).
 */
function macHeader(header: Uint8Array): Uint8Array {
  const out = header.slice();
  out[0] = (out[0]! & 0xf0) | 0x04;
  return out;
}

export class Scp03Channel {
  readonly scp = '03' as const;
  readonly sessionKeys: Scp03SessionKeys;
  readonly hostCryptogram: Uint8Array;
  readonly expectedCardCryptogram: Uint8Array;
  private mcv: Uint8Array = new Uint8Array(16);
  private counter = 0;
  private level = 0;
  private readonly dek: Uint8Array;

  constructor(
    keys: StaticKeys,
    readonly hostChallenge: Uint8Array,
    readonly init: Scp03InitResponse,
  ) {
    this.sessionKeys = scp03SessionKeys(keys, hostChallenge, init.cardChallenge);
    const ctx = concat(hostChallenge, init.cardChallenge);
    this.expectedCardCryptogram = scp03Kdf(this.sessionKeys.mac, SCP03_CONSTANTS.cardCryptogram, ctx, 64);
    this.hostCryptogram = scp03Kdf(this.sessionKeys.mac, SCP03_CONSTANTS.hostCryptogram, ctx, 64);
    this.dek = keys.dek;
  }

  get cardCryptogramOk(): boolean {
    return equalBytes(this.expectedCardCryptogram, this.init.cardCryptogram);
  }

  private cmac(input: Uint8Array): Uint8Array {
    this.mcv = aesCmac(this.sessionKeys.mac, concat(this.mcv, input));
    return this.mcv.slice(0, 8);
  }

  externalAuthenticate(level: number, cla = 0x80): Uint8Array {
    if (![0x01, 0x03, 0x11, 0x13, 0x33].includes(level)) throw new GpError('GP_BAD_OPTION', `SCP03 security level ${level.toString(16).padStart(2, '0')}: expected 01 (mac), 03 (mac+enc), 11 (mac+rmac), 13 (mac+enc+rmac) or 33 (mac+enc+rmac+renc)`);
    if ((level & 0x20) !== 0 && (this.init.i & 0x60) !== 0x60) throw new GpError('GP_BAD_OPTION', `the card's SCP03 i=${this.init.i.toString(16).padStart(2, '0')} does not offer R-ENCRYPTION; use --level mac+enc+rmac or lower`);
    if ((level & 0x10) !== 0 && (this.init.i & 0x20) === 0) throw new GpError('GP_BAD_OPTION', `the card's SCP03 i=${this.init.i.toString(16).padStart(2, '0')} does not offer R-MAC; use --level mac or mac+enc`);
    this.level = level;
    const header = Uint8Array.of(smCla(cla), 0x82, level, 0x00, 0x10);
    return concat(header, this.hostCryptogram, this.cmac(concat(macHeader(header), this.hostCryptogram)));
  }

  wrap(apdu: Uint8Array): Uint8Array {
    const a = splitApdu(apdu);
    const cla = smCla(a.cla);
    let data = a.data;
    if ((this.level & 0x02) !== 0) {
      this.counter++;
      if (data.length > 0) data = aesCbc(this.sessionKeys.enc, pad80(data, 16), aesEcb(this.sessionKeys.enc, counterBlock(this.counter)));
    }
    if (data.length + 8 > 255) throw new GpError('GP_BAD_OPTION', `command data of ${a.data.length} bytes: with padding and the 8-byte C-MAC it does not fit one secure-channel command (send less per command)`);
    const mac = this.cmac(concat(macHeader(Uint8Array.of(cla, a.ins, a.p1, a.p2, data.length + 8)), data));
    return joinApdu(cla, a.ins, a.p1, a.p2, concat(data, mac), a.le);
  }

  /** Checks the R-MAC and decrypts R-ENC data; returns the plain data ‖ SW. */
  unwrap(response: Uint8Array): Uint8Array {
    if ((this.level & 0x10) === 0 || response.length < 2) return response;
    const sw = response.subarray(response.length - 2);
    if (!(sw[0] === 0x90 && sw[1] === 0x00) && sw[0] !== 0x62 && sw[0] !== 0x63) return response;
    if (response.length < 10) throw new GpError('GP_RESPONSE_MAC', `response of ${response.length - 2} data bytes with SW ${Buffer.from(sw).toString('hex')}: the 8-byte R-MAC is missing`);
    const body = response.subarray(0, response.length - 10);
    const rmac = response.subarray(response.length - 10, response.length - 2);
    const expect = aesCmac(this.sessionKeys.rmac, concat(this.mcv, body, sw)).subarray(0, 8);
    if (!equalBytes(rmac, expect)) throw new GpError('GP_RESPONSE_MAC', 'the response R-MAC does not verify: the response was altered or the session is out of step; close the session and open a new one');
    if ((this.level & 0x20) === 0 || body.length === 0) return concat(body, sw);
    if (body.length % 16 !== 0) throw new GpError('GP_RESPONSE_MAC', `R-ENC response data of ${body.length} bytes: not a multiple of 16`);
    const plain = unpad80(aesCbc(this.sessionKeys.enc, body, aesEcb(this.sessionKeys.enc, counterBlock(this.counter, 0x80)), false));
    if (!plain) throw new GpError('GP_RESPONSE_MAC', 'R-ENC response data does not end in 80 00… padding after decryption');
    return concat(plain, sw);
  }

  /** A key for PUT KEY: AES-CBC, ICV zero, under the static DEK; zero-padded to the block size. */
  encryptKey(key: Uint8Array): Uint8Array {
    const padded = new Uint8Array(Math.ceil(key.length / 16) * 16);
    padded.set(key);
    return aesCbc(this.dek, padded);
  }

  /** Sensitive personalization data (STORE DATA P1 b7b6 = 11): padded 80 00.., AES-CBC, ICV zero, under the static DEK. */
  encryptData(data: Uint8Array): Uint8Array {
    return aesCbc(this.dek, pad80(data, 16));
  }
}
