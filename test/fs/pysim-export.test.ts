/**
 * pySim-shell export scripts read into card/fs's tree-as-data (issue 13), judged against the two
 * real exports in shared/fixtures (a sysmoISIM-SJA2, a classic sysmoSIM-GR1): counts and contents
 * are taken from the raw text with plain regexes here, never from the parser; the phonebook EFs
 * built from the SJA2's EF_PBR are compared with the FCPs the same card model answered a real
 * phone (sysmoisim-sja2-gsmtap.pcapng). Guards: files silently dropped or duplicated, contents at
 * the wrong path, ADFs keyed by a truncated AID, and malformed lines accepted instead of refused.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { FsNodeData } from '../../card/fs/data.js';
import { ExportParseError, parsePysimExport } from '../../host/fs/index.js';
import { readTraceFile } from '../../host/trace/formats/index.js';
import { exchangesOf } from '../../host/trace/events.js';
import { bytesToHex } from '../../card/runtime/bytes.js';

const DIR = '/work/shared/fixtures/real-cards/';
const SJA2 = 'sysmoisim-sja2-backup.script';
const GR1 = 'sysmosim-gr1-classic-backup.script';
const text = (name: string): string => readFileSync(DIR + name, 'utf8');

// The full AIDs, read by eye from the ADFs' FCP tag 84 in the SJA2 export (lines 1725, 3727).
const USIM_AID = 'A0000000871002FFFFFFFF8907090000';
const ISIM_AID = 'A0000000871004FFFFFFFF8907090000';
const AIDS: Record<string, string> = { A0000000871002: USIM_AID, A0000000871004: ISIM_AID };

interface Block {
  names: string[];
  fids: string[];
  fcp: string | undefined;
  binary: string[];
  records: [number, string][];
}

/** The export cut into its "# directory:" entries, with nothing but regexes. */
function blocks(src: string): Block[] {
  const out: Block[] = [];
  for (const line of src.split('\n')) {
    const d = /^# directory: (\S+) \(([0-9a-f/]+)\)$/.exec(line);
    if (d) out.push({ names: d[1]!.split('/'), fids: d[2]!.toUpperCase().split('/'), fcp: undefined, binary: [], records: [] });
    const b = out[out.length - 1];
    if (!b) continue;
    const f = /^# RAW FCP Template: (\S+)$/.exec(line);
    if (f) b.fcp = f[1];
    const u = /^update_binary ([0-9a-f]+)$/.exec(line);
    if (u) b.binary.push(u[1]!);
    const r = /^update_record (\d+) ([0-9a-f]+)$/.exec(line);
    if (r) b.records.push([Number(r[1]), r[2]!]);
  }
  return out;
}

/** Blocks that describe a file (an FCP that is neither "None" nor an applet's 6F FCI). */
const files = (bs: Block[]): Block[] => bs.filter((b) => b.fcp !== undefined && b.fcp !== 'None' && !b.fcp.startsWith('6f'));
const kindOf = (name: string): string => (name === 'MF' ? 'MF' : name.split('.')[0]!);
const pathOf = (b: Block): string => b.fids.map((f) => AIDS[f] ?? f).join('/');

function nodes(n: FsNodeData, at = ''): { node: FsNodeData; path: string }[] {
  const path = at ? `${at}/${n.kind === 'ADF' ? n.aid! : n.fid!}` : n.fid!;
  return [{ node: n, path }, ...(n.children ?? []).flatMap((c) => nodes(c, path))];
}

function count<T>(xs: T[]): Map<T, number> {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}

