/**
 * Decoding what a security domain answers (GlobalPlatform Card Specification v2.3.1):
 * - CPLC, tag 9F7F (GP Card Spec §H.6; the 42-byte layout every GP tool prints field by field),
 *   dates as YDDD (last digit of the year, day of the year);
 * - Card Data, tag 66 (§H.2): the card recognition data OIDs — GP version (1.2.840.114283.2.v.w.x)
 *   and the SCP with its "i" (1.2.840.114283.4.scp.i);
 * - Key Information Template, tag E0 (§11.3.3.1): C0 entries: key id, version, type, length;
 * - GET STATUS responses, tag-list format E3 (§11.4.3.1: 4F AID, 9F70 life cycle, C5 privileges,
 *   C4 load file, 84 modules, CC associated SD, CE version) and the legacy format (P2 b2 = 0).
 * Parsers are strict: a truncated object is a GP_BAD_RESPONSE naming the object and offset.
 */
import { bytesToHex, readTlvsStrict, type TlvItem } from '../../card/runtime/index.js';
import { GpError } from './errors.js';

function tlvs(b: Uint8Array, what: string): TlvItem[] {
  try {
    return readTlvsStrict(b, what);
  } catch (e) {
    throw new GpError('GP_BAD_RESPONSE', `${what}: ${(e as Error).message}`);
  }
}

/** The value of tag `tag` at the top of `b`, or of `b` itself when it is not wrapped. */
function unwrapTag(b: Uint8Array, tag: number, what: string): Uint8Array {
  const items = tlvs(b, what);
  const it = items.find((t) => t.tag === tag);
  if (!it) throw new GpError('GP_BAD_RESPONSE', `${what}: tag ${tag.toString(16).toUpperCase()} not found in the answer`);
  return it.value;
}

export const CPLC_FIELDS = [
  ['ICFabricator', 2],
  ['ICType', 2],
  ['OperatingSystemID', 2],
  ['OperatingSystemReleaseDate', 2],
  ['OperatingSystemReleaseLevel', 2],
  ['ICFabricationDate', 2],
  ['ICSerialNumber', 4],
  ['ICBatchIdentifier', 2],
  ['ICModuleFabricator', 2],
  ['ICModulePackagingDate', 2],
  ['ICCManufacturer', 2],
  ['ICEmbeddingDate', 2],
  ['ICPrePersonalizer', 2],
  ['ICPrePersonalizationEquipmentDate', 2],
  ['ICPrePersonalizationEquipmentID', 4],
  ['ICPersonalizer', 2],
  ['ICPersonalizationDate', 2],
  ['ICPersonalizationEquipmentID', 4],
] as const;

export interface CplcField {
  readonly name: string;
  readonly value: string;
  /** For a date field: "year digit Y, day DDD" when the BCD is valid; undefined otherwise. */
  readonly date?: string;
}

function cplcDate(v: Uint8Array): string | undefined {
  const s = bytesToHex(v);
  if (!/^[0-9]{4}$/.test(s)) return undefined;
  const day = Number(s.slice(1));
  return day >= 1 && day <= 366 ? `year …${s[0]}, day ${day}` : undefined;
}

/** CPLC (9F7F, 42 bytes), field by field. `b` may carry the 9F7F tag or be its value. */
export function decodeCplc(b: Uint8Array): CplcField[] {
  const v = b.length >= 3 && b[0] === 0x9f && b[1] === 0x7f ? unwrapTag(b, 0x9f7f, 'CPLC') : b;
  if (v.length !== 42) throw new GpError('GP_BAD_RESPONSE', `CPLC: expected 42 bytes, got ${v.length}`);
  const out: CplcField[] = [];
  let off = 0;
  for (const [name, n] of CPLC_FIELDS) {
    const raw = v.subarray(off, off + n);
    off += n;
    const date = name.endsWith('Date') ? cplcDate(raw) : undefined;
    out.push({ name, value: bytesToHex(raw), ...(date ? { date } : {}) });
  }
  return out;
}

const GP_OID_PREFIX = '2a864886fc6b'; // 1.2.840.114283

export interface CardData {
  readonly gpVersion?: string;
  /** Every SCP the card announces (one 64 object each), with its "i". */
  readonly scps: { version: number; i: number }[];
  /** Every OID found, tag by tag (hex tag → dotted OID). */
  readonly oids: { tag: string; oid: string }[];
}

