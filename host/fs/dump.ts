/**
 * `cardforge image dump` (issue 13): walk a card over any Transport and write its files as a
 * pySim-shell export (export-writer.ts), the format `image import` reads, so
 * import(dump(card)) is a clone of the card and dump(import(X)) gives back X's files.
 *
 * - UICC or classic, decided as pySim does: SELECT MF with class 00 and P2=04 (FCP); a card that
 *   answers 6E00 (class not supported) — or anything but a FCP — is asked again with class A0 and
 *   read as a TS 51.011 SIM (GSM responses, GET RESPONSE 9Fxx).
 * - VERIFY ADM1 first when given (key reference 0A, 8 digits as ASCII or 16 hex digits), so the
 *   files ADM protects are read too; a wrong key stops the dump at once (retries are precious).
 * - Every DF: first the FIDs the specs name for it (export-writer.ts wellKnownFiles), then — with
 *   `scan` — a SELECT of every FID in the ranges the specs allot below it (SCAN_RANGES), so a file
 *   no table knows is found too. ADFs: the AIDs of EF_DIR's application templates (TS 102.221 §13.1),
 *   each selected by AID (P1=04) and walked like a DF.
 * - Every file found: its select response byte for byte, then its contents (READ BINARY in chunks,
 *   READ RECORD of each record). A read the card refuses keeps the file, with a "# bad file:" line
 *   naming the status word, as pySim-shell's export does.
 *
 * The scan selects by FID relative to the DF (P1=00, the one form classic SIMs and UICCs share).
 * TS 102.221 §8.4.1 / TS 51.011 §6.5 let such a SELECT also reach the DF itself, its parent, the
 * MF and the DF's sibling DFs: those FIDs are never probed, so every hit is a child of the DF. A hit
 * that is a DF makes it the current DF; the walk selects the scanned DF again before going on.
 * Deterministic: the same card gives the same text (walk order; no dates).
 */
import cliProgress from 'cli-progress';
import { describeSw } from '../../apdu-specs/index.js';
import { bytesToHex, readTlvs, splitResponse } from '../../card/runtime/index.js';
import { transmitT0 } from '../transport/t0.js';
import type { Transport } from '../transport/types.js';
import { adfName, fidName, wellKnownFiles, writePysimExport, type ExportEntry } from './export-writer.js';
import { readClassicResponse, readUiccFcp, type FcpFacts } from './fcp.js';
import { decodePbrRecord } from './phonebook.js';
import { CardforgeError } from '../errors.js';

export interface DumpOptions {
  /** ADM1: 8 digits (sent as ASCII) or 16 hex digits. */
  readonly adm?: string;
  /** SELECT every FID of SCAN_RANGES below each DF (default true); false: the well-known FIDs only. */
  readonly scan?: boolean;
  /**
   * Warm reset before the walk (default true): the dump starts from the state after power-on, as
   * pySim's does — what a previous session selected can change which EF_ARR a file's rule comes
   * from (TS 102.221 §9.2.4: an EF_ARR is looked for in the current application too).
   */
  readonly reset?: boolean;
  /** After each probe: probes done, probes planned so far (grows as DFs are found), the DF being walked. */
  readonly onProgress?: (done: number, total: number, path: string) => void;
}

export interface DumpResult {
  /** The export script. */
  readonly text: string;
  readonly flavour: 'uicc' | 'classic';
  /** Files with a select response in the export (MF, DFs, ADFs, EFs). */
  readonly files: number;
  /** EFs whose contents were read. */
  readonly contents: number;
  /** "path: reason" of each EF whose contents the card refused. */
  readonly bad: readonly string[];
  /** SELECTs of candidate FIDs (well-known and scanned). */
  readonly probes: number;
  /** Commands sent (a T=0 GET RESPONSE the transport runs is part of its command). */
  readonly commands: number;
  readonly ms: number;
  /** The card's ATR after the reset (undefined when the transport does not tell). */
  readonly atr: Uint8Array | undefined;
}

export const DUMP_ERROR_CODES = ['DUMP_BAD_ADM', 'DUMP_ADM_REJECTED', 'DUMP_NO_MF', 'DUMP_CARD_CHANGED', 'DUMP_BAD_RESPONSE'] as const;
export type DumpErrorCode = (typeof DUMP_ERROR_CODES)[number];

