/**
 * EF access in both worlds: READ/UPDATE BINARY (TS 51.011 §9.2.3-4, TS 102.221 §11.1.3-4 with
 * SFI), READ/UPDATE RECORD in every mode (§9.2.5-6, §11.1.5-6; cyclic EFs: record 1 is the
 * newest, UPDATE writes the oldest), SEEK (§9.2.7) and SEARCH RECORD (§11.1.7), INCREASE
 * (§9.2.8, §11.1.8; EF_ACM capped by EF_ACMmax, 9850), INVALIDATE/REHABILITATE (§9.2.14-15) and
 * DEACTIVATE/ACTIVATE FILE (§11.1.14-15). Every check runs before the first write.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import type { FsNode } from '../../fs/tree.js';
import type { Structure } from '../../fs/types.js';
import type { FileOp } from '../../fs/security.js';
import { CardError, readU16, type CommandApdu, type Reply } from '../../runtime/index.js';
import type { SimCore, WorldSw } from './core.js';
import { resolveFid } from './select.js';

/** The EF a command works on: the current EF, or the one the SFI names (UICC), made current. */
function target(core: SimCore, w: WorldSw, sfi: number): FsNode {
  if (sfi !== 0) {
    const n = core.currentDf.children.find((c) => c.ef?.sfi === sfi);
    if (n === undefined) throw new CardError(w.notFound);
    core.selectNode(n);
    return n;
  }
  const n = core.currentEf;
  if (n === undefined) throw new CardError(w.noEf);
  return n;
}

function check(core: SimCore, w: WorldSw, n: FsNode, structures: readonly Structure[], op: FileOp): void {
  if (!structures.includes(n.ef!.structure)) throw new CardError(w.incompatible);
  core.requireOp(n, op, w);
  const usable = n.decl.kind === 'EF' && n.decl.usableWhenInvalidated === true;
  if (!core.fs.isActive(n) && !usable) throw new CardError(w.invalidated);
}

function binaryAddress(apdu: CommandApdu): { sfi: number; offset: number } {
  // The declarations: class A0 has no SFI form; the UICC's has P1 b7b6 = 00.
  if (apdu.p1 & 0x80) {
    return { sfi: apdu.p1 & 0x1f, offset: apdu.p2 };
  }
  return { sfi: 0, offset: (apdu.p1 << 8) | apdu.p2 };
}

export function readBinary(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const { sfi, offset } = binaryAddress(apdu);
  const n = target(core, w, sfi);
  check(core, w, n, ['transparent'], 'read');
  const size = n.ef!.size;
  if (offset >= size) throw new CardError(w.outOfRange);
  const avail = size - offset;
  if (w.gsm) {
    if (apdu.ne > avail) throw new CardError(w.outOfRange);
    return { data: core.fs.readBinary(n, offset, apdu.ne) };
  }
  // Le = 00 asks for "up to 256": everything there is; a shorter file than an explicit Le is 6282.
  const len = Math.min(apdu.ne, avail);
  return { data: core.fs.readBinary(n, offset, len), sw: len < apdu.ne && apdu.ne !== 256 ? SW.END_OF_FILE : SW.OK };
}

export function updateBinary(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const { sfi, offset } = binaryAddress(apdu);
  const n = target(core, w, sfi);
  check(core, w, n, ['transparent'], 'update');
  const size = n.ef!.size;
  if (offset >= size) throw new CardError(w.outOfRange);
  if (offset + apdu.data.length > size) throw new CardError(w.gsm ? w.outOfRange : SW.WRONG_LENGTH);
  core.fs.writeBinary(n, offset, apdu.data.slice());
  return {};
}

const MODE = { NEXT: 0x02, PREVIOUS: 0x03, ABSOLUTE: 0x04 } as const;