// The SJA2's EF_PBR record 1 (export line 1318), decoded by hand (TS 31.102 §4.4.2.1):
//   A8 1E  C0 03 4F3A 01 (ADN)  C1 03 4F32 02 (IAP)  C3 03 4F54 14 (SNE)  C5 03 4F09 04 (PBC)
//          C6 03 4F52 12 (GRP)  C9 03 4F21 09 (UID)
//   A9 0A  C4 03 4F11 08 (ANR)  CA 03 4F50 0D (EMAIL)
//   AA 14  C2 03 4F4A 03 (EXT1) C7 03 4F4B 06 (AAS)  C8 03 4F53 13 (GAS)  CB 03 4F4F 16 (CCP1)
//   FF FF FF
const PBR_REFS: [string, string, number][] = [
  ['EF_ADN', '4F3A', 0x01], ['EF_IAP', '4F32', 0x02], ['EF_SNE', '4F54', 0x14], ['EF_PBC', '4F09', 0x04],
  ['EF_GRP', '4F52', 0x12], ['EF_UID', '4F21', 0x09], ['EF_ANR', '4F11', 0x08], ['EF_EMAIL', '4F50', 0x0d],
  ['EF_EXT1', '4F4A', 0x03], ['EF_AAS', '4F4B', 0x06], ['EF_GAS', '4F53', 0x13], ['EF_CCP1', '4F4F', 0x16],
];
const BOOK = '3F00/7F10/5F3A';

describe.each([
  [SJA2, 'uicc', 12],
  [GR1, 'classic', 0],
] as const)('%s', (name, flavour, built) => {
  const src = text(name);
  const result = parsePysimExport(src, name);
  const all = nodes(result.tree.mf);
  const bs = blocks(src);

  it('parses, with the flavour of its MF response', () => {
    expect(result.tree.format).toBe('cardforge.fs/1');
    expect(result.tree.flavour).toBe(flavour);
    expect(result.tree.mf).toMatchObject({ name: 'MF', kind: 'MF', fid: '3F00' });
  });

  it('has one node per exported file (MF/DF/ADF/EF counted from the raw text) plus the built phonebook EFs', () => {
    const raw = count(files(bs).map((b) => kindOf(b.names[b.names.length - 1]!)));
    const got = count(all.map((n) => n.node.kind));
    expect(got.get('MF')).toBe(1);
    expect(got.get('DF') ?? 0).toBe(raw.get('DF') ?? 0);
    expect(got.get('ADF') ?? 0).toBe(raw.get('ADF') ?? 0);
    expect(got.get('EF')).toBe((raw.get('EF') ?? 0) + built);
    expect(new Set(all.map((n) => n.path)).size).toBe(all.length);
  });

  it('keeps every RAW FCP Template exactly as often as the export has it', () => {
    const raw = count(files(bs).map((b) => b.fcp!));
    const builtPaths = new Set(PBR_REFS.slice(0, built).map((r) => `${BOOK}/${r[1]}`));
    const got = count(all.filter((n) => !builtPaths.has(n.path)).map((n) => n.node.fcp));
    expect(got).toEqual(raw);
  });

  it('puts every update_binary / update_record value at its path (missing records FF)', () => {
    const withContents = files(bs).filter((b) => b.binary.length || b.records.length);
    expect(Object.keys(result.contents)).toHaveLength(withContents.length + built);
    let values = 0;
    for (const b of withContents) {
      const c = result.contents[pathOf(b)];
      if (b.binary.length) {
        expect(c, pathOf(b)).toBe(b.binary[0]);
        values++;
      }
      for (const [n, hex] of b.records) {
        expect((c as readonly string[])[n - 1], `${pathOf(b)} record ${n}`).toBe(hex);
        values++;
      }
    }
    expect(values).toBe((src.match(/^update_(binary|record) /gm) ?? []).length);
  });

  it('names nodes as pySim does, "." written "_"', () => {
    const names = new Set(all.map((n) => n.node.name));
    for (const n of ['MF', 'DF_GSM', 'DF_TELECOM', 'EF_IMSI', 'EF_ICCID', 'EF_ADN']) expect(names).toContain(n);
  });
});