export class DumpError extends CardforgeError<DumpErrorCode> {
  constructor(
    code: DumpErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'DumpError';
  }
}

/**
 * FIDs probed below a DF, by its depth (0 = the MF): TS 102.221 §8.2 / TS 51.011 §6.2 — EFs under
 * the MF are '2Fxx', first-level DFs '7Fxx', EFs under them '6Fxx', second-level DFs '5Fxx', EFs
 * under those '4Fxx'. 2 × 256 SELECTs per DF (a full 0000-FFFF scan would be 65536 per DF).
 */
export const SCAN_RANGES: readonly (readonly (readonly [number, number])[])[] = [
  [[0x2f00, 0x2fff], [0x7f00, 0x7fff]],
  [[0x6f00, 0x6fff], [0x5f00, 0x5fff]],
  [[0x4f00, 0x4fff]],
];

/** Largest READ BINARY: 255 keeps Le within what both classic SIMs and UICCs take on T=0. */
const CHUNK = 0xff;

interface Node {
  readonly names: readonly string[];
  /** FIDs (an ADF: its AID) from the MF: the directory line, and how to select the node again. */
  readonly ids: readonly string[];
  readonly facts: FcpFacts;
  readonly fcp: Uint8Array;
  readonly parent: Node | undefined;
  readonly depth: number;
  readonly children: Node[];
  contents?: ExportEntry['contents'];
  bad?: string;
  note?: string;
  /** An applet's FCI (tag 6F) answered the select by AID: listed, not walked. */
  applet?: boolean;
}

interface Rsp {
  readonly data: Uint8Array;
  readonly sw: number;
}

const hex4 = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
const swHex = (sw: number): string => sw.toString(16).padStart(4, '0');
const failed = (sw: number): string => `SW match failed! Expected 9000 and got ${swHex(sw)}: ${describeSw(sw)?.description ?? 'unknown status word'}`;

/** Walk the card on a connected transport and write its export. Throws DumpError. */
export async function dumpCard(transport: Transport, opts: DumpOptions = {}): Promise<DumpResult> {
  return new Walker(transport, opts).run();
}

class Walker {
  private cla = 0x00;
  private flavour: 'uicc' | 'classic' = 'uicc';
  private commands = 0;
  private probes = 0;
  private planned = 0;
  private readonly scan: boolean;

  constructor(
    private readonly t: Transport,
    private readonly opts: DumpOptions,
  ) {
    this.scan = opts.scan ?? true;
  }

  async run(): Promise<DumpResult> {
    const t0 = performance.now();
    const key = this.opts.adm === undefined ? undefined : admKey(this.opts.adm);
    if (this.opts.reset ?? true) await this.t.reset();
    const mf = await this.detect();
    if (key) await this.verifyAdm(key);
    await this.walkDf(mf);
    if (this.flavour === 'uicc') {
      for (const aid of this.efDirAids(mf)) {
        const adf = await this.selectAdf(mf, aid);
        if (adf && !adf.applet) await this.walkDf(adf);
      }
    }
    const entries: ExportEntry[] = [];
    const bad: string[] = [];
    let contents = 0;
    const visit = (n: Node): void => {
      entries.push({
        names: n.names, ids: n.ids, kind: n.applet ? 'ADF' : n.facts.kind, fcp: n.fcp,
        ...(n.facts.structure ? { structure: n.facts.structure } : {}),
        ...(n.contents ? { contents: n.contents } : {}), ...(n.bad ? { bad: n.bad } : {}), ...(n.note ? { note: n.note } : {}),
      });
      if (n.contents) contents++;
      if (n.bad) bad.push(`${n.names.join('/')}: ${n.bad}`);
      // As pySim-shell exports: a DF's EFs, then its DFs (each followed by its own files).
      for (const c of n.children) if (c.facts.kind === 'EF') visit(c);
      for (const c of n.children) if (c.facts.kind !== 'EF') visit(c);
    };
    visit(mf);
    const text = writePysimExport(entries, {
      lines: [
        `cardforge image dump of ${this.t.name}: ${this.flavour === 'uicc' ? 'UICC (FCP templates)' : 'classic SIM (GSM responses)'}`,
        ...(this.t.atr ? [`ATR ${bytesToHex(this.t.atr).toUpperCase()}`] : []),
        `${this.scan ? 'well-known FIDs and a scan of' : 'well-known FIDs only, no scan of'} ${SCAN_RANGES.map((r) => r.map(([a, b]) => `${hex4(a)}-${hex4(b)}`).join(', ')).join(' / ')} below each DF`,
      ],
    });
    return { text, flavour: this.flavour, files: entries.filter((e) => e.kind !== 'ADF' || e.fcp[0] === 0x62).length, contents, bad, probes: this.probes, commands: this.commands, ms: performance.now() - t0, atr: this.t.atr };
  }

