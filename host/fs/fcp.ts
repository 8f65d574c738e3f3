/**
 * What an import needs to know from a raw select response, read strictly (a malformed response is a
 * RangeError naming the offset; the export parser turns it into file:line):
 * - a UICC FCP template '62' (TS 102.221 §11.1.1.3; BER-TLV, ISO/IEC 8825-1 §8.1): 82 file
 *   descriptor (§11.1.1.4.3), 83 FID, 84 DF name (AID), 80 file size, 88 SFI (§11.1.1.4.8);
 * - a classic GSM response (TS 51.011 §9.2.1): bytes 3-4 size, 5-6 FID, 7 type of file, 13 length
 *   of what follows, 14 structure of the EF, 15 record length.
 * card/fs reads the same bytes again when the tree is served; this reader exists so that a bad
 * export is refused before anything is written, with the line that is wrong.
 */
import type { FsNodeKind } from '../../card/fs/data.js';
import { bytesToHex } from '../../card/runtime/bytes.js';

export type EfStructure = 'transparent' | 'linear_fixed' | 'cyclic' | 'ber_tlv';

export interface FcpFacts {
  readonly kind: FsNodeKind;
  /** 4 upper-case hex digits; absent for an ADF whose FCP has no tag 83. */
  readonly fid?: string;
  /** ADF: the DF name (tag 84), upper-case hex. */
  readonly aid?: string;
  /** EF only. */
  readonly structure?: EfStructure;
  /** EF: bytes (transparent) or records × record length. */
  readonly size: number;
  readonly recordLength: number;
  readonly records: number;
  /** UICC EF: undefined = tag 88 absent (SFI from the FID), null = 88 00 (no SFI), else the SFI. */
  readonly sfi?: number | null;
}

export interface Tlv {
  readonly tag: number;
  readonly value: Uint8Array;
}

const h2 = (n: number): string => n.toString(16).padStart(2, '0');
const upper = (b: Uint8Array): string => bytesToHex(b).toUpperCase();

