/**
 * Named commands of the interactive shell: short forms users type (`select 3F00`,
 * `verify chv1 1234`, `auth <rand> <autn>`) turned into APDUs per the spec that defines them
 * (ISO 7816-4, TS 51.011 class A0, TS 102.221 class 00). Any declared command can also be sent
 * by its apdu-specs name: `NAME [P1P2] [DATA] [LE]`.
 */
import { ALL_COMMANDS } from '../../apdu-specs/index.js';
import { buildCommand, hexToBytes, concat } from '../../card/runtime/index.js';
import { hexErrorMessage } from '../trace/mask.js';
import { CardforgeError } from '../errors.js';

export class ShellUsageError extends CardforgeError<'SHELL_USAGE'> {
  constructor(message: string) {
    super('SHELL_USAGE', message);
    this.name = 'ShellUsageError';
  }
}

export interface Alias {
  readonly name: string;
  readonly usage: string;
  readonly help: string;
  build(args: readonly string[]): Uint8Array;
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

/** PIN/CHV values are 8 bytes padded with FF (TS 51.011 §9.2.9, TS 102.221 §11.1.9). */
function pinBlock(value: string | undefined): Uint8Array {
  if (value === undefined) throw new ShellUsageError('missing the PIN value');
  const b = new TextEncoder().encode(value);
  if (b.length > 8) throw new ShellUsageError('PIN values have at most 8 characters');
  const out = new Uint8Array(8).fill(0xff);
  out.set(b);
  return out;
}

const PIN_REFS: Record<string, { cla: number; p2: number }> = {
  chv1: { cla: 0xa0, p2: 0x01 },
  chv2: { cla: 0xa0, p2: 0x02 },
  pin1: { cla: 0x00, p2: 0x01 },
  pin2: { cla: 0x00, p2: 0x81 },
  adm1: { cla: 0x00, p2: 0x0a },
};

function pinRef(s: string | undefined): { cla: number; p2: number } {
  const r = s ? PIN_REFS[s.toLowerCase()] : undefined;
  if (!r) throw new ShellUsageError(`expected one of ${Object.keys(PIN_REFS).join(', ')}`);
  return r;
}

export const ALIASES: readonly Alias[] = [
  {
    name: 'select',
    usage: 'select <FID | path | AID>',
    help: 'UICC SELECT with FCP: 4 hex digits = FID, 8+ hex digits starting 3F00 = path from MF, otherwise an AID',
    build: ([arg]) => {
      const b = hex(arg, 'FID, path or AID');
      if (b.length === 2) return buildCommand(0x00, 0xa4, 0x00, 0x04, { data: b, ne: 256 });
      if (b.length >= 4 && b.length % 2 === 0 && b[0] === 0x3f && b[1] === 0x00) return buildCommand(0x00, 0xa4, 0x08, 0x04, { data: b.subarray(2), ne: 256 });
      return buildCommand(0x00, 0xa4, 0x04, 0x00, { data: b, ne: 256 });
    },
  },
  {
    name: 'gsm-select',
    usage: 'gsm-select <FID>',
    help: 'classic SIM SELECT (class A0); on T=0 the card answers 9Fxx: see "T=0" below',
    build: ([arg]) => buildCommand(0xa0, 0xa4, 0x00, 0x00, { data: hex(arg, 'FID', 2) }),
  },
  {
    name: 'verify',
    usage: 'verify <chv1|chv2|pin1|pin2|adm1> [value]',
    help: 'VERIFY CHV / PIN; without a value (UICC) asks for the tries left',
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
    name: 'unblock',
    usage: 'unblock <chv1|chv2|pin1|pin2> <puk> <new-pin>',
    help: 'UNBLOCK CHV / PIN with the unblock key and a new value',
    build: ([ref, puk, pin]) => {
      const r = pinRef(ref);
      // TS 51.011 §9.2.12: P2=00 means CHV1 for UNBLOCK CHV.
      const p2 = r.cla === 0xa0 && r.p2 === 0x01 ? 0x00 : r.p2;
      return buildCommand(r.cla, 0x2c, 0x00, p2, { data: concat(pinBlock(puk), pinBlock(pin)) });
    },
  },
  {
    name: 'auth',
    usage: 'auth <rand> <autn>',
    help: 'USIM AUTHENTICATE, 3G context (00 88 00 81)',
    build: ([rand, autn]) => buildCommand(0x00, 0x88, 0x00, 0x81, { data: concat(Uint8Array.of(16), hex(rand, 'RAND', 16), Uint8Array.of(16), hex(autn, 'AUTN', 16)), ne: 256 }),
  },
  {
    name: 'gsm-auth',
    usage: 'gsm-auth <rand>',
    help: 'RUN GSM ALGORITHM (A0 88): SRES and Kc; on T=0 the card answers 9F0C: see "T=0" below',
    build: ([rand]) => buildCommand(0xa0, 0x88, 0x00, 0x00, { data: hex(rand, 'RAND', 16) }),
  },
  {
    name: 'get-response',
    usage: 'get-response <length hex> [gsm]',
    help: 'GET RESPONSE (class 00, or A0 with "gsm"): for 61xx/9Fxx shown in a --raw shell',
    build: ([len, gsm]) => buildCommand(gsm === 'gsm' ? 0xa0 : 0x00, 0xc0, 0x00, 0x00, { ne: byte(len, 'length') || 256 }),
  },
  {
    name: 'read-binary',
    usage: 'read-binary [length hex] [offset]',
    help: 'READ BINARY of the current EF',
    build: ([len, off]) => {
      const o = Number(off ?? 0);
      if (!Number.isInteger(o) || o < 0 || o > 0x7fff) throw new ShellUsageError('offset: expected 0..32767');
      return buildCommand(0x00, 0xb0, o >> 8, o & 0xff, { ne: byte(len, 'length', 0) || 256 });
    },
  },
  {
    name: 'read-record',
    usage: 'read-record <number hex> [length hex]',
    help: 'READ RECORD (absolute mode) of the current EF',
    build: ([n, len]) => buildCommand(0x00, 0xb2, byte(n, 'record number'), 0x04, { ne: byte(len, 'length', 0) || 256 }),
  },
];

/** `NAME [P1P2] [DATA] [LE]` for any declared command. */
export function buildBySpec(name: string, args: readonly string[]): Uint8Array | undefined {
  const spec = ALL_COMMANDS.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (!spec) return undefined;
  const p1p2 = args[0] && args[0] !== '-' ? hex(args[0], 'P1P2', 2) : new Uint8Array(2);
  const data = args[1] && args[1] !== '-' ? hex(args[1], 'data') : undefined;
  const le = args[2] !== undefined ? byte(args[2], 'Le') || 256 : undefined;
  return buildCommand(spec.cla.value, spec.ins, p1p2[0]!, p1p2[1]!, { ...(data && data.length ? { data } : {}), ...(le !== undefined ? { ne: le } : {}) });
}

export function completions(): string[] {
  return [...ALIASES.map((a) => a.name), ...ALL_COMMANDS.map((c) => c.name.toLowerCase()), 'help', 'reset', 'atr', 'quit'];
}
