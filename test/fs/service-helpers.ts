/**
 * APDU helpers for the service-table and mandatory-file tests: SELECT a file by its path of FIDs
 * in either world (classic: A0 SELECT of each FID, 9Fxx, GET RESPONSE; UICC: the ADF by AID,
 * then SELECT by path with the FCP back on a T=1 card) and READ it as its answer declares it.
 */
import { expect } from 'vitest';
import { USIM_AID } from '../../card/applets/sim/index.js';
import type { Card } from '../../card/runtime/index.js';
import { hexToBytes } from '../../card/runtime/bytes.js';
import { findTlv } from '../../card/runtime/tlv.js';
import { split, tx } from '../applets/sim/helpers.js';

export type World = 'classic' | 'uicc';

export interface Selected {
  readonly structure: 'transparent' | 'linear-fixed' | 'cyclic';
  readonly size: number;
  readonly recordLength: number;
  /** UICC only: FCP 88 (SFI << 3), 8B (EF_ARR FID + record). */
  readonly sfi?: number;
  readonly arr?: string;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const STRUCTURE = ['transparent', 'linear-fixed', '', 'cyclic'] as const;

/** SELECT the file at `path` ('3F00/7F20/6F38', '3F00/7FFF/6F38'); fails the test if it is not there. */
export function selectPath(card: Card, path: string, world: World, df = false): Selected {
  const fids = path.toLowerCase().split('/').slice(1);
  if (world === 'classic') {
    tx(card, 'a0a40000023f00');
    let r = '';
    for (const fid of fids) {
      r = tx(card, `a0a4000002${fid}`);
      expect(r.slice(0, 2), `${path}: classic SELECT ${fid}`).toBe('9f');
    }
    const rsp = hexToBytes(split(tx(card, `a0c00000${r.slice(2)}`)).data);
    expect(rsp[6], `${path}: an EF`).toBe(0x04);
    return { structure: STRUCTURE[rsp[13]! as 0 | 1 | 3], size: (rsp[2]! << 8) | rsp[3]!, recordLength: rsp[14]! };
  }
  if (fids[0] === '7fff') expect(split(tx(card, `00a4040410${USIM_AID}00`)).sw, `${path}: SELECT ADF_USIM`).toBe('9000');
  const p = fids.join('');
  const r = split(tx(card, `00a40804${hex2(p.length / 2)}${p}00`));
  expect(r.sw, `${path}: SELECT by path`).toBe('9000');
  return df ? parseDfFcp(r.data) : parseFcp(path, r.data);
}

function parseDfFcp(data: string): Selected {
  const arr = findTlv(findTlv(hexToBytes(data), 0x62)!, 0x8b);
  return { structure: 'transparent', size: 0, recordLength: 0, ...(arr ? { arr: Array.from(arr, hex2).join('') } : {}) };
}

export function parseFcp(path: string, data: string): Selected {
  const fcp = findTlv(hexToBytes(data), 0x62)!;
  const d = findTlv(fcp, 0x82)!;
  const size = findTlv(fcp, 0x80);
  const sfi = findTlv(fcp, 0x88);
  const arr = findTlv(fcp, 0x8b);
  const kind = d[0]! & 0x07;
  expect([1, 2, 6], `${path}: EF structure`).toContain(kind);
  return {
    structure: kind === 1 ? 'transparent' : kind === 2 ? 'linear-fixed' : 'cyclic',
    size: size ? (size[0]! << 8) | size[1]! : 0,
    recordLength: kind === 1 ? 0 : (d[2]! << 8) | d[3]!,
    ...(sfi && sfi.length === 1 ? { sfi: sfi[0]! >> 3 } : {}),
    ...(arr ? { arr: Array.from(arr, hex2).join('') } : {}),
  };
}

/** READ the selected EF whole (transparent, first 255 bytes at most) or record 1; returns the data. */
export function readSelected(card: Card, path: string, s: Selected, world: World): string {
  const cla = world === 'classic' ? 'a0' : '00';
  const cmd = s.structure === 'transparent' ? `${cla}b00000${hex2(Math.min(s.size, 255))}` : `${cla}b20104${hex2(s.recordLength)}`;
  const r = split(tx(card, cmd));
  expect(r.sw, `${path}: READ`).toBe('9000');
  expect(r.data.length / 2, `${path}: READ length`).toBe(s.structure === 'transparent' ? Math.min(s.size, 255) : s.recordLength);
  return r.data;
}

export function selectAndRead(card: Card, path: string, world: World): string {
  return readSelected(card, path, selectPath(card, path, world), world);
}
