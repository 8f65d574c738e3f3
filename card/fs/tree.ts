/**
 * The file tree built from the declarations and a layout (size overrides): nodes with parent and
 * children, lookups by FID / path / SFI / AID following the selection rules of TS 102.221 §8.4.1
 * and TS 51.011 §6.5, and the EF_ARR records (ISO/IEC 7816-4 §9.3.3 expanded format; TS 102.221
 * §9.2.4) generated from the distinct access conditions in use, one record per rule. There is one
 * EF_ARR per domain: the files below an ADF reference the ADF's own EF_ARR (6F06, TS 31.102
 * §4.2.55), every other file (the ADF itself included: it is selected from the MF) the MF's
 * EF_ARR 2F06 (TS 102.221 §13.4).
 */
import { AC, KEY_REFERENCE, type AccessConditions, type AccessCondition, type DfDecl, type EfDecl, type FileDecl, type Structure } from './types.js';
import { EF_ARR, UICC_ONLY_EFS, masterFile } from './ts102221.js';
import { EF_ARR_USIM } from './ts31102.js';
import type { FsNodeData, FsTreeData } from './data.js';
import { parseGsmResponse, parseUiccFcp, type FcpInfo } from './fcp.js';

export interface EfLayout {
  readonly structure: Structure;
  /** Total data bytes (transparent size, or recordLength × records). */
  readonly size: number;
  readonly recordLength: number;
  readonly records: number;
  readonly sfi: number | undefined;
  readonly access: Required<AccessConditions>;
}

export interface FsNode {
  readonly index: number;
  readonly name: string;
  readonly fid: number;
  readonly kind: FileDecl['kind'];
  readonly decl: FileDecl;
  readonly parent: FsNode | null;
  readonly children: FsNode[];
  /** FIDs from the MF, e.g. "3F00/7F20/6F07"; ADF children use 7FFF for the ADF. */
  readonly path: string;
  readonly uiccOnly: boolean;
  readonly aid: Uint8Array | undefined;
  /** EF only. */
  readonly ef: EfLayout | undefined;
  /** EF_ARR record number of this file's rule (1-based), in the EF_ARR of its domain (FileTree.arrOf). */
  arrRecord: number;
  /** Imported files: the FCP template / GSM response as the real card gave it, and what it says. */
  readonly raw?: Uint8Array;
  readonly info?: FcpInfo;
}

/** One EF_ARR and its records (unpadded rules; the record length is the longest). */
export interface ArrFile {
  readonly node: FsNode;
  readonly rules: readonly Uint8Array[];
}

export interface LayoutOverride {
  readonly size?: number;
  readonly records?: number;
  readonly recordLength?: number;
}

export class FsLayoutError extends Error {
  readonly code = 'FS_LAYOUT';
  constructor(readonly field: string, problem: string) {
    super(`${field}: ${problem}`);
    this.name = 'FsLayoutError';
  }
}

const SC_ALWAYS = Uint8Array.of(0x90, 0x00);
const SC_NEVER = Uint8Array.of(0x97, 0x00);

function scDo(c: AccessCondition): Uint8Array {
  if (c === 'ALW') return SC_ALWAYS;
  if (c === 'NEV') return SC_NEVER;
  // Control reference template (A4): key reference 83, usage qualifier 95 = 08 (user authentication, knowledge based).
  return Uint8Array.of(0xa4, 0x06, 0x83, 0x01, KEY_REFERENCE[c], 0x95, 0x01, 0x08);
}

/** Expanded-format rule: AM_DO 80 (READ b1, UPDATE b2, DEACTIVATE b4, ACTIVATE b5) / 84 (INS) + SC_DO. */
function arrRule(a: Required<AccessConditions>, isDf: boolean): Uint8Array {
  const groups = new Map<AccessCondition, number>();
  const add = (c: AccessCondition, bit: number): void => void groups.set(c, (groups.get(c) ?? 0) | bit);
  if (!isDf) {
    add(a.read, 0x01);
    add(a.update, 0x02);
  }
  add(a.invalidate, 0x08);
  add(a.rehabilitate, 0x10);
  const parts: number[] = [];
  for (const [c, am] of groups) parts.push(0x80, 0x01, am, ...scDo(c));
  if (!isDf && a.increase !== 'NEV') parts.push(0x84, 0x01, 0x32, ...scDo(a.increase));
  return Uint8Array.from(parts);
}

