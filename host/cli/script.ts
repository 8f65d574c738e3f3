/**
 * APDU scripts for `cardforge run` (and the lines `send -` reads): pcsc-tools scriptor's syntax,
 * unchanged, plus two extensions (docs/run.md is the user's description; keep the two in step).
 *
 * Scriptor: one command APDU per line in hex ("00 A4 00 00 02 3F 00" or "00A40000023F00"), a line
 * ending in "\" continues on the next, "#" starts a comment, "reset" resets the card, "exit" ends
 * the script. (Scriptor takes "#" only at the start of a line; a comment after an APDU is ours.)
 *
 * Extension 1, expectations: `APDU => EXPECTED`. EXPECTED is hex with "?" for any hex digit; its
 * last four digits are the status word, anything before them the response data, which must then
 * match digit for digit (same length). Four digits alone (`=> 9000`, `=> 61??`, `=> 63C?`) check
 * only the status word, whatever data came.
 *
 * Extension 2, variables: `${NAME}` anywhere in an APDU or an expectation is replaced by the
 * variable's hex value (profile fields: profileVariables; --var NAME=HEX). Digits that came from a
 * secret variable are shown as "*" wherever the command or the expectation is printed.
 *
 * The whole script is parsed before anything is sent: a malformed line or an unknown variable is
 * a ScriptError naming file:line:column and what to do, and the card sees nothing. Messages give
 * positions, never the line's content: it may hold a PIN.
 */
import { bytesToHex, hexToBytes } from '../../card/runtime/index.js';
import { encodeIccid, encodeImsi } from '../../card/fs/index.js';
import { admValue, pinField } from '../profile/apdu/script.js';
import type { Profile } from '../profile/schema.js';
import { CliError, EXIT } from './errors.js';

/** A value substituted for ${NAME}: lower-case hex; `secret` values are starred when shown. */
export interface Variable {
  readonly value: string;
  readonly secret: boolean;
}
export type Variables = ReadonlyMap<string, Variable>;

export interface Expectation {
  /** Lower-case hex digits or "?" for the response data; undefined: any data (a four-digit expectation). */
  readonly data: string | undefined;
  /** Four characters, hex digits or "?". */
  readonly sw: string;
  /** As printed: upper case, data spaced in bytes, then the SW; secret digits as "*". */
  readonly shown: string;
}

export interface ApduStep {
  readonly kind: 'apdu';
  /** The line the APDU starts on (1-based). */
  readonly line: number;
  readonly apdu: Uint8Array;
  /** One flag per hex digit of the APDU: true when it came from a secret variable. */
  readonly secretDigits: readonly boolean[];
  readonly expect?: Expectation;
}

export interface ResetStep {
  readonly kind: 'reset';
  readonly line: number;
}

export type ScriptStep = ApduStep | ResetStep;

export class ScriptError extends CliError {
  constructor(message: string) {
    super('SCRIPT_INVALID', message, EXIT.USAGE);
    this.name = 'ScriptError';
  }
}

