/**
 * The phonebook EFs an EF_PBR references but an export omits, built from the PBR (TS 31.102 §4.4.2).
 * pySim-shell knows DF_PHONEBOOK only as EF_PBR/PSC/CC/PUID (their FIDs are fixed); the EFs the
 * PBR points to have card-chosen FIDs ('4FXX'), so an export skips them — yet a phone reads them
 * (a sysmoISIM-SJA2 session selects EF_ADN, EF_IAP, EF_ANR, EF_EMAIL, … by the FIDs in its PBR).
 *
 * §4.4.2.1 EF_PBR: each record holds constructed templates 'A8' (type 1 files: one record per
 * EF_ADN record), 'A9' (type 2: reached through EF_IAP), 'AA' (type 3: reached from a record of
 * another file), each a list of 'Cx' objects: FID (2 bytes) and optionally an SFI (1 byte):
 * C0 EF_ADN, C1 EF_IAP, C2 EF_EXT1, C3 EF_SNE, C4 EF_ANR, C5 EF_PBC, C6 EF_GRP, C7 EF_AAS,
 * C8 EF_GAS, C9 EF_UID, CA EF_EMAIL, CB EF_CCP1. Unused bytes of a record are 'FF'.
 */
import { bytesToHex, concat, hexToBytes, u16 } from '../../card/runtime/index.js';
import { fcpObjects, readTlvsStrict, readUiccFcp, tlv } from './fcp.js';
import { walk, type DraftContents, type DraftNode } from './draft.js';

export const PBR_TAGS = {
  0xc0: 'ADN', 0xc1: 'IAP', 0xc2: 'EXT1', 0xc3: 'SNE', 0xc4: 'ANR', 0xc5: 'PBC',
  0xc6: 'GRP', 0xc7: 'AAS', 0xc8: 'GAS', 0xc9: 'UID', 0xca: 'EMAIL', 0xcb: 'CCP1',
} as const;
export type PbFile = (typeof PBR_TAGS)[keyof typeof PBR_TAGS];

/** Which template each file may sit in (§4.4.2.1 and the clause of each EF). */
const ALLOWED_TYPES: Record<PbFile, readonly (1 | 2 | 3)[]> = {
  ADN: [1], IAP: [1], PBC: [1], GRP: [1], UID: [1], // one record per EF_ADN record
  SNE: [1, 2], ANR: [1, 2], EMAIL: [1, 2],
  EXT1: [3], AAS: [3], GAS: [3], CCP1: [3],
};

export interface PbrReference {
  readonly file: PbFile;
  readonly type: 1 | 2 | 3;
  /** 4 upper-case hex digits. */
  readonly fid: string;
  readonly sfi?: number;
}

/** One EF_PBR record; all-'FF' (unused) gives no references. Throws RangeError when malformed. */
export function decodePbrRecord(rec: Uint8Array): { refs: PbrReference[]; unknownTags: number[] } {
  const refs: PbrReference[] = [];
  const unknownTags: number[] = [];
  for (const t of pbrTemplates(rec)) {
    const type = t.tag === 0xa8 ? 1 : t.tag === 0xa9 ? 2 : t.tag === 0xaa ? 3 : undefined;
    if (!type) throw new RangeError(`EF_PBR record: tag ${t.tag.toString(16)} is not A8, A9 or AA`);
    for (const o of readTlvsStrict(t.value, `EF_PBR template ${t.tag.toString(16).toUpperCase()}`)) {
      const file = PBR_TAGS[o.tag as keyof typeof PBR_TAGS] as PbFile | undefined;
      if (!file) {
        unknownTags.push(o.tag); // e.g. 'CC' EF_PURI of later releases: referenced, not built
        continue;
      }
      if (o.value.length !== 2 && o.value.length !== 3) throw new RangeError(`EF_PBR: ${file} (tag ${o.tag.toString(16).toUpperCase()}) expected FID (2 bytes) and optional SFI, got ${o.value.length} bytes`);
      if (!ALLOWED_TYPES[file].includes(type)) throw new RangeError(`EF_PBR: EF_${file} in template ${t.tag.toString(16).toUpperCase()} (type ${type}); TS 31.102 allows type ${ALLOWED_TYPES[file].join(' or ')}`);
      const sfi = o.value.length === 3 ? o.value[2]! : undefined;
      if (sfi !== undefined && (sfi < 1 || sfi > 30)) throw new RangeError(`EF_PBR: SFI ${sfi} of EF_${file} is not 1..30`);
      refs.push({ file, type, fid: bytesToHex(o.value.subarray(0, 2)).toUpperCase(), ...(sfi !== undefined ? { sfi } : {}) });
    }
  }
  if (refs.length && refs.filter((r) => r.file === 'ADN').length !== 1) throw new RangeError('EF_PBR record: expected exactly one EF_ADN (C0) in its type 1 template');
  if (refs.some((r) => r.type === 2) && !refs.some((r) => r.file === 'IAP')) throw new RangeError('EF_PBR record: type 2 files (A9) but no EF_IAP (C1) to reach them');
  return { refs, unknownTags };
}

