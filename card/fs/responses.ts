/**
 * What SELECT returns:
 * - TS 51.011 §9.2.1: the GSM response for a DF/MF (22 bytes: memory, FID, type, GSM data with
 *   file characteristics, number of DFs/EFs/secret codes and the CHV status bytes) and for an EF
 *   (15 bytes: size, FID, type, INCREASE flag, access condition nibbles, status, structure,
 *   record length);
 * - TS 102.221 §11.1.1.3: the FCP template (62) with file descriptor 82, FID 83, DF name 84
 *   (ADF), proprietary A5 (DFs: UICC characteristics 80, free memory 83), LCSI 8A, security
 *   attributes 8B (FID of the EF_ARR of the file's domain + record), file size 80 and SFI 88 (EFs), PIN status template C6
 *   (DFs).
 */
import { acNibble, type FileTree, type FsNode } from './tree.js';
import type { FileOp } from './security.js';
import { fcpObjects } from './fcp.js';
import { encodeTemplate, encodeTlv } from '../runtime/tlv.js';

/** CHV/PIN facts the DF responses need (from the applet's OwnerPins). */
export interface PinFacts {
  readonly chv1Enabled: boolean;
  readonly chv1Tries: number;
  readonly puk1Tries: number;
  readonly chv2Tries: number;
  readonly puk2Tries: number;
  readonly chv2Enabled: boolean;
  readonly admEnabled: boolean;
}

const STRUCTURE_BYTE = { transparent: 0x00, 'linear-fixed': 0x01, cyclic: 0x03 } as const;
/** Free memory reported (no real allocator behind the declared layout). */
const FREE_MEMORY = 0x1000;

/** TS 51.011 §9.2.1: CHV status byte, b8 = initialised, b4..b1 = remaining presentations. */
const chvByte = (tries: number): number => 0x80 | (tries & 0x0f);

export function gsmDfResponse(tree: FileTree, n: FsNode, pins: PinFacts, classicOnly = true): Uint8Array {
  if (n.raw !== undefined && tree.imported === 'classic') {
    // An imported classic SIM: its own response, with the live CHV facts (byte 14 b8, bytes 19..22).
    const r = n.raw.slice();
    if (r.length > 13) r[13] = pins.chv1Enabled ? r[13]! & 0x7f : r[13]! | 0x80;
    const live = [pins.chv1Tries, pins.puk1Tries, pins.chv2Tries, pins.puk2Tries];
    live.forEach((t, i) => {
      if (r.length > 18 + i) r[18 + i] = (r[18 + i]! & 0xf0) | (t & 0x0f);
    });
    return r;
  }
  const visible = n.children.filter((c) => !(classicOnly && c.uiccOnly));
  const dfs = visible.filter((c) => c.ef === undefined).length;
  const efs = visible.length - dfs;
  void tree;
  return Uint8Array.of(
    0x00, 0x00, FREE_MEMORY >> 8, FREE_MEMORY & 0xff, n.fid >> 8, n.fid & 0xff,
    n.kind === 'MF' ? 0x01 : 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x0a, // byte 13: length of the GSM specific data that follows
    // byte 14 file characteristics: b1 clock stop allowed, b3 13/4 MHz, b5 3 V technology (TS 51.011 §9.2.1 note), b8 CHV1 disabled
    0x13 | (pins.chv1Enabled ? 0 : 0x80),
    dfs, efs,
    0x05, // CHV1, UNBLOCK CHV1, CHV2, UNBLOCK CHV2, ADM1
    0x00,
    chvByte(pins.chv1Tries), chvByte(pins.puk1Tries), chvByte(pins.chv2Tries), chvByte(pins.puk2Tries),
    0x00,
  );
}

/** TS 51.011 §9.3 access nibble of each command group (declared files: their conditions). */
export type NibbleOf = (op: FileOp) => number;