function oidToString(b: Uint8Array): string {
  if (b.length === 0) return '';
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let n = 0;
  for (let i = 1; i < b.length; i++) {
    n = n * 128 + (b[i]! & 0x7f);
    if ((b[i]! & 0x80) === 0) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** Card Data (66 → 73 → 06/60/63/64/65…), with the GP version and SCP read from their OIDs. */
export function decodeCardData(b: Uint8Array): CardData {
  const v66 = unwrapTag(b, 0x66, 'Card Data');
  const v73 = unwrapTag(v66, 0x73, 'Card Data (card recognition data, tag 73)');
  const oids: { tag: string; oid: string }[] = [];
  let gpVersion: string | undefined;
  const scps: { version: number; i: number }[] = [];
  for (const t of tlvs(v73, 'Card Data (tag 73)')) {
    const oidBytes = t.tag === 0x06 ? t.value : tlvs(t.value, `Card Data (tag ${t.tag.toString(16)})`).find((x) => x.tag === 0x06)?.value;
    if (!oidBytes) continue;
    const hex = bytesToHex(oidBytes);
    oids.push({ tag: t.tag.toString(16).padStart(2, '0'), oid: oidToString(oidBytes) });
    if (t.tag === 0x60 && hex.startsWith(`${GP_OID_PREFIX}02`)) gpVersion = Array.from(oidBytes.subarray(7)).join('.');
    if (t.tag === 0x64 && hex.startsWith(`${GP_OID_PREFIX}04`) && oidBytes.length >= 9) scps.push({ version: oidBytes[7]!, i: oidBytes[8]! });
  }
  return { ...(gpVersion !== undefined ? { gpVersion } : {}), scps, oids };
}

export interface KeyInfo {
  readonly id: number;
  readonly version: number;
  readonly type: string;
  readonly length: number;
}

const KEY_TYPES: Record<number, string> = { 0x80: 'DES', 0x81: 'RFU', 0x82: 'DES-ECB', 0x83: 'DES-CBC', 0x85: 'TLS-PSK', 0x88: 'AES', 0x90: 'HMAC-SHA1', 0x91: 'HMAC-SHA1-160', 0xa0: 'RSA-public-e', 0xa1: 'RSA-public-n', 0xb0: 'ECC-public' };

/** Key Information Template (E0 → C0 …): basic (C0 04: id, version, type, length) and extended (FF80…) entries. */
export function decodeKeyInfo(b: Uint8Array): KeyInfo[] {
  const v = unwrapTag(b, 0xe0, 'Key Information Template');
  const out: KeyInfo[] = [];
  for (const c0 of tlvs(v, 'Key Information Template (E0)')) {
    if (c0.tag !== 0xc0) continue;
    const d = c0.value;
    if (d.length < 4) throw new GpError('GP_BAD_RESPONSE', `Key Information Template: a C0 entry of ${d.length} bytes; expected at least 4`);
    if (d[2] === 0xff) {
      // Extended format (GP 2.2 §11.3.3.1): id, version, then FFxx type and a 2-byte length.
      out.push({ id: d[0]!, version: d[1]!, type: KEY_TYPES[d[3]!] ?? `type ${bytesToHex(d.subarray(2, 4))}`, length: d.length >= 6 ? (d[4]! << 8) | d[5]! : 0 });
    } else out.push({ id: d[0]!, version: d[1]!, type: KEY_TYPES[d[2]!] ?? `type ${d[2]!.toString(16).padStart(2, '0')}`, length: d[3]! });
  }
  return out;
}

export type RegistryKind = 'isd' | 'app' | 'loadfile';

export interface RegistryEntry {
  readonly kind: RegistryKind;
  readonly aid: string;
  readonly lifeCycle: number;
  readonly lifeCycleName: string;
  /** Privilege bytes (hex) and their names; absent for load files. */
  readonly privileges?: { hex: string; names: string[] };
  readonly loadFile?: string;
  readonly modules?: string[];
  readonly associatedSd?: string;
  readonly version?: string;
}

/** GP Card Spec §11.1.1 (card), §11.1.2 (applications and SDs), §11.1.3 (load files). */
export function lifeCycleName(kind: RegistryKind, lc: number): string {
  if (kind === 'isd') return ({ 0x01: 'OP_READY', 0x07: 'INITIALIZED', 0x0f: 'SECURED', 0x7f: 'CARD_LOCKED', 0xff: 'TERMINATED' } as Record<number, string>)[lc] ?? `card state ${lc.toString(16).padStart(2, '0')}`;
  if (kind === 'loadfile') return lc === 0x01 ? 'LOADED' : `load file state ${lc.toString(16).padStart(2, '0')}`;
  if ((lc & 0x83) === 0x83) return 'LOCKED';
  if (lc === 0x03) return 'INSTALLED';
  if (lc === 0x07) return 'SELECTABLE';
  if (lc === 0x0f) return 'PERSONALIZED';
  if ((lc & 0x07) === 0x07) return `SELECTABLE (application-specific ${lc.toString(16).padStart(2, '0')})`;
  return `state ${lc.toString(16).padStart(2, '0')}`;
}

/** Privilege names by byte and bit (GP Card Spec §11.1.2 table 11-7). */
const PRIVILEGES: readonly (readonly [number, number, string])[] = [
  [0, 0x80, 'SecurityDomain'],
  [0, 0x40, 'DAPVerification'],
  [0, 0x20, 'DelegatedManagement'],
  [0, 0x10, 'CardLock'],
  [0, 0x08, 'CardTerminate'],
  [0, 0x04, 'CardReset'],
  [0, 0x02, 'CVMManagement'],
  [0, 0x01, 'MandatedDAPVerification'],
  [1, 0x80, 'TrustedPath'],
  [1, 0x40, 'AuthorizedManagement'],
  [1, 0x20, 'TokenVerification'],
  [1, 0x10, 'GlobalDelete'],
  [1, 0x08, 'GlobalLock'],
  [1, 0x04, 'GlobalRegistry'],
  [1, 0x02, 'FinalApplication'],
  [1, 0x01, 'GlobalService'],
  [2, 0x80, 'ReceiptGeneration'],
  [2, 0x40, 'CipheredLoadFileDataBlock'],
  [2, 0x20, 'ContactlessActivation'],
  [2, 0x10, 'ContactlessSelfActivation'],
];

export function privilegeNames(p: Uint8Array): string[] {
  return PRIVILEGES.filter(([byte, bit]) => byte < p.length && (p[byte]! & bit) !== 0).map(([, , n]) => n);
}

/** Privilege bytes from names (for INSTALL --privileges), unknown names refused by name. */
export function privilegesFromNames(names: readonly string[]): Uint8Array {
  const out = new Uint8Array(3);
  for (const n of names) {
    const p = PRIVILEGES.find(([, , name]) => name.toLowerCase() === n.toLowerCase());
    if (!p) throw new GpError('GP_BAD_OPTION', `--privileges: unknown privilege "${n}"; expected names from ${PRIVILEGES.map(([, , x]) => x).join(', ')}`);
    out[p[0]]! |= p[1];
  }
  return out;
}

/** One GET STATUS answer in the tag-list format (E3 templates). */
export function parseStatusTlv(kind: RegistryKind, data: Uint8Array): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  for (const e3 of tlvs(data, 'GET STATUS response')) {
    if (e3.tag !== 0xe3) throw new GpError('GP_BAD_RESPONSE', `GET STATUS response: expected E3 templates, got tag ${e3.tag.toString(16).toUpperCase()} at offset ${e3.at}`);
    let aid = '';
    let lc = -1;
    let priv: Uint8Array | undefined;
    let loadFile: string | undefined;
    let sd: string | undefined;
    let version: string | undefined;
    const modules: string[] = [];
    for (const t of tlvs(e3.value, 'GET STATUS response (E3)')) {
      if (t.tag === 0x4f) aid = bytesToHex(t.value);
      else if (t.tag === 0x9f70) lc = t.value[0] ?? -1;
      else if (t.tag === 0xc5) priv = t.value;
      else if (t.tag === 0xc4) loadFile = bytesToHex(t.value);
      else if (t.tag === 0x84) modules.push(bytesToHex(t.value));
      else if (t.tag === 0xcc) sd = bytesToHex(t.value);
      else if (t.tag === 0xce) version = Array.from(t.value).join('.');
    }
    if (!aid || lc < 0) throw new GpError('GP_BAD_RESPONSE', `GET STATUS response: an E3 template at offset ${e3.at} lacks its AID (4F) or life cycle (9F70)`);
    out.push({ kind, aid, lifeCycle: lc, lifeCycleName: lifeCycleName(kind, lc), ...(priv ? { privileges: { hex: bytesToHex(priv), names: privilegeNames(priv) } } : {}), ...(loadFile ? { loadFile } : {}), ...(modules.length ? { modules } : {}), ...(sd ? { associatedSd: sd } : {}), ...(version ? { version } : {}) });
  }
  return out;
}

/** One GET STATUS answer in the legacy format: (length, AID, life cycle, privileges) repeated. */
export function parseStatusLegacy(kind: RegistryKind, data: Uint8Array): RegistryEntry[] {
  const out: RegistryEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const n = data[i]!;
    if (i + 1 + n + 2 > data.length) throw new GpError('GP_BAD_RESPONSE', `GET STATUS response (legacy format): the entry at offset ${i} announces a ${n}-byte AID but the answer ends first`);
    const aid = bytesToHex(data.subarray(i + 1, i + 1 + n));
    const lc = data[i + 1 + n]!;
    const priv = data.subarray(i + 2 + n, i + 3 + n);
    out.push({ kind, aid, lifeCycle: lc, lifeCycleName: lifeCycleName(kind, lc), ...(kind !== 'loadfile' ? { privileges: { hex: bytesToHex(priv), names: privilegeNames(priv) } } : {}) });
    i += 3 + n;
  }
  return out;
}
