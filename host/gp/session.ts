/**
 * Opening a GlobalPlatform secure channel from the host over any Transport (emulator, PC/SC):
 * INITIALIZE UPDATE, the card cryptogram checked (a wrong one stops here: EXTERNAL AUTHENTICATE
 * is not sent, so the card's retry counter is not spent on keys known to be wrong), EXTERNAL
 * AUTHENTICATE, then every command wrapped and every response unwrapped at the security level
 * asked for. SCP02 or SCP03 is read from the card's answer ('auto') or required.
 * The keys stay inside the session object: nothing here prints, logs or returns them.
 */
import { bytesToHex, concat } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { kcvAes, kcvDes, randomBytes } from './crypto.js';
import { GpError } from './errors.js';
import { diversify, type Diversification, type StaticKeys } from './keys.js';
import { parseScp02InitResponse, Scp02Channel } from './scp02.js';
import { parseScp03InitResponse, Scp03Channel } from './scp03.js';

export const SECURITY_LEVELS = { mac: 0x01, 'mac+enc': 0x03, 'mac+rmac': 0x11, 'mac+enc+rmac': 0x13, 'mac+enc+rmac+renc': 0x33 } as const;
export type SecurityLevelName = keyof typeof SECURITY_LEVELS;
export type ScpChoice = 'auto' | '02' | '03';

export interface SecureChannelOptions {
  /** The three static keys, or one master key to diversify (`diversify`). */
  readonly keys: StaticKeys | { readonly master: Uint8Array; readonly diversify: Diversification };
  /** Key version number for INITIALIZE UPDATE P1; 0: the card's default key set. */
  readonly kvn?: number;
  readonly scp?: ScpChoice;
  readonly level?: SecurityLevelName;
  /** Fixed host challenge (replaying a recorded session); random otherwise. */
  readonly hostChallenge?: Uint8Array;
  /** Logical channel 0..3 (CLA b1b2). */
  readonly channel?: number;
}

export function parseLevel(name: string): SecurityLevelName {
  if (Object.hasOwn(SECURITY_LEVELS, name)) return name as SecurityLevelName;
  throw new GpError('GP_BAD_OPTION', `--level: unknown security level "${name}"; expected one of ${Object.keys(SECURITY_LEVELS).join(', ')}`);
}

export function parseScp(value: string): ScpChoice {
  if (value === 'auto' || value === '02' || value === '03') return value;
  if (value === '2' || value === '3') return `0${value}` as ScpChoice;
  throw new GpError('GP_BAD_OPTION', `--scp: expected 02, 03 or auto, got "${value}"`);
}

type Channel = Scp02Channel | Scp03Channel;

function swOf(r: Uint8Array): string {
  return bytesToHex(r.subarray(r.length - 2));
}

/** An open secure channel: send commands in clear, they go wrapped; responses come back unwrapped. */
export class GpSession {
  constructor(
    private readonly transport: Transport,
    private readonly channel: Channel,
    readonly level: SecurityLevelName,
    readonly kvn: number,
  ) {}

  get scp(): '02' | '03' {
    return this.channel.scp;
  }

  /** The card's "i" parameter (SCP03) as announced in INITIALIZE UPDATE; SCP02 does not announce it. */
  get i(): number | undefined {
    return this.channel instanceof Scp03Channel ? this.channel.init.i : undefined;
  }

  /**
   * Wraps `apdu` (clear, CLA 8x), sends it, returns the unwrapped response (data ‖ SW). A 61xx
   * answer — a card with an R-MAC to return for a case-3 command, which carries no Le — is
   * completed with GET RESPONSE (ISO/IEC 7816-4 §5.1.3) before the R-MAC is checked; the transport
   * already does this on T=0, this covers T=1 and --raw.
   */
  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    let response = await this.transport.transmit(this.channel.wrap(apdu));
    const data: Uint8Array[] = [];
    for (let guard = 0; guard < 256 && response.length >= 2 && response[response.length - 2] === 0x61; guard++) {
      data.push(response.subarray(0, response.length - 2));
      response = await this.transport.transmit(Uint8Array.of(apdu[0]! & 0x03, 0xc0, 0x00, 0x00, response[response.length - 1]!));
    }
    return this.channel.unwrap(data.length ? concat(...data, response) : response);
  }

  /**
   * Sensitive data for STORE DATA with P1 b7b6 = 11 (a DGI value): padded 80 00.. and encrypted
   * with the DEK — SCP03: static DEK, AES-CBC, zero ICV; SCP02: session DEK, 3DES-ECB.
   */
  encryptData(data: Uint8Array): Uint8Array {
    return this.channel.encryptData(data);
  }

  /**
   * The key-data field of PUT KEY (GP Card Spec §11.8.2.3) for a new key set: new KVN, then for
   * ENC, MAC, DEK the key type (80 DES, 88 AES), its length, the key encrypted for this session
   * (SCP02: session DEK; SCP03: static DEK), and a 3-byte check value.
   */
  putKeyData(newKvn: number, keys: StaticKeys): { data: Uint8Array; kcvs: Uint8Array[] } {
    const parts: Uint8Array[] = [Uint8Array.of(newKvn)];
    const kcvs: Uint8Array[] = [];
    for (const k of [keys.enc, keys.mac, keys.dek]) {
      const enc = this.channel.encryptKey(k);
      const kcv = this.channel.scp === '02' ? kcvDes(k) : kcvAes(k);
      kcvs.push(kcv);
      // SCP02: 80 | 10 | 3DES(key); SCP03: 88 | 1 + n | key length | AES(key), then 03 | KCV.
      parts.push(this.channel.scp === '02' ? concat(Uint8Array.of(0x80, enc.length), enc) : concat(Uint8Array.of(0x88, enc.length + 1, k.length), enc), Uint8Array.of(0x03), kcv);
    }
    return { data: concat(...parts), kcvs };
  }
}

