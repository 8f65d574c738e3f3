/**
 * SELECT and STATUS in both worlds:
 * - classic (TS 51.011 §9.2.1, §9.2.2; selection rules §6.5): by FID only, the DF/EF response
 *   held for GET RESPONSE (9Fxx);
 * - UICC (TS 102.221 §11.1.1, §11.1.2; rules §8.4.1): by FID (3F00, 7FFF = current ADF), parent,
 *   path from MF or from the current DF, DF name (the USIM ADF, forwarded by the runtime), with
 *   the FCP template or no data; a deactivated file answers 6283 with its FCP.
 */
import { SW } from '../../../apdu-specs/status-words.js';
import { fcp, gsmDfResponse, gsmEfResponse } from '../../fs/responses.js';
import type { FsNode } from '../../fs/tree.js';
import { CardError, readU16, type CommandApdu, type Reply } from '../../runtime/index.js';
import { GSM_SW, UICC_SW, type SimCore } from './core.js';

/** A FID visible from the current directory (TS 102.221 §8.4.1; TS 51.011 §6.5). */
export function resolveFid(core: SimCore, fid: number, classic: boolean): FsNode | undefined {
  const visible = (n: FsNode): boolean => !(classic && n.uiccOnly);
  if (fid === 0x3f00) return core.tree.mf;
  if (fid === 0x7fff) return classic ? undefined : core.currentAdf;
  const df = core.currentDf;
  if (df.fid === fid && visible(df)) return df;
  const child = df.children.find((c) => c.fid === fid && visible(c));
  if (child) return child;
  const parent = df.parent;
  if (parent) {
    if (parent.fid === fid) return parent;
    const sib = parent.children.find((c) => c.fid === fid && c.ef === undefined && visible(c));
    if (sib) return sib;
  }
  return undefined;
}

export function gsmSelect(core: SimCore, apdu: CommandApdu): Reply {
  if (apdu.data.length !== 2) throw new CardError(SW.GSM_WRONG_P3 | 0x02);
  const n = resolveFid(core, readU16(apdu.data), true);
  if (n === undefined) throw new CardError(GSM_SW.notFound);
  core.selectNode(n);
  return { data: gsmResponse(core, n) };
}

function gsmResponse(core: SimCore, n: FsNode): Uint8Array {
  return n.ef ? gsmEfResponse(n, core.fs.isActive(n), core.nibbleOf(n)) : gsmDfResponse(core.tree, n, core.pinFacts());
}

export function gsmStatus(core: SimCore, _apdu: CommandApdu): Reply {
  return { data: gsmDfResponse(core.tree, core.currentDf, core.pinFacts()), prefix: true };
}

function childByFid(n: FsNode, fid: number): FsNode | undefined {
  return n.children.find((c) => c.fid === fid);
}

function walkPath(core: SimCore, start: FsNode, path: Uint8Array): FsNode | undefined {
  if (path.length === 0 || path.length % 2 !== 0) throw new CardError(SW.WRONG_DATA);
  let n: FsNode | undefined = start;
  for (let i = 0; i < path.length && n; i += 2) {
    const fid = readU16(path, i);
    if (i === 0 && fid === 0x7fff && start === core.tree.mf) n = core.currentAdf;
    else if (n.ef) return undefined;
    else n = childByFid(n, fid);
  }
  return n;
}

export function uiccSelect(core: SimCore, apdu: CommandApdu): Reply {
  // P1 and P2 (00, 04 or 0C) are the declared ones (apdu-specs/ts102221.ts): the dispatcher refused others.
  const p2 = apdu.p2;
  const d = apdu.data;
  let n: FsNode | undefined;
  switch (apdu.p1) {
    case 0x00:
      if (d.length === 0) n = core.tree.mf;
      else if (d.length === 2) n = resolveFid(core, readU16(d), false);
      else throw new CardError(SW.WRONG_LENGTH);
      break;
    case 0x03:
      if (d.length !== 0) throw new CardError(SW.WRONG_LENGTH);
      n = core.currentDf.parent ?? undefined;
      break;
    case 0x04:
      if (d.length < 5 || d.length > 16) throw new CardError(SW.WRONG_LENGTH);
      n = core.tree.adfByAid(d);
      break;
    case 0x08:
      n = walkPath(core, core.tree.mf, d);
      break;
    default: // 09
      n = walkPath(core, core.currentDf, d);
  }
  if (n === undefined) throw new CardError(UICC_SW.notFound);
  core.selectNode(n);
  const active = n.ef ? core.fs.isActive(n) : true;
  const sw = active ? SW.OK : SW.FILE_DEACTIVATED;
  if ((p2 & 0x0c) === 0x0c) return { sw };
  return { data: fcp(core.tree, n, active, core.pinFacts()), sw };
}

export function uiccStatus(core: SimCore, apdu: CommandApdu): Reply {
  if (apdu.p2 === 0x0c) {
    // No data: case 1, which a T=0 terminal sends with P3=00 (the STATUS poll 80 F2 00 0C 00).
    if (apdu.apduCase !== 1 && !apdu.p3Zero) throw new CardError(SW.WRONG_LENGTH);
    return {};
  }
  if (apdu.apduCase === 1) throw new CardError(SW.WRONG_LENGTH);
  if (apdu.p2 === 0x00) return { data: fcp(core.tree, core.currentDf, true, core.pinFacts()) };
  if (apdu.p2 === 0x01) {
    const adf = core.currentAdf;
    if (adf === undefined || adf.aid === undefined) throw new CardError(SW.CONDITIONS_NOT_SATISFIED);
    return { data: Uint8Array.of(0x84, adf.aid.length, ...adf.aid) };
  }
  throw new CardError(SW.INCORRECT_P1P2);
}