/** The record a READ/UPDATE RECORD addresses and the record pointer after it (TS 51.011 §9.2.5). */
function recordOf(core: SimCore, w: WorldSw, n: FsNode, p1: number, mode: number): { rec: number; pointer: number } {
  const ef = n.ef!;
  const cur = core.recordPointer;
  const cyclic = ef.structure === 'cyclic';
  switch (mode) {
    case MODE.ABSOLUTE: {
      const rec = p1 === 0 ? cur : p1;
      if (rec === 0 || rec > ef.records) throw new CardError(w.recordNotFound);
      return { rec, pointer: cur };
    }
    case MODE.NEXT: {
      if (p1 !== 0) throw new CardError(w.wrongP1P2);
      let rec = cur + 1;
      if (rec > ef.records) {
        if (!cyclic) throw new CardError(w.recordNotFound);
        rec = 1;
      }
      return { rec, pointer: rec };
    }
    case MODE.PREVIOUS: {
      if (p1 !== 0) throw new CardError(w.wrongP1P2);
      let rec = cur === 0 ? ef.records : cur - 1;
      if (rec < 1) {
        if (!cyclic) throw new CardError(w.recordNotFound);
        rec = ef.records;
      }
      return { rec, pointer: rec };
    }
    default:
      throw new CardError(w.wrongP1P2);
  }
}

function recordTarget(core: SimCore, w: WorldSw, apdu: CommandApdu): { n: FsNode; mode: number } {
  if (w.gsm) return { n: target(core, w, 0), mode: apdu.p2 };
  // SFI 1F is refused by the dispatcher (apdu-specs/ts102221.ts); the mode is checked by recordOf.
  return { n: target(core, w, apdu.p2 >> 3), mode: apdu.p2 & 0x07 };
}

export function readRecord(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const { n, mode } = recordTarget(core, w, apdu);
  check(core, w, n, ['linear-fixed', 'cyclic'], 'read');
  const { rec, pointer } = recordOf(core, w, n, apdu.p1, mode);
  if (w.gsm && apdu.ne !== n.ef!.recordLength && !(apdu.ne === 256 && n.ef!.recordLength === 0)) throw new CardError(SW.GSM_WRONG_P3 | n.ef!.recordLength);
  core.recordPointer = pointer;
  return { data: core.fs.readRecord(n, rec) };
}

export function updateRecord(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const { n, mode } = recordTarget(core, w, apdu);
  check(core, w, n, ['linear-fixed', 'cyclic'], 'update');
  const ef = n.ef!;
  if (apdu.data.length !== ef.recordLength) throw new CardError(w.gsm ? SW.GSM_WRONG_P3 | ef.recordLength : SW.WRONG_LENGTH);
  if (ef.structure === 'cyclic') {
    if (mode !== MODE.PREVIOUS || apdu.p1 !== 0) throw new CardError(w.wrongP1P2);
    core.fs.writeCyclic(n, apdu.data.slice());
    core.recordPointer = 1;
    return {};
  }
  const { rec, pointer } = recordOf(core, w, n, apdu.p1, mode);
  core.fs.writeRecord(n, rec, apdu.data.slice());
  core.recordPointer = pointer;
  return {};
}

function matchAt(rec: Uint8Array, offset: number, pattern: Uint8Array): boolean {
  if (offset + pattern.length > rec.length) return false;
  for (let i = 0; i < pattern.length; i++) if (rec[offset + i] !== pattern[i]) return false;
  return true;
}

/** TS 51.011 §9.2.7 SEEK: type 1 sets the pointer, type 2 also returns the record number. */
export function gsmSeek(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const type = apdu.p2 >> 4;
  const mode = apdu.p2 & 0x0f;
  const n = target(core, w, 0);
  check(core, w, n, ['linear-fixed'], 'read');
  const ef = n.ef!;
  const pattern = apdu.data;
  if (pattern.length < 1 || pattern.length > ef.recordLength) throw new CardError(SW.GSM_WRONG_P3 | ef.recordLength);
  const cur = core.recordPointer;
  const forward = mode === 0 || mode === 2;
  let r = mode === 0 ? 1 : mode === 1 ? ef.records : mode === 2 ? cur + 1 : cur === 0 ? 0 : cur - 1;
  for (; r >= 1 && r <= ef.records; r += forward ? 1 : -1) {
    if (matchAt(core.fs.readRecord(n, r), 0, pattern)) {
      core.recordPointer = r;
      return type === 1 ? { data: Uint8Array.of(r) } : {};
    }
  }
  throw new CardError(w.patternNotFound);
}