/** BER-TLV objects filling `b` exactly: 1- or 2-byte tags, lengths 00..7F, 81 xx, 82 xx xx. */
export function readTlvsStrict(b: Uint8Array, what: string): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < b.length) {
    const at = i;
    let tag = b[i++]!;
    if ((tag & 0x1f) === 0x1f) {
      if (i >= b.length) throw new RangeError(`${what}: two-byte tag ${h2(tag)} cut short at offset ${at}`);
      tag = (tag << 8) | b[i++]!;
    }
    if (i >= b.length) throw new RangeError(`${what}: tag ${tag.toString(16)} at offset ${at} has no length`);
    let len = b[i++]!;
    if (len === 0x81 || len === 0x82) {
      const n = len - 0x80;
      if (i + n > b.length) throw new RangeError(`${what}: length of tag ${tag.toString(16)} at offset ${at} cut short`);
      len = n === 1 ? b[i]! : (b[i]! << 8) | b[i + 1]!;
      i += n;
    } else if (len > 0x7f) throw new RangeError(`${what}: length byte ${h2(len)} of tag ${tag.toString(16)} at offset ${at} is not 00..7F, 81 or 82`);
    if (i + len > b.length) throw new RangeError(`${what}: tag ${tag.toString(16)} at offset ${at} says ${len} bytes, ${b.length - i} left (truncated)`);
    out.push({ tag, value: b.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** One BER-TLV object: a 1- or 2-byte tag, short or 81 length form. */
export function tlv(tag: number, value: Uint8Array): Uint8Array {
  if (value.length > 0xff) throw new RangeError(`tlv: value of tag ${tag.toString(16)} expected 0..255 bytes, got ${value.length}`);
  const head = [...(tag > 0xff ? [tag >> 8, tag & 0xff] : [tag]), ...(value.length < 0x80 ? [value.length] : [0x81, value.length])];
  const out = new Uint8Array(head.length + value.length);
  out.set(head);
  out.set(value, head.length);
  return out;
}

const uint = (v: Uint8Array): number => v.reduce((n, x) => n * 256 + x, 0);

/** The inner data objects of a '62' FCP template (the whole template, nothing before or after). */
export function fcpObjects(b: Uint8Array): Tlv[] {
  if (b[0] !== 0x62) throw new RangeError(`FCP: first byte ${b.length ? h2(b[0]!) : '(none)'} is not the FCP template tag 62`);
  const top = readTlvsStrict(b, 'FCP');
  if (top.length !== 1) throw new RangeError('FCP: data after the 62 template');
  return readTlvsStrict(top[0]!.value, 'FCP template 62');
}

/** TS 102.221 §11.1.1.3 / §11.1.1.4. */
export function readUiccFcp(b: Uint8Array): FcpFacts {
  const objs = fcpObjects(b);
  const get = (tag: number): Uint8Array | undefined => objs.find((o) => o.tag === tag)?.value;
  const fd = get(0x82);
  if (!fd || fd.length < 2) throw new RangeError('FCP: no file descriptor (tag 82 with at least 2 bytes)');
  const fidBytes = get(0x83);
  if (fidBytes && fidBytes.length !== 2) throw new RangeError(`FCP: FID (tag 83) expected 2 bytes, got ${fidBytes.length}`);
  const fid = fidBytes ? upper(fidBytes) : undefined;
  const d = fd[0]!;
  // §11.1.1.4.3 Table 11.5: b8 = 0; b6..b4 = 111 with b3..b1 = 000 is a DF/ADF, 001 a BER-TLV EF.
  if ((d & 0x80) !== 0) throw new RangeError(`FCP: file descriptor byte ${h2(d)} has b8 set`);
  if ((d & 0x3f) === 0x38) {
    const aidBytes = get(0x84);
    if (aidBytes && (aidBytes.length < 5 || aidBytes.length > 16)) throw new RangeError(`FCP: DF name (tag 84) expected 5..16 bytes, got ${aidBytes.length}`);
    const kind: FsNodeKind = aidBytes ? 'ADF' : fid === '3F00' ? 'MF' : 'DF';
    if (kind !== 'ADF' && !fid) throw new RangeError('FCP: a DF without FID (tag 83) or DF name (tag 84)');
    return { kind, ...(fid ? { fid } : {}), ...(aidBytes ? { aid: upper(aidBytes) } : {}), size: 0, recordLength: 0, records: 0 };
  }
  if (!fid) throw new RangeError('FCP: an EF without FID (tag 83)');
  let structure: EfStructure;
  if ((d & 0x3f) === 0x39) structure = 'ber_tlv';
  else if ((d & 0x30) !== 0) throw new RangeError(`FCP: file descriptor byte ${h2(d)} is neither a DF, a working/internal EF nor a BER-TLV EF`);
  else if ((d & 7) === 1) structure = 'transparent';
  else if ((d & 7) === 2) structure = 'linear_fixed';
  else if ((d & 7) === 6) structure = 'cyclic';
  else throw new RangeError(`FCP: file descriptor byte ${h2(d)}: EF structure ${d & 7} is not 1 (transparent), 2 (linear fixed) or 6 (cyclic)`);
  const sizeBytes = get(0x80);
  if (!sizeBytes || sizeBytes.length < 1 || sizeBytes.length > 4) throw new RangeError('FCP: an EF without file size (tag 80, 1..4 bytes)');
  const size = uint(sizeBytes);
  let recordLength = 0;
  let records = 0;
  if (structure === 'linear_fixed' || structure === 'cyclic') {
    if (fd.length !== 5) throw new RangeError(`FCP: a record EF's file descriptor (tag 82) expected 5 bytes (descriptor, coding, record length ×2, count), got ${fd.length}`);
    recordLength = (fd[2]! << 8) | fd[3]!;
    records = fd[4]!;
    if (recordLength === 0 || records * recordLength !== size) {
      throw new RangeError(`FCP: ${records} records of ${recordLength} bytes do not make the file size ${size} (tag 80)`);
    }
  }
  const sfiBytes = get(0x88);
  if (sfiBytes && sfiBytes.length > 1) throw new RangeError(`FCP: SFI (tag 88) expected 0 or 1 byte, got ${sfiBytes.length}`);
  const sfi = sfiBytes === undefined ? undefined : sfiBytes.length === 0 ? null : sfiBytes[0]! >> 3;
  return { kind: 'EF', fid, structure, size, recordLength, records, ...(sfi !== undefined ? { sfi } : {}) };
}

/** TS 51.011 §9.2.1 (DF/MF) and §9.2.1 EF layout; byte numbers below are the spec's (1-based). */
export function readClassicResponse(b: Uint8Array): FcpFacts {
  if (b.length < 13) throw new RangeError(`GSM response: ${b.length} bytes, expected at least 13`);
  const following = b[12]!;
  if (b.length !== 13 + following) throw new RangeError(`GSM response: byte 13 says ${following} bytes follow, got ${b.length - 13}`);
  const fid = upper(b.subarray(4, 6));
  const type = b[6]!;
  if (type === 0x01 || type === 0x02) return { kind: type === 0x01 ? 'MF' : 'DF', fid, size: 0, recordLength: 0, records: 0 };
  if (type !== 0x04) throw new RangeError(`GSM response: type of file (byte 7) ${h2(type)} is not 01 (MF), 02 (DF) or 04 (EF)`);
  if (following < 2) throw new RangeError('GSM response: an EF response without structure and record length (bytes 14-15)');
  const size = (b[2]! << 8) | b[3]!;
  const s = b[13]!;
  const structure: EfStructure | undefined = s === 0x00 ? 'transparent' : s === 0x01 ? 'linear_fixed' : s === 0x03 ? 'cyclic' : undefined;
  if (!structure) throw new RangeError(`GSM response: structure of EF (byte 14) ${h2(s)} is not 00, 01 or 03`);
  if (structure === 'transparent') return { kind: 'EF', fid, structure, size, recordLength: 0, records: 0 };
  const recordLength = b[14]!;
  if (recordLength === 0 || size % recordLength !== 0) throw new RangeError(`GSM response: file size ${size} is not a whole number of ${recordLength}-byte records`);
  return { kind: 'EF', fid, structure, size, recordLength, records: size / recordLength };
}
