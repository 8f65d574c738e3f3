/**
 * Files by name for the shell (as pySim-shell's `select EF.IMSI`): the declared file system
 * (card/fs, the same declarations the decoder names files by) resolved against the DF the card
 * has selected (ExchangeDecoder.currentFile), and the names a Tab offers there.
 *
 * Spelling: the declared name (EF_IMSI, DF_GSM, ADF_USIM, EF_START-HFN) or pySim's (EF.IMSI,
 * DF.GSM, ADF.USIM), case-insensitively: `.` and `-` count as `_`. `MF` is the MF, `..` the parent.
 *
 * Which file a name means follows what a SELECT by FID can reach from the current DF (TS 102.221
 * §8.4.1, TS 51.011 §6.5: a child, the DF itself, its parent, a DF beside it, the MF; an ADF by
 * its AID). A name reachable that way is selected by FID; a name declared once elsewhere by its
 * path from the MF; a name declared in several DFs and reachable from none (EF_IMSI from the MF:
 * DF_GSM and ADF_USIM) is an error that lists them.
 */
import { FileTree, type FsNode } from '../../card/fs/index.js';
import { buildCommand, hexToBytes } from '../../card/runtime/index.js';
import { USIM_AID_PREFIX } from '../../apdu-specs/index.js';
import { ShellUsageError } from './errors.js';

/** What the decoder knows of the selection on a channel (ExchangeDecoder.currentFile). */
export interface CurrentFile {
  readonly df: readonly string[];
  readonly ef?: string;
  readonly adf?: string;
}

let declared: FileTree | undefined;
const tree = (): FileTree => (declared ??= new FileTree(USIM_AID_PREFIX));

const fidHex = (fid: number): string => fid.toString(16).toUpperCase().padStart(4, '0');
/** The one spelling names are compared in: upper case, `.` and `-` as `_`. */
export const normName = (s: string): string => s.toUpperCase().replace(/[.-]/g, '_');

/** The declared DF the card is in, when the declarations describe it (under 7FFF: only a USIM ADF). */
export function currentDf(cur: CurrentFile): FsNode | undefined {
  if (!cur.df.length) return undefined;
  if (cur.df.includes('7FFF') && cur.adf !== undefined && !cur.adf.toLowerCase().startsWith(USIM_AID_PREFIX)) return undefined;
  const n = tree().byPath(cur.df.join('/'));
  return n && n.kind !== 'EF' ? n : undefined;
}

/** The files a SELECT by FID reaches from `df` (TS 102.221 §8.4.1), and every ADF (by AID). */
function reachable(df: FsNode | undefined): FsNode[] {
  const t = tree();
  const out = new Set<FsNode>([t.mf, ...t.adfs]);
  if (!df) {
    for (const c of t.mf.children) out.add(c);
  } else {
    out.add(df);
    for (const c of df.children) out.add(c);
    if (df.parent) {
      out.add(df.parent);
      for (const c of df.parent.children) if (c.kind !== 'EF') out.add(c);
    }
  }
  return [...out];
}

/** One SELECT the shell sends for a name. */
export interface NamedSelect {
  readonly command: Uint8Array;
  /** The declared file, e.g. "EF_IMSI (3F00/7F20/6F07)". */
  readonly file: string;
}

const inAdf = (n: FsNode): boolean => n.kind === 'ADF' || n.path.includes('7FFF');
const where = (n: FsNode): string => `${n.name} (${n.path})`;

/** The declared file a name means from the current DF; throws ShellUsageError saying what to do. */
export function resolveName(word: string, cur: CurrentFile, gsm = false): { node: FsNode; byFid: boolean } {
  const t = tree();
  const df = currentDf(cur);
  if (word === '..') {
    if (!df) throw new ShellUsageError('the current DF is not one the declarations know: select MF, or give a FID');
    return { node: df.parent ?? df, byFid: true };
  }
  const want = normName(word);
  const all = t.nodes.filter((n) => normName(n.name) === want);
  if (!all.length) throw new ShellUsageError(`no file is named "${word}" (Tab after "select " lists the names here; or give a FID, a path from 3F00, or an AID)`);
  // Class A0 knows no ADF: only the files outside one.
  const named = gsm ? all.filter((n) => !inAdf(n)) : all;
  if (!named.length) throw new ShellUsageError(`${all[0]!.name} is a UICC file (in ${all[0]!.kind === 'ADF' ? 'no DF: an ADF' : all[0]!.parent!.name}); a classic SIM has no ADF: use select`);
  const near = reachable(df);
  const here = named.filter((n) => near.includes(n));
  if (here.length === 1) return { node: here[0]!, byFid: true };
  if (named.length === 1) return { node: named[0]!, byFid: false };
  throw new ShellUsageError(`${named[0]!.name} is in ${named.map((n) => where(n.parent!)).join(' and ')}: select its DF first, or name both (select ${named[0]!.parent!.name}/${named[0]!.name})`);
}

