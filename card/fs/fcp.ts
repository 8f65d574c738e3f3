/**
 * Reading a file's own description, as a card returned it, into the layout the file system serves:
 * - the FCP template of TS 102.221 §11.1.1.3 ('62': 82 file descriptor, 83 FID, 84 DF name,
 *   8A life cycle status, 8B/8C/AB security attributes, 80 file size, 88 SFI);
 * - the GSM response of TS 51.011 §9.2.1 (DF/MF: 22+ bytes; EF: 15 bytes, access nibbles in
 *   bytes 9..11, status byte 12, structure byte 14, record length byte 15).
 * Strict: an imported description that does not parse is a RangeError naming the field, since a
 * card built from it would answer garbage.
 */
import { readTlvsStrict, type TlvItem } from '../runtime/tlv.js';
import { readU16 } from '../runtime/bytes.js';
import type { Structure } from './types.js';

export type SecurityAttributes =
  | { readonly kind: 'referenced'; readonly arrFid: number; readonly record: number }
  | { readonly kind: 'compact'; readonly bytes: Uint8Array }
  | { readonly kind: 'expanded'; readonly bytes: Uint8Array }
  | { readonly kind: 'classic'; readonly nibbles: Uint8Array }
  | { readonly kind: 'none' };

export interface FcpInfo {
  readonly kind: 'MF' | 'DF' | 'ADF' | 'EF';
  readonly fid: number | undefined;
  readonly aid: Uint8Array | undefined;
  readonly structure: Structure | undefined;
  /** EF: data bytes (transparent size, or record length × count). */
  readonly size: number;
  readonly recordLength: number;
  readonly records: number;
  /** undefined: none given (the default SFI, the FID's low 5 bits, TS 102.221 §11.1.1.4.8); null: no SFI (88 00). */
  readonly sfi: number | null | undefined;
  readonly active: boolean;
  readonly security: SecurityAttributes;
  /** A BER-TLV structure EF (TS 102.221 §11.1.1.4.3 descriptor 39): structure undefined. */
  readonly berTlv?: boolean;
  /** Classic: byte 8 b7 INCREASE allowed; byte 12 b3 readable/updatable when invalidated. */
  readonly increaseAllowed?: boolean;
  readonly usableWhenInvalidated?: boolean;
}

const fail = (what: string): never => {
  throw new RangeError(what);
};

/** TS 102.221 §11.1.1.4.3: file descriptor byte b6..b4 = 111 DF; b3..b1 = 001 transparent, 010 linear fixed, 110 cyclic; 0x39 BER-TLV. */
function structureOf(fd: number): Structure | undefined {
  switch (fd & 0x07) {
    case 0x01:
      return 'transparent';
    case 0x02:
      return 'linear-fixed';
    case 0x06:
      return 'cyclic';
    default:
      return undefined;
  }
}

/** The data objects inside a '62' FCP template (the whole template, nothing before or after). */
export function fcpObjects(fcp: Uint8Array): TlvItem[] {
  if (fcp[0] !== 0x62) fail(`FCP template: expected tag 62, got ${fcp.length ? fcp[0]!.toString(16).padStart(2, '0') : 'nothing'}`);
  const top = readTlvsStrict(fcp, 'FCP');
  if (top.length !== 1) fail('FCP template: data after the 62 template');
  return readTlvsStrict(top[0]!.value, 'FCP template 62', 2);
}

