/**
 * pySim-shell `export` scripts (pySim-shell.py do_export / filesystem.py export()) read into
 * card/fs's tree-as-data (issue 13). One entry per file:
 *
 *   # directory: MF/DF.GSM/EF.LP (3f00/7f20/6f05)     names and FIDs; an ADF shows an AID prefix
 *   # file: EF.LP (6f05)                               cross-checked; ADFs say (None)
 *   # structure: transparent                           cross-checked with the FCP
 *   # RAW FCP Template: 621e8202…                      the select response: the one source of truth
 *   # Decoded FCP Template: {…}                        ignored (pySim's reading of the line above)
 *   select MF/DF.GSM/EF.LP
 *   update_binary ffffffffff                           or update_record <n> <hex>, one per record
 *   # bad file: …, SW match failed! …                  select or read failed on the real card
 *
 * A UICC export carries FCP templates '62' (TS 102.221 §11.1.1.3), a classic one (sysmoSIM-GR1)
 * TS 51.011 §9.2.1 GSM responses. Every other '#' line (banners, the export summary, "has no
 * exportable contents") is a comment. Strict: a malformed or unsupported line is an
 * ExportParseError naming file:line; the function is pure, so nothing is ever half written.
 * Afterwards the phonebook EFs an EF_PBR references but the export omits are built (phonebook.ts).
 */
import { FS_TREE_FORMAT, type FsContents, type FsNodeKind, type FsTreeData } from '../../card/fs/index.js';
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { ExportParseError, type ExportErrorCode } from './errors.js';
import { readClassicResponse, readUiccFcp, type FcpFacts } from './fcp.js';
import { toNodeData, walk, type DraftContents, type DraftNode } from './draft.js';
import { synthesizePhonebooks } from './phonebook.js';

export interface PysimImport {
  readonly tree: FsTreeData;
  readonly contents: FsContents;
  /** One line each, "file:line: what was done": skipped files, files kept empty, synthesized EFs. */
  readonly warnings: string[];
  /**
   * Applets the export lists beside the file system. ARA-M (GlobalPlatform access control): its
   * access rules as exported (pySim writes `aram_delete_all` for an ARA-M holding none).
   */
  readonly applets: { readonly aram?: { readonly rules: 'none' } };
}

interface Entry {
  readonly line: number;
  readonly names: readonly string[];
  readonly namePath: string;
  readonly dirFids: readonly string[];
  file?: { line: number; name: string; fid: string | null };
  structure?: { line: number; value: string };
  fcpLine?: number;
  node?: DraftNode;
  /** Why the entry is not in the tree (no FCP, an applet's FCI). */
  skip?: string;
  bad?: { line: number; reason: string };
  binary?: boolean;
  records?: Set<number>;
}

const RE = {
  directory: /^# directory: (\S+) \(([0-9a-fA-F]+(?:\/[0-9a-fA-F]+)*)\)$/,
  file: /^# file: (\S+) \(([0-9a-fA-F]{4}|None)\)$/,
  structure: /^# structure: ([a-z_]+)$/,
  fcp: /^# RAW FCP Template: (\S+)$/,
  bad: /^# bad file: (.*)$/,
} as const;
const KNOWN_COMMENTS = ['# directory:', '# file:', '# structure:', '# RAW FCP Template:', '# bad file:'] as const;
const TEXT_LINE_FORMS = 'a "# …" comment, select <path>, update_binary <hex> or update_record <n> <hex>';

/** 'EF.IMSI' → 'EF_IMSI' (data.ts: names as the specs spell them, '.' written '_'). */
const nodeName = (n: string): string => n.replace(/\./g, '_');

function kindOfName(n: string): FsNodeKind | undefined {
  if (n === 'MF') return 'MF';
  if (n.startsWith('DF.')) return 'DF';
  if (n.startsWith('ADF.')) return 'ADF';
  if (n.startsWith('EF.')) return 'EF';
  return undefined;
}

export function parsePysimExport(text: string, file: string): PysimImport {
  return new ExportReader(file).read(text);
}

class ExportReader {
  private readonly entries = new Map<string, Entry>();
  private readonly paths = new Set<string>();
  private readonly contents: DraftContents = new Map();
  private readonly recordLines = new Map<string, number[]>();
  private readonly warnings: string[] = [];
  private flavour: 'uicc' | 'classic' | undefined;
  private root: DraftNode | undefined;
  private current: Entry | undefined;
  private target: Entry | undefined;
  private lineNo = 0;
  private inSkippedList = false;
  private aram = false;