/** The UICC SELECT (class 00, FCP returned) that reaches a named file. */
export function selectByName(word: string, cur: CurrentFile): NamedSelect {
  const { node, byFid } = resolveName(word, cur);
  const file = where(node);
  if (node.kind === 'ADF') return { command: buildCommand(0x00, 0xa4, 0x04, 0x04, { data: node.aid!, ne: 256 }), file };
  if (node === tree().mf || byFid) return { command: buildCommand(0x00, 0xa4, 0x00, 0x04, { data: hexToBytes(fidHex(node.fid)), ne: 256 }), file };
  // Declared once, not reachable by FID: by path from the MF (P1 08). Below an ADF only from inside it.
  const path = node.path.split('/').slice(1);
  if (path[0] === '7FFF' && currentDf(cur)?.path.startsWith('3F00/7FFF') !== true) {
    throw new ShellUsageError(`${node.name} is in ${node.parent!.name}: select ${tree().adfs[0]!.name} first`);
  }
  return { command: buildCommand(0x00, 0xa4, 0x08, 0x04, { data: hexToBytes(path.join('')), ne: 256 }), file };
}

/** The classic SIM SELECT (class A0) of a named file: by FID only, so it must be reachable. */
export function gsmSelectByName(word: string, cur: CurrentFile): NamedSelect {
  const { node, byFid } = resolveName(word, cur, true);
  if (!byFid) throw new ShellUsageError(`${node.name} (${node.path}) is not reachable by FID from here, and class A0 has no path selection: select ${node.parent!.name} first`);
  return { command: buildCommand(0xa0, 0xa4, 0x00, 0x00, { data: hexToBytes(fidHex(node.fid)) }), file: where(node) };
}

/**
 * What a Tab offers after `select` in the current DF: `..` (below the MF), `MF`, the names a
 * SELECT by FID reaches (the DF's children, its parent, the DFs beside it, the ADFs), and the
 * FIDs of the DF's children.
 */
export function selectCandidates(cur: CurrentFile, gsm = false): string[] {
  const df = currentDf(cur);
  const near = reachable(df).filter((n) => !gsm || !inAdf(n));
  const names = near.map((n) => n.name);
  const fids = (df?.children ?? tree().mf.children).filter((n) => !gsm || !inAdf(n)).map((n) => fidHex(n.fid));
  return [...new Set([...(df && df.parent ? ['..'] : []), ...names, ...fids])];
}

/** `dir`: the declared files of the current DF, one line each (FID, name, kind or structure). */
export function dirLines(cur: CurrentFile): string[] {
  const df = currentDf(cur);
  if (!df) return ['the current DF is not one the declarations know (select MF)'];
  const kind = (n: FsNode): string => (n.ef ? `${n.ef.structure}${n.ef.records ? `, ${n.ef.records} records of ${n.ef.recordLength} bytes` : `, ${n.ef.size} bytes`}` : n.kind);
  return [`${df.name} (${df.path}):`, ...df.children.map((c) => `  ${fidHex(c.fid)}  ${c.name.padEnd(16)} ${kind(c)}${c.aid ? ` AID ${Array.from(c.aid, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}` : ''}`)];
}

/**
 * Tab after `select DF_GSM/EF_I`: the steps before the last `/` resolved on the declarations
 * (nothing is sent), the last one completed in the DF they lead to; candidates carry the head.
 * Undefined when a step does not resolve to a DF.
 */
export function selectPathCandidates(word: string, cur: CurrentFile, gsm = false): string[] | undefined {
  const cut = word.lastIndexOf('/');
  const head = word.slice(0, cut);
  let at: CurrentFile = cur;
  for (const step of head.split('/').filter(Boolean)) {
    let node: FsNode | undefined;
    try {
      node = /^[0-9a-f]{4}$/i.test(step) ? tree().byPath([...at.df, step.toUpperCase()].join('/')) ?? (step.toUpperCase() === '3F00' ? tree().mf : undefined) : resolveName(step, at, gsm).node;
    } catch (e) {
      if (e instanceof ShellUsageError) return undefined;
      throw e;
    }
    if (!node || node.kind === 'EF') return undefined;
    at = { df: node.path.split('/'), ...(node.kind === 'ADF' || node.path.includes('7FFF') ? { adf: USIM_AID_PREFIX } : {}) };
  }
  return selectCandidates(at, gsm).map((c) => `${head}/${c}`);
}
