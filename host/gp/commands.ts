/**
 * GlobalPlatform card-management commands from the host (GP Card Specification v2.3.1 chapter
 * 11): SELECT of the Issuer Security Domain, GET DATA (no secure channel), and — through an open
 * GpSession — GET STATUS (with 6310 "more data" continuation), INSTALL [for install and make
 * selectable], INSTALL [for personalization] + STORE DATA, DELETE, SET STATUS, PUT KEY.
 * Each command that fails raises GP_CARD_REFUSED with the SW and its meaning; nothing retries.
 */
import { ISD_AID, KNOWN_ISD_AIDS, describeSw } from '../../apdu-specs/index.js';
import { bytesToHex, concat, hexToBytes, readTlvsStrict, readU16 } from '../../card/runtime/index.js';
import type { Transport } from '../transport/index.js';
import { GpError } from './errors.js';
import { parseStatusLegacy, parseStatusTlv, type RegistryEntry, type RegistryKind } from './data.js';
import type { StaticKeys } from './keys.js';
import type { GpSession } from './session.js';


export interface Answer {
  readonly data: Uint8Array;
  readonly sw: number;
}

function answer(r: Uint8Array): Answer {
  return { data: r.subarray(0, r.length - 2), sw: r.length >= 2 ? readU16(r, r.length - 2) : -1 };
}

function swText(sw: number): string {
  const hex = sw.toString(16).padStart(4, '0');
  const d = describeSw(sw);
  return d ? `${hex} (${d.description})` : hex;
}

function refuse(what: string, sw: number): never {
  throw new GpError('GP_CARD_REFUSED', `${what} answered ${swText(sw)}`, sw.toString(16).padStart(4, '0'));
}

export function aidBytes(hex: string, what: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-fA-F]{2}){5,16}$/.test(clean)) throw new GpError('GP_BAD_OPTION', `${what}: expected an AID of 5 to 16 bytes in hex (10 to 32 hex digits), got "${hex}"`);
  return hexToBytes(clean.toLowerCase());
}

export function hexArg(hex: string, what: string, max = 4096): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new GpError('GP_BAD_OPTION', `${what}: expected bytes in hex (an even number of hex digits), got "${hex.length > 40 ? `${hex.slice(0, 40)}…` : hex}"`);
  const b = hexToBytes(clean.toLowerCase());
  if (b.length > max) throw new GpError('GP_BAD_OPTION', `${what}: at most ${max} bytes, got ${b.length}`);
  return b;
}

function lv(b: Uint8Array): Uint8Array {
  if (b.length > 255) throw new GpError('GP_BAD_OPTION', `a field of ${b.length} bytes does not fit a one-byte length`);
  return concat(Uint8Array.of(b.length), b);
}

/**
 * The DF name (84) of an FCI (6F) whose proprietary data (A5) carries security-domain data —
 * 73 card recognition data or 9F65 maximum block length (GP Card Spec §11.1.8) — else ''.
 */
function securityDomainAid(fci: Uint8Array): string {
  try {
    const top = readTlvsStrict(fci, 'FCI').find((t) => t.tag === 0x6f);
    if (!top) return '';
    const inner = readTlvsStrict(top.value, 'FCI (6F)');
    const name = inner.find((t) => t.tag === 0x84)?.value;
    const a5 = inner.find((t) => t.tag === 0xa5);
    const sd = a5 !== undefined && readTlvsStrict(a5.value, 'FCI (A5)').some((t) => t.tag === 0x73 || t.tag === 0x9f65);
    return name && sd ? bytesToHex(name) : '';
  } catch {
    return '';
  }
}

/**
 * SELECT the ISD by `aid`; without one, the known ISD AIDs in GlobalPlatformPro's order
 * (apdu-specs KNOWN_ISD_AIDS: GlobalPlatform's A000000151000000, then Open Platform's
 * A000000003000000, where SIMs keep it), then — as GlobalPlatformPro does — SELECT with no AID,
 * which reaches the default-selected application: on many cards the ISD, named by the DF name of
 * its FCI. Returns the AID and the FCI.
 */
