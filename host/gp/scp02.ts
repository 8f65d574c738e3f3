/**
 * SCP02, host side (GlobalPlatform Card Specification v2.3.1 Appendix E), implementation options
 * i = 15 / 55: three static keys, C-MAC on the modified APDU (CLA b3 set, Lc + 8), ICV zero for
 * EXTERNAL AUTHENTICATE then ICV encryption (single DES under the first half of the C-MAC session
 * key) for each following C-MAC. Security levels: C-MAC (01) and C-DECRYPTION + C-MAC (03). R-MAC
 * in SCP02 needs BEGIN R-MAC SESSION (§E.5.3), which no tool here drives: refused by name.
 *
 * - Session keys (§E.4.1): 3DES-CBC, ICV zero, of `constant(2) ‖ sequence counter(2) ‖ 00*12`
 *   under the static key; 0101 C-MAC, 0102 R-MAC, 0182 S-ENC, 0181 DEK.
 * - Cryptograms (§E.4.2.1): full 3DES MAC (ISO 9797-1 alg. 1, method-2 padding) under S-ENC of
 *   host challenge ‖ counter ‖ card challenge (card) and counter ‖ card challenge ‖ host challenge (host).
 * - C-MAC (§E.4.4): ISO 9797-1 alg. 3 (retail MAC) under the C-MAC session key.
 * - C-DECRYPTION (§E.4.6): 3DES-CBC, ICV zero, of the data padded 80 00…, under S-ENC; the MAC is
 *   computed over the clear data first. A command without data is not encrypted.
 * - Key encryption (§E.4.7): 3DES-ECB under the session DEK.
 */
import { concat, equalBytes } from '../../card/runtime/index.js';
import { desEcb, pad80, retailMac, tdesCbc, tdesCbcMac, tdesEcb } from './crypto.js';
import { joinApdu, smCla, splitApdu } from './apdu.js';
import { GpError } from './errors.js';
import type { StaticKeys } from './keys.js';

export const SCP02_CONSTANTS = { cmac: 0x0101, rmac: 0x0102, enc: 0x0182, dek: 0x0181 } as const;

export interface Scp02SessionKeys {
  readonly cmac: Uint8Array;
  readonly rmac: Uint8Array;
  readonly enc: Uint8Array;
  readonly dek: Uint8Array;
}

export function scp02SessionKey(staticKey: Uint8Array, constant: number, counter: number): Uint8Array {
  if (staticKey.length !== 16) throw new GpError('GP_BAD_KEY', `SCP02 keys are 2-key triple DES: 16 bytes (32 hex digits), got ${staticKey.length} bytes`);
  const d = new Uint8Array(16);
  d[0] = constant >> 8;
  d[1] = constant & 0xff;
  d[2] = counter >> 8;
  d[3] = counter & 0xff;
  return tdesCbc(staticKey, d);
}

export function scp02SessionKeys(keys: StaticKeys, counter: number): Scp02SessionKeys {
  return {
    cmac: scp02SessionKey(keys.mac, SCP02_CONSTANTS.cmac, counter),
    rmac: scp02SessionKey(keys.mac, SCP02_CONSTANTS.rmac, counter),
    enc: scp02SessionKey(keys.enc, SCP02_CONSTANTS.enc, counter),
    dek: scp02SessionKey(keys.dek, SCP02_CONSTANTS.dek, counter),
  };
}

/** The fields of an SCP02 INITIALIZE UPDATE response (§E.5.1.2: 28 bytes). */
export interface Scp02InitResponse {
  readonly kdd: Uint8Array;
  readonly kvn: number;
  readonly counter: number;
  readonly cardChallenge: Uint8Array;
  readonly cardCryptogram: Uint8Array;
}

export function parseScp02InitResponse(data: Uint8Array): Scp02InitResponse {
  if (data.length !== 28 || data[11] !== 0x02) throw new GpError('GP_BAD_RESPONSE', `INITIALIZE UPDATE response: SCP02 answers 28 bytes with SCP identifier 02 at offset 11, got ${data.length} bytes`);
  return { kdd: data.slice(0, 10), kvn: data[10]!, counter: (data[12]! << 8) | data[13]!, cardChallenge: data.slice(14, 20), cardCryptogram: data.slice(20, 28) };
}