describe('sysmoISIM-SJA2 export', () => {
  const result = parsePysimExport(text(SJA2), SJA2);
  const all = nodes(result.tree.mf);
  const at = (path: string): FsNodeData | undefined => all.find((n) => n.path === path)?.node;

  it('keys ADF.USIM and ADF.ISIM by their full AIDs (the directory line shows only a prefix)', () => {
    expect(at(`3F00/${USIM_AID}`)).toMatchObject({ name: 'ADF_USIM', kind: 'ADF', aid: USIM_AID });
    expect(at(`3F00/${ISIM_AID}`)).toMatchObject({ name: 'ADF_ISIM', kind: 'ADF', aid: ISIM_AID });
    expect(at(`3F00/${USIM_AID}`)!.fid).toBeUndefined();
    expect(result.contents[`3F00/${USIM_AID}/6F07`]).toBe('080910100000001020');
  });

  it('builds the phonebook EFs its EF_PBR references and the export omits', () => {
    const book = at(BOOK)!;
    expect(book.children!.map((c) => c.fid).sort()).toEqual(['4F22', '4F23', '4F24', '4F30', ...PBR_REFS.map((r) => r[1])].sort());
    for (const [name, fid, sfi] of PBR_REFS) {
      const n = at(`${BOOK}/${fid}`)!;
      expect(n, fid).toMatchObject({ name, kind: 'EF', fid });
      expect(n.fcp, `${name}: FID, SFI`).toContain(`8302${fid.toLowerCase()}`);
      expect(n.fcp.endsWith(`8801${(sfi << 3).toString(16).padStart(2, '0')}`), `${name}: SFI ${sfi}`).toBe(true);
    }
    expect(result.warnings.filter((w) => w.includes('built 12 phonebook EFs'))).toHaveLength(1);
  });

  // Derived from the export: ADN/EXT1 shapes (DF_TELECOM's EF_ADN/EF_EXT1), IAP length (2 type 2
  // files), per-ADN record counts, FIDs, SFIs, access rules (EF_PSC's), descriptor and tag order.
  // EF_SNE/EMAIL/GRP/AAS/GAS record shapes are PHONEBOOK_DEFAULTS, taken from this card model, so
  // for those only the rest of the FCP is a real check.
  it('builds them as the real card answers a phone (sysmoisim-sja2-gsmtap.pcapng)', () => {
    // The FCP each SELECT of a file in 7F10/5F3A returned (by path, or by FID while 5F3A is the
    // current DF), and the first READ RECORD 1 of it.
    const real = new Map<string, { fcp: string; record1?: string }>();
    let dir: string | undefined;
    let current: string | undefined;
    for (const x of exchangesOf(readTraceFile(`${DIR}sysmoisim-sja2-gsmtap.pcapng`).events)) {
      const c = bytesToHex(x.command);
      const r = x.response ? bytesToHex(x.response) : '';
      const ok = r.endsWith('9000');
      if (c.slice(2, 4) === 'a4') {
        const data = c.slice(10, 10 + 2 * parseInt(c.slice(8, 10), 16));
        if (c.slice(4, 6) === '08') dir = data.slice(0, -4); // by path from the MF
        else if (c.slice(4, 6) !== '00') dir = undefined;
        else if (data.startsWith('7f')) dir = data; // by FID: a DF below the MF,
        else if (data.startsWith('5f')) dir = `${dir ?? ''}${data}`; // a DF below that,
        else if (!data.startsWith('4f')) dir = undefined; // or an EF in the current DF
        current = ok && dir === '7f105f3a' ? data.slice(-4).toUpperCase() : undefined;
        if (current && !real.has(current)) real.set(current, { fcp: r.slice(0, -4) });
      } else if (current && c.slice(2, 6) === 'b201' && ok) real.get(current)!.record1 ??= r.slice(0, -4);
    }
    const synthesized = PBR_REFS.map((r) => r[1]).filter((fid) => real.has(fid));
    expect(synthesized).toEqual(PBR_REFS.map((r) => r[1]).filter((fid) => fid !== '4F4F')); // all but EF_CCP1
    for (const fid of synthesized) {
      expect(at(`${BOOK}/${fid}`)!.fcp, `FCP of ${fid}`).toBe(real.get(fid)!.fcp);
      const rec1 = real.get(fid)!.record1;
      // The real card pre-fills EF_AAS/EF_GAS with labels ("Work", "Group 1"); built files are empty.
      if (rec1 !== undefined && !['4F4B', '4F53'].includes(fid)) expect((result.contents[`${BOOK}/${fid}`] as string[])[0], `record 1 of ${fid}`).toBe(rec1);
    }
  });

  it('warns for files not on the card, files kept empty and applets', () => {
    const w = result.warnings.join('\n');
    expect(w).toContain(`${SJA2}:1020: MF/DF.TELECOM/EF.CCP (3F00/7F10/6F3D) not imported`);
    expect(w).toContain(`${SJA2}:1585: MF/DF.SYSTEM/EF.CHV1 (3F00/A515/6F01) kept without contents`);
    expect(w).toMatch(/MF\/ADF\.ISD .* not imported: an FCI template/);
    expect(w).toMatch(/MF\/ADF\.ARA-M .* not imported/);
    expect(w).toMatch(/:4096: MF\/ADF\.USIM\/DF\.PHONEBOOK not imported: not on the card/); // from the summary
    expect(at('3F00/A515/6F01')).toBeDefined();
    expect(result.contents['3F00/A515/6F01']).toBeUndefined();
  });
});