export function gsmEfResponse(n: FsNode, active: boolean, nibbleOf?: NibbleOf): Uint8Array {
  const ef = n.ef!;
  if (n.raw !== undefined && n.info?.security.kind === 'classic') {
    // An imported classic SIM: its own response, with the live status (byte 12 b1).
    const r = n.raw.slice();
    r[11] = active ? r[11]! | 0x01 : r[11]! & 0xfe;
    return r;
  }
  const a = ef.access;
  const nib: NibbleOf = nibbleOf ?? ((op) => acNibble(a[op]));
  return Uint8Array.of(
    0x00, 0x00, ef.size >> 8, ef.size & 0xff, n.fid >> 8, n.fid & 0xff,
    0x04, // EF
    ef.structure === 'cyclic' && nib('increase') !== 0x0f ? 0x40 : 0x00, // byte 8 b7: INCREASE allowed
    (nib('read') << 4) | nib('update'),
    (nib('increase') << 4) | 0x0f,
    (nib('rehabilitate') << 4) | nib('invalidate'),
    (active ? 0x01 : 0x00) | (n.decl.kind === 'EF' && n.decl.usableWhenInvalidated ? 0x04 : 0x00),
    0x02,
    STRUCTURE_BYTE[ef.structure],
    ef.recordLength,
  );
}

/** An imported FCP as the card gave it, its life cycle status (8A) following DEACTIVATE/ACTIVATE. */
function withLcsi(raw: Uint8Array, active: boolean): Uint8Array {
  const r = raw.slice();
  // The one FCP reader (fcp.ts; the tree checked this FCP when it was built): values are views
  // into r, so the LCSI byte is patched in place. Only operational states follow (05 ↔ 04).
  const lcsi = fcpObjects(r).find((t) => t.tag === 0x8a)?.value;
  if (lcsi?.length === 1 && (lcsi[0] === 0x05 || lcsi[0] === 0x04)) lcsi[0] = active ? 0x05 : 0x04;
  return r;
}

/** TS 102.221 §11.1.1.4.3 file descriptor byte: 41 transparent, 42 linear fixed, 46 cyclic (shareable). */
const FD_BYTE = { transparent: 0x41, 'linear-fixed': 0x42, cyclic: 0x46 } as const;

export function fcp(tree: FileTree, n: FsNode, active: boolean, pins: PinFacts): Uint8Array {
  if (n.raw !== undefined && tree.imported === 'uicc') return withLcsi(n.raw, active);
  const body: Uint8Array[] = [];
  const lcsi = active ? 0x05 : 0x04;
  // 8B: the EF_ARR of the file's domain (below an ADF: the ADF's 6F06; else the MF's 2F06).
  const arrFile = tree.arrOf(n);
  const arr = [arrFile.fid >> 8, arrFile.fid & 0xff, n.arrRecord];
  if (n.ef) {
    const ef = n.ef;
    body.push(encodeTlv(0x82, ef.structure === 'transparent' ? [0x41, 0x21] : [FD_BYTE[ef.structure], 0x21, 0x00, ef.recordLength, ef.records]));
    body.push(encodeTlv(0x83, [n.fid >> 8, n.fid & 0xff]));
    body.push(encodeTlv(0x8a, [lcsi]));
    body.push(encodeTlv(0x8b, arr));
    body.push(encodeTlv(0x80, [ef.size >> 8, ef.size & 0xff]));
    body.push(encodeTlv(0x88, ef.sfi === undefined ? [] : [ef.sfi << 3]));
  } else {
    body.push(encodeTlv(0x82, [0x78, 0x21]));
    body.push(encodeTlv(0x83, [n.fid >> 8, n.fid & 0xff]));
    if (n.aid) body.push(encodeTlv(0x84, n.aid));
    body.push(encodeTemplate(0xa5, encodeTlv(0x80, [0x71]), encodeTlv(0x83, [0x00, 0x00, FREE_MEMORY >> 8, FREE_MEMORY & 0xff])));
    body.push(encodeTlv(0x8a, [lcsi]));
    body.push(encodeTlv(0x8b, arr));
    // PS_DO: one bit per key reference below, b8 first: set = the PIN is enabled.
    const ps = (pins.chv1Enabled ? 0x80 : 0) | (pins.chv2Enabled ? 0x40 : 0) | (pins.admEnabled ? 0x20 : 0);
    body.push(encodeTemplate(0xc6, encodeTlv(0x90, [ps]), encodeTlv(0x83, [0x01]), encodeTlv(0x83, [0x81]), encodeTlv(0x83, [0x0a])));
  }
  return encodeTemplate(0x62, ...body);
}
