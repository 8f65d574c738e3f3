/**
 * Named commands of the interactive shell, one snake_case name each as pySim-shell spells them
 * (`select EF_IMSI`, `read_binary`, `verify_chv pin1 1234`, `authenticate <rand> <autn>`), turned
 * into APDUs per the spec that defines them (ISO 7816-4, TS 51.011 class A0, TS 102.221 class 00).
 * Any other declared command is sent by its apdu-specs name: `NAME [P1P2] [DATA] [LE]`; a named
 * command of the same name (select, gsm_select, get_response) is the one that answers.
 */
import { ALL_COMMANDS, APPLET_SPECS, RUNTIME_COMMANDS, SIM_APPLET_AID, type CommandSpec } from '../../apdu-specs/index.js';
import { buildCommand, hexToBytes, concat } from '../../card/runtime/index.js';
import { hexErrorMessage } from '../trace/mask.js';
import { ShellUsageError } from './errors.js';
import { gsmSelectByName, selectByName, selectCandidates, selectPathCandidates, type CurrentFile } from './files.js';

export { ShellUsageError } from './errors.js';

/** What a command may look at while it is built or completed: the selection the decoder follows. */
export interface ShellContext {
  readonly current: CurrentFile;
  /** AIDs (hex, lower case) of the applets on the card; undefined: not known (a card in a reader). */
  readonly aids: readonly string[] | undefined;
}

export interface Alias {
  readonly name: string;
  readonly usage: string;
  readonly help: string;
  /** The most arguments it takes: one more is an error naming the usage. */
  readonly maxArgs: number;
  /** Offered (completion, help) only when the SIM/USIM applet is on the card. */
  readonly sim?: true;
  /** Its first argument may name several files, `DF_GSM/EF_IMSI`: one SELECT per step, each sent after the last succeeded. */
  readonly steps?: true;
  /** What Tab offers for argument `i` (0-based) that starts as `word`. */
  complete?(i: number, ctx: ShellContext, word: string): readonly string[];
  build(args: readonly string[], ctx: ShellContext): Uint8Array;
}

function hex(s: string | undefined, what: string, len?: number): Uint8Array {
  if (s === undefined) throw new ShellUsageError(`missing ${what}`);
  let b: Uint8Array;
  try {
    b = hexToBytes(s);
  } catch (e) {
    // The offset only: the argument may be a PIN or a key.
    if (e instanceof RangeError) throw new ShellUsageError(`${what}: ${hexErrorMessage(e)}`);
    throw e;
  }
  if (len !== undefined && b.length !== len) throw new ShellUsageError(`${what}: expected ${len} bytes, got ${b.length}`);
  return b;
}

function byte(s: string | undefined, what: string, def?: number): number {
  if (s === undefined) {
    if (def === undefined) throw new ShellUsageError(`missing ${what}`);
    return def;
  }
  // Lengths and numbers are hex, as everywhere in APDUs (copy 0C from a 9F0C answer).
  const t = s.replace(/^0x/i, '');
  const v = /^[0-9a-f]{1,2}$/i.test(t) ? parseInt(t, 16) : NaN;
  if (!Number.isInteger(v)) throw new ShellUsageError(`${what}: expected one hex byte (00..FF)`);
  return v;
}

function offset(s: string | undefined): number {
  const o = Number(s ?? 0);
  if (!/^\d+$/.test(s ?? '0') || !Number.isInteger(o) || o < 0 || o > 0x7fff) throw new ShellUsageError('offset: expected 0..32767 (decimal)');
  return o;
}

/** PIN/CHV values are 8 bytes padded with FF (TS 51.011 §9.2.9, TS 102.221 §11.1.9). */
function pinBlock(value: string | undefined, what = 'the PIN value'): Uint8Array {
  if (value === undefined) throw new ShellUsageError(`missing ${what}`);
  const b = new TextEncoder().encode(value);
  if (b.length > 8) throw new ShellUsageError('PIN values have at most 8 characters');
  const out = new Uint8Array(8).fill(0xff);
  out.set(b);
  return out;
}

/** PIN references: class A0 CHVs (TS 51.011 §9.2.9) and UICC key references (TS 102.221 §9.5.1). */
export const PIN_REFS: Readonly<Record<string, { cla: number; p2: number }>> = {
  chv1: { cla: 0xa0, p2: 0x01 },
  chv2: { cla: 0xa0, p2: 0x02 },
  pin1: { cla: 0x00, p2: 0x01 },
  pin2: { cla: 0x00, p2: 0x81 },
  adm1: { cla: 0x00, p2: 0x0a },
};
const USER_PINS = ['chv1', 'chv2', 'pin1', 'pin2'];