describe('sysmoSIM-GR1 (classic) export', () => {
  const result = parsePysimExport(text(GR1), GR1);
  it('skips EF.PL, whose select failed (9404): it is not on the card', () => {
    expect(nodes(result.tree.mf).some((n) => n.path === '3F00/2F05')).toBe(false);
    expect(result.warnings[0]).toMatch(/^sysmosim-gr1-classic-backup\.script:26: MF\/EF\.PL \(3F00\/2F05\) not imported: not on the card \(.*9404/);
  });
  it('keeps GSM responses as they are, record EFs as record lists', () => {
    const adn = result.contents['3F00/7F10/6F3A'] as string[];
    expect(adn).toHaveLength(0x1e46 / 0x1f); // size and record length from 00001e466f3a…011f
    expect(adn.every((r) => r.length === 0x1f * 2)).toBe(true);
  });
});

// A tiny valid UICC export (FCPs from the SJA2), then one broken line at a time.
const MF_FCP = '622d8202782183023f00a509800171830400018d088a01058c04261a0000c60f90017083010183018183010a83010b';
const ICCID_FCP = '621f8202412183022fe2a506d00120d201058a01058b032f06028002000a880110';
const DIR_FCP = '622282054221002b0883022f00a506d00120d2010b8a01058b032f0604800201588801f0';
const rec = (b: string): string => b.repeat(43);
const GOOD = [
  '# directory: MF (3f00)', // 1
  '# file: MF (3f00)', // 2
  `# RAW FCP Template: ${MF_FCP}`, // 3
  'select MF', // 4
  '# directory: MF/EF.ICCID (3f00/2fe2)', // 5
  '# structure: transparent', // 6
  `# RAW FCP Template: ${ICCID_FCP}`, // 7
  'select MF/EF.ICCID', // 8
  'update_binary 988812010000407643f3', // 9
  '# directory: MF/EF.DIR (3f00/2f00)', // 10
  '# structure: linear_fixed', // 11
  `# RAW FCP Template: ${DIR_FCP}`, // 12
  'select MF/EF.DIR', // 13
  `update_record 2 ${rec('11')}`, // 14
];
const broken = (line: number, replacement: string | null): string => GOOD.map((l, i) => (i + 1 === line ? replacement : l)).filter((l) => l !== null).join('\n');

function parseError(src: string): ExportParseError {
  try {
    parsePysimExport(src, 'x.script');
  } catch (e) {
    expect(e).toBeInstanceOf(ExportParseError);
    return e as ExportParseError;
  }
  throw new Error('expected an ExportParseError');
}

describe('strict parsing', () => {
  it('reads a minimal export; records the export omits are FF, with a warning', () => {
    const r = parsePysimExport(GOOD.join('\n'), 'x.script');
    expect(r.contents['3F00/2FE2']).toBe('988812010000407643f3');
    const dir = r.contents['3F00/2F00'] as string[];
    expect(dir).toHaveLength(8);
    expect(dir[1]).toBe(rec('11'));
    expect(dir[0]).toBe(rec('ff'));
    expect(r.warnings).toEqual(['x.script:12: 3F00/2F00: records 1, 3-8 not in the export, filled with FF']);
  });

  it.each([
    ['bad hex', 9, 'update_binary 9888120100004076zzf3', 9, 'BAD_HEX'],
    ['odd hex', 9, 'update_binary 988812010000407643f', 9, 'BAD_HEX'],
    ['short update_binary', 9, 'update_binary 9888', 9, 'BAD_LENGTH'],
    ['wrong record length', 14, `update_record 2 ${rec('11')}22`, 14, 'BAD_LENGTH'],
    ['record beyond the count', 14, `update_record 9 ${rec('11')}`, 14, 'RECORD_RANGE'],
    ['record 0', 14, `update_record 0 ${rec('11')}`, 14, 'BAD_LINE'],
    ['unknown command', 14, 'set_file_size 100', 14, 'UNKNOWN_COMMAND'],
    ['JSON export', 14, `update_record_decoded 2 '{"x": 1}'`, 14, 'UNSUPPORTED'],
    ['truncated FCP', 12, `# RAW FCP Template: ${DIR_FCP.slice(0, -8)}`, 12, 'BAD_FCP'],
    ['select of an unannounced path', 13, 'select MF/EF.ARR', 13, 'UNKNOWN_PATH'],
    ['structure disagreeing with the FCP', 11, '# structure: transparent', 11, 'MISMATCH'],
    ['EF name on a DF FCP', 7, `# RAW FCP Template: ${MF_FCP.replace('83023f00', '83022fe2')}`, 7, 'MISMATCH'],
    ['update_binary on a record EF', 14, 'update_binary 00', 14, 'MISMATCH'],
    ['directory line without FIDs', 10, '# directory: MF/EF.DIR', 10, 'BAD_LINE'],
    ['contents for an entry without FCP', 12, null, 13, 'NOT_WRITABLE'],
    ['classic response in a UICC export', 12, '# RAW FCP Template: 0000000a2fe2040005ff5501020000', 12, 'MIXED_FLAVOUR'],
  ] as const)('%s → ExportParseError at the line', (_what, line, replacement, errLine, code) => {
    const e = parseError(broken(line, replacement));
    expect(e.code).toBe(code);
    expect(e.line).toBe(errLine);
    expect(e.file).toBe('x.script');
    expect(e.message).toMatch(new RegExp(`^x\\.script:${errLine}: .+; expected .+; .+`));
  });

  it('update before any select → NO_SELECTION', () => {
    const e = parseError([...GOOD.slice(0, 3), ...GOOD.slice(4, 7), GOOD[8]].join('\n'));
    expect([e.code, e.line]).toEqual(['NO_SELECTION', 7]);
  });

  it('an entry with neither FCP nor "# bad file:" line → BAD_LINE at its directory line', () => {
    const e = parseError(GOOD.slice(0, 11).join('\n'));
    expect([e.code, e.line]).toEqual(['BAD_LINE', 10]);
  });

  it('an EF_PBR record that does not decode → BAD_PBR at its update_record line', () => {
    const src = text(SJA2).replace('update_record 1 a81ec0034f3a01', 'update_record 1 a81fc0034f3a01');
    const e = parseError(src);
    expect([e.code, e.line]).toEqual(['BAD_PBR', 1318]);
    expect(e.message).toContain('3F00/7F10/5F3A/4F30 record 1');
  });

  it('a second update of the same record is refused', () => {
    const e = parseError(`${GOOD.join('\n')}\nupdate_record 2 ${rec('11')}`);
    expect([e.code, e.line]).toEqual(['DUPLICATE', 15]);
  });
});