export async function selectIsd(t: Transport, aid?: string): Promise<{ aid: string; fci: Uint8Array }> {
  const b = aidBytes(aid ?? ISD_AID, '--isd');
  const r = answer(await t.transmit(concat(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, b.length), b, Uint8Array.of(0x00))));
  if (r.sw === 0x9000) return { aid: bytesToHex(b), fci: r.data };
  if (aid === undefined) {
    for (const other of KNOWN_ISD_AIDS.filter((a) => a !== ISD_AID)) {
      const o = hexToBytes(other);
      const a = answer(await t.transmit(concat(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, o.length), o, Uint8Array.of(0x00))));
      if (a.sw === 0x9000) return { aid: other, fci: a.data };
    }
    const d = answer(await t.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x00, 0x00)));
    const named = d.sw === 0x9000 ? securityDomainAid(d.data) : '';
    if (named) return { aid: named, fci: d.data };
  }
  throw new GpError('GP_CARD_REFUSED', `SELECT of the Issuer Security Domain ${bytesToHex(b)}${aid === undefined ? ' (and of the default application)' : ''} answered ${swText(r.sw)}: this card has no GlobalPlatform security domain there; give its AID with --isd`);
}

/** GET DATA (80 CA P1 P2 00) without a secure channel; a 6A88/6D00/6985… is returned, not thrown. */
export async function getData(t: Transport, tag: number, cla = 0x80): Promise<Answer> {
  return answer(await t.transmit(Uint8Array.of(cla, 0xca, tag >> 8, tag & 0xff, 0x00)));
}

// Load files with their modules (10); a card without that subset is asked for load files alone (20).
const SUBSET: Record<RegistryKind, number> = { isd: 0x80, app: 0x40, loadfile: 0x10 };

/** GET STATUS of one subset, all entries (4F00), tag-list format; the legacy format when the card refuses P2=02. */
export async function getStatus(s: GpSession, kind: RegistryKind): Promise<RegistryEntry[]> {
  const out: RegistryEntry[] = [];
  let tlvFormat = true;
  let next = false;
  let subset = SUBSET[kind];
  for (let guard = 0; guard < 64; guard++) {
    const p2 = (tlvFormat ? 0x02 : 0x00) | (next ? 0x01 : 0x00);
    const r = answer(await s.transmit(Uint8Array.of(0x80, 0xf2, subset, p2, 0x02, 0x4f, 0x00, 0x00)));
    if (r.sw === 0x6a88) return out; // nothing of that kind
    if (!next && subset === 0x10 && r.sw === 0x6a86) {
      subset = 0x20;
      continue;
    }
    if (!next && tlvFormat && (r.sw === 0x6a86 || r.sw === 0x6a80)) {
      tlvFormat = false;
      continue;
    }
    if (r.sw !== 0x9000 && r.sw !== 0x6310) refuse(`GET STATUS (${kind})`, r.sw);
    out.push(...(tlvFormat ? parseStatusTlv(kind, r.data) : parseStatusLegacy(kind, r.data)));
    if (r.sw === 0x9000) return out;
    next = true;
  }
  throw new GpError('GP_BAD_RESPONSE', 'GET STATUS: the card kept answering 6310 (more data) after 64 commands');
}

export interface InstallRequest {
  readonly loadFile: Uint8Array;
  readonly module: Uint8Array;
  readonly instance: Uint8Array;
  readonly privileges: Uint8Array;
  /** Application-specific install parameters (C9 value). */
  readonly params: Uint8Array;
}

/** INSTALL [for install and make selectable] (P1 0C), GP Card Spec §11.5.2.3.2. */
export async function install(s: GpSession, req: InstallRequest): Promise<void> {
  const data = concat(lv(req.loadFile), lv(req.module), lv(req.instance), lv(req.privileges), lv(concat(Uint8Array.of(0xc9), lv(req.params))), Uint8Array.of(0x00));
  const r = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xe6, 0x0c, 0x00, data.length), data, Uint8Array.of(0x00))));
  if (r.sw !== 0x9000) refuse('INSTALL [for install and make selectable]', r.sw);
}