const DF_ACCESS: Required<AccessConditions> = { read: 'ALW', update: 'NEV', increase: 'NEV', invalidate: 'ADM', rehabilitate: 'ADM' };

export class FileTree {
  readonly nodes: FsNode[] = [];
  readonly mf: FsNode;
  readonly adfs: FsNode[] = [];
  /** Every EF_ARR (the MF's first) with its generated records (declared trees only). */
  readonly arrs: ArrFile[] = [];
  /** Set when the tree was imported from a real card (FsTreeData): which kind of descriptions it holds. */
  readonly imported: FsTreeData['flavour'] | undefined;

  /**
   * The declared tree (TS 102.221 MF, DF_TELECOM, DF_GSM, ADF_USIM with `usimAid`, size overrides
   * applied), or a real card's tree given as data (FsTreeData: every node's raw FCP decides).
   */
  constructor(usimAid: string | FsTreeData, overrides: { readonly [nameOrPath: string]: LayoutOverride } = {}) {
    if (typeof usimAid !== 'string') {
      this.imported = usimAid.flavour;
      this.mf = this.buildData(usimAid, usimAid.mf, null, 'MF');
      return;
    }
    this.imported = undefined;
    const used = new Set<string>();
    const { mf, adfs } = masterFile(usimAid);
    this.mf = this.build(mf, null, overrides, used);
    for (const a of adfs) {
      const n = this.build(a, this.mf, overrides, used);
      this.adfs.push(n);
    }
    for (const k of Object.keys(overrides)) if (!used.has(k)) throw new FsLayoutError(`files.${k}`, 'no declared EF has this name or path');
    // EF_ARR: one record per distinct rule of its domain; its own layout is computed here.
    const domains = new Map<FsNode, { rules: Uint8Array[]; byRule: Map<string, number> }>();
    for (const n of this.nodes) if (n.decl === EF_ARR || n.decl === EF_ARR_USIM) domains.set(n, { rules: [], byRule: new Map() });
    for (const n of this.nodes) {
      const d = domains.get(this.arrOf(n))!;
      const access = n.ef?.access ?? DF_ACCESS;
      const rule = arrRule(access, n.ef === undefined);
      const key = Array.from(rule).join(',');
      let rec = d.byRule.get(key);
      if (rec === undefined) {
        d.rules.push(rule);
        rec = d.rules.length;
        d.byRule.set(key, rec);
      }
      n.arrRecord = rec;
    }
    for (const [node, d] of domains) {
      const recLen = Math.max(...d.rules.map((r) => r.length));
      (node as { ef: EfLayout }).ef = { ...node.ef!, recordLength: recLen, records: d.rules.length, size: recLen * d.rules.length };
      this.arrs.push({ node, rules: d.rules });
    }
  }

  /** The EF_ARR holding `n`'s rule: the ADF's own for files below an ADF, else the MF's. */
  arrOf(n: FsNode): FsNode {
    for (let p = n.parent; p !== null; p = p.parent) {
      if (p.kind === 'ADF') return p.children.find((c) => c.decl === EF_ARR_USIM) ?? this.mfArr();
    }
    return this.mfArr();
  }

  private mfArr(): FsNode {
    return this.mf.children.find((c) => c.decl === EF_ARR)!;
  }

  /** Whether `n` is an EF_ARR (its records are generated, never personalized). */
  isArr(n: FsNode): boolean {
    return this.arrs.some((a) => a.node === n);
  }