  constructor(private readonly file: string) {}

  private fail(code: ExportErrorCode, found: string, expected: string, todo: string, line = this.lineNo): never {
    throw new ExportParseError(code, this.file, line, found, expected, todo);
  }

  private warn(line: number, msg: string): void {
    this.warnings.push(`${this.file}:${line}: ${msg}`);
  }

  read(text: string): PysimImport {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      this.lineNo = i + 1;
      this.line(lines[i]!.replace(/\s+$/, ''));
    }
    this.finish();
    const root = this.root;
    if (!root) this.fail('BAD_TREE', 'no MF in the export', 'a "# directory: MF (3f00)" entry with its RAW FCP Template', 'export the whole card with pySim-shell `export`', 1);
    this.fillRecords(root);
    synthesizePhonebooks(root, this.contents, {
      flavour: this.flavour!,
      warn: (line, msg) => this.warn(line, msg),
      fail: (line, found, expected, todo) => this.fail('BAD_PBR', found, expected, todo, line),
      recordLine: (path, n) => this.recordLines.get(path)?.[n] ?? 0,
    });
    const contents: { [path: string]: string | readonly string[] } = {};
    for (const [path, c] of this.contents) contents[path] = typeof c === 'string' ? c : c.map((r) => r!);
    return { tree: { format: FS_TREE_FORMAT, flavour: this.flavour!, mf: toNodeData(root) }, contents, warnings: this.warnings, applets: this.aram ? { aram: { rules: 'none' } } : {} };
  }

  private line(s: string): void {
    if (s === '') return;
    if (s.startsWith('#')) return this.comment(s);
    const tok = s.trim().split(/\s+/);
    const cmd = tok[0]!;
    if (cmd === 'select') return this.select(tok);
    if (cmd === 'update_binary') return this.updateBinary(tok);
    if (cmd === 'update_record') return this.updateRecord(tok);
    if (cmd === 'update_binary_decoded' || cmd === 'update_record_decoded') {
      this.fail('UNSUPPORTED', `${cmd} (a JSON export)`, 'update_binary / update_record with raw hex', 're-export without --json: the decoded form does not carry the exact bytes');
    }
    if (cmd === 'aram_delete_all') return this.aramDeleteAll();
    if (cmd.startsWith('aram_')) {
      this.fail('UNSUPPORTED', `${cmd} (ARA-M access rules)`, TEXT_LINE_FORMS, 'ARA-M rules are not part of the file system; delete the aram_ lines to import the files without them');
    }
    this.fail('UNKNOWN_COMMAND', `unknown command "${cmd}"`, TEXT_LINE_FORMS, 'fix or delete the line (cardforge reads pySim-shell `export` output only)');
  }

  private comment(s: string): void {
    const known = KNOWN_COMMENTS.find((k) => s.startsWith(k));
    if (!known) return this.summary(s); // banners, "# Decoded FCP Template", "has no exportable contents"
    if (known === '# directory:') return this.directory(s);
    const e = this.current;
    if (!e) this.fail('BAD_LINE', `"${known}" before any "# directory:" line`, 'each file entry to start with "# directory: <names> (<fids>)"', 'restore the entry\'s "# directory:" line');
    if (known === '# bad file:') {
      e.bad = { line: this.lineNo, reason: s.slice(known.length).trim() };
      return;
    }
    if (e.fcpLine !== undefined) this.fail('BAD_LINE', `"${known}" after the entry's RAW FCP Template`, `"${known}" before "# RAW FCP Template:" as pySim writes it`, 'restore the entry as exported');
    if (known === '# file:') {
      const m = RE.file.exec(s) ?? this.fail('BAD_LINE', `"${s}"`, '"# file: <name> (<4 hex digits>|None)"', 'restore the line as exported');
      e.file = { line: this.lineNo, name: m[1]!, fid: m[2] === 'None' ? null : m[2]!.toUpperCase() };
    } else if (known === '# structure:') {
      const m = RE.structure.exec(s) ?? this.fail('BAD_LINE', `"${s}"`, '"# structure: transparent|linear_fixed|cyclic|ber_tlv"', 'restore the line as exported');
      e.structure = { line: this.lineNo, value: m[1]! };
    } else {
      const m = RE.fcp.exec(s) ?? this.fail('BAD_LINE', `"${s}"`, '"# RAW FCP Template: <hex>|None"', 'restore the line as exported');
      e.fcpLine = this.lineNo;
      if (m[1] === 'None') e.skip = 'the card returned no FCP (an applet, not a file)';
      else this.place(e, this.hex(m[1]!, 'RAW FCP Template'));
    }
  }

  /** The export summary lists the DFs whose select failed (they have no entry): say so. */
  private summary(s: string): void {
    if (/^# skipped dedicated files?\(s\): \d+$/.test(s)) this.inSkippedList = true;
    else if (!s.startsWith('#  ')) this.inSkippedList = false;
    else if (this.inSkippedList) {
      const m = /^# {2}(\S+), (.*)$/.exec(s);
      if (m) this.warn(this.lineNo, `${m[1]} not imported: not on the card (${m[2]})`);
    }
  }

  private directory(s: string): void {
    this.finish();
    const m = RE.directory.exec(s) ?? this.fail('BAD_LINE', `"${s}"`, '"# directory: MF/<names> (3f00/<fids>)"', 'restore the line as exported');
    const names = m[1]!.split('/');
    const dirFids = m[2]!.toUpperCase().split('/');
    if (names.length !== dirFids.length || names[0] !== 'MF' || dirFids[0] !== '3F00') {
      this.fail('BAD_LINE', `"${s}"`, 'as many names as FIDs, starting "MF" / "3f00"', 'restore the line as exported');
    }
    const namePath = names.join('/');
    if (this.entries.has(namePath)) this.fail('DUPLICATE', `a second entry for ${namePath}`, 'each file once', 'delete one of the two entries');
    const e: Entry = { line: this.lineNo, names, namePath, dirFids };
    this.entries.set(namePath, e);
    this.current = e;
  }

  /** The entry's RAW FCP read, checked against its name and the other lines, and put in the tree. */
  private place(e: Entry, raw: Uint8Array): void {
    const last = e.names[e.names.length - 1]!;
    const named = kindOfName(last) ?? this.fail('BAD_LINE', `file name "${last}"`, 'MF, DF.<name>, ADF.<name> or EF.<name>', 'restore the name as exported', e.line);
    if (raw[0] === 0x6f && named === 'ADF' && this.flavour === 'uicc') {
      e.skip = 'an FCI template (6F): an applet such as a GlobalPlatform security domain, not a file-system ADF';
      return;
    }
    const at = e.names.join('/');
    if (this.flavour === undefined) {
      if (named !== 'MF') this.fail('BAD_TREE', `${at} before the MF`, 'the MF entry first', 'export the whole card, or move the MF entry to the top');
      this.flavour = raw[0] === 0x62 ? 'uicc' : 'classic';
    } else if ((raw[0] === 0x62) !== (this.flavour === 'uicc')) {
      this.fail('MIXED_FLAVOUR', `${this.flavour === 'uicc' ? 'a classic GSM response' : 'a UICC FCP template (62)'} for ${at}`, `${this.flavour === 'uicc' ? 'FCP templates (62…)' : 'GSM responses'} like the MF's`, 'export with one card profile (pySim-shell --card-profile / -t)');
    }
    let facts: FcpFacts;
    try {
      facts = this.flavour === 'uicc' ? readUiccFcp(raw) : readClassicResponse(raw);
    } catch (err) {
      this.fail('BAD_FCP', `${at}: ${(err as Error).message}`, this.flavour === 'uicc' ? 'a complete FCP template (TS 102.221 §11.1.1.3)' : 'a GSM response (TS 51.011 §9.2.1)', 'restore the line as the card returned it');
    }
    if (facts.kind !== named) this.fail('MISMATCH', `${at} is named as ${named === 'EF' ? 'an EF' : `a ${named}`} but its FCP describes ${facts.kind === 'EF' ? 'an EF' : `a ${facts.kind}`}`, 'the name prefix (MF, DF., ADF., EF.) to agree with the FCP', 'correct the name or the FCP');
    if (e.structure && e.structure.value !== facts.structure) {
      this.fail('MISMATCH', `"# structure: ${e.structure.value}" but the FCP says ${facts.structure ?? 'no EF structure'}`, 'the structure the FCP describes', 'correct the structure line or the FCP', e.structure.line);
    }
    if (e.file && (e.file.name !== last || (e.file.fid !== null && e.file.fid !== facts.fid))) {
      this.fail('MISMATCH', `"# file: ${e.file.name} (${e.file.fid ?? 'None'})" for ${at} (FCP FID ${facts.fid ?? 'none'})`, `the entry's own name ${last} and FID`, 'restore the entry as exported', e.file.line);
    }
    const shown = e.dirFids[e.dirFids.length - 1]!;
    if (named === 'ADF' ? !facts.aid?.startsWith(shown) : shown !== facts.fid) {
      this.fail('MISMATCH', `"# directory:" shows ${shown} for ${at} but the FCP has ${named === 'ADF' ? `AID ${facts.aid}` : `FID ${facts.fid}`}`, named === 'ADF' ? 'the directory to show a prefix of the AID' : 'the same FID', 'correct the directory line or the FCP');
    }
    const parent = e.names.length === 1 ? undefined : this.entries.get(e.names.slice(0, -1).join('/'))?.node;
    if (named === 'MF' ? e.names.length !== 1 || this.root : !parent || parent.kind === 'EF') {
      this.fail('BAD_TREE', named === 'MF' ? `${at}: an MF that is not the root` : `${at}: its DF ${e.names.slice(0, -1).join('/')} is not in the export`, 'every file below a DF exported before it', 'export the whole card (an entry whose DF failed to select cannot be imported)');
    }
    if (named === 'ADF' && parent!.kind !== 'MF') this.fail('BAD_TREE', `${at}: an ADF below ${parent!.name}`, 'ADFs directly below the MF', 'restore the entry as exported');
    const path = parent ? `${parent.path}/${named === 'ADF' ? facts.aid! : facts.fid!}` : facts.fid!;
    if (this.paths.has(path)) this.fail('DUPLICATE', `a second file at ${path} (${at})`, 'each FID once in its DF', 'delete one of the two entries');
    this.paths.add(path);
    const node: DraftNode = {
      name: nodeName(last), kind: facts.kind, ...(facts.fid ? { fid: facts.fid } : {}), ...(facts.aid ? { aid: facts.aid } : {}),
      fcp: bytesToHex(raw), facts, path, children: [], line: this.lineNo,
    };
    e.node = node;
    if (parent) parent.children.push(node);
    else this.root = node;
  }

  /** End of an entry: say what became of files the card would not show. */
  private finish(): void {
    const e = this.current;
    this.current = undefined;
    if (!e) return;
    const at = `${e.namePath} (${e.dirFids.join('/')})`;
    if (e.fcpLine === undefined) {
      if (!e.bad) this.fail('BAD_LINE', `${at} has no "# RAW FCP Template:" line`, 'the FCP line pySim writes after "# file:" (or a "# bad file:" line)', 'restore the entry as exported', e.line);
      this.warn(e.bad.line, `${at} not imported: not on the card (${e.bad.reason.replace(/^[^,]*, /, '')})`);
    } else if (e.skip) this.warn(e.fcpLine, `${at} not imported: ${e.skip}`);
    else if (e.bad) {
      const why = e.bad.reason.replace(/^[^,]*, /, '');
      this.warn(e.bad.line, e.binary || e.records ? `${at}: the export reports a problem (${why}); its contents are kept` : `${at} kept without contents: the export could not read it (${why})`);
    }
  }

  private select(tok: string[]): void {
    if (tok.length !== 2) this.fail('BAD_LINE', `select with ${tok.length - 1} arguments`, 'select <MF/…path>', 'restore the line as exported');
    this.target = this.entries.get(tok[1]!) ?? this.fail('UNKNOWN_PATH', `select ${tok[1]}`, 'a path announced by an earlier "# directory:" line', 'restore the file\'s entry or delete the line');
  }

  /** The EF the current selection names, ready for contents. */
  private ef(cmd: string): DraftNode {
    const t = this.target ?? this.fail('NO_SELECTION', `${cmd} before any select`, 'select <path> first', 'restore the select line the export has before the contents');
    const n = t.node;
    if (!n) this.fail('NOT_WRITABLE', `${cmd} for ${t.namePath}, which is not imported (${t.skip ?? 'no FCP'})`, 'contents only for files with an FCP', 'delete the line');
    if (n.kind !== 'EF') this.fail('NOT_WRITABLE', `${cmd} for ${t.namePath}, a ${n.kind}`, 'contents only for EFs', 'delete the line or restore the select of the EF');
    return n;
  }

  private updateBinary(tok: string[]): void {
    if (tok.length > 2) this.fail('BAD_LINE', `update_binary with ${tok.length - 1} arguments`, 'update_binary <hex>', 'restore the line as exported');
    const n = this.ef('update_binary');
    const t = this.target!;
    if (n.facts.structure !== 'transparent') this.fail('MISMATCH', `update_binary for ${t.namePath}, a ${n.facts.structure} EF`, 'update_record for record EFs', 'restore the line as exported');
    const data = this.hex(tok[1] ?? '', 'update_binary data'); // an empty file: a bare "update_binary"
    if (data.length !== n.facts.size) this.fail('BAD_LENGTH', `${data.length} bytes for ${t.namePath}`, `the file size from its FCP, ${n.facts.size} bytes`, 'restore the data as exported (an import never pads or cuts)');
    if (t.binary) this.fail('DUPLICATE', `a second update_binary for ${t.namePath}`, 'one per file', 'delete one of them');
    t.binary = true;
    this.contents.set(n.path, bytesToHex(data));
  }

  private updateRecord(tok: string[]): void {
    if (tok.length !== 3) this.fail('BAD_LINE', `update_record with ${tok.length - 1} arguments`, 'update_record <n> <hex>', 'restore the line as exported');
    const n = this.ef('update_record');
    const t = this.target!;
    const f = n.facts;
    if (f.structure !== 'linear_fixed' && f.structure !== 'cyclic') this.fail('MISMATCH', `update_record for ${t.namePath}, a ${f.structure} EF`, 'update_binary for a transparent EF', 'restore the line as exported');
    if (!/^[0-9]{1,3}$/.test(tok[1]!) || Number(tok[1]) === 0) this.fail('BAD_LINE', `record number "${tok[1]}"`, 'a record number 1..254 in decimal', 'restore the line as exported');
    const rec = Number(tok[1]);
    if (rec > f.records) this.fail('RECORD_RANGE', `record ${rec} of ${t.namePath}`, `1..${f.records} (its FCP's record count)`, 'delete the line or restore the FCP');
    const data = this.hex(tok[2]!, 'update_record data');
    if (data.length !== f.recordLength) this.fail('BAD_LENGTH', `${data.length} bytes for record ${rec} of ${t.namePath}`, `the record length from its FCP, ${f.recordLength} bytes`, 'restore the data as exported (an import never pads or cuts)');
    t.records ??= new Set();
    if (t.records.has(rec)) this.fail('DUPLICATE', `a second update_record ${rec} for ${t.namePath}`, 'each record once', 'delete one of them');
    t.records.add(rec);
    let list = this.contents.get(n.path);
    if (!Array.isArray(list)) this.contents.set(n.path, (list = new Array<string | undefined>(f.records).fill(undefined)));
    list[rec - 1] = bytesToHex(data);
    let lines = this.recordLines.get(n.path);
    if (!lines) this.recordLines.set(n.path, (lines = []));
    lines[rec - 1] = this.lineNo;
  }

  /** pySim writes it for an ARA-M holding no rules: nothing to import. */
  private aramDeleteAll(): void {
    const t = this.target ?? this.fail('NO_SELECTION', 'aram_delete_all before any select', 'select MF/ADF.ARA-M first', 'restore the select line');
    if (t.names[t.names.length - 1] !== 'ADF.ARA-M') this.fail('UNSUPPORTED', `aram_delete_all with ${t.namePath} selected`, 'aram_delete_all only after select MF/ADF.ARA-M', 'delete the line');
    this.aram = true;
    this.warn(this.lineNo, 'aram_delete_all: the ARA-M (an applet) held no access rules: the clone gets an ARA-M with none');
  }

  private hex(s: string, what: string): Uint8Array {
    const bad = /[^0-9a-fA-F]/.exec(s);
    if (bad) this.fail('BAD_HEX', `${what}: "${bad[0]}" at offset ${bad.index} is not a hex digit`, 'hex digits 0-9 a-f', 'restore the data as exported');
    if (s.length % 2) this.fail('BAD_HEX', `${what}: an odd number of hex digits (${s.length})`, 'two hex digits per byte', 'restore the data as exported');
    return hexToBytes(s);
  }

  /** Records the export did not list are taken as unused: FF, as pySim exports an unused record. */
  private fillRecords(root: DraftNode): void {
    for (const n of walk(root)) {
      const list = this.contents.get(n.path);
      if (!Array.isArray(list)) continue;
      const missing = list.flatMap((r, i) => (r === undefined ? [i + 1] : []));
      if (!missing.length) continue;
      for (const i of missing) list[i - 1] = 'ff'.repeat(n.facts.recordLength);
      this.warn(n.line, `${n.path}: record${missing.length > 1 ? 's' : ''} ${ranges(missing)} not in the export, filled with FF`);
    }
  }
}

/** [1,2,3,7] → "1-3, 7". */
function ranges(ns: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j]! + 1) j++;
    out.push(j > i ? `${ns[i]}-${ns[j]}` : `${ns[i]}`);
    i = j + 1;
  }
  return out.join(', ');
}