export function parseUiccFcp(fcp: Uint8Array): FcpInfo {
  const tags = fcpObjects(fcp);
  const get = (tag: number): Uint8Array | undefined => tags.find((t) => t.tag === tag)?.value;
  const fd = get(0x82);
  if (fd === undefined || fd.length < 2) fail('FCP template: file descriptor (82, at least 2 bytes) missing');
  const d = fd![0]!;
  if ((d & 0x80) !== 0) fail(`FCP template: file descriptor byte ${d.toString(16)} has b8 set`);
  const isDf = (d & 0x3f) === 0x38;
  const fidBytes = get(0x83);
  if (fidBytes !== undefined && fidBytes.length !== 2) fail(`FCP template: FID (83) expected 2 bytes, got ${fidBytes.length}`);
  const fid = fidBytes ? (fidBytes[0]! << 8) | fidBytes[1]! : undefined;
  const aid = get(0x84);
  if (aid !== undefined && (aid.length < 5 || aid.length > 16)) fail(`FCP template: DF name (84) expected 5..16 bytes, got ${aid.length}`);
  const lcsi = get(0x8a);
  const active = lcsi === undefined || lcsi.length === 0 ? true : (lcsi[0]! & 0x05) === 0x05 || lcsi[0]! === 0x07;
  let security: SecurityAttributes = { kind: 'none' };
  const ref = get(0x8b);
  if (ref !== undefined) {
    if (ref.length < 3) fail('FCP template: referenced security attributes (8B) need an EF_ARR FID and a record number');
    security = { kind: 'referenced', arrFid: readU16(ref), record: ref[2]! };
  } else if (get(0x8c) !== undefined) security = { kind: 'compact', bytes: get(0x8c)!.slice() };
  else if (get(0xab) !== undefined) security = { kind: 'expanded', bytes: get(0xab)!.slice() };
  if (isDf) {
    const kind = aid !== undefined ? 'ADF' : fid === 0x3f00 ? 'MF' : 'DF';
    if (kind !== 'ADF' && fid === undefined) fail('FCP template: a DF without FID (83) or DF name (84)');
    return { kind, fid, aid: aid?.slice(), structure: undefined, size: 0, recordLength: 0, records: 0, sfi: undefined, active, security };
  }
  if (fid === undefined) fail('FCP template: an EF without FID (83)');
  const sizeOf = (): number => {
    const v = get(0x80);
    if (v === undefined || v.length < 1 || v.length > 4) fail('FCP template: file size (80, 1..4 bytes) missing');
    return v!.reduce((n, b) => n * 256 + b, 0);
  };
  // TS 102.221 §11.1.1.4.3: 39 = a BER-TLV structure EF (described here; the file system does not serve one).
  if ((d & 0x3f) === 0x39) return { kind: 'EF', fid, aid: undefined, structure: undefined, berTlv: true, size: sizeOf(), recordLength: 0, records: 0, sfi: undefined, active, security };
  if ((d & 0x30) !== 0) fail(`FCP template: file descriptor byte ${d.toString(16)} is neither a DF, a working/internal EF nor a BER-TLV EF`);
  const structure = structureOf(d);
  if (structure === undefined) fail(`FCP template: file descriptor byte ${d.toString(16)} is no transparent, linear fixed or cyclic EF`);
  const size = sizeOf();
  let recordLength = 0;
  let records = 0;
  if (structure !== 'transparent') {
    if (fd!.length !== 5) fail(`FCP template: a record EF's file descriptor (82) expected 5 bytes, got ${fd!.length}`);
    recordLength = (fd![2]! << 8) | fd![3]!;
    records = fd![4]!;
    if (recordLength === 0 || records === 0) fail('FCP template: record length and count must not be 0');
    if (recordLength * records !== size) fail(`FCP template: ${records} records of ${recordLength} bytes but file size ${size}`);
  }
  const sfiBytes = get(0x88);
  if (sfiBytes !== undefined && sfiBytes.length > 1) fail(`FCP template: SFI (88) expected 0 or 1 byte, got ${sfiBytes.length}`);
  const sfi = sfiBytes === undefined ? undefined : sfiBytes.length === 0 || sfiBytes[0]! === 0 ? null : sfiBytes[0]! >> 3;
  return { kind: 'EF', fid, aid: undefined, structure, size, recordLength, records, sfi, active, security };
}

/** TS 51.011 §9.2.1: the response to SELECT (GET RESPONSE) of a classic SIM. */
export function parseGsmResponse(r: Uint8Array): FcpInfo {
  if (r.length < 14) fail(`GSM response: ${r.length} bytes, at least 14 expected`);
  if (r.length !== 13 + r[12]!) fail(`GSM response: byte 13 says ${r[12]!} bytes follow, got ${r.length - 13}`);
  const fid = readU16(r, 4);
  const type = r[6]!;
  if (type === 0x01 || type === 0x02) {
    return { kind: type === 0x01 ? 'MF' : 'DF', fid, aid: undefined, structure: undefined, size: 0, recordLength: 0, records: 0, sfi: undefined, active: true, security: { kind: 'none' } };
  }
  if (type !== 0x04) fail(`GSM response: type of file (byte 7) ${type.toString(16)}, expected 01, 02 or 04`);
  if (r.length < 15) fail(`GSM response of an EF: ${r.length} bytes, 15 expected`);
  const size = readU16(r, 2);
  const structure = r[13] === 0x00 ? 'transparent' : r[13] === 0x01 ? 'linear-fixed' : r[13] === 0x03 ? 'cyclic' : fail(`GSM response: structure (byte 14) ${r[13]!.toString(16)}, expected 00, 01 or 03`);
  const recordLength = structure === 'transparent' ? 0 : r[14]!;
  if (structure !== 'transparent' && (recordLength === 0 || size % recordLength !== 0)) fail(`GSM response: file size ${size} is no multiple of the record length ${recordLength}`);
  return {
    kind: 'EF', fid, aid: undefined, structure, size, recordLength, records: recordLength === 0 ? 0 : size / recordLength, sfi: null,
    active: (r[11]! & 0x01) === 0x01, security: { kind: 'classic', nibbles: r.slice(8, 11) },
    increaseAllowed: (r[7]! & 0x40) !== 0, usableWhenInvalidated: (r[11]! & 0x04) !== 0,
  };
}
