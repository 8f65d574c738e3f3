/**
 * Decoding of exchanges from the declarations in apdu-specs: the command's name and fields, and
 * the status word's meaning. Used by every human-readable output (send, demo, trace show).
 * Secret commands are masked by mask.ts (the one owner of that rule) unless `reveal` is set.
 * ExchangeDecoder also follows the file selected on each channel, so a SELECT by FID or path is
 * shown as the file it reaches (declared names from card/fs), its FCP (TS 102.221 §11.1.1.3) or
 * GSM response (TS 51.011 §9.2.1) tag by tag, and a READ / UPDATE through the codec of that EF
 * (card/fs/ef-codecs.ts). A file the declarations do not know is shown by its path, undecoded.
 */
import { ALL_COMMANDS, APPLET_SPECS, GLOBALPLATFORM_COMMANDS, RUNTIME_COMMANDS, P1P2_ANY, RID_3GPP, RID_3GPP2, RID_ETSI, USIM_AID_PREFIX, describeP1P2, describeSw, p1p2Accepted, type CommandSpec, type FieldSpec } from '../../apdu-specs/index.js';
import { decodeCla, parseCommand, bytesToHex, CardError, readTlvsStrict, readU16, type TlvItem } from '../../card/runtime/index.js';
import { isSecretCommand, maskCommand } from './mask.js';
import { FileTree, EF_CODECS, codecOf, keyName, type FsNode } from '../../card/fs/index.js';
import { gpCommandDetails, gpResponseDetails } from './gp-decode.js';

export interface DecodedCommand {
  readonly name: string;
  readonly spec?: CommandSpec;
  readonly channel: number;
  /** Hex of the command, secrets masked. */
  readonly text: string;
  /**
   * P1 and P2 by name from the declaration (CommandSpec.p1p2), e.g. `P1=04 (by DF name) P2=04
   * (return FCP)`; absent when the command declares none or takes any P1-P2.
   */
  readonly params?: string;
  /** SELECT by FID or path (ExchangeDecoder): the file it names, e.g. "3F00/7F20/6F07 EF_IMSI". */
  readonly file?: string;
  /** ExchangeDecoder: the command data decoded (an UPDATE through its EF's codec). */
  readonly details?: readonly string[];
}

function findSpec(cla: number, ins: number, specs: readonly CommandSpec[]): CommandSpec | undefined {
  const info = decodeCla(cla);
  if (!info) return undefined;
  return specs.find((s) => s.ins === ins && (info.base & s.cla.mask) === s.cla.value);
}

/**
 * P1-P2 by name. The command keeps the name of the first declaration of its CLA/INS; when that one
 * does not take these parameters (the runtime's SELECT by DF name, 00 A4 with P1=00), the first
 * other declaration of the same CLA/INS that does names them (UICC_SELECT's "by FID").
 */
function paramsOf(cmd: Uint8Array, spec: CommandSpec, specs: readonly CommandSpec[]): string | undefined {
  const p1 = cmd[2]!;
  const p2 = cmd[3]!;
  let d = spec.p1p2;
  if (d !== undefined && !p1p2Accepted(d, p1, p2)) {
    const base = decodeCla(cmd[0]!)?.base ?? cmd[0]!;
    d = specs.find((s) => s !== spec && s.ins === spec.ins && (base & s.cla.mask) === s.cla.value && s.p1p2 !== undefined && p1p2Accepted(s.p1p2, p1, p2))?.p1p2 ?? d;
  }
  if (d === undefined || d === P1P2_ANY) return undefined;
  return describeP1P2(d, p1, p2);
}

export function decodeCommand(cmd: Uint8Array, opts: { specs?: readonly CommandSpec[]; reveal?: boolean } = {}): DecodedCommand {
  const specs = opts.specs ?? ALL_COMMANDS;
  // Masking is decided by mask.ts alone, from every declaration of the CLA/INS (not only the one
  // the context picks) and whether or not the length parses.
  const text = maskCommand(cmd, { specs, ...(opts.reveal ? { reveal: true } : {}) });
  if (cmd.length < 4) return { name: 'MALFORMED', channel: 0, text };
  const spec = findSpec(cmd[0]!, cmd[1]!, specs);
  const channel = decodeCla(cmd[0]!)?.channel ?? 0;
  const params = spec ? paramsOf(cmd, spec, specs) : undefined;
  return { name: spec?.name ?? `INS ${cmd[1]!.toString(16).padStart(2, '0').toUpperCase()}`, ...(spec ? { spec } : {}), channel, text, ...(params ? { params } : {}) };
}

export interface DecodedResponse {
  readonly data: Uint8Array;
  readonly sw: number;
  readonly swHex: string;
  readonly meaning: string;
  /** ExchangeDecoder: the response data decoded (an FCP or GSM response tag by tag, a file's content). */
  readonly details?: readonly string[];
}

