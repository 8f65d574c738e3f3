/**
 * The ARA-M's data objects (GlobalPlatform Secure Element Access Control v1.1 §6, coding in
 * apdu-specs/aram.ts): a strict BER-TLV reader, the validation of REF-AR-DOs and of the STORE DATA
 * command DOs, and an encoder for access rules. Shared by the applet and by hosts that build rule
 * sets (profiles, tests), so both speak one encoding.
 *
 * Strict: definite minimal lengths only, one- or two-byte tags, nothing left over, each DO where
 * SEAC puts it; the first deviation is an AramFormatError naming the object and the offset. Rules
 * are kept byte for byte as stored, so GET DATA returns exactly what STORE DATA was given.
 */
import { ARAM_TAGS as T, ARAM_UNSUPPORTED_STORE_TAGS } from '../../../apdu-specs/aram.js';
import { equalBytes } from '../../runtime/bytes.js';
import { encodeTemplate, readTlvAt, TlvSyntaxError } from '../../runtime/tlv.js';

export class AramFormatError extends Error {
  readonly code = 'ARAM_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'AramFormatError';
  }
}

/** One BER-TLV: tag, value (a view), and the whole encoding (a view). */
export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
  readonly raw: Uint8Array;
}

function fail(where: string, off: number, what: string): never {
  throw new AramFormatError(`${where}: ${what} at offset ${off}`);
}

/** Read one TLV at `off` (the runtime's codec, DER rules); returns it and the offset after it. */
export function readTlv(data: Uint8Array, off: number, where: string): [Tlv, number] {
  if (off >= data.length) fail(where, off, 'missing tag');
  let r: { item: { tag: number; value: Uint8Array }; next: number };
  try {
    r = readTlvAt(data, off, { der: true });
  } catch (e) {
    if (!(e instanceof TlvSyntaxError)) throw e;
    const p = e.problem;
    switch (p.kind) {
      case 'tag-cut':
        return fail(where, p.start, 'truncated tag');
      case 'long-tag':
        return fail(where, p.start, 'tag longer than two bytes');
      case 'no-length':
        return fail(where, p.at, 'missing length');
      case 'length-cut':
        return fail(where, p.at, 'truncated length');
      case 'non-minimal':
        return fail(where, p.at, 'non-minimal length');
      case 'length-byte':
        return fail(where, p.at, `unsupported length byte ${p.byte.toString(16).padStart(2, '0')}`);
      case 'past-end':
        return fail(where, p.start, `value of tag ${p.tag.toString(16)} runs past the end (${p.length} bytes, ${p.left} left)`);
    }
  }
  return [{ tag: r.item.tag, value: r.item.value, raw: data.subarray(off, r.next) }, r.next];
}

/** Every TLV of `data`, back to back, to the last byte. */
export function readTlvs(data: Uint8Array, where: string): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < data.length; ) {
    const [t, next] = readTlv(data, off, where);
    out.push(t);
    off = next;
  }
  return out;
}

/** Encode one TLV (minimal length). */
export function tlv(tag: number, ...value: Uint8Array[]): Uint8Array {
  return encodeTemplate(tag, ...value);
}

const hex = (tag: number): string => tag.toString(16).toUpperCase();

/** A stored access rule: views of its REF-AR-DO, REF-DO, AID-REF-DO (4F or C0, if any) and AR-DO. */
export interface RefArDo {
  readonly raw: Uint8Array;
  readonly refDo: Uint8Array;
  readonly aidRef: Uint8Array | null;
  readonly arDo: Uint8Array;
}

/** AID-REF-DO: '4F' with 0 or 5..16 bytes (ISO/IEC 7816-5 AID), or 'C0' empty. */
function checkAidRef(t: Tlv, where: string): void {
  const n = t.value.length;
  if (t.tag === T.AID_REF_DO && n !== 0 && (n < 5 || n > 16)) throw new AramFormatError(`${where}: AID-REF-DO '4F' expected 0 or 5..16 bytes, got ${n}`);
  if (t.tag === T.AID_REF_EMPTY_DO && n !== 0) throw new AramFormatError(`${where}: AID-REF-DO 'C0' must be empty, got ${n} bytes`);
}

/**
 * REF-DO 'E1' (SEAC v1.1 Table 6-5): [AID-REF-DO '4F' (0 or 5..16 bytes) | '4F'-less 'C0' 00
 * "implicitly selected"] then DeviceAppID-REF-DO 'C1' (0 = every device application, 20 = SHA-1,
 * 32 = SHA-256 of the certificate) then, Android's extension, PKG-REF-DO 'CA' (1..127 ASCII).
 * Android's carrier-privilege rules leave the AID-REF-DO out (source.android.com uicc).
 */
