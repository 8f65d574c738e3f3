/**
 * Command APDU codec: ISO/IEC 7816-4 §5.1 (cases 1, 2S, 3S, 4S, 2E, 3E, 4E) and the class byte
 * (§5.4.1: first and further interindustry classes; TS 102.221 §10.1.1 for the proprietary 8X/CX
 * classes that carry channels the same way; A0 is the GSM class of TS 51.011 without channel bits).
 */
import { CardError } from './errors.js';
import { readU16 } from './bytes.js';
import { SW } from '../../apdu-specs/status-words.js';

export type ClassKind = 'interindustry' | 'proprietary';

export interface ClassByte {
  /** The CLA with channel, secure-messaging and chaining bits cleared: what dispatch matches on. */
  readonly base: number;
  readonly kind: ClassKind;
  readonly channel: number;
  /** Secure messaging indication (non-zero when the CLA announces SM). */
  readonly sm: number;
  readonly chaining: boolean;
}

function classByte(cla: number): ClassByte | undefined {
  if (cla <= 0x1f) return { base: 0x00, kind: 'interindustry', channel: cla & 0x03, sm: (cla >> 2) & 0x03, chaining: (cla & 0x10) !== 0 };
  if (cla <= 0x3f) return undefined; // 001x xxxx: reserved for future use
  if (cla <= 0x7f) return { base: 0x00, kind: 'interindustry', channel: 4 + (cla & 0x0f), sm: (cla >> 5) & 0x01, chaining: (cla & 0x10) !== 0 };
  if (cla <= 0x9f) return { base: 0x80, kind: 'proprietary', channel: cla & 0x03, sm: (cla >> 2) & 0x03, chaining: (cla & 0x10) !== 0 };
  if (cla <= 0xbf) return { base: cla, kind: 'proprietary', channel: 0, sm: 0, chaining: false };
  if (cla <= 0xfe) return { base: 0x80, kind: 'proprietary', channel: 4 + (cla & 0x0f), sm: (cla >> 5) & 0x01, chaining: (cla & 0x10) !== 0 };
  return undefined; // FF is invalid (PPS)
}

/** The 256 class bytes decoded once (frozen, shared by every command: no object per APDU). */
const CLASS_BYTES: readonly (ClassByte | undefined)[] = Array.from({ length: 256 }, (_, cla) => {
  const c = classByte(cla);
  return c === undefined ? undefined : Object.freeze(c);
});

/** Decode a class byte; undefined for invalid (FF) or RFU (2X/3X) classes. The result is frozen and shared. */
export function decodeCla(cla: number): ClassByte | undefined {
  return Number.isInteger(cla) && cla >= 0 && cla <= 0xff ? CLASS_BYTES[cla] : classByte(cla);
}

/** Encode the class byte for a base class and channel (inverse of decodeCla for SM = chaining = 0). */
export function encodeCla(base: number, channel: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 19) throw new RangeError(`encodeCla: "channel" expected 0..19, got ${channel}`);
  if (base !== 0x00 && base !== 0x80) {
    if (channel !== 0) throw new RangeError(`encodeCla: class ${base.toString(16)} has no logical channels`);
    return base;
  }
  return channel < 4 ? base | channel : base | 0x40 | (channel - 4);
}

export class CommandApdu {
  constructor(
    readonly bytes: Uint8Array,
    readonly cla: number,
    readonly ins: number,
    readonly p1: number,
    readonly p2: number,
    /** Command data (Nc = data.length); a view into `bytes`. */
    readonly data: Uint8Array,
    /** Ne: maximum response length; 0 when Le is absent, 256 / 65536 for Le = 00 / 0000. */
    readonly ne: number,
    readonly leAbsent: boolean,
    readonly apduCase: 1 | 2 | 3 | 4,
    readonly extended: boolean,
    readonly claInfo: ClassByte,
  ) {}

  get channel(): number {
    return this.claInfo.channel;
  }

  /**
   * CLA INS P1 P2 00: on T=0 (and in class A0, whose commands always carry P3) this is either
   * case 1 or case 2 with Le=256 — only the command's declaration and P1-P2 tell which
   * (ISO/IEC 7816-3 §12.2.2; TS 102.221 §7.3.1.1; TS 51.011 §9.1).
   */
  get p3Zero(): boolean {
    return this.bytes.length === 5 && this.bytes[4] === 0;
  }

  /** The same command read as case 1 (no data, no Le): the T=0 form of a case-1 command. */
  asCase1(): CommandApdu {
    return new CommandApdu(this.bytes, this.cla, this.ins, this.p1, this.p2, EMPTY, 0, true, 1, false, this.claInfo);
  }
}

const EMPTY = new Uint8Array(0);

/** The writable view of a CommandApdu that parseCommandInto fills (the fields are readonly to handlers). */
type Writable = { -readonly [K in 'bytes' | 'cla' | 'ins' | 'p1' | 'p2' | 'data' | 'ne' | 'leAbsent' | 'apduCase' | 'extended' | 'claInfo']: CommandApdu[K] };

/** Bytes from..to of `bytes` as a plain Uint8Array view (no copy; empty: one shared array). */
function view(bytes: Uint8Array, from: number, to: number): Uint8Array {
  // Not bytes.subarray(): on a Buffer that goes through the species constructor (a FastBuffer).
  return from === to ? EMPTY : new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from);
}