  /** One command; a 61xx/9Fxx/6Cxx the transport left to us (autoGetResponse off) is completed here (t0.ts). */
  private async send(cmd: Uint8Array): Promise<Rsp> {
    this.commands++;
    const r = await transmitT0((c) => this.t.transmit(c), cmd);
    if (r.length < 2) throw new DumpError('DUMP_BAD_RESPONSE', `${this.t.name}: the card answered ${bytesToHex(r) || 'nothing'} to ${bytesToHex(cmd)}, without a status word`);
    const { data, sw } = splitResponse(r);
    return { data: data.slice(), sw };
  }

  /** SELECT by FID relative to the current DF, with the FCP (UICC) or the GSM response (classic). */
  private select(fid: number): Promise<Rsp> {
    const [hi, lo] = [fid >> 8, fid & 0xff];
    return this.send(this.cla === 0xa0 ? Uint8Array.of(0xa0, 0xa4, 0x00, 0x00, 0x02, hi, lo) : Uint8Array.of(0x00, 0xa4, 0x00, 0x04, 0x02, hi, lo, 0x00));
  }

  private async detect(): Promise<Node> {
    const names = ['MF'];
    const ids = ['3F00'];
    const uicc = await this.send(Uint8Array.of(0x00, 0xa4, 0x00, 0x04, 0x02, 0x3f, 0x00, 0x00));
    if ((uicc.sw === 0x9000 || uicc.sw === 0x6283) && uicc.data[0] === 0x62) {
      return { names, ids, facts: readUiccFcp(uicc.data), fcp: uicc.data, parent: undefined, depth: 0, children: [] };
    }
    this.cla = 0xa0;
    this.flavour = 'classic';
    const gsm = await this.select(0x3f00);
    if (gsm.sw !== 0x9000) {
      throw new DumpError('DUMP_NO_MF', `${this.t.name}: SELECT MF answered ${swHex(uicc.sw)} with class 00 and ${swHex(gsm.sw)} with class A0: not a SIM or UICC file system (is the card in the reader a SIM?)`);
    }
    return { names, ids, facts: readClassicResponse(gsm.data), fcp: gsm.data, parent: undefined, depth: 0, children: [] };
  }

  private async verifyAdm(key: Uint8Array): Promise<void> {
    const r = await this.send(Uint8Array.of(this.cla, 0x20, 0x00, 0x0a, 0x08, ...key));
    if (r.sw === 0x9000) return;
    const why = (r.sw & 0xfff0) === 0x63c0 ? `wrong key, ${r.sw & 0x0f} attempts left` : (describeSw(r.sw)?.description ?? 'unknown status word');
    throw new DumpError('DUMP_ADM_REJECTED', `${this.t.name}: VERIFY ADM1 answered ${swHex(r.sw)} (${why}); nothing was dumped — check the key (another wrong one may block ADM1), or dump without --adm`);
  }