  private build(decl: FileDecl, parent: FsNode | null, overrides: { readonly [k: string]: LayoutOverride }, used: Set<string>): FsNode {
    const path = parent === null ? hex4(decl.fid) : `${parent.path}/${hex4(decl.fid)}`;
    const uiccOnly = (parent?.uiccOnly ?? false) || (decl.kind === 'ADF') || (decl.kind === 'EF' && UICC_ONLY_EFS.has(decl.name));
    const node: FsNode = {
      index: this.nodes.length, name: decl.name, fid: decl.fid, kind: decl.kind, decl, parent, children: [], path, uiccOnly,
      aid: decl.kind === 'ADF' && (decl as DfDecl).aid !== undefined ? hexBytes((decl as DfDecl).aid!) : undefined,
      ef: decl.kind === 'EF' ? efLayout(decl, path, overrides, used) : undefined,
      arrRecord: 0,
    };
    this.nodes.push(node);
    if (decl.kind !== 'EF') for (const c of decl.children) node.children.push(this.build(c, node, overrides, used));
    return node;
  }

  private buildData(tree: FsTreeData, d: FsNodeData, parent: FsNode | null, at: string): FsNode {
    const field = `tree.${at}`;
    let raw: Uint8Array;
    let info: FcpInfo;
    try {
      raw = hexBytes(d.fcp);
      info = tree.flavour === 'uicc' ? parseUiccFcp(raw) : parseGsmResponse(raw);
    } catch (e) {
      throw new FsLayoutError(`${field}.fcp`, e instanceof Error ? e.message : String(e));
    }
    const kindOk = d.kind === info.kind || (d.kind === 'DF' && info.kind === 'ADF') || (d.kind === 'ADF' && info.kind === 'DF' && d.aid !== undefined);
    if (!kindOk) throw new FsLayoutError(`${field}.kind`, `${d.name} is declared ${d.kind} but its FCP describes ${info.kind === 'EF' ? 'an EF' : `a ${info.kind}`}`);
    if ((parent === null) !== (d.kind === 'MF')) throw new FsLayoutError(`${field}.kind`, 'the root must be the MF, and only the root');
    if (info.berTlv) throw new FsLayoutError(`${field}.fcp`, `${d.name} is a BER-TLV structure EF, which cardforge does not serve; leave it out of the export`);
    const isAdf = d.kind === 'ADF';
    const aid = isAdf ? (d.aid !== undefined ? hexBytes(d.aid) : info.aid) : undefined;
    if (isAdf && (aid === undefined || aid.length < 5 || aid.length > 16)) throw new FsLayoutError(`${field}.aid`, `${d.name}: an ADF needs an AID of 5..16 bytes`);
    const fid = isAdf ? 0x7fff : d.fid !== undefined && /^[0-9a-fA-F]{4}$/.test(d.fid) ? parseInt(d.fid, 16) : info.fid;
    if (fid === undefined) throw new FsLayoutError(`${field}.fid`, `${d.name}: expected 4 hex digits`);
    const part = isAdf ? bytesHex(aid!) : hex4(fid);
    const path = parent === null ? part : `${parent.path}/${part}`;
    if (this.nodes.some((n) => n.path === path)) throw new FsLayoutError(`${field}.fid`, `${d.name}: a second file at ${path}`);
    const uiccOnly = (parent?.uiccOnly ?? false) || isAdf || (tree.flavour === 'uicc' && UICC_ONLY_EFS.has(d.name));
    const decl: FileDecl = d.kind === 'EF'
      ? { kind: 'EF', name: d.name, fid, structure: info.structure!, access: { read: 'NEV', update: 'NEV' }, description: 'imported', ref: 'imported from a real card',
          ...(info.usableWhenInvalidated ? { usableWhenInvalidated: true } : {}), ...(d.name === 'EF_ACM' ? { increaseLimit: 'EF_ACMmax' } : {}) }
      : { kind: d.kind, name: d.name, fid, children: [], description: 'imported', ref: 'imported from a real card', ...(aid ? { aid: bytesHex(aid) } : {}) };
    const sfi = info.sfi === null ? undefined : info.sfi === undefined ? fid & 0x1f : info.sfi;
    const node: FsNode = {
      index: this.nodes.length, name: d.name, fid, kind: d.kind, decl, parent, children: [], path, uiccOnly, aid,
      ef: d.kind === 'EF'
        ? { structure: info.structure!, size: info.size, recordLength: info.recordLength, records: info.records, sfi: tree.flavour === 'uicc' ? sfi : undefined,
            access: { read: 'NEV', update: 'NEV', increase: 'NEV', invalidate: 'NEV', rehabilitate: 'NEV' } }
        : undefined,
      arrRecord: 0, raw, info,
    };
    this.nodes.push(node);
    if (isAdf) this.adfs.push(node);
    if (d.kind === 'EF') {
      if (d.children?.length) throw new FsLayoutError(`${field}.children`, `${d.name} is an EF: it has no children`);
    } else (d.children ?? []).forEach((c, i) => node.children.push(this.buildData(tree, c, node, `${at}.children[${i}]`)));
    return node;
  }