/** The templates of a record up to its 'FF' padding (a padding byte stands where a tag would). */
function pbrTemplates(rec: Uint8Array): { tag: number; value: Uint8Array }[] {
  const out: { tag: number; value: Uint8Array }[] = [];
  let i = 0;
  while (i < rec.length && rec[i] !== 0xff) {
    const at = i;
    const tag = rec[i++]!;
    let len = rec[i++] ?? -1;
    if (len === 0x81) len = rec[i++] ?? -1;
    if (len < 0 || len > 0xff || (len > 0x7f && rec[at + 1] !== 0x81) || i + len > rec.length) {
      throw new RangeError(`EF_PBR record: template ${tag.toString(16)} at offset ${at} runs past the record (truncated)`);
    }
    out.push({ tag, value: rec.subarray(i, i + len) });
    i += len;
  }
  if (rec.subarray(i).some((b) => b !== 0xff)) throw new RangeError(`EF_PBR record: data after the 'FF' padding at offset ${i}`);
  return out;
}

/**
 * Record sizes where TS 31.102 leaves X to the issuer and the export has no file to copy from: the
 * values a sysmoISIM-SJA2 answers (its phone session, shared/fixtures/real-cards/
 * sysmoisim-sja2-gsmtap.pcapng). EF_ADN and EF_EXT1 follow DF_TELECOM's EF_ADN/EF_EXT1 when the
 * export has them (a card's global phonebook is sized like its ADN), EF_CCP1 EF_CCP/EF_CCP2.
 */
export const PHONEBOOK_DEFAULTS = {
  adn: { recordLength: 34, records: 250 }, // X = 20 alpha bytes + 14 (§4.4.2.3)
  ext1Records: 10, // record length 13 (§4.4.2.4)
  sneAlpha: 18, // X (§4.4.2.10)
  emailLength: 48, // X (§4.4.2.13)
  emailType2Records: 150, // type 2 files may have fewer records than EF_ADN (shared through EF_IAP)
  grpGroups: 3, // X: groups an entry can belong to (§4.4.2.6)
  aas: { recordLength: 10, records: 10 }, // §4.4.2.7
  gas: { recordLength: 16, records: 5 }, // §4.4.2.8
  ccp1: { recordLength: 15, records: 5 }, // §4.4.2.11
} as const;

export interface PhonebookContext {
  readonly flavour: 'uicc' | 'classic';
  warn(line: number, msg: string): void;
  fail(line: number, found: string, expected: string, todo: string): never;
  /** Export line of record `index` (0-based) of the EF at `path`, 0 when unknown. */
  recordLine(path: string, index: number): number;
}

interface Shape {
  readonly recordLength: number;
  readonly records: number;
}

/** Complete every DF_PHONEBOOK (5F3A, under DF_TELECOM or an ADF) whose EF_PBR the export holds. */
export function synthesizePhonebooks(root: DraftNode, contents: DraftContents, ctx: PhonebookContext): void {
  if (ctx.flavour !== 'uicc') return; // DF_PHONEBOOK is a UICC (TS 31.102) feature
  const books = [...walk(root)].filter((n) => n.kind === 'DF' && n.fid === '5F3A');
  for (const df of books) {
    const pbr = df.children.find((c) => c.kind === 'EF' && c.fid === '4F30');
    if (pbr) completeBook(root, df, pbr, contents, ctx);
  }
}