/** INITIALIZE UPDATE + EXTERNAL AUTHENTICATE; resolves with the open session. */
export async function openSecureChannel(transport: Transport, opts: SecureChannelOptions): Promise<GpSession> {
  const kvn = opts.kvn ?? 0;
  if (!Number.isInteger(kvn) || kvn < 0 || kvn > 0x7f) throw new GpError('GP_BAD_OPTION', `--kvn: expected a key version number 0..127 (0: the card's default), got ${kvn}`);
  const level = opts.level ?? 'mac';
  const want = opts.scp ?? 'auto';
  const channelNo = opts.channel ?? 0;
  if (channelNo < 0 || channelNo > 3) throw new GpError('GP_BAD_OPTION', `logical channel ${channelNo}: secure channels run on channels 0..3 here`);
  const cla = 0x80 | channelNo;
  const hostChallenge = opts.hostChallenge ?? randomBytes(8);
  if (hostChallenge.length !== 8) throw new GpError('GP_BAD_OPTION', `host challenge: expected 8 bytes, got ${hostChallenge.length}`);
  const iu = await transport.transmit(concat(Uint8Array.of(cla, 0x50, kvn, 0x00, 0x08), hostChallenge, Uint8Array.of(0x00)));
  const sw = swOf(iu);
  if (sw !== '9000') throw new GpError('GP_CARD_REFUSED', `INITIALIZE UPDATE (key version ${kvn}) answered ${sw}${sw === '6a88' ? ': the card has no key set with that version (check --kvn)' : sw === '6982' || sw === '6983' ? ': the card refuses (key set blocked or card locked)' : ''}; is a security domain selected?`);
  const data = iu.subarray(0, iu.length - 2);
  const scpId = data.length >= 12 ? data[11]! : -1;
  const cardScp = scpId === 0x02 ? '02' : scpId === 0x03 ? '03' : undefined;
  if (!cardScp) throw new GpError('GP_BAD_RESPONSE', `INITIALIZE UPDATE response of ${data.length} bytes names SCP identifier ${scpId < 0 ? '(none)' : scpId.toString(16).padStart(2, '0')}; only SCP02 and SCP03 are supported`);
  if (want !== 'auto' && want !== cardScp) throw new GpError('GP_SCP_MISMATCH', `--scp ${want} asked for, but the card answered INITIALIZE UPDATE with SCP${cardScp}; use --scp ${cardScp} or auto`);
  const init = cardScp === '02' ? parseScp02InitResponse(data) : parseScp03InitResponse(data);
  const keys = 'master' in opts.keys ? diversify(opts.keys.master, init.kdd, opts.keys.diversify) : opts.keys;
  const ch: Channel = cardScp === '02' ? new Scp02Channel(keys, hostChallenge, init as ReturnType<typeof parseScp02InitResponse>) : new Scp03Channel(keys, hostChallenge, init as ReturnType<typeof parseScp03InitResponse>);
  if (!ch.cardCryptogramOk) throw new GpError('GP_CARD_CRYPTOGRAM', `the card cryptogram does not match (SCP${cardScp}, key version ${init.kvn}): the card does not hold these keys. Check --key/--enc/--mac/--dek, --kvn and --diversify; EXTERNAL AUTHENTICATE was not sent, so no authentication attempt was spent`);
  const ea = await transport.transmit(ch.externalAuthenticate(SECURITY_LEVELS[level], cla));
  const easw = swOf(ea);
  if (easw !== '9000') throw new GpError('GP_CARD_REFUSED', `EXTERNAL AUTHENTICATE answered ${easw}${easw === '6300' ? ': authentication failed (the card counts this attempt)' : ''}`);
  return new GpSession(transport, ch, level, init.kvn);
}