export function decodeResponse(resp: Uint8Array): DecodedResponse {
  if (resp.length < 2) return { data: resp, sw: -1, swHex: '', meaning: 'no status word' };
  const sw = readU16(resp, resp.length - 2);
  const d = describeSw(sw);
  let meaning = d?.description ?? 'unknown status word';
  if (d && d.mask !== 0xffff) meaning = meaning.replace(/\bx{1,2}\b/, String(sw & (~d.mask & 0xffff)));
  return { data: resp.subarray(0, resp.length - 2), sw, swHex: sw.toString(16).padStart(4, '0'), meaning };
}

/** One declared field cut out of command or response data. */
export interface DecodedField {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly random: boolean;
  readonly secret: boolean;
  readonly description?: string;
}

export interface FieldCut {
  readonly fields: readonly DecodedField[];
  /** Bytes past the declared fields (the layout did not fit): undefined when it fit exactly. */
  readonly extra?: Uint8Array;
  /** commandFields: the command is secret (mask.ts), so every field and the extra bytes are. */
  readonly secret?: boolean;
}

/** Cut data into the declared fields (fixed lengths, then 'rest'); what is left over is `extra`. */
export function cutFields(specs: readonly FieldSpec[] | undefined, data: Uint8Array): FieldCut {
  if (!specs || specs.length === 0) return data.length ? { fields: [], extra: data } : { fields: [] };
  const fields: DecodedField[] = [];
  let off = 0;
  for (const f of specs) {
    if (off >= data.length && f.length !== 'rest') break;
    const end = f.length === 'rest' ? data.length : Math.min(data.length, off + f.length);
    fields.push({ name: f.name, bytes: data.subarray(off, end), random: f.random === true, secret: f.secret === true, ...(f.description ? { description: f.description } : {}) });
    off = end;
  }
  return off < data.length ? { fields, extra: data.subarray(off) } : { fields };
}

/** The spec of a command (undefined when none is declared for its class and INS). */
/** The spec of each CLA/INS already looked up in ALL_COMMANDS (cleared when an applet registers more). */
const specCache = new Map<number, CommandSpec | null>();
let specCacheSize = -1;

/**
 * The command's name, as decodeCommand(cmd).name gives it, without decoding the rest (no masking,
 * no parameters): what a replay names every exchange by. Looked up once per CLA/INS.
 */
export function commandName(cmd: Uint8Array): string {
  if (cmd.length < 4) return 'MALFORMED';
  if (specCacheSize !== ALL_COMMANDS.length) {
    specCache.clear();
    specCacheSize = ALL_COMMANDS.length;
  }
  const key = (cmd[0]! << 8) | cmd[1]!;
  let spec = specCache.get(key);
  if (spec === undefined) {
    spec = findSpec(cmd[0]!, cmd[1]!, ALL_COMMANDS) ?? null;
    specCache.set(key, spec);
  }
  return spec?.name ?? `INS ${cmd[1]!.toString(16).padStart(2, '0').toUpperCase()}`;
}

export function specOf(cmd: Uint8Array, specs: readonly CommandSpec[] = ALL_COMMANDS): CommandSpec | undefined {
  return cmd.length < 4 ? undefined : findSpec(cmd[0]!, cmd[1]!, specs);
}

/**
 * Command data fields (values included: the caller masks them with showField). Of a secret command
 * (mask.ts) every field and the undeclared rest are marked secret: a 9-byte PIN block must not
 * show its ninth byte as "(undeclared)".
 */
export function commandFields(cmd: Uint8Array, spec: CommandSpec | undefined): FieldCut | undefined {
  if (!spec) return undefined;
  try {
    const cut = cutFields(spec.command, parseCommand(cmd).data);
    if (!isSecretCommand(cmd, [spec])) return cut;
    return { ...cut, fields: cut.fields.map((f) => ({ ...f, secret: true })), secret: true };
  } catch (e) {
    if (e instanceof CardError) return undefined;
    throw e;
  }
}

/** A field's value for people: hex, or stars for a secret unless revealed. */
export function showField(f: DecodedField, reveal: boolean): string {
  return f.secret && !reveal ? '*'.repeat(f.bytes.length * 2) : bytesToHex(f.bytes).toUpperCase();
}

/**
 * The commands of the applet a card selects at power-up, by its AID: an emulated card tells
 * (`defaultAid`, or null when it has no default applet); for a card in a reader, undefined, the
 * SIM/USIM is assumed, as a SIM's file system is what a reader most often holds.
 */
export function defaultAppletSpecs(defaultAid: string | null | undefined): readonly CommandSpec[] {
  if (defaultAid === null) return [];
  if (defaultAid === undefined) return APPLET_SPECS[0]!.commands;
  return APPLET_SPECS.find((a) => a.aid === defaultAid.toLowerCase())?.commands ?? [];
}

// ---- FCP (TS 102.221 §11.1.1.3) and GSM response (TS 51.011 §9.2.1), for people ----