function pinRef(s: string | undefined, allowed: readonly string[] = Object.keys(PIN_REFS)): { cla: number; p2: number } {
  const r = s && allowed.includes(s.toLowerCase()) ? PIN_REFS[s.toLowerCase()] : undefined;
  if (!r) throw new ShellUsageError(`PIN reference: expected one of ${allowed.join(', ')}`);
  return r;
}

const pins = (allowed: readonly string[]) => (i: number): readonly string[] => (i === 0 ? allowed : []);

/** A word that names a file rather than giving hex: MF, `..`, or EF / DF / ADF and a separator. */
export const FILE_NAME = /^(mf|\.\.|(ef|df|adf)[._-][^/\s]*)$/i;

/** 4 hex digits = FID, 8+ hex digits starting 3F00 = path from the MF, otherwise an AID. */
function selectHex(arg: string | undefined): Uint8Array {
  const b = hex(arg, 'FID, path or AID');
  if (b.length === 2) return buildCommand(0x00, 0xa4, 0x00, 0x04, { data: b, ne: 256 });
  if (b.length >= 4 && b.length % 2 === 0 && b[0] === 0x3f && b[1] === 0x00) return buildCommand(0x00, 0xa4, 0x08, 0x04, { data: b.subarray(2), ne: 256 });
  return buildCommand(0x00, 0xa4, 0x04, 0x04, { data: b, ne: 256 });
}

/** The first byte pairs of the card's AIDs, for Tab after select (USIM: the 3GPP RID and app code). */
function aidCandidates(ctx: ShellContext): string[] {
  return (ctx.aids ?? [SIM_APPLET_AID]).map((a) => a.toUpperCase());
}