/** One character of a logical line (continuations joined) with where it was typed, and whether a secret variable produced it. */
interface Ch {
  readonly c: string;
  readonly line: number;
  readonly col: number;
  readonly secret: boolean;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEX = /^[0-9a-fA-F]$/;

/** Names of variables shown as stars, whoever set them (profile or --var): PINs, PUKs, ADM keys, Ki, OP/OPc, other keys. */
export function isSecretName(name: string): boolean {
  return /^(pin|puk|adm|key|ki$|opc?$)/i.test(name);
}

/**
 * The variables a profile gives, as the bytes a command carries (docs/run.md lists them):
 * iccid (EF_ICCID, 10 bytes swapped BCD), imsi (EF_IMSI, 9 bytes), pin1/pin2/puk1/puk2 (VERIFY's
 * 8-byte block: ASCII digits, FF padding), adm1 (the same block of the ADM key as personalize
 * presents it), ki, opc, op (16 bytes) and sqn (6 bytes) when the profile has them.
 */
export function profileVariables(p: Profile): Map<string, Variable> {
  const vars = new Map<string, Variable>();
  const set = (name: string, bytes: Uint8Array): void => void vars.set(name, { value: bytesToHex(bytes), secret: isSecretName(name) });
  const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
  set('iccid', encodeIccid(p.iccid));
  set('imsi', encodeImsi(p.imsi));
  for (const k of ['pin1', 'pin2', 'puk1', 'puk2'] as const) set(k, pinField(ascii(p.pins[k])));
  set('adm1', pinField(admValue(p.pins.adm1)));
  set('ki', hexToBytes(p.auth.ki));
  if (p.auth.opc !== undefined) set('opc', hexToBytes(p.auth.opc));
  if (p.auth.op !== undefined) set('op', hexToBytes(p.auth.op));
  if (p.auth.sqn !== undefined) set('sqn', hexToBytes(p.auth.sqn));
  return vars;
}

/** `--var NAME=HEX` → [name, variable]; a usage error names the option and the offset, never the value. */
export function parseVarOption(arg: string): [string, Variable] {
  const eq = arg.indexOf('=');
  const name = eq < 0 ? arg : arg.slice(0, eq);
  if (eq < 0 || !NAME.test(name)) throw new CliError('USAGE', `--var expected NAME=HEX (NAME: letters, digits, _; not starting with a digit), got ${eq < 0 ? 'no "="' : `the name "${name}"`}`, EXIT.USAGE);
  const raw = arg.slice(eq + 1);
  const bad = raw.search(/[^0-9a-fA-F\s]/);
  if (bad >= 0) throw new CliError('USAGE', `--var ${name}: not a hex digit at offset ${bad} of the value; values are hex, as they go into the APDU`, EXIT.USAGE);
  const value = raw.replace(/\s/g, '').toLowerCase();
  if (value.length % 2) throw new CliError('USAGE', `--var ${name}: odd number of hex digits (${value.length}); give whole bytes`, EXIT.USAGE);
  return [name, { value, secret: isSecretName(name) }];
}

export interface ParseOptions {
  /** Allow `=> EXPECTED`, `reset` and variables (run); `send -` takes plain APDUs only. */
  readonly extensions: boolean;
  readonly variables?: Variables;
}

/** Parse a whole script; throws ScriptError at the first problem. */
export function parseScript(text: string, file: string, opts: ParseOptions): ScriptStep[] {
  const vars = opts.variables ?? new Map<string, Variable>();
  const at = (p: { line: number; col: number }): string => `${file}:${p.line}:${p.col}`;
  const fail = (p: { line: number; col: number }, what: string): never => {
    throw new ScriptError(`${at(p)}: ${what}`);
  };
  const lines = text.split(/\r?\n/);
  const steps: ScriptStep[] = [];
  let logical: Ch[] = [];
  let startLine = 0;
  let backslash = { line: 0, col: 0 };
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    let body = lines[i]!;
    const hash = body.indexOf('#');
    if (hash >= 0) body = body.slice(0, hash);
    const word = body.trim().toLowerCase();
    // As scriptor: blank and comment lines are skipped, inside a continued APDU too.
    if (word === '' && logical.length) continue;
    if (logical.length === 0) {
      if (word === '') continue;
      if (word === 'exit' || word === 'quit') return steps;
      if (word === 'reset') {
        if (!opts.extensions) fail({ line: n, col: body.search(/\S/) + 1 }, '"reset" is a script command: use `cardforge run FILE` for scripts with resets');
        steps.push({ kind: 'reset', line: n });
        continue;
      }
      startLine = n;
    }
    const trimmed = body.replace(/\s+$/, '');
    const continued = trimmed.endsWith('\\');
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    for (let k = 0; k < part.length; k++) logical.push({ c: part[k]!, line: n, col: k + 1, secret: false });
    if (continued) {
      logical.push({ c: ' ', line: n, col: part.length + 1, secret: false });
      backslash = { line: n, col: trimmed.length };
      continue;
    }
    steps.push(parseLine(substitute(logical, vars, opts.extensions, fail), startLine, opts.extensions, fail));
    logical = [];
  }
  if (logical.length) fail(backslash, 'the file ends inside a continued ("\\") APDU; remove the last "\\" or add the rest of the APDU');
  return steps;
}

type Fail = (p: { line: number; col: number }, what: string) => never;