const hx = (b: Uint8Array): string => bytesToHex(b).toUpperCase();
const sp = (b: Uint8Array): string => hx(b).replace(/(..)(?!$)/g, '$1 ');
const h2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');
const num = (b: Uint8Array): number => b.reduce((a, x) => a * 256 + x, 0);
const bits = (byte: number, names: readonly (string | undefined)[]): string[] => names.flatMap((n, i) => (n !== undefined && (byte >> i) & 1 ? [n] : []));

/** §11.1.1.4.3: file descriptor byte (b6-b4 type, b3-b1 structure; 39 BER-TLV), then data coding, record length, count. */
function fileDescriptor(v: Uint8Array): string {
  const fd = v[0] ?? 0;
  const type = fd === 0x39 || fd === 0x79 ? 'working EF' : ({ 0: 'working EF', 1: 'internal EF', 7: 'DF' } as Record<number, string>)[(fd >> 3) & 7] ?? `file type ${(fd >> 3) & 7}`;
  const structure = fd === 0x39 || fd === 0x79 ? 'BER-TLV' : ({ 1: 'transparent', 2: 'linear fixed', 6: 'cyclic' } as Record<number, string>)[fd & 7];
  const rec = v.length >= 5 ? `, ${v[4]} records of ${num(v.subarray(2, 4))} bytes` : '';
  return [type, ...(type === 'DF' ? [] : [structure ?? `structure ${fd & 7}`]), ...(fd & 0x40 ? ['shareable'] : [])].join(', ') + rec;
}

/** §11.1.1.4.9. */
function lifeCycle(b: number): string {
  if (b === 0) return 'no information given';
  if (b === 1) return 'creation';
  if (b === 3) return 'initialization';
  if ((b & 0xfd) === 0x05) return 'operational, activated';
  if ((b & 0xfd) === 0x04) return 'operational, deactivated';
  if ((b & 0xfc) === 0x0c) return 'termination';
  return 'proprietary';
}

/** §11.1.1.4.7.1 / ISO/IEC 7816-4 §9.3.3 compact format: access mode byte, one SC byte per set bit b7..b1. */
function compactSecurity(v: Uint8Array, df: boolean): string {
  const am = v[0] ?? 0;
  const names = df ? ['delete child', 'create EF', 'create DF', 'deactivate', 'activate', 'terminate', 'delete'] : ['read', 'update', 'write', 'deactivate', 'activate', 'terminate', 'delete'];
  const sc = (b: number | undefined): string => {
    if (b === undefined) return 'missing';
    if (b === 0x00) return 'always';
    if (b === 0xff) return 'never';
    const what = bits(b >> 4, ['user authentication', 'external authentication', 'secure messaging']).join(' + ') || 'no method';
    return `${h2(b)} (${what}${b & 0x0f ? `, b4-b1 ${(b & 0x0f).toString(16).toUpperCase()}` : ''}${b & 0x80 ? ', all conditions' : ''})`;
  };
  const out: string[] = [];
  let i = 1;
  for (let bit = 6; bit >= 0; bit--) if ((am >> bit) & 1) out.push(`${names[bit]}: ${sc(v[i++])}`);
  return out.join('; ') || 'no access mode';
}

function uiccCharacteristics(b: number): string {
  const clock = b & 1 ? `clock stop allowed${b & 4 ? ', high level preferred' : b & 8 ? ', low level preferred' : ''}` : `clock stop not allowed${b & 4 ? ' unless at high level' : b & 8 ? ' unless at low level' : ''}`;
  const classes = bits(b >> 4, ['A', 'B', 'C']);
  return `${clock}; supply voltage classes ${classes.join(', ') || 'none'}`;
}

function proprietary(t: TlvItem): string {
  const v = t.value;
  switch (t.tag) {
    case 0x80: return `80 UICC characteristics: ${hx(v)} — ${uiccCharacteristics(v[0] ?? 0)}`;
    case 0x81: return `81 application power consumption: ${hx(v)} — ${v[1] ?? '?'} mA at ${(v[2] ?? 0) / 10} MHz`;
    case 0x82: return `82 minimum application clock frequency: ${(v[0] ?? 0) / 10} MHz`;
    case 0x83: return `83 available memory: ${num(v)} bytes`;
    case 0x84: return `84 file details: ${hx(v)}${(v[0] ?? 0) & 1 ? ' — DER coding only' : ''}`;
    case 0x85: return `85 reserved file size: ${num(v)} bytes`;
    case 0x86: return `86 maximum file size: ${num(v)} bytes`;
    case 0x87: return `87 supported system commands: ${hx(v)}${(v[0] ?? 0) & 1 ? ' — TERMINAL CAPABILITY' : ''}`;
    case 0xc0: return `C0 special file information: ${hx(v)}${['', ...bits((v[0] ?? 0) >> 6, ['readable and updatable when deactivated', 'high update activity'])].join(' — ')}`;
    case 0xc1: return `C1 filling pattern: ${hx(v)}`;
    case 0xc2: return `C2 repeat pattern: ${hx(v)}`;
    default: return `${t.tag.toString(16).toUpperCase()} (${t.tag >= 0xd0 && t.tag <= 0xdf ? 'proprietary' : 'unknown'}): ${hx(v)}`;
  }
}