export const ALIASES: readonly Alias[] = [
  {
    name: 'select',
    usage: 'select <name | FID | path | AID>[/<name>…]',
    help: 'UICC SELECT, FCP returned. Names as declared or as pySim spells them, any case: EF_IMSI = EF.IMSI = ef_imsi; MF; .. (parent); ADF_USIM (by AID). A name means the file reachable from the current DF; a name declared once elsewhere goes by path. DF_GSM/EF_IMSI selects step by step. 4 hex digits = FID, 3F00… = path from MF, other hex = AID',
    maxArgs: 1,
    steps: true,
    complete: (i, ctx, word) => (i !== 0 ? [] : word.includes('/') ? (selectPathCandidates(word, ctx.current) ?? []) : [...selectCandidates(ctx.current), ...aidCandidates(ctx)]),
    build: ([arg], ctx) => {
      if (arg !== undefined && FILE_NAME.test(arg)) return selectByName(arg, ctx.current).command;
      return selectHex(arg);
    },
  },
  {
    name: 'gsm_select',
    usage: 'gsm_select <name | FID>',
    help: 'classic SIM SELECT (class A0) by FID or name (as select, files outside ADFs): the answer is 9Fxx, then GET RESPONSE',
    maxArgs: 1,
    sim: true,
    steps: true,
    complete: (i, ctx, word) => (i !== 0 ? [] : word.includes('/') ? (selectPathCandidates(word, ctx.current, true) ?? []) : selectCandidates(ctx.current, true)),
    build: ([arg], ctx) => {
      if (arg !== undefined && FILE_NAME.test(arg)) return gsmSelectByName(arg, ctx.current).command;
      return buildCommand(0xa0, 0xa4, 0x00, 0x00, { data: hex(arg, 'FID', 2) });
    },
  },
  {
    name: 'status',
    usage: 'status',
    help: 'UICC STATUS (80 F2 00 00): the FCP of the current DF, decoded',
    maxArgs: 0,
    sim: true,
    build: () => buildCommand(0x80, 0xf2, 0x00, 0x00, { ne: 256 }),
  },
  {
    name: 'read_binary',
    usage: 'read_binary [length hex] [offset]',
    help: 'READ BINARY of the current EF (default: all of it), decoded by the EF\'s codec',
    maxArgs: 2,
    sim: true,
    build: ([len, off]) => {
      const o = offset(off);
      return buildCommand(0x00, 0xb0, o >> 8, o & 0xff, { ne: byte(len, 'length', 0) || 256 });
    },
  },
  {
    name: 'read_record',
    usage: 'read_record <number hex> [length hex]',
    help: 'READ RECORD (absolute mode) of the current EF, decoded by the EF\'s codec',
    maxArgs: 2,
    sim: true,
    build: ([n, len]) => buildCommand(0x00, 0xb2, byte(n, 'record number'), 0x04, { ne: byte(len, 'length', 0) || 256 }),
  },
  {
    name: 'update_binary',
    usage: 'update_binary <data hex> [offset]',
    help: 'UPDATE BINARY of the current EF',
    maxArgs: 2,
    sim: true,
    build: ([data, off]) => {
      const o = offset(off);
      return buildCommand(0x00, 0xd6, o >> 8, o & 0xff, { data: hex(data, 'data') });
    },
  },
  {
    name: 'update_record',
    usage: 'update_record <number hex> <data hex>',
    help: 'UPDATE RECORD (absolute mode) of the current EF',
    maxArgs: 2,
    sim: true,
    build: ([n, data]) => buildCommand(0x00, 0xdc, byte(n, 'record number'), 0x04, { data: hex(data, 'data') }),
  },
  {
    name: 'verify_chv',
    usage: 'verify_chv <chv1|chv2|pin1|pin2|adm1> [value]',
    help: 'VERIFY CHV / PIN; without a value (UICC) asks for the tries left',
    maxArgs: 2,
    sim: true,
    complete: pins(Object.keys(PIN_REFS)),
    build: ([ref, value]) => {
      const r = pinRef(ref);
      if (value === undefined) {
        if (r.cla === 0xa0) throw new ShellUsageError('the classic SIM has no retry query: give the CHV value');
        return Uint8Array.of(0x00, 0x20, 0x00, r.p2);
      }
      return buildCommand(r.cla, 0x20, 0x00, r.p2, { data: pinBlock(value) });
    },
  },
  {
    name: 'change_chv',
    usage: 'change_chv <chv1|chv2|pin1|pin2> <old> <new>',
    help: 'CHANGE CHV / PIN',
    maxArgs: 3,
    sim: true,
    complete: pins(USER_PINS),
    build: ([ref, old, neu]) => {
      const r = pinRef(ref, USER_PINS);
      return buildCommand(r.cla, 0x24, 0x00, r.p2, { data: concat(pinBlock(old, 'the old value'), pinBlock(neu, 'the new value')) });
    },
  },
  {
    name: 'enable_chv',
    usage: 'enable_chv <chv1|pin1> <value>',
    help: 'ENABLE CHV / PIN (presenting it)',
    maxArgs: 2,
    sim: true,
    complete: pins(['chv1', 'pin1']),
    build: ([ref, value]) => {
      const r = pinRef(ref, ['chv1', 'pin1']);
      return buildCommand(r.cla, 0x28, 0x00, r.p2, { data: pinBlock(value) });
    },
  },
  {
    name: 'disable_chv',
    usage: 'disable_chv <chv1|pin1> <value>',
    help: 'DISABLE CHV / PIN (presenting it)',
    maxArgs: 2,
    sim: true,
    complete: pins(['chv1', 'pin1']),
    build: ([ref, value]) => {
      const r = pinRef(ref, ['chv1', 'pin1']);
      return buildCommand(r.cla, 0x26, 0x00, r.p2, { data: pinBlock(value) });
    },
  },
  {
    name: 'unblock_chv',
    usage: 'unblock_chv <chv1|chv2|pin1|pin2> <puk> <new-pin>',
    help: 'UNBLOCK CHV / PIN with the unblock key and a new value',
    maxArgs: 3,
    sim: true,
    complete: pins(USER_PINS),
    build: ([ref, puk, pin]) => {
      const r = pinRef(ref, USER_PINS);
      // TS 51.011 §9.2.13: P2=00 means CHV1 for UNBLOCK CHV.
      const p2 = r.cla === 0xa0 && r.p2 === 0x01 ? 0x00 : r.p2;
      return buildCommand(r.cla, 0x2c, 0x00, p2, { data: concat(pinBlock(puk, 'the PUK'), pinBlock(pin, 'the new PIN')) });
    },
  },
  {
    name: 'authenticate',
    usage: 'authenticate <rand> <autn>',
    help: 'USIM AUTHENTICATE, 3G context (00 88 00 81)',
    maxArgs: 2,
    sim: true,
    build: ([rand, autn]) => buildCommand(0x00, 0x88, 0x00, 0x81, { data: concat(Uint8Array.of(16), hex(rand, 'RAND', 16), Uint8Array.of(16), hex(autn, 'AUTN', 16)), ne: 256 }),
  },
  {
    name: 'run_gsm_algorithm',
    usage: 'run_gsm_algorithm <rand>',
    help: 'RUN GSM ALGORITHM (A0 88): the answer is 9F0C, then GET RESPONSE for SRES and Kc',
    maxArgs: 1,
    sim: true,
    build: ([rand]) => buildCommand(0xa0, 0x88, 0x00, 0x00, { data: hex(rand, 'RAND', 16) }),
  },
  {
    name: 'get_response',
    usage: 'get_response <length hex> [gsm]',
    help: 'GET RESPONSE (class 00, or A0 with "gsm")',
    maxArgs: 2,
    complete: (i) => (i === 1 ? ['gsm'] : []),
    build: ([len, gsm]) => {
      if (gsm !== undefined && gsm !== 'gsm') throw new ShellUsageError('the second argument can only be "gsm"');
      return buildCommand(gsm === 'gsm' ? 0xa0 : 0x00, 0xc0, 0x00, 0x00, { ne: byte(len, 'length') || 256 });
    },
  },
  {
    name: 'apdu',
    usage: 'apdu <hex>',
    help: 'send a command APDU as it is (a line of hex does the same)',
    maxArgs: 1,
    build: ([h]) => {
      const b = hex(h, 'APDU');
      if (b.length < 4) throw new ShellUsageError(`a command APDU has at least 4 bytes (CLA INS P1 P2), got ${b.length}`);
      return b;
    },
  },
];