export function parseRefDo(t: Tlv, where: string): Uint8Array | null {
  if (t.tag !== T.REF_DO) throw new AramFormatError(`${where}: expected REF-DO 'E1', got '${hex(t.tag)}'`);
  const parts = readTlvs(t.value, `${where} REF-DO`);
  let i = 0;
  let aidRef: Uint8Array | null = null;
  const first = parts[0];
  if (first?.tag === T.AID_REF_DO || first?.tag === T.AID_REF_EMPTY_DO) {
    checkAidRef(first, where);
    aidRef = first.raw;
    i++;
  }
  const dev = parts[i];
  if (dev?.tag !== T.DEVICE_APP_ID_REF_DO) throw new AramFormatError(`${where}: REF-DO needs DeviceAppID-REF-DO 'C1' after the AID-REF-DO`);
  const n = dev.value.length;
  if (n !== 0 && n !== 20 && n !== 32) throw new AramFormatError(`${where}: DeviceAppID-REF-DO 'C1' expected 0, 20 or 32 bytes, got ${n}`);
  i++;
  const pkg = parts[i];
  if (pkg?.tag === T.PKG_REF_DO) {
    if (pkg.value.length < 1 || pkg.value.length > 127 || pkg.value.some((c) => c < 0x20 || c > 0x7e)) {
      throw new AramFormatError(`${where}: PKG-REF-DO 'CA' expected 1..127 printable ASCII bytes`);
    }
    i++;
  }
  if (i !== parts.length) throw new AramFormatError(`${where}: unexpected '${hex(parts[i]!.tag)}' in REF-DO`);
  return aidRef;
}

/**
 * AR-DO 'E3' (SEAC v1.1 Table 6-7): one or more of APDU-AR-DO 'D0' (01 00 never, 01 01 always, or
 * n×8 bytes of 4-byte header ‖ 4-byte mask filters), NFC-AR-DO 'D1' (00 never, 01 always) and
 * Android's PERM-AR-DO 'DB' (8 bytes), each at most once.
 */
export function parseArDo(t: Tlv, where: string): void {
  if (t.tag !== T.AR_DO) throw new AramFormatError(`${where}: expected AR-DO 'E3', got '${hex(t.tag)}'`);
  const parts = readTlvs(t.value, `${where} AR-DO`);
  if (parts.length === 0) throw new AramFormatError(`${where}: empty AR-DO`);
  const seen = new Set<number>();
  for (const p of parts) {
    if (seen.has(p.tag)) throw new AramFormatError(`${where}: '${hex(p.tag)}' twice in AR-DO`);
    seen.add(p.tag);
    const n = p.value.length;
    const generic = n === 1 && p.value[0]! <= 1;
    if (p.tag === T.APDU_AR_DO) {
      if (!generic && (n === 0 || n % 8 !== 0)) throw new AramFormatError(`${where}: APDU-AR-DO expected 00, 01 or n×8 filter bytes, got ${n} bytes`);
    } else if (p.tag === T.NFC_AR_DO) {
      if (!generic) throw new AramFormatError(`${where}: NFC-AR-DO expected 00 or 01`);
    } else if (p.tag === T.PERM_AR_DO) {
      if (n !== 8) throw new AramFormatError(`${where}: PERM-AR-DO expected 8 bytes, got ${n}`);
    } else throw new AramFormatError(`${where}: unexpected '${hex(p.tag)}' in AR-DO`);
  }
}

/** REF-AR-DO 'E2' = REF-DO ‖ AR-DO (SEAC v1.1 Table 6-6). */
export function parseRefArDo(t: Tlv, where: string): RefArDo {
  if (t.tag !== T.REF_AR_DO) throw new AramFormatError(`${where}: expected REF-AR-DO 'E2', got '${hex(t.tag)}'`);
  const parts = readTlvs(t.value, `${where} REF-AR-DO`);
  if (parts.length !== 2) throw new AramFormatError(`${where}: REF-AR-DO expected REF-DO and AR-DO, got ${parts.length} objects`);
  const aidRef = parseRefDo(parts[0]!, where);
  parseArDo(parts[1]!, where);
  return { raw: t.raw, refDo: parts[0]!.raw, aidRef, arDo: parts[1]!.raw };
}

/** A rule list: REF-AR-DOs back to back (the value of Response-ALL-REF-AR-DO), none empty. */
export function parseRules(data: Uint8Array, where = 'rules'): RefArDo[] {
  return readTlvs(data, where).map((t, i) => parseRefArDo(t, `${where}[${i}]`));
}

/** The index of the first rule whose REF-DO an earlier rule already has, or -1. */
export function duplicateRefDo(rules: readonly RefArDo[]): number {
  for (let i = 1; i < rules.length; i++) for (let j = 0; j < i; j++) if (equalBytes(rules[i]!.refDo, rules[j]!.refDo)) return i;
  return -1;
}

/** A STORE DATA command DO (SEAC v1.1 Table 5-1), checked. */
export type StoreCommand =
  | { readonly kind: 'store'; readonly rules: readonly RefArDo[] }
  | { readonly kind: 'delete-all' }
  | { readonly kind: 'delete-aid'; readonly aidRef: Uint8Array }
  | { readonly kind: 'delete-ref'; readonly refDo: Uint8Array }
  | { readonly kind: 'delete-rule'; readonly rule: Uint8Array }
  | { readonly kind: 'update-refresh-tag' }
  | { readonly kind: 'unsupported'; readonly tag: number };