  /** Select `n` again from the MF (or its ADF), without asking for the FCP where the card allows. */
  private async reselect(n: Node): Promise<void> {
    const chain: Node[] = [];
    for (let p: Node | undefined = n; p; p = p.parent) chain.unshift(p);
    for (const p of chain) {
      let r: Rsp;
      if (p.facts.kind === 'ADF') {
        const aid = p.ids[p.ids.length - 1]!.match(/../g)!.map((h) => parseInt(h, 16));
        r = await this.send(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, aid.length, ...aid));
      } else {
        const fid = parseInt(p.ids[p.ids.length - 1]!, 16);
        r = this.cla === 0xa0 ? await this.select(fid) : await this.send(Uint8Array.of(0x00, 0xa4, 0x00, 0x0c, 0x02, fid >> 8, fid & 0xff));
      }
      if (r.sw !== 0x9000 && r.sw !== 0x6283) throw new DumpError('DUMP_CARD_CHANGED', `${this.t.name}: ${p.names.join('/')} answered ${swHex(r.sw)} when selected again: the card changed during the dump`);
    }
  }

  /** The DF's children: well-known FIDs, then the scan; each found EF read at once; then each child DF. */
  private async walkDf(df: Node): Promise<void> {
    const ctx = df.names.slice(1).join('/');
    const known = wellKnownFiles(ctx);
    const skip = new Set<number>([0x3f00, 0x7fff, parseInt(df.facts.fid ?? '3F00', 16)]);
    if (df.parent) {
      skip.add(parseInt(df.parent.facts.fid ?? '3F00', 16));
      for (const s of df.parent.children) if (s.facts.kind === 'DF' && s.facts.fid) skip.add(parseInt(s.facts.fid, 16));
    }
    const fids: number[] = [];
    const add = (f: number): void => {
      if (!skip.has(f)) fids.push(f);
      skip.add(f);
    };
    for (const f of known.keys()) add(parseInt(f, 16));
    if (this.scan) for (const [a, b] of SCAN_RANGES[Math.min(df.depth, SCAN_RANGES.length - 1)]!) for (let f = a; f <= b; f++) add(f);
    this.planned += fids.length;
    const names = new Set<string>();
    const path = df.names.join('/');
    for (const fid of fids) {
      const r = await this.select(fid);
      this.probes++;
      this.opts.onProgress?.(this.probes, this.planned, path);
      if (r.sw !== 0x9000 && r.sw !== 0x6283) continue;
      let facts: FcpFacts;
      try {
        facts = this.flavour === 'uicc' ? readUiccFcp(r.data) : readClassicResponse(r.data);
      } catch {
        await this.reselect(df); // not a file description this walk can use (nor an import): leave it out
        continue;
      }
      if (facts.fid !== hex4(fid) || facts.kind === 'MF' || facts.kind === 'ADF') {
        await this.reselect(df);
        continue;
      }
      const kind = facts.kind === 'EF' ? 'EF' : 'DF';
      let name = this.phonebookName(df, facts.fid) ?? known.get(hex4(fid)) ?? fidName(kind, hex4(fid));
      if (names.has(name)) name = `${name}_${hex4(fid)}`; // names must be unique in a DF for the export
      names.add(name);
      const child: Node = { names: [...df.names, name], ids: [...df.ids, hex4(fid)], facts, fcp: r.data, parent: df, depth: df.depth + 1, children: [] };
      df.children.push(child);
      if (kind === 'EF') await this.readContents(child);
      else await this.reselect(df);
    }
    for (const c of df.children) {
      if (c.facts.kind === 'EF') continue;
      await this.reselect(c);
      await this.walkDf(c);
    }
  }

  /** DF_PHONEBOOK: the EFs its EF_PBR references have card-chosen FIDs; name them by their PBR tag (TS 31.102 §4.4.2.1). */
  private phonebookName(df: Node, fid: string): string | undefined {
    if (df.facts.fid !== '5F3A') return undefined;
    const pbr = df.children.find((c) => c.facts.fid === '4F30');
    if (!pbr?.contents || !('records' in pbr.contents)) return undefined;
    for (const rec of pbr.contents.records) {
      try {
        const ref = decodePbrRecord(rec).refs.find((x) => x.fid === fid);
        if (ref) return `EF.${ref.file}`;
      } catch {
        // a malformed PBR record names nothing; the import reports it
      }
    }
    return undefined;
  }

  private async readContents(n: Node): Promise<void> {
    const f = n.facts;
    if (f.structure === 'ber_tlv') {
      n.note = 'BER-TLV EF: its data objects are not exported (pySim-shell writes them with set_data, which an import does not read)';
      return;
    }
    if (f.structure === 'transparent') {
      const out = new Uint8Array(f.size);
      for (let off = 0; off < f.size; off += CHUNK) {
        const len = Math.min(CHUNK, f.size - off);
        const r = await this.send(Uint8Array.of(this.cla, 0xb0, off >> 8, off & 0xff, len));
        if ((r.sw !== 0x9000 && r.sw !== 0x6282) || r.data.length !== len) {
          n.bad = r.sw === 0x9000 ? `READ BINARY at offset ${off} gave ${r.data.length} bytes, expected ${len}` : failed(r.sw);
          return;
        }
        out.set(r.data, off);
      }
      n.contents = { binary: out };
      return;
    }
    const records: Uint8Array[] = [];
    for (let i = 1; i <= f.records; i++) {
      const r = await this.send(Uint8Array.of(this.cla, 0xb2, i, 0x04, f.recordLength & 0xff));
      if (r.sw !== 0x9000 || r.data.length !== f.recordLength) {
        n.bad = r.sw === 0x9000 ? `READ RECORD ${i} gave ${r.data.length} bytes, expected ${f.recordLength}` : failed(r.sw);
        return;
      }
      records.push(r.data);
    }
    n.contents = { records };
  }

  /** The AIDs EF_DIR lists (application templates 61 holding an AID 4F), in record order, once each. */
  private efDirAids(mf: Node): string[] {
    const dir = mf.children.find((c) => c.facts.fid === '2F00');
    if (!dir?.contents || !('records' in dir.contents)) return [];
    const aids: string[] = [];
    for (const rec of dir.contents.records) {
      for (const t of readTlvs(rec)) {
        if (t.tag !== 0x61) continue;
        const aid = readTlvs(t.value).find((x) => x.tag === 0x4f)?.value;
        if (aid && aid.length >= 5 && aid.length <= 16) {
          const h = bytesToHex(aid).toUpperCase();
          if (!aids.includes(h)) aids.push(h);
        }
      }
    }
    return aids;
  }

  private async selectAdf(mf: Node, aid: string): Promise<Node | undefined> {
    const bytes = aid.match(/../g)!.map((h) => parseInt(h, 16));
    const r = await this.send(Uint8Array.of(0x00, 0xa4, 0x04, 0x04, bytes.length, ...bytes, 0x00));
    if ((r.sw !== 0x9000 && r.sw !== 0x6283) || r.data.length === 0) return undefined; // listed but not there: nothing to export
    const base = { names: [...mf.names, adfName(aid)], fcp: r.data, parent: mf, depth: 1, children: [] as Node[] };
    if (r.data[0] === 0x6f) {
      const node: Node = { ...base, ids: [...mf.ids, aid], facts: { kind: 'ADF', aid, size: 0, recordLength: 0, records: 0 }, applet: true };
      mf.children.push(node);
      return node;
    }
    let facts: FcpFacts;
    try {
      facts = readUiccFcp(r.data);
    } catch {
      return undefined;
    }
    if (facts.kind !== 'ADF') return undefined;
    const node: Node = { ...base, ids: [...mf.ids, facts.aid!], facts };
    mf.children.push(node);
    return node;
  }
}