function fill(t: Writable, bytes: Uint8Array, claInfo: ClassByte, data: Uint8Array, ne: number, leAbsent: boolean, apduCase: 1 | 2 | 3 | 4, extended: boolean): void {
  t.bytes = bytes;
  t.cla = bytes[0]!;
  t.ins = bytes[1]!;
  t.p1 = bytes[2]!;
  t.p2 = bytes[3]!;
  t.data = data;
  t.ne = ne;
  t.leAbsent = leAbsent;
  t.apduCase = apduCase;
  t.extended = extended;
  t.claInfo = claInfo;
}

/**
 * Parse a command APDU. Length errors are CardError(6700), an unusable class byte CardError(6E00):
 * the card answers them without involving an applet. The data is a view into `bytes` (no copy);
 * the class-byte information is shared and frozen.
 */
export function parseCommand(bytes: Uint8Array): CommandApdu {
  const apdu = new CommandApdu(bytes, 0, 0, 0, 0, EMPTY, 0, true, 1, false, CLASS_BYTES[0]!);
  parseCommandInto(apdu, bytes);
  return apdu;
}

/**
 * Parse a command APDU into an existing CommandApdu, overwriting all its fields (the card's one
 * reused command view: no object per command). Throws as parseCommand does; on a throw `into` is
 * left partly written and must not be used. Whoever hands `into` to handlers must not let them
 * keep it past the command.
 */
export function parseCommandInto(into: CommandApdu, bytes: Uint8Array): void {
  const t = into as Writable;
  const n = bytes.length;
  if (n < 4) throw new CardError(SW.WRONG_LENGTH, `APDU of ${n} bytes: at least CLA INS P1 P2 required`);
  const claInfo = CLASS_BYTES[bytes[0]!];
  if (claInfo === undefined) throw new CardError(SW.CLA_NOT_SUPPORTED, `invalid class byte ${bytes[0]!.toString(16)}`);
  if (n === 4) return fill(t, bytes, claInfo, EMPTY, 0, true, 1, false);
  const b5 = bytes[4]!;
  if (n === 5) return fill(t, bytes, claInfo, EMPTY, b5 === 0 ? 256 : b5, false, 2, false);
  if (b5 !== 0) {
    // Short form: Lc = b5 (1..255), optionally one Le byte.
    if (n === 5 + b5) return fill(t, bytes, claInfo, view(bytes, 5, n), 0, true, 3, false);
    if (n === 6 + b5) {
      const le = bytes[n - 1]!;
      return fill(t, bytes, claInfo, view(bytes, 5, n - 1), le === 0 ? 256 : le, false, 4, false);
    }
    throw new CardError(SW.WRONG_LENGTH, `Lc=${b5} disagrees with the ${n - 5} bytes that follow the header`);
  }
  // b5 = 00 and more bytes follow: extended form.
  if (n === 6) throw new CardError(SW.WRONG_LENGTH, 'extended length field truncated (6 bytes)');
  const x = readU16(bytes, 5);
  if (n === 7) return fill(t, bytes, claInfo, EMPTY, x === 0 ? 65536 : x, false, 2, true);
  if (x === 0) throw new CardError(SW.WRONG_LENGTH, 'extended Lc of 0000 is not allowed');
  if (n === 7 + x) return fill(t, bytes, claInfo, view(bytes, 7, n), 0, true, 3, true);
  if (n === 9 + x) {
    const le = readU16(bytes, n - 2);
    return fill(t, bytes, claInfo, view(bytes, 7, n - 2), le === 0 ? 65536 : le, false, 4, true);
  }
  throw new CardError(SW.WRONG_LENGTH, `extended Lc=${x} disagrees with the ${n - 7} bytes that follow`);
}

export interface BuildOptions {
  data?: Uint8Array;
  /** Ne; undefined = no Le field. 256 in short form is Le=00. */
  ne?: number;
  /** Force the extended form even when short would do. */
  extended?: boolean;
}

/** Build a command APDU choosing the short form whenever Nc <= 255 and Ne <= 256. */
export function buildCommand(cla: number, ins: number, p1: number, p2: number, opts: BuildOptions = {}): Uint8Array {
  const data = opts.data ?? new Uint8Array(0);
  const ne = opts.ne;
  if (data.length > 65535) throw new RangeError(`buildCommand: "data" expected at most 65535 bytes, got ${data.length}`);
  if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > 65536)) throw new RangeError(`buildCommand: "ne" expected 1..65536, got ${ne}`);
  const ext = opts.extended === true || data.length > 255 || (ne !== undefined && ne > 256);
  const parts: number[] = [cla, ins, p1, p2];
  if (!ext) {
    if (data.length) parts.push(data.length);
    const out = new Uint8Array(parts.length + data.length + (ne !== undefined ? 1 : 0));
    out.set(parts);
    out.set(data, parts.length);
    if (ne !== undefined) out[out.length - 1] = ne & 0xff;
    return out;
  }
  if (!data.length && ne === undefined) return Uint8Array.of(cla, ins, p1, p2);
  const head = data.length ? [0, data.length >> 8, data.length & 0xff] : [0];
  const leBytes = ne === undefined ? [] : [(ne & 0xffff) >> 8, ne & 0xff];
  if (!data.length && ne !== undefined) {
    const out = new Uint8Array(7);
    out.set([cla, ins, p1, p2, 0, leBytes[0]!, leBytes[1]!]);
    return out;
  }
  const out = new Uint8Array(4 + head.length + data.length + leBytes.length);
  out.set([cla, ins, p1, p2, ...head]);
  out.set(data, 4 + head.length);
  out.set(leBytes, 4 + head.length + data.length);
  return out;
}