/** Parse the STORE DATA data field: exactly one command DO. */
export function parseStoreCommand(data: Uint8Array): StoreCommand {
  const where = 'STORE DATA';
  const [cmd, end] = readTlv(data, 0, where);
  if (end !== data.length) fail(where, end, `${data.length - end} bytes after the command DO`);
  const v = cmd.value;
  switch (cmd.tag) {
    case T.COMMAND_STORE_REF_AR_DO: {
      const rules = parseRules(v, 'Command-Store-REF-AR-DO');
      if (rules.length === 0) throw new AramFormatError(`${where}: Command-Store-REF-AR-DO holds no REF-AR-DO`);
      return { kind: 'store', rules };
    }
    case T.COMMAND_DELETE: {
      if (v.length === 0) return { kind: 'delete-all' };
      const [what, after] = readTlv(v, 0, 'Command-Delete');
      if (after !== v.length) fail('Command-Delete', after, 'more than one object');
      if (what.tag === T.AID_REF_DO || what.tag === T.AID_REF_EMPTY_DO) {
        checkAidRef(what, 'Command-Delete');
        return { kind: 'delete-aid', aidRef: what.raw };
      }
      if (what.tag === T.REF_DO) {
        parseRefDo(what, 'Command-Delete');
        return { kind: 'delete-ref', refDo: what.raw };
      }
      return { kind: 'delete-rule', rule: parseRefArDo(what, 'Command-Delete').raw };
    }
    case T.COMMAND_UPDATE_REFRESH_TAG_DO:
      if (v.length !== 0) throw new AramFormatError(`${where}: Command-UpdateRefreshTag-DO must be empty`);
      return { kind: 'update-refresh-tag' };
    default:
      if (ARAM_UNSUPPORTED_STORE_TAGS.includes(cmd.tag)) return { kind: 'unsupported', tag: cmd.tag };
      throw new AramFormatError(`${where}: unknown command DO '${hex(cmd.tag)}'`);
  }
}

/** An access rule in readable form, for building REF-AR-DOs. */
export interface AccessRule {
  /** AID-REF-DO: the applet AID (5..16 bytes; empty: all applets, '4F 00'), 'implicit' for 'C0 00'; absent: none (Android carrier privileges). */
  readonly aid?: Uint8Array | 'implicit';
  /** SHA-1 (20) or SHA-256 (32) of the device application's certificate; empty: every application. */
  readonly deviceAppId: Uint8Array;
  /** Android package name (PKG-REF-DO). */
  readonly packageName?: string;
  /** APDU-AR-DO: always, never, or filters (4-byte header and 4-byte mask each). */
  readonly apdu?: 'always' | 'never' | readonly { readonly header: Uint8Array; readonly mask: Uint8Array }[];
  readonly nfc?: 'always' | 'never';
  /** PERM-AR-DO: Android carrier-privilege permissions, 8 bytes. */
  readonly permissions?: Uint8Array;
}

/** Encode one REF-AR-DO; RangeError when the result is not a valid rule. */
export function encodeRefArDo(rule: AccessRule): Uint8Array {
  if (rule.apdu !== undefined && typeof rule.apdu !== 'string' && rule.apdu.some((f) => f.header.length !== 4 || f.mask.length !== 4)) {
    throw new RangeError('encodeRefArDo: each APDU filter expected a 4-byte header and a 4-byte mask');
  }
  const ref: Uint8Array[] = [];
  if (rule.aid === 'implicit') ref.push(tlv(T.AID_REF_EMPTY_DO));
  else if (rule.aid !== undefined) ref.push(tlv(T.AID_REF_DO, rule.aid));
  ref.push(tlv(T.DEVICE_APP_ID_REF_DO, rule.deviceAppId));
  if (rule.packageName !== undefined) ref.push(tlv(T.PKG_REF_DO, new TextEncoder().encode(rule.packageName)));
  const ar: Uint8Array[] = [];
  if (rule.apdu === 'always' || rule.apdu === 'never') ar.push(tlv(T.APDU_AR_DO, Uint8Array.of(rule.apdu === 'always' ? 1 : 0)));
  else if (rule.apdu !== undefined) ar.push(tlv(T.APDU_AR_DO, ...rule.apdu.flatMap((f) => [f.header, f.mask])));
  if (rule.nfc !== undefined) ar.push(tlv(T.NFC_AR_DO, Uint8Array.of(rule.nfc === 'always' ? 1 : 0)));
  if (rule.permissions !== undefined) ar.push(tlv(T.PERM_AR_DO, rule.permissions));
  const out = tlv(T.REF_AR_DO, tlv(T.REF_DO, ...ref), tlv(T.AR_DO, ...ar));
  try {
    parseRules(out, 'encodeRefArDo');
  } catch (e) {
    if (e instanceof AramFormatError) throw new RangeError(e.message);
    throw e;
  }
  return out;
}