function linearEf(df: DraftNode | undefined, fid: string): Shape | undefined {
  const n = df?.children.find((c) => c.kind === 'EF' && c.fid === fid && c.facts.structure === 'linear_fixed');
  return n ? { recordLength: n.facts.recordLength, records: n.facts.records } : undefined;
}

function completeBook(root: DraftNode, df: DraftNode, pbr: DraftNode, contents: DraftContents, ctx: PhonebookContext): void {
  const records = contents.get(pbr.path);
  if (!Array.isArray(records)) {
    ctx.warn(pbr.line, `${pbr.path}: EF_PBR has no contents in the export; the files it references cannot be built`);
    return;
  }
  const seen = new Map<string, PbrReference>();
  const wanted: PbrReference[] = [];
  const type2Count: number[] = [];
  records.forEach((hex, i) => {
    const line = ctx.recordLine(pbr.path, i) || pbr.line;
    let decoded: ReturnType<typeof decodePbrRecord>;
    try {
      decoded = decodePbrRecord(hexToBytes(hex!));
    } catch (e) {
      ctx.fail(line, `${pbr.path} record ${i + 1}: ${(e as Error).message}`, 'A8/A9/AA templates of C0..CB file references (TS 31.102 §4.4.2.1)', 'restore the record as exported');
    }
    if (decoded.unknownTags.length) ctx.warn(line, `${pbr.path} record ${i + 1}: tags ${decoded.unknownTags.map((t) => t.toString(16).toUpperCase()).join(', ')} not built (not among C0..CB)`);
    for (const r of decoded.refs) {
      const before = seen.get(r.fid);
      if (before && (before.file !== r.file || r.type !== 3)) {
        ctx.fail(line, `${pbr.path} record ${i + 1}: FID ${r.fid} as EF_${r.file}, already EF_${before.file}`, 'each type 1/2 file in one record only (type 3 files may be shared)', 'restore the record as exported');
      }
      if (!before) {
        seen.set(r.fid, r);
        wanted.push(r);
        type2Count.push(decoded.refs.filter((x) => x.type === 2).length);
      }
    }
  });
  const telecom = root.children.find((c) => c.kind === 'DF' && c.fid === '7F10');
  const usim = root.children.find((c) => c.kind === 'ADF' && c.name === 'ADF_USIM');
  const adn = linearEf(telecom, '6F3A') ?? PHONEBOOK_DEFAULTS.adn; // DF_TELECOM EF_ADN, TS 51.011 §10.5.1
  const ext1 = linearEf(telecom, '6F4A') ?? { recordLength: 13, records: PHONEBOOK_DEFAULTS.ext1Records };
  const ccp1 = linearEf(telecom, '6F3D') ?? linearEf(usim, '6F4F') ?? PHONEBOOK_DEFAULTS.ccp1; // EF_CCP / EF_CCP2
  const shape = (r: PbrReference, nType2: number): Shape & { fill: number } => {
    const extra = r.type === 2 ? 2 : 0; // type 2 records end with the ADN file's SFI and record number
    const perAdn = (recordLength: number, fill = 0xff): Shape & { fill: number } => ({ recordLength, records: adn.records, fill });
    switch (r.file) {
      case 'ADN': return { ...adn, fill: 0xff }; // §4.4.2.3
      case 'IAP': return perAdn(nType2); // §4.4.2.2: one record number per type 2 file, 'FF' = none
      case 'PBC': return perAdn(2, 0x00); // §4.4.2.5: entry control, hidden information '00'
      case 'GRP': return perAdn(PHONEBOOK_DEFAULTS.grpGroups, 0x00); // §4.4.2.6: '00' no group
      case 'UID': return perAdn(2, 0x00); // §4.4.2.12.1; a fresh SJA2 answers '0000' for every record
      case 'SNE': return perAdn(PHONEBOOK_DEFAULTS.sneAlpha + extra); // §4.4.2.10
      case 'ANR': return perAdn(15 + extra); // §4.4.2.9
      case 'EMAIL': return { recordLength: PHONEBOOK_DEFAULTS.emailLength + extra, records: r.type === 2 ? Math.min(PHONEBOOK_DEFAULTS.emailType2Records, adn.records) : adn.records, fill: 0xff };
      case 'EXT1': return { ...ext1, fill: 0xff }; // §4.4.2.4
      case 'AAS': return { ...PHONEBOOK_DEFAULTS.aas, fill: 0xff };
      case 'GAS': return { ...PHONEBOOK_DEFAULTS.gas, fill: 0xff };
      case 'CCP1': return { ...ccp1, fill: 0xff };
    }
  };
  const template = securityTemplate(df, pbr, ctx);
  const built: string[] = [];
  wanted.forEach((r, i) => {
    if (df.children.some((c) => c.fid === r.fid)) return;
    const s = shape(r, type2Count[i]!);
    addEf(df, template, `EF_${r.file}`, r.fid, s, r.sfi ?? null, contents);
    built.push(`EF_${r.file} ${r.fid} (${s.records}×${s.recordLength})`);
  });
  // §4.4.2.12: the synchronisation files go with EF_UID; they have fixed FIDs, so pySim exports them when present.
  if (wanted.some((r) => r.file === 'UID')) {
    for (const [name, fid, size] of [['EF_PSC', '4F22', 4], ['EF_CC', '4F23', 2], ['EF_PUID', '4F24', 2]] as const) {
      if (df.children.some((c) => c.fid === fid)) continue;
      addEf(df, template, name, fid, { recordLength: 0, records: 0, size }, null, contents);
      built.push(`${name} ${fid} (${size} bytes)`);
    }
  }
  if (built.length) {
    ctx.warn(pbr.line, `${df.path}: built ${built.length} phonebook EFs its EF_PBR references but the export omits (TS 31.102 §4.4.2), empty: ${built.join(', ')}`);
  }
}

