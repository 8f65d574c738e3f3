/**
 * Access rules of an imported file, read from the security attributes the card itself gave:
 * - expanded format (ISO/IEC 7816-4 §9.3.3; TS 102.221 §9.2.4): a rule is AM_DOs, each followed by
 *   the SC_DOs that grant it (several = OR). AM_DO 80 is the access mode byte (EF: b1 READ/SEARCH,
 *   b2 UPDATE, b4 DEACTIVATE, b5 ACTIVATE; TS 102.221 table 9.3), AM_DO 84 lists instruction codes
 *   (INCREASE 32). SC_DO 90 always, 97 never, A4 a control reference template naming a key
 *   reference (83), A0 OR template, AF AND template. Referenced attributes (8B) point at such a
 *   rule in a record of an EF_ARR; an AB template carries one inline.
 * - compact format (ISO/IEC 7816-4 §9.3.2): an access mode byte and one SC byte per set bit b7..b1
 *   (00 always, FF never; else b5 user authentication with the key reference in b4..b1);
 * - classic (TS 51.011 §9.3): one nibble per command group, 0 ALW, 1 CHV1, 2 CHV2, 4..E ADM, F NEV.
 * Key references (TS 102.221 §9.5.1): 01 PIN1, 11 universal PIN, 81 PIN2, 0A ADM1, 0B..0E ADM2..5.
 */
import { readTlvs } from '../runtime/tlv.js';

export type FileOp = 'read' | 'update' | 'increase' | 'invalidate' | 'rehabilitate';

/** A security condition: always, never, a verified key reference, or a combination. */
export type Cond = 'always' | 'never' | { readonly key: number } | { readonly any: readonly Cond[] } | { readonly all: readonly Cond[] };

const AM_BIT: { readonly [op in FileOp]: number } = { read: 0x01, update: 0x02, increase: 0x02, invalidate: 0x08, rehabilitate: 0x10 };
/** Instruction codes an AM_DO 84 may name, per operation (ISO/IEC 7816-4 §9.3.3 "command header description"). */
const OP_INS: { readonly [op in FileOp]: readonly number[] } = { read: [0xb0, 0xb2, 0xa2], update: [0xd6, 0xdc], increase: [0x32], invalidate: [0x04], rehabilitate: [0x44] };

function scCond(tag: number, value: Uint8Array): Cond {
  switch (tag) {
    case 0x90:
      return 'always';
    case 0x97:
      return 'never';
    case 0xa4: {
      const key = readTlvs(value).find((t) => t.tag === 0x83)?.value[0];
      return key === undefined ? 'never' : { key };
    }
    case 0xa0:
      return { any: readTlvs(value).map((t) => scCond(t.tag, t.value)) };
    case 0xaf:
      return { all: readTlvs(value).map((t) => scCond(t.tag, t.value)) };
    default:
      return 'never'; // secure messaging, SE references, external authentication: nothing here can meet them
  }
}

/** The SC_DOs granted by the AM_DOs `covers` accepts (an AM_DO's SC_DOs follow it up to the next AM_DO). */
function granted(rule: Uint8Array, covers: (amTag: number, am: Uint8Array) => boolean): Cond[] {
  const out: Cond[] = [];
  let current = false;
  for (const t of readTlvs(rule)) {
    if (t.tag >= 0x80 && t.tag <= 0x8f) current = covers(t.tag, t.value);
    else if (current) out.push(scCond(t.tag, t.value));
  }
  return out;
}

/**
 * The condition an expanded-format rule sets for `op` ('never' when no AM_DO covers it). A command
 * header AM_DO (84) naming the operation's INS wins; INCREASE without one follows UPDATE.
 */
export function expandedRule(rule: Uint8Array, op: FileOp): Cond {
  let g = granted(rule, (tag, am) => tag === 0x84 && am.some((ins) => OP_INS[op].includes(ins)));
  if (g.length === 0) g = granted(rule, (tag, am) => tag === 0x80 && am.length > 0 && (am[0]! & AM_BIT[op]) !== 0);
  if (g.length === 0) return 'never';
  return g.length === 1 ? g[0]! : { any: g };
}

/** The condition a compact-format attribute sets for `op`. */
export function compactRule(bytes: Uint8Array, op: FileOp): Cond {
  if (bytes.length === 0) return 'never';
  const am = bytes[0]!;
  const bit = AM_BIT[op];
  if ((am & bit) === 0) return 'never';
  let idx = 1;
  for (let b = 0x40; b > bit; b >>= 1) if (am & b) idx++;
  const sc = bytes[idx];
  if (sc === undefined || sc === 0xff) return 'never';
  if (sc === 0x00) return 'always';
  if ((sc & 0x10) !== 0 && (sc & 0x0f) !== 0) return { key: sc & 0x0f };
  return 'never';
}

/** 1 CHV1, 2 CHV2, 4..E the administrative levels — the card's ADM code (a sysmoSIM-GR1 uses level 5). */
const NIBBLE_KEY: { readonly [n: number]: number } = { 0x1: 0x01, 0x2: 0x81, 0x4: 0x0a, 0x5: 0x0a, 0x6: 0x0a, 0x7: 0x0a, 0x8: 0x0a, 0x9: 0x0a, 0xa: 0x0a, 0xb: 0x0a, 0xc: 0x0a, 0xd: 0x0a, 0xe: 0x0a };

/** The condition of a classic access-condition nibble set (TS 51.011 §9.2.1 bytes 9..11). */
export function classicRule(nibbles: Uint8Array, op: FileOp): Cond {
  const n = op === 'read' ? nibbles[0]! >> 4 : op === 'update' ? nibbles[0]! & 0x0f : op === 'increase' ? nibbles[1]! >> 4 : op === 'rehabilitate' ? nibbles[2]! >> 4 : nibbles[2]! & 0x0f;
  if (n === 0x0) return 'always';
  const key = NIBBLE_KEY[n];
  return key === undefined ? 'never' : { key };
}

/** Evaluate a condition against the keys verified (or disabled) now. */
export function satisfies(c: Cond, keyOk: (key: number) => boolean): boolean {
  if (c === 'always') return true;
  if (c === 'never') return false;
  if ('key' in c) return keyOk(c.key);
  if ('any' in c) return c.any.some((x) => satisfies(x, keyOk));
  return c.all.every((x) => satisfies(x, keyOk));
}

/** The TS 51.011 nibble closest to a condition, for the classic view of a UICC file (0 ALW … F NEV). */
export function condNibble(c: Cond): number {
  if (c === 'always') return 0x0;
  if (c === 'never') return 0xf;
  if ('key' in c) return c.key === 0x01 || c.key === 0x11 ? 0x1 : c.key === 0x81 ? 0x2 : c.key >= 0x0a && c.key <= 0x0e ? 0x4 : 0xf;
  const parts = 'any' in c ? c.any : c.all;
  const nibbles = parts.map(condNibble);
  return 'any' in c ? Math.min(...nibbles) : Math.max(...nibbles);
}