/** The shell's own words, handled by the evaluator. */
export const BUILTINS: readonly { readonly name: string; readonly usage: string; readonly help: string }[] = [
  { name: 'dir', usage: 'dir', help: 'the declared files of the current DF: FID, name, structure' },
  { name: 'atr', usage: 'atr', help: 'the card\'s ATR and protocol' },
  { name: 'reset', usage: 'reset', help: 'reset the card (the MF is selected again)' },
  { name: 'help', usage: 'help [command]', help: 'the commands, or one command in full' },
  { name: 'quit', usage: 'quit', help: 'leave the shell (also: exit)' },
];

const aliasNames = new Set(ALIASES.map((a) => a.name));

/** The declared commands of the applets on the card (all the SIM/USIM's when not known), by lower-case name, those a named command shadows left out. */
export function specCommands(aids: readonly string[] | undefined): CommandSpec[] {
  const applets = aids === undefined ? APPLET_SPECS.filter((a) => a.aid === SIM_APPLET_AID) : APPLET_SPECS.filter((a) => aids.includes(a.aid));
  const seen = new Set<string>();
  const out: CommandSpec[] = [];
  for (const c of [...RUNTIME_COMMANDS, ...applets.flatMap((a) => a.commands)]) {
    const n = c.name.toLowerCase();
    if (seen.has(n) || aliasNames.has(n)) continue;
    seen.add(n);
    out.push(c);
  }
  return out;
}

/** Whether the card has the SIM/USIM applet (a card in a reader: taken for a SIM). */
export const hasSim = (aids: readonly string[] | undefined): boolean => aids === undefined || aids.includes(SIM_APPLET_AID);

/**
 * `NAME [P1P2] [DATA] [LE]` for any declared command. A command declared with a response and no
 * case 1 (GSM_STATUS) given no Le asks for up to 256 bytes (P3 = 00), as pySim does: the card's
 * 6Cxx / 67xx then says the length, and the evaluator asks again.
 */
export function buildBySpec(name: string, args: readonly string[]): Uint8Array | undefined {
  const spec = ALL_COMMANDS.find((c) => c.name.toLowerCase() === name.toLowerCase() && !aliasNames.has(name.toLowerCase()));
  if (!spec) return undefined;
  if (args.length > 3) throw new ShellUsageError(`${args.length} arguments; at most 3 (usage: ${spec.name.toLowerCase()} [P1P2|-] [DATA|-] [LE])`);
  const p1p2 = args[0] && args[0] !== '-' ? hex(args[0], 'P1P2', 2) : new Uint8Array(2);
  const data = args[1] && args[1] !== '-' ? hex(args[1], 'data') : undefined;
  let le = args[2] !== undefined ? byte(args[2], 'Le') || 256 : undefined;
  if (le === undefined && !data?.length && !spec.cases.includes(1) && spec.cases.includes(2)) le = 256;
  return buildCommand(spec.cla.value, spec.ins, p1p2[0]!, p1p2[1]!, { ...(data && data.length ? { data } : {}), ...(le !== undefined ? { ne: le } : {}) });
}

/** Command names a Tab offers on this card: one per command, the SIM's only when the SIM is there. */
export function commandNames(aids: readonly string[] | undefined): string[] {
  const sim = hasSim(aids);
  const names = [...ALIASES.filter((a) => sim || !a.sim).map((a) => a.name), ...BUILTINS.filter((b) => sim || b.name !== 'dir').map((b) => b.name), ...specCommands(aids).map((c) => c.name.toLowerCase())];
  return [...new Set(names)].sort();
}