/** Access rules for built EFs: TS 31.102 gives EF_ADN & co. READ/UPDATE PIN like EF_PSC/CC/PUID; EF_PBR's UPDATE is ADM. */
function securityTemplate(df: DraftNode, pbr: DraftNode, ctx: PhonebookContext): Uint8Array {
  const sync = df.children.find((c) => c.kind === 'EF' && ['4F22', '4F23', '4F24'].includes(c.fid!) && c.fcp.startsWith('62'));
  if (sync) return hexToBytes(sync.fcp);
  ctx.warn(pbr.line, `${df.path}: no EF_PSC/CC/PUID to copy access rules from; built phonebook EFs take EF_PBR's (its UPDATE may be stricter than TS 31.102's PIN)`);
  return hexToBytes(pbr.fcp);
}

function addEf(df: DraftNode, template: Uint8Array, name: string, fid: string, s: { recordLength: number; records: number; size?: number; fill?: number }, sfi: number | null, contents: DraftContents): void {
  const objs = fcpObjects(template);
  const d = objs.find((o) => o.tag === 0x82)!.value;
  const linear = s.size === undefined;
  const size = linear ? s.recordLength * s.records : s.size!;
  // TS 102.221 §11.1.1.4.3: descriptor (shareable bit as the template's) + data coding byte; records: length (2), count (1).
  const fd = linear ? Uint8Array.of((d[0]! & 0x40) | 0x02, d[1]!, s.recordLength >> 8, s.recordLength & 0xff, s.records) : Uint8Array.of((d[0]! & 0x40) | 0x01, d[1]!);
  const kept = objs.filter((o) => ![0x82, 0x83, 0x80, 0x81, 0x88].includes(o.tag)).map((o) => tlv(o.tag, o.value));
  const fcp = tlv(0x62, concat(tlv(0x82, fd), tlv(0x83, hexToBytes(fid)), ...kept, tlv(0x80, u16(size)), tlv(0x88, sfi === null ? new Uint8Array(0) : Uint8Array.of(sfi << 3))));
  const path = `${df.path}/${fid}`;
  df.children.push({ name, kind: 'EF', fid, fcp: bytesToHex(fcp), facts: readUiccFcp(fcp), path, children: [], line: 0 });
  const fill = (n: number, b: number): string => b.toString(16).padStart(2, '0').repeat(n);
  if (linear) contents.set(path, Array.from({ length: s.records }, () => fill(s.recordLength, s.fill ?? 0xff)));
  else contents.set(path, fill(size, 0x00)); // counters start at 0 (§4.4.2.12.2-4)
}