  /** Every EF with this declared name (EF_IMSI is in DF_GSM and ADF_USIM). */
  byName(name: string): FsNode[] {
    return this.nodes.filter((n) => n.name === name);
  }

  /** The first node named `name` (byName(name)[0] without the array). */
  firstByName(name: string): FsNode | undefined {
    const nodes = this.nodes;
    for (let i = 0; i < nodes.length; i++) if (nodes[i]!.name === name) return nodes[i];
    return undefined;
  }

  byPath(path: string): FsNode | undefined {
    const p = path.toUpperCase();
    return this.nodes.find((n) => n.path === p);
  }

  /** The EF named `name` in the same DF as `node` (EF_ACMmax beside EF_ACM). */
  sibling(node: FsNode, name: string): FsNode | undefined {
    return node.parent?.children.find((c) => c.name === name);
  }

  adfByAid(aid: Uint8Array): FsNode | undefined {
    return this.adfs.find((a) => a.aid !== undefined && aid.length >= 5 && aid.length <= a.aid.length && aid.every((b, i) => a.aid![i] === b));
  }
}

function efLayout(decl: EfDecl, path: string, overrides: { readonly [k: string]: LayoutOverride }, used: Set<string>): EfLayout {
  let o: LayoutOverride = {};
  for (const k of [decl.name, path]) {
    if (overrides[k] !== undefined) {
      o = { ...o, ...overrides[k] };
      used.add(k);
    }
  }
  const field = `files.${path}`;
  const check = (v: number | undefined, what: string, min: number, max: number): number | undefined => {
    if (v !== undefined && (!Number.isInteger(v) || v < min || v > max)) throw new FsLayoutError(`${field}.${what}`, `expected ${min}..${max}, got ${String(v)}`);
    return v;
  };
  const a = decl.access;
  const access: Required<AccessConditions> = { read: a.read, update: a.update, increase: a.increase ?? 'NEV', invalidate: a.invalidate ?? 'ADM', rehabilitate: a.rehabilitate ?? 'ADM' };
  if (decl.structure === 'transparent') {
    if (o.records !== undefined || o.recordLength !== undefined) throw new FsLayoutError(field, `${decl.name} is transparent: give size, not records`);
    const size = check(o.size, 'size', 1, 4096) ?? decl.size!;
    return { structure: decl.structure, size, recordLength: 0, records: 0, sfi: decl.sfi, access };
  }
  if (o.size !== undefined) throw new FsLayoutError(field, `${decl.name} is a record EF: give records / recordLength, not size`);
  const recordLength = check(o.recordLength, 'recordLength', 1, 255) ?? decl.recordLength!;
  const records = check(o.records, 'records', 1, 254) ?? decl.records!;
  return { structure: decl.structure, size: recordLength * records, recordLength, records, sfi: decl.sfi, access };
}

function hex4(fid: number): string {
  return fid.toString(16).toUpperCase().padStart(4, '0');
}

function bytesHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('').toUpperCase();
}

function hexBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError(`expected hex digits in pairs, got "${hex.slice(0, 40)}"`);
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** TS 51.011 §9.3 nibble coding of an access condition. */
export const acNibble = (c: AccessCondition): number => AC[c];