/** TS 102.221 §11.1.7 SEARCH RECORD: simple (04/05) and enhanced with offset (06). */
export function uiccSearchRecord(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const sfi = apdu.p2 >> 3;
  const mode = apdu.p2 & 0x07;
  const n = target(core, w, sfi);
  check(core, w, n, ['linear-fixed', 'cyclic'], 'read');
  const ef = n.ef!;
  let data = apdu.data;
  let offset = 0;
  let dir = mode === 5 ? -1 : 1;
  let start = apdu.p1 === 0 ? core.recordPointer : apdu.p1;
  if (mode === 6) {
    if (data.length < 3) throw new CardError(SW.WRONG_LENGTH);
    const ind = data[0]!;
    if (ind & 0x08) throw new CardError(SW.FUNCTION_NOT_SUPPORTED, 'value-based search start not supported');
    const how = ind & 0x07;
    if (how < 4) throw new CardError(SW.WRONG_DATA);
    offset = data[1]!;
    dir = how === 5 || how === 7 ? -1 : 1;
    if (how === 6) start = core.recordPointer + 1;
    if (how === 7) start = core.recordPointer - 1;
    data = data.subarray(2);
  }
  if (data.length === 0 || data.length > ef.recordLength) throw new CardError(SW.WRONG_LENGTH);
  if (start < 1 || start > ef.records) throw new CardError(SW.RECORD_NOT_FOUND);
  const found: number[] = [];
  for (let r = start; r >= 1 && r <= ef.records; r += dir) if (matchAt(core.fs.readRecord(n, r), offset, data)) found.push(r);
  if (found.length === 0) throw new CardError(w.patternNotFound);
  return { data: Uint8Array.from(found) };
}

/** INCREASE on the current cyclic EF: new = record 1 + value, written as the new record 1. */
export function increase(core: SimCore, w: WorldSw, apdu: CommandApdu): Reply {
  const n = target(core, w, 0);
  check(core, w, n, ['cyclic'], 'increase');
  const ef = n.ef!;
  const len = ef.recordLength;
  if (apdu.data.length !== len) throw new CardError(w.gsm ? SW.GSM_WRONG_P3 | len : SW.WRONG_LENGTH);
  const toInt = (b: Uint8Array): number => b.reduce((v, x) => v * 256 + x, 0);
  let limit = 2 ** (8 * len) - 1;
  const capName = n.decl.kind === 'EF' ? n.decl.increaseLimit : undefined;
  const cap = capName ? core.tree.sibling(n, capName) : undefined;
  if (cap?.ef) {
    const max = toInt(core.fs.view(cap).subarray(0, cap.ef.size));
    if (max !== 0) limit = Math.min(limit, max);
  }
  const added = toInt(apdu.data);
  const value = toInt(core.fs.readRecord(n, 1)) + added;
  if (value > limit) throw new CardError(SW.GSM_MAX_VALUE_REACHED);
  const out = new Uint8Array(len);
  for (let i = len - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  core.fs.writeCyclic(n, out);
  core.recordPointer = 1;
  const reply = new Uint8Array(2 * len);
  reply.set(out);
  reply.set(apdu.data, len);
  return { data: reply };
}

/** INVALIDATE / REHABILITATE (classic), DEACTIVATE / ACTIVATE FILE (UICC, optional FID in data). */
export function setActivation(core: SimCore, w: WorldSw, apdu: CommandApdu, on: boolean): Reply {
  if (w.gsm && apdu.apduCase === 2 && apdu.ne !== 256) throw new CardError(SW.GSM_WRONG_P3);
  let n: FsNode | undefined;
  if (apdu.data.length > 0) {
    if (apdu.data.length !== 2) throw new CardError(SW.WRONG_LENGTH);
    n = resolveFid(core, readU16(apdu.data), false);
    if (n === undefined || n.ef === undefined) throw new CardError(w.notFound);
    core.selectNode(n);
  } else n = target(core, w, 0);
  core.requireOp(n, on ? 'rehabilitate' : 'invalidate', w);
  core.fs.setActive(n, on);
  return {};
}