/** DELETE (80 E4 00 00|80 4F aid): the object, or with `related` its related objects too (a load file's instances). */
export async function deleteAid(s: GpSession, aid: Uint8Array, related: boolean): Promise<void> {
  const data = concat(Uint8Array.of(0x4f), lv(aid));
  const r = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xe4, 0x00, related ? 0x80 : 0x00, data.length), data, Uint8Array.of(0x00))));
  if (r.sw !== 0x9000) refuse('DELETE', r.sw);
}

/** SET STATUS of an application (P1 40): lock sets b8 of the state (P2 80), unlock clears it (P2 00). */
export async function setLocked(s: GpSession, aid: Uint8Array, locked: boolean): Promise<void> {
  const r = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xf0, 0x40, locked ? 0x80 : 0x00, aid.length), aid)));
  if (r.sw !== 0x9000) refuse(`SET STATUS (${locked ? 'lock' : 'unlock'})`, r.sw);
}

/**
 * PUT KEY of a whole key set (ENC, MAC, DEK as key ids 1..3, P2 = 81): `replaceKvn` 0 adds
 * `newKvn`, else replaces that version. Returns the KCVs the card echoed, checked against ours.
 */
export async function putKeySet(s: GpSession, newKvn: number, replaceKvn: number, keys: StaticKeys): Promise<string[]> {
  if (!Number.isInteger(newKvn) || newKvn < 1 || newKvn > 0x7f) throw new GpError('GP_BAD_OPTION', `--new-kvn: expected a key version number 1..127, got ${newKvn}`);
  const { data, kcvs } = s.putKeyData(newKvn, keys);
  const r = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xd8, replaceKvn, 0x81, data.length), data, Uint8Array.of(0x00))));
  if (r.sw !== 0x9000) refuse('PUT KEY', r.sw);
  const want = bytesToHex(concat(Uint8Array.of(newKvn), ...kcvs));
  if (r.data.length > 0 && bytesToHex(r.data) !== want) throw new GpError('GP_BAD_RESPONSE', `PUT KEY: the card confirmed ${bytesToHex(r.data)}, expected key version and check values ${want}: the keys the card stored are not the ones sent`);
  return kcvs.map(bytesToHex);
}

export const STORE_DATA_FORMATS = { none: 0x00, dgi: 0x08, ber: 0x10 } as const;
export type StoreDataFormat = keyof typeof STORE_DATA_FORMATS;

/**
 * STORE DATA blocks (≤ 200 bytes each) to `aid`: to an application after INSTALL [for
 * personalization] of it; to the security domain itself (`aid` is the selected SD) directly
 * (GP Card Spec §11.11.1). Returns the blocks sent.
 */
export async function storeData(s: GpSession, aid: Uint8Array, data: Uint8Array, format: StoreDataFormat, toSelectedSd = false): Promise<number> {
  if (!toSelectedSd) {
    const inst = concat(Uint8Array.of(0x00, 0x00), lv(aid), Uint8Array.of(0x00, 0x00, 0x00));
    const r = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xe6, 0x20, 0x00, inst.length), inst, Uint8Array.of(0x00))));
    if (r.sw !== 0x9000) refuse('INSTALL [for personalization]', r.sw);
  }
  // 200 bytes of data stay under 255 after SCP03 padding (16) and the C-MAC (8).
  const BLOCK = 200;
  const n = Math.max(1, Math.ceil(data.length / BLOCK));
  if (n > 256) throw new GpError('GP_BAD_OPTION', `store-data: ${data.length} bytes need ${n} STORE DATA blocks; at most 256 (block numbers are one byte)`);
  for (let i = 0; i < n; i++) {
    const block = data.subarray(i * BLOCK, (i + 1) * BLOCK);
    const p1 = (i === n - 1 ? 0x80 : 0x00) | STORE_DATA_FORMATS[format];
    const rr = answer(await s.transmit(concat(Uint8Array.of(0x80, 0xe2, p1, i, block.length), block, Uint8Array.of(0x00))));
    if (rr.sw !== 0x9000) refuse(`STORE DATA block ${i}`, rr.sw);
  }
  return n;
}