/** ${NAME} → the variable's digits, each keeping the position of the "$" and the variable's secrecy. */
function substitute(chars: Ch[], vars: Variables, allowed: boolean, fail: Fail): Ch[] {
  const out: Ch[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch.c !== '$') {
      out.push(ch);
      continue;
    }
    if (!allowed) fail(ch, 'variables (${NAME}) are for `cardforge run` scripts; give the hex digits here');
    if (chars[i + 1]?.c !== '{') fail(ch, '"$" starts a variable: write ${NAME}');
    let j = i + 2;
    let name = '';
    while (j < chars.length && chars[j]!.c !== '}') name += chars[j++]!.c;
    if (j >= chars.length) fail(ch, 'variable without its closing "}"; write ${NAME}');
    if (!NAME.test(name)) fail(ch, 'a variable name is letters, digits and _, not starting with a digit: ${NAME}');
    const v = vars.get(name);
    if (!v) {
      const known = [...vars.keys()].sort();
      fail(ch, `unknown variable \${${name}}; ${known.length ? `known: ${known.join(', ')}; ` : ''}define it with --var ${name}=HEX or take it from a profile (--profile FILE)`);
    }
    for (const c of v!.value) out.push({ c, line: ch.line, col: ch.col, secret: v!.secret });
    i = j;
  }
  return out;
}

function parseLine(chars: Ch[], line: number, extensions: boolean, fail: Fail): ApduStep {
  const arrow = chars.findIndex((c, k) => c.c === '=' && chars[k + 1]?.c === '>');
  if (arrow >= 0 && !extensions) fail(chars[arrow]!, 'expectations (=> SW) are for `cardforge run`; `send -` takes plain APDUs');
  const cmd = arrow >= 0 ? chars.slice(0, arrow) : chars;
  const digits: Ch[] = [];
  for (const c of cmd) {
    if (HEX.test(c.c)) digits.push(c);
    else if (!/\s/.test(c.c)) fail(c, `not a hex digit in the APDU${c.c === '=' ? ' (an expectation is written "=> SW")' : ''}`);
  }
  const first = cmd.find((c) => !/\s/.test(c.c)) ?? chars[0]!;
  if (digits.length === 0) fail(first, 'no APDU before "=>"; write the command, then "=> SW"');
  if (digits.length % 2) fail(first, `odd number of hex digits in the APDU (${digits.length}); give whole bytes`);
  if (digits.length < 8) fail(first, `an APDU has at least 4 bytes (CLA INS P1 P2), got ${digits.length / 2}`);
  const apdu = hexToBytes(digits.map((d) => d.c).join(''));
  const step: ApduStep = { kind: 'apdu', line, apdu, secretDigits: digits.map((d) => d.secret) };
  if (arrow < 0) return step;
  return { ...step, expect: parseExpectation(chars.slice(arrow + 2), chars[arrow]!, fail) };
}

function parseExpectation(chars: Ch[], arrow: Ch, fail: Fail): Expectation {
  const digits: Ch[] = [];
  for (const c of chars) {
    if (HEX.test(c.c) || c.c === '?') digits.push(c);
    else if (!/\s/.test(c.c)) fail(c, c.c === '=' ? 'a second "=>" on the line; one expectation per APDU' : 'not a hex digit or "?" in the expected response');
  }
  if (digits.length === 0) fail(arrow, 'nothing after "=>"; write the expected status word (=> 9000), optionally data before it');
  if (digits.length < 4) fail(digits[0]!, `the expected response ends with the 4-digit status word; got ${digits.length} digits`);
  if (digits.length % 2) fail(digits[0]!, `odd number of digits in the expected response (${digits.length}); give whole bytes ("?" per hex digit)`);
  const pattern = digits.map((d) => d.c.toLowerCase()).join('');
  const shownDigits = digits.map((d) => (d.secret ? '*' : d.c.toUpperCase())).join('');
  const dataShown = shownDigits.slice(0, -4).replace(/(..)(?!$)/g, '$1 ');
  return {
    data: digits.length > 4 ? pattern.slice(0, -4) : undefined,
    sw: pattern.slice(-4),
    shown: `${dataShown ? `${dataShown} ` : ''}${shownDigits.slice(-4)}`,
  };
}

function digitsMatch(pattern: string, hex: string): boolean {
  if (pattern.length !== hex.length) return false;
  for (let i = 0; i < pattern.length; i++) if (pattern[i] !== '?' && pattern[i] !== hex[i]) return false;
  return true;
}

/** Does `response` (data + SW) meet `e`? */
export function meets(e: Expectation, response: Uint8Array): boolean {
  const hex = bytesToHex(response).toLowerCase();
  if (hex.length < 4) return false;
  if (!digitsMatch(e.sw, hex.slice(-4))) return false;
  return e.data === undefined || digitsMatch(e.data, hex.slice(0, -4));
}

/** The APDU as hex with every digit from a secret variable starred, on top of what `masked` (mask.ts) already starred. */
export function starSecretDigits(masked: string, secretDigits: readonly boolean[]): string {
  return [...masked].map((c, i) => (secretDigits[i] ? '*' : c)).join('');
}