export class Scp02Channel {
  readonly scp = '02' as const;
  readonly sessionKeys: Scp02SessionKeys;
  readonly hostCryptogram: Uint8Array;
  readonly expectedCardCryptogram: Uint8Array;
  private icv: Uint8Array | undefined;
  private level = 0;

  constructor(
    keys: StaticKeys,
    readonly hostChallenge: Uint8Array,
    readonly init: Scp02InitResponse,
    private readonly icvEncryption = true,
  ) {
    this.sessionKeys = scp02SessionKeys(keys, init.counter);
    const ctr = Uint8Array.of(init.counter >> 8, init.counter & 0xff);
    this.expectedCardCryptogram = tdesCbcMac(this.sessionKeys.enc, concat(hostChallenge, ctr, init.cardChallenge));
    this.hostCryptogram = tdesCbcMac(this.sessionKeys.enc, concat(ctr, init.cardChallenge, hostChallenge));
  }

  get cardCryptogramOk(): boolean {
    return equalBytes(this.expectedCardCryptogram, this.init.cardCryptogram);
  }

  private cmac(macInput: Uint8Array, first: boolean): Uint8Array {
    const iv = first || this.icv === undefined ? new Uint8Array(8) : this.icv;
    const mac = retailMac(this.sessionKeys.cmac, macInput, iv);
    this.icv = this.icvEncryption ? desEcb(this.sessionKeys.cmac.subarray(0, 8), mac) : mac;
    return mac;
  }

  /** EXTERNAL AUTHENTICATE with the host cryptogram and its C-MAC (ICV zero), for security level `level`. */
  externalAuthenticate(level: number, cla = 0x80): Uint8Array {
    if (level !== 0x01 && level !== 0x03) throw new GpError('GP_BAD_OPTION', `SCP02 security level ${level.toString(16).padStart(2, '0')}: only "mac" (01) and "mac+enc" (03) are supported (SCP02 R-MAC needs BEGIN R-MAC SESSION); use --level mac or mac+enc, or SCP03`);
    this.level = level;
    const header = Uint8Array.of(smCla(cla), 0x82, level, 0x00, 0x10);
    const mac = this.cmac(concat(header, this.hostCryptogram), true);
    return concat(header, this.hostCryptogram, mac);
  }

  /** A command under the session's security level: C-MAC, then C-DECRYPTION of the data. */
  wrap(apdu: Uint8Array): Uint8Array {
    const a = splitApdu(apdu);
    const cla = smCla(a.cla);
    if (a.data.length + 8 > 255) throw new GpError('GP_BAD_OPTION', `command data of ${a.data.length} bytes: with the 8-byte C-MAC at most 247 fit one secure-channel command`);
    const mac = this.cmac(concat(Uint8Array.of(cla, a.ins, a.p1, a.p2, a.data.length + 8), a.data), false);
    const data = (this.level & 0x02) !== 0 && a.data.length > 0 ? tdesCbc(this.sessionKeys.enc, pad80(a.data, 8)) : a.data;
    return joinApdu(cla, a.ins, a.p1, a.p2, concat(data, mac), a.le);
  }

  /** SCP02 without R-MAC: the response is as the card sent it. */
  unwrap(response: Uint8Array): Uint8Array {
    return response;
  }

  /** A key for PUT KEY: 3DES-ECB under the session DEK (§E.4.7). */
  encryptKey(key: Uint8Array): Uint8Array {
    if (key.length !== 16) throw new GpError('GP_BAD_KEY', `SCP02 PUT KEY: DES keys are 16 bytes (32 hex digits), got ${key.length}`);
    return tdesEcb(this.sessionKeys.dek, key);
  }

  /** Sensitive personalization data (STORE DATA P1 b7b6 = 11): padded 80 00.., 3DES-ECB under the session DEK. */
  encryptData(data: Uint8Array): Uint8Array {
    return tdesEcb(this.sessionKeys.dek, pad80(data, 8));
  }
}