function pinStatus(t: TlvItem): string[] {
  const items = readTlvsStrict(t.value, 'C6', t.at + 2);
  const ps = items.find((x) => x.tag === 0x90)?.value ?? new Uint8Array(0);
  let k = 0;
  return items.map((x) => {
    if (x.tag === 0x90) return `90 PS_DO: ${hx(x.value)}`;
    if (x.tag === 0x95) return `95 usage qualifier: ${hx(x.value)}`;
    if (x.tag === 0x83) {
      const bit = k++;
      const on = ((ps[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1;
      return `83 key reference: ${hx(x.value)} ${keyName(x.value[0] ?? 0)} (${on ? 'enabled' : 'disabled'})`;
    }
    return `${h2(x.tag)} (unknown): ${hx(x.value)}`;
  });
}

/**
 * An FCP template (62), or the FCI template (6F, ISO/IEC 7816-4 §7.4.1) an applet such as a
 * GlobalPlatform ISD answers with: one line per data object, nested objects indented. Throws
 * RangeError when it does not parse.
 */
export function describeFcp(fcp: Uint8Array): string[] {
  const top = readTlvsStrict(fcp, 'FCP');
  if (top.length !== 1 || (top[0]!.tag !== 0x62 && top[0]!.tag !== 0x6f)) throw new RangeError('FCP: expected one template 62 (or FCI 6F)');
  const fci = top[0]!.tag === 0x6f;
  const items = readTlvsStrict(top[0]!.value, 'FCP', top[0]!.at + 2);
  const df = (((items.find((t) => t.tag === 0x82)?.value[0] ?? 0) >> 3) & 7) === 7;
  const out = [`${fci ? '6F FCI' : '62 FCP'} template, ${top[0]!.value.length} bytes:`];
  const add = (depth: number, line: string): void => void out.push(`${'  '.repeat(depth)}${line}`);
  for (const t of items) {
    const v = t.value;
    switch (t.tag) {
      case 0x82: add(1, `82 file descriptor: ${sp(v)} — ${fileDescriptor(v)}`); break;
      case 0x83: add(1, `83 file identifier: ${hx(v)}`); break;
      case 0x84: add(1, `84 DF name (AID): ${hx(v)}`); break;
      case 0x80: add(1, `80 file size: ${num(v)} bytes`); break;
      case 0x81: add(1, `81 total file size: ${num(v)} bytes`); break;
      case 0x88: add(1, `88 short file identifier: ${v.length ? h2((v[0] ?? 0) >> 3) : 'none'}`); break;
      case 0x8a: add(1, `8A life cycle status: ${hx(v)} — ${lifeCycle(v[0] ?? 0)}`); break;
      case 0x8b: add(1, `8B security attributes, referenced: EF_ARR ${hx(v.subarray(0, 2))} ${v.length === 3 ? `record ${v[2]}` : `SE/record ${hx(v.subarray(2))}`}`); break;
      case 0x8c: add(1, `8C security attributes, compact: ${sp(v)} — ${compactSecurity(v, df)}`); break;
      case 0xab: add(1, `AB security attributes, expanded: ${EF_CODECS['EF_ARR']!.describe(v)}`); break;
      case 0xa5:
        add(1, `A5 proprietary ${fci ? 'data' : 'information'}:`);
        for (const p of readTlvsStrict(v, 'A5', t.at + 2)) add(2, fci ? `${p.tag.toString(16).toUpperCase()}: ${hx(p.value)}` : proprietary(p));
        break;
      case 0xc6:
        add(1, 'C6 PIN status template:');
        for (const line of pinStatus(t)) add(2, line);
        break;
      default: add(1, `${t.tag.toString(16).toUpperCase()} (unknown): ${hx(v)}`);
    }
  }
  return out;
}

/** TS 51.011 §9.3 access condition nibbles. */
const acName = (n: number): string => (n === 0 ? 'ALW' : n === 1 ? 'CHV1' : n === 2 ? 'CHV2' : n === 0xf ? 'NEV' : n === 3 ? 'RFU' : `ADM ${n.toString(16).toUpperCase()}`);
const chv = (b: number | undefined): string => (b === undefined ? 'absent' : `${h2(b)} — ${b & 0x80 ? 'initialised' : 'not initialised'}, ${b & 0x0f} tries left`);

/** TS 51.011 §9.2.1: the response to a classic SELECT / STATUS (DF: 22+ bytes; EF: 15). */
export function describeGsmResponse(r: Uint8Array): string[] {
  if (r.length < 14) throw new RangeError(`GSM response: expected at least 14 bytes, got ${r.length}`);
  const type = r[6]!;
  const head = [`file ${hx(r.subarray(4, 6))}, ${type === 1 ? 'MF' : type === 2 ? 'DF' : type === 4 ? 'EF' : `type ${h2(type)}`}`];
  if (type === 1 || type === 2) {
    const c = r[13]!;
    return [...head,
      `bytes 3-4 free memory: ${num(r.subarray(2, 4))} bytes`,
      `byte 14 file characteristics: ${h2(c)} — clock stop ${c & 1 ? 'allowed' : 'not allowed'}, CHV1 ${c & 0x80 ? 'disabled' : 'enabled'}`,
      `bytes 15-17: ${r[14] ?? '?'} DFs, ${r[15] ?? '?'} EFs, ${r[16] ?? '?'} CHVs, UNBLOCK CHVs and administrative codes`,
      `byte 19 CHV1: ${chv(r[18])}`, `byte 20 UNBLOCK CHV1: ${chv(r[19])}`, `byte 21 CHV2: ${chv(r[20])}`, `byte 22 UNBLOCK CHV2: ${chv(r[21])}`];
  }
  const st = r[13]!;
  const structure = st === 0 ? 'transparent' : st === 1 ? 'linear fixed' : st === 3 ? 'cyclic' : `structure ${h2(st)}`;
  return [...head,
    `bytes 3-4 file size: ${num(r.subarray(2, 4))} bytes`,
    `byte 14 structure: ${structure}${st !== 0 && r.length > 14 ? `, records of ${r[14]} bytes` : ''}`,
    `bytes 9-11 access: READ ${acName(r[8]! >> 4)}, UPDATE ${acName(r[8]! & 15)}, INCREASE ${acName(r[9]! >> 4)}, REHABILITATE ${acName(r[10]! >> 4)}, INVALIDATE ${acName(r[10]! & 15)}${r[7]! & 0x40 ? ' (INCREASE allowed)' : ''}`,
    `byte 12 status: ${h2(r[11]!)} — ${r[11]! & 1 ? 'not invalidated' : 'invalidated'}${r[11]! & 4 ? ', readable and updatable when invalidated' : ''}`];
}

// ---- the file selected on each channel ----

// USIM_AID_PREFIX (apdu-specs/aids.ts): the ADF our declarations describe as 7FFF.
let declared: FileTree | undefined;
const tree = (): FileTree => (declared ??= new FileTree(USIM_AID_PREFIX));

interface FileSelection {
  /** FIDs from the MF of the current DF ('7FFF' = the channel's ADF); empty: not known. */
  readonly df: readonly string[];
  /** The current EF, a child of df. */
  readonly ef?: string;
  /** AID (hex) of the ADF selected on the channel. */
  readonly adf?: string;
  /** From the last SELECT answer: file size, record length. */
  readonly size?: number;
  readonly recordLength?: number;
}

interface Target {
  readonly path: readonly string[];
  readonly adf?: string;
}

const fidsOf = (b: Uint8Array): string[] => Array.from({ length: b.length >> 1 }, (_, i) => hx(b.subarray(2 * i, 2 * i + 2)));
const ok = (sw: number): boolean => sw === 0x9000 || sw >> 8 === 0x61 || sw >> 8 === 0x9f || sw >> 8 === 0x91;
const isUsim = (adf: string | undefined): boolean => adf !== undefined && adf.toLowerCase().startsWith(USIM_AID_PREFIX);

/** The declared file at `path`, when the path is one our declarations describe (under 7FFF: only for the USIM). */
function declaredAt(path: readonly string[], adf: string | undefined): FsNode | undefined {
  if (!path.length || (path.includes('7FFF') && !isUsim(adf))) return undefined;
  return tree().byPath(path.join('/'));
}

/** TS 102.221 §8.4.1 / TS 51.011 §6.5: a FID reaches a child of the current DF, the DF itself, its parent or a sibling. */
function resolveFid(sel: FileSelection, fid: string): readonly string[] {
  if (fid === '3F00') return ['3F00'];
  if (fid === '7FFF') return ['3F00', '7FFF'];
  const d = sel.df;
  const cands = [[...d, fid], ...(d.length > 1 ? [[...d.slice(0, -1), fid]] : []), ...(d[d.length - 1] === fid ? [d] : []), ...(d[d.length - 2] === fid ? [d.slice(0, -1)] : [])];
  const known = cands.find((c) => declaredAt(c, sel.adf));
  if (known) return known;
  // Not declared: the level the FID's first byte gives (TS 51.011 §6.2: 7F/2F under the MF, 6F/5F under a first-level DF, 4F under a second-level DF).
  const hi = fid.slice(0, 2);
  if (hi === '7F' || hi === '2F') return ['3F00', fid];
  if (!d.length) return [fid];
  if (hi === '6F' || hi === '5F') return [...(d.length > 1 ? d.slice(0, 2) : d), fid];
  if (hi === '4F' && d.length > 2) return [...d.slice(0, 3), fid];
  return [...d, fid];
}

/** Where a SELECT leads (P1 00 FID, 01/02 child, 03 parent, 04 DF name, 08 path from MF, 09 path from the current DF). */
function selectTarget(sel: FileSelection, cmd: Uint8Array): Target | undefined {
  let data: Uint8Array;
  try {
    data = parseCommand(cmd).data;
  } catch (e) {
    if (e instanceof CardError) return undefined;
    throw e;
  }
  const p1 = cmd[2]!;
  const fids = fidsOf(data);
  switch (p1) {
    case 0x00: return { path: fids.length ? resolveFid(sel, fids[0]!) : ['3F00'], ...(sel.adf ? { adf: sel.adf } : {}) };
    case 0x01: case 0x02: return { path: [...sel.df, ...fids], ...(sel.adf ? { adf: sel.adf } : {}) };
    case 0x03: return { path: sel.df.length > 1 ? sel.df.slice(0, -1) : ['3F00'], ...(sel.adf ? { adf: sel.adf } : {}) };
    case 0x04: {
      const aid = bytesToHex(data);
      return aid.startsWith(RID_3GPP) ? { path: ['3F00', '7FFF'], adf: aid } : undefined;
    }
    case 0x08: return { path: ['3F00', ...(fids[0] === '3F00' ? fids.slice(1) : fids)], ...(sel.adf ? { adf: sel.adf } : {}) };
    case 0x09: return { path: [...sel.df, ...fids], ...(sel.adf ? { adf: sel.adf } : {}) };
    default: return undefined;
  }
}

function showTarget(t: Target): string {
  const node = declaredAt(t.path, t.adf);
  const adf = t.path.includes('7FFF') && !isUsim(t.adf) ? ` (in ADF ${t.adf ? t.adf.toUpperCase() : 'not known'})` : '';
  return `${t.path.join('/')}${node ? ` ${node.name}` : adf}`;
}

/** The selection after a successful SELECT: a DF becomes the current DF, an EF the current EF. */
function selected(t: Target, data: Uint8Array, gsm: boolean): FileSelection {
  const node = declaredAt(t.path, t.adf);
  const last = t.path[t.path.length - 1] ?? '';
  let df = node ? node.kind !== 'EF' : ['3F', '7F', '5F'].includes(last.slice(0, 2));
  let size: number | undefined;
  let recordLength: number | undefined;
  try {
    if (gsm && data.length >= 14) {
      df = data[6] === 1 || data[6] === 2;
      size = num(data.subarray(2, 4));
      recordLength = data[13] !== 0 ? data[14] : undefined;
    } else if (data[0] === 0x62) {
      const items = readTlvsStrict(readTlvsStrict(data, 'FCP')[0]!.value, 'FCP');
      const fd = items.find((i) => i.tag === 0x82)?.value;
      if (fd) df = ((fd[0]! >> 3) & 7) === 7;
      const s = items.find((i) => i.tag === 0x80)?.value;
      size = s ? num(s) : undefined;
      recordLength = fd && fd.length >= 5 ? num(fd.subarray(2, 4)) : undefined;
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  const base = { ...(t.adf ? { adf: t.adf } : {}), ...(size !== undefined ? { size } : {}), ...(recordLength !== undefined ? { recordLength } : {}) };
  return df ? { df: t.path, ...base } : { df: t.path.slice(0, -1), ef: last, ...base };
}

/**
 * RIDs of the UICC's own applications (ETSI TS 101 220 §4.1: ETSI, 3GPP, 3GPP2): a USIM / ISIM /
 * CSIM ADF is selected by AID but served by the applet that serves the UICC, so the context stays.
 */
const UICC_RIDS = [RID_ETSI, RID_3GPP, RID_3GPP2];

/** The DF name (84) in an FCI template (6F, ISO/IEC 7816-4 §7.4.1), or no bytes. Short lengths only. */
function dfNameOf(fci: Uint8Array): Uint8Array {
  if (fci.length < 2 || fci[0] !== 0x6f || fci[1]! >= 0x80) return new Uint8Array(0);
  const end = Math.min(fci.length, 2 + fci[1]!);
  for (let o = 2; o + 2 <= end; ) {
    const len = fci[o + 1]!;
    if (len >= 0x80 || o + 2 + len > end) break;
    if (fci[o] === 0x84) return fci.subarray(o + 2, o + 2 + len);
    o += 2 + len;
  }
  return new Uint8Array(0);
}

/**
 * Decodes a stream of exchanges with the context a card has: the applet selected on each logical
 * channel (from SELECT by AID answered 9000/61xx, and the default applet after reset), so a
 * command is named by the applet that receives it; and the file selected on each channel, so a
 * SELECT shows its file and a READ / UPDATE its content decoded.
 */
export class ExchangeDecoder {
  private readonly byChannel = new Map<number, readonly CommandSpec[]>();
  private readonly files = new Map<number, FileSelection>();
  /** A SELECT answered 61xx / 9Fxx: its FCP / GSM response comes with the next GET RESPONSE. */
  private readonly pending = new Map<number, 'fcp' | 'gsm' | Uint8Array>();
  constructor(private readonly defaultSpecs: readonly CommandSpec[] = APPLET_SPECS[0]!.commands) {
    this.reset();
  }

  /** Power-up or reset: only the default applet is selected, on channel 0, and the MF. */
  reset(): void {
    this.byChannel.clear();
    this.byChannel.set(0, this.defaultSpecs);
    this.files.clear();
    this.files.set(0, { df: ['3F00'] });
    this.pending.clear();
  }

  private channelOf(cmd: Uint8Array): number {
    return cmd.length ? (decodeCla(cmd[0]!)?.channel ?? 0) : 0;
  }

  private selection(channel: number): FileSelection {
    return this.files.get(channel) ?? { df: [] };
  }

  /**
   * The file selected on a channel as far as the exchanges show (the shell resolves file names and
   * completes them from it): the current DF as FIDs from the MF ('7FFF' = the channel's ADF, empty:
   * not known), the current EF, the ADF's AID (hex).
   */
  currentFile(channel = 0): { readonly df: readonly string[]; readonly ef?: string; readonly adf?: string } {
    const s = this.selection(channel);
    return { df: [...s.df], ...(s.ef !== undefined ? { ef: s.ef } : {}), ...(s.adf !== undefined ? { adf: s.adf } : {}) };
  }

  command(cmd: Uint8Array, opts: { reveal?: boolean } = {}): DecodedCommand {
    const channel = this.channelOf(cmd);
    const own = this.byChannel.get(channel);
    // Runtime commands first, then the selected applet's, then ISO/GlobalPlatform card management,
    // then the other applets'. With no applet known on the channel (an AID no registered applet
    // has, or nothing selected) only the ISO/GlobalPlatform names: a foreign card's 80 50 is
    // INITIALIZE UPDATE, never a cardforge applet's command that shares the INS (issue 15).
    const specs = own ? [...RUNTIME_COMMANDS, ...own, ...GLOBALPLATFORM_COMMANDS, ...ALL_COMMANDS] : [...RUNTIME_COMMANDS, ...GLOBALPLATFORM_COMMANDS];
    const d = decodeCommand(cmd, { specs, ...(opts.reveal ? { reveal: true } : {}) });
    if (cmd.length < 4) return d;
    const sel = this.selection(channel);
    if (cmd[1] === 0xa4 && cmd[2] !== 0x04) {
      const t = selectTarget(sel, cmd);
      return t ? { ...d, file: showTarget(t) } : d;
    }
    const sm = gpCommandDetails(d.name, cmd);
    if (sm) return { ...d, details: sm };
    if (cmd[1] === 0xd6 || cmd[1] === 0xdc) {
      try {
        const details = this.content(sel, cmd, parseCommand(cmd).data);
        return details ? { ...d, details } : d;
      } catch (e) {
        if (!(e instanceof CardError)) throw e;
      }
    }
    return d;
  }

  /** Learn from an exchange: SELECT by AID changes the channel's applet; SELECT, READ by SFI and MANAGE CHANNEL its file. */
  observe(cmd: Uint8Array, rsp: Uint8Array): DecodedResponse {
    const response = decodeResponse(rsp);
    if (cmd.length < 4) return response;
    const channel = this.channelOf(cmd);
    const sel = this.selection(channel);
    const gsm = cmd[0] === 0xa0;
    const pending = this.pending.get(channel);
    this.pending.delete(channel);
    const success = ok(response.sw);
    let details: readonly string[] | undefined;
    if (success && cmd[1] === 0xa4 && cmd[2] === 0x04) {
      try {
        // No AID selects the default applet; its FCI may name it (GlobalPlatformPro's first command).
        const named = cmd.length > 5 ? parseCommand(cmd).data : new Uint8Array(0);
        const aid = bytesToHex(named.length ? named : dfNameOf(response.data));
        const applet = APPLET_SPECS.find((a) => aid.length > 0 && a.aid.startsWith(aid));
        if (applet) this.byChannel.set(channel, applet.commands);
        else if (aid && !UICC_RIDS.some((r) => aid.startsWith(r))) this.byChannel.delete(channel); // a foreign applet: no context
      } catch (e) {
        if (!(e instanceof CardError)) throw e;
      }
    }
    if (cmd[1] === 0xa4 && success) {
      const t = selectTarget(sel, cmd);
      if (t) this.files.set(channel, selected(t, response.data, gsm));
      if (response.data.length) details = explain(response.data, gsm);
      else if (response.sw >> 8 === 0x61 || response.sw >> 8 === 0x9f) this.pending.set(channel, gsm ? 'gsm' : 'fcp');
    } else if (cmd[1] === 0xc0 && pending instanceof Uint8Array && success && response.data.length) {
      // The answer of a GlobalPlatform command that got 61xx on T=0 (INITIALIZE UPDATE, GET DATA, GET STATUS).
      details = gpResponseDetails(this.command(pending).name, pending, response.data);
    } else if (cmd[1] === 0xc0 && pending && success && response.data.length) {
      details = explain(response.data, pending === 'gsm');
      const cur = this.files.get(channel);
      if (cur) {
        const path = cur.ef ? [...cur.df, cur.ef] : cur.df;
        this.files.set(channel, selected({ path, ...(cur.adf ? { adf: cur.adf } : {}) }, response.data, pending === 'gsm'));
      }
    } else if ((cmd[1] === 0xb0 || cmd[1] === 0xb2) && success) {
      details = this.content(sel, cmd, response.data);
      const sfi = this.sfiFile(sel, cmd);
      if (sfi) {
        const { size: _size, recordLength: _recordLength, ...rest } = sel;
        this.files.set(channel, { ...rest, ef: sfi.fid });
      }
    } else if (success && (cmd[0]! & 0x80) !== 0 && (cmd[1] === 0x50 || cmd[1] === 0xca || cmd[1] === 0xf2) && response.data.length) {
      // GlobalPlatform answers (INITIALIZE UPDATE by SCP, CPLC / card data / key info, GET STATUS):
      // only when the command decodes to the GP declaration here, never a cardforge applet's 80 50.
      details = gpResponseDetails(this.command(cmd).name, cmd, response.data);
    } else if (response.sw >> 8 === 0x61 && (cmd[0]! & 0x80) !== 0 && (cmd[1] === 0x50 || cmd[1] === 0xca || cmd[1] === 0xf2)) {
      this.pending.set(channel, cmd.slice());
    } else if (cmd[1] === 0x70 && success) {
      const ch = cmd[2] === 0x00 ? (cmd[3] || response.data[0]) : cmd[3] || channel;
      if (cmd[2] === 0x00 && ch !== undefined) this.files.set(ch, { df: ['3F00'] });
      else if (cmd[2] === 0x80) {
        this.files.delete(ch ?? channel);
        this.byChannel.delete(ch ?? channel);
      }
    }
    return details ? { ...response, details } : response;
  }

  decode(cmd: Uint8Array, rsp: Uint8Array, opts: { reveal?: boolean } = {}): { command: DecodedCommand; response: DecodedResponse } {
    const command = this.command(cmd, opts);
    return { command, response: this.observe(cmd, rsp) };
  }

  /** READ BINARY P1 b8 = 1 / READ RECORD P2 b8..b4 ≠ 0: the EF named by its short file identifier in the current DF. */
  private sfiFile(sel: FileSelection, cmd: Uint8Array): { fid: string; node: FsNode | undefined } | undefined {
    if (cmd[0] === 0xa0) return undefined;
    const sfi = cmd[1] === 0xb0 || cmd[1] === 0xd6 ? (cmd[2]! & 0x80 ? cmd[2]! & 0x1f : 0) : cmd[3]! >> 3;
    if (!sfi) return undefined;
    const df = declaredAt(sel.df, sel.adf);
    const node = df?.children.find((c) => c.ef?.sfi === sfi);
    return node ? { fid: hx(Uint8Array.of(node.fid >> 8, node.fid & 0xff)), node } : undefined;
  }

  /** The content of the EF a READ / UPDATE reaches, through its codec (whole records, or transparent content from offset 0). */
  private content(sel: FileSelection, cmd: Uint8Array, data: Uint8Array): readonly string[] | undefined {
    const record = cmd[1] === 0xb2 || cmd[1] === 0xdc;
    const bySfi = this.sfiFile(sel, cmd);
    const fid = bySfi?.fid ?? sel.ef;
    if (fid === undefined || !data.length) return undefined;
    const node = declaredAt([...sel.df, fid], sel.adf);
    const codec = node?.decl.kind === 'EF' ? codecOf(node.decl) : undefined;
    if (!node || !codec || codec.record !== record) return undefined;
    const offset = record ? 0 : cmd[0] !== 0xa0 && cmd[2]! & 0x80 ? cmd[3]! : ((cmd[2]! & 0x7f) << 8) | cmd[3]!;
    // The size the SELECT answer gave, else the declared one.
    const whole = (bySfi ? undefined : record ? sel.recordLength : sel.size) ?? (record ? node.ef?.recordLength : node.ef?.size);
    if (offset !== 0 || (whole !== undefined && data.length !== whole)) return [`${node.name}: bytes ${offset}..${offset + data.length - 1} of the file (not decoded alone)`];
    try {
      return [`${node.name}${record && (cmd[3]! & 7) === 4 ? ` record ${cmd[2]}` : ''}: ${codec.describe(data)}`];
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      return [`${node.name}: cannot decode: ${e.message.replace(`${node.name}: `, '')}`];
    }
  }
}

/** A SELECT / GET RESPONSE answer, tag by tag (class A0: the GSM response). */
function explain(data: Uint8Array, gsm: boolean): readonly string[] | undefined {
  try {
    if (gsm) return describeGsmResponse(data);
    return data[0] === 0x62 || data[0] === 0x6f ? describeFcp(data) : undefined;
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return [`${gsm ? 'GSM response' : 'FCP'}: cannot decode: ${e.message}`];
  }
}