/** ADM1 as the card compares it: 8 digits → their ASCII codes; 16 hex digits → those 8 bytes. */
function admKey(adm: string): Uint8Array {
  if (/^\d{8}$/.test(adm)) return new TextEncoder().encode(adm);
  if (/^[0-9a-fA-F]{16}$/.test(adm)) return Uint8Array.from(adm.match(/../g)!.map((h) => parseInt(h, 16)));
  throw new DumpError('DUMP_BAD_ADM', `"adm" expected 8 digits or 16 hex digits, got ${adm.length} characters; nothing was sent to the card`);
}

/**
 * A progress bar for `onProgress` on an interactive terminal (cli-progress), or undefined when
 * `stream` is not a TTY: a pipe or a CI log gets no control characters.
 */
export function terminalProgress(stream: NodeJS.WriteStream): { onProgress: NonNullable<DumpOptions['onProgress']>; stop: () => void } | undefined {
  if (!stream.isTTY) return undefined;
  const bar = new cliProgress.SingleBar({ stream, format: 'dump [{bar}] {value}/{total} SELECTs | {path}', hideCursor: true, clearOnComplete: true, fps: 10 }, cliProgress.Presets.legacy);
  let started = false;
  return {
    onProgress: (done, total, path) => {
      if (!started) bar.start(total, done, { path });
      started = true;
      bar.setTotal(total);
      bar.update(done, { path });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
