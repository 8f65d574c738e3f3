/**
 * Typed P1-P2 declarations (types.ts P1P2Spec): helpers to write them in the command tables, and
 * the three readings of one declaration — whether a P1-P2 is accepted (the card's dispatcher),
 * its names (the trace decoder: `P1=04 (by DF name) P2=04 (return FCP)`) and its human text (the
 * generated command reference). Pure functions over the declaration: apdu-specs stays data.
 */
import type { ClassPattern, CommandSpec, P1P2Form, P1P2Spec, ParamByte, ParamField, ParamValue } from './types.js';

const WRONG_P1P2_GSM = 0x6b00; // 3GPP TS 51.011 §9.4.6: incorrect parameter P1 or P2
const INCORRECT_P1P2 = 0x6a86; // ISO/IEC 7816-4 §5.6: incorrect parameters P1-P2

// ---- writing declarations ----

/** A named value. */
export function v(value: number, name: string): ParamValue {
  return { value, name };
}

/** A whole byte that is exactly one value (e.g. `is(0x04, 'by DF name')`). */
export function is(value: number, name = ''): ParamByte {
  return [{ name: '', values: [v(value, name)] }];
}

/** A whole byte that is one of the named values. */
export function oneOf(name: string, ...values: readonly ParamValue[]): ParamByte {
  return [{ name, values }];
}

/** A whole byte in min..max (inclusive), with optional named values inside or outside the span. */
export function within(name: string, min: number, max: number, ...values: readonly ParamValue[]): ParamByte {
  return [{ name, range: [min, max], ...(values.length ? { values } : {}) }];
}

/** A whole byte the handler decides (an offset, a slot checked against the card's state). */
export function anyByte(name: string, ...values: readonly ParamValue[]): ParamByte {
  return [{ name, open: true, ...(values.length ? { values } : {}) }];
}

/** A bit field of a byte (combine several into one ParamByte). */
export function bits(mask: number, name: string, accept: { values?: readonly ParamValue[]; range?: readonly [number, number]; open?: boolean } = { open: true }): ParamField {
  return { name, mask, ...accept };
}

/** P1 00. */
export const ZERO: ParamByte = is(0x00);

/** A declaration of one form. */
export function params(p1: ParamByte, p2: ParamByte, opts: Omit<P1P2Spec, 'forms'> = {}): P1P2Spec {
  return { forms: [{ p1, p2 }], ...opts };
}

/** A declaration of several forms (P2's meaning depends on P1). */
export function forms(list: readonly P1P2Form[], opts: Omit<P1P2Spec, 'forms'> = {}): P1P2Spec {
  return { forms: list, ...opts };
}

/** P1-P2 = 0000, nothing else. */
export const P1P2_ZERO: P1P2Spec = params(ZERO, ZERO);

/** Any P1-P2: the command ignores them (or its handler decides). */
export const P1P2_ANY: P1P2Spec = params(anyByte('any'), anyByte('any'));

// ---- reading them ----

/**
 * The declaration, or undefined: an applet written before typed declarations (registered with
 * registerAppletSpecs from plain JavaScript) may still carry free text there; it is not checked.
 */
function declared(x: unknown): P1P2Spec | undefined {
  return typeof x === 'object' && x !== null && Array.isArray((x as P1P2Spec).forms) ? (x as P1P2Spec) : undefined;
}

function shift(mask: number): number {
  let s = 0;
  while (s < 8 && ((mask >> s) & 1) === 0) s++;
  return s;
}

function fieldValue(f: ParamField, byte: number): number {
  const mask = f.mask ?? 0xff;
  return (byte & mask) >> shift(mask);
}

function fieldAccepts(f: ParamField, byte: number): boolean {
  if (f.open === true || (f.values === undefined && f.range === undefined)) return true;
  const x = fieldValue(f, byte);
  if (f.values?.some((n) => n.value === x) === true) return true;
  return f.range !== undefined && x >= f.range[0] && x <= f.range[1];
}

function byteAccepts(b: ParamByte, byte: number): boolean {
  return b.every((f) => fieldAccepts(f, byte));
}

/** Whether a form of the declaration accepts P1 and P2. */
export function p1p2Accepted(spec: P1P2Spec, p1: number, p2: number): boolean {
  return (declared(spec)?.forms ?? []).some((f) => byteAccepts(f.p1, p1) && byteAccepts(f.p2, p2));
}

/** The SW a P1-P2 no form accepts gets: the declared one, else 6B00 in class A0, else 6A86. */
export function wrongP1P2Sw(spec: P1P2Spec, cla: ClassPattern): number {
  return spec.sw ?? (cla.value === 0xa0 && cla.mask === 0xff ? WRONG_P1P2_GSM : INCORRECT_P1P2);
}

/**
 * The declaration's answer to P1-P2, whoever checks it: the SW of a P1-P2 no form accepts, or
 * undefined when accepted or not declared. The handler's check (`checkedBy: 'handler'`) reads this.
 */
export function p1p2Sw(spec: CommandSpec, p1: number, p2: number): number | undefined {
  const d = declared(spec.p1p2);
  if (d === undefined || p1p2Accepted(d, p1, p2)) return undefined;
  return wrongP1P2Sw(d, spec.cla);
}

/**
 * The dispatcher's check: the SW to answer before the handler runs, or undefined when P1-P2 is
 * accepted, not declared, or declared `checkedBy: 'handler'`.
 */
export function p1p2Refusal(spec: CommandSpec, p1: number, p2: number): number | undefined {
  return declared(spec.p1p2)?.checkedBy === 'handler' ? undefined : p1p2Sw(spec, p1, p2);
}

/** A P1-P2 check compiled from a declaration: the SW to refuse (p1, p2) with, or undefined. */
export type P1P2Check = (p1: number, p2: number) => number | undefined;

const REFUSE_NONE = (): undefined => undefined;
const byteMaps = new WeakMap<ParamByte, Uint8Array>();
const compiled = new WeakMap<CommandSpec, P1P2Check>();

/** For each byte value 0..255, 1 when the declared byte accepts it (computed once per declaration). */
function acceptMap(b: ParamByte): Uint8Array {
  let m = byteMaps.get(b);
  if (m === undefined) {
    m = new Uint8Array(256);
    for (let x = 0; x < 256; x++) m[x] = byteAccepts(b, x) ? 1 : 0;
    byteMaps.set(b, m);
  }
  return m;
}

/**
 * p1p2Refusal for one command, compiled once (and cached per declaration): a table look-up per form
 * instead of a walk over the declaration on every command. For P1 and P2 in 0..255 (bytes of an
 * APDU) it answers exactly as p1p2Refusal(spec, p1, p2).
 */
export function p1p2RefusalCheck(spec: CommandSpec): P1P2Check {
  let check = compiled.get(spec);
  if (check !== undefined) return check;
  const d = declared(spec.p1p2);
  if (d === undefined || d.checkedBy === 'handler') {
    check = REFUSE_NONE;
  } else {
    const sw = wrongP1P2Sw(d, spec.cla);
    const maps = d.forms.map((f) => [acceptMap(f.p1), acceptMap(f.p2)] as const);
    if (maps.some(([a, b]) => a.every((x) => x === 1) && b.every((x) => x === 1))) check = REFUSE_NONE;
    else if (maps.length === 1) {
      const [a, b] = maps[0]!;
      check = (p1, p2) => (a[p1] === 1 && b[p2] === 1 ? undefined : sw);
    } else {
      check = (p1, p2) => {
        for (let i = 0; i < maps.length; i++) if (maps[i]![0][p1] === 1 && maps[i]![1][p2] === 1) return undefined;
        return sw;
      };
    }
  }
  compiled.set(spec, check);
  return check;
}

const hex = (n: number, digits = 2): string => n.toString(16).padStart(digits, '0').toUpperCase();

function bitRange(mask: number): string {
  let hi = 7;
  while (hi > 0 && ((mask >> hi) & 1) === 0) hi--;
  const lo = shift(mask);
  return hi === lo ? `b${hi + 1}` : `b${hi + 1}..b${lo + 1}`;
}

/** Width in hex digits of a field's value. */
function digits(f: ParamField): number {
  const m = (f.mask ?? 0xff) >> shift(f.mask ?? 0xff);
  return m > 0xf ? 2 : 1;
}

function nameOne(f: ParamField, byte: number): string {
  const x = fieldValue(f, byte);
  const named = f.values?.find((n) => n.value === x);
  if (named) return named.name;
  if (!fieldAccepts(f, byte)) return `${f.name ? f.name + ' ' : ''}${hex(x, digits(f))}: not declared`;
  if (f.mask === undefined || f.mask === 0xff) return f.name;
  return `${f.name} ${x}`;
}

function nameByte(b: ParamByte, byte: number): string {
  return b
    .map((f) => nameOne(f, byte))
    .filter((s) => s !== '')
    .join(', ');
}

/**
 * P1 and P2 by name, as the trace decoder prints them: `P1=04 (by DF name) P2=04 (return FCP)`;
 * a value no form accepts reads "…: not declared". Empty when the command declares nothing.
 */
export function describeP1P2(decl: P1P2Spec | undefined, p1: number, p2: number): string {
  const spec = declared(decl);
  if (spec === undefined || spec.forms.length === 0) return '';
  const form = spec.forms.find((f) => byteAccepts(f.p1, p1) && byteAccepts(f.p2, p2)) ?? spec.forms.find((f) => byteAccepts(f.p1, p1)) ?? spec.forms[0]!;
  const one = (label: string, b: ParamByte, byte: number): string => {
    const n = nameByte(b, byte);
    return n === '' ? `${label}=${hex(byte)}` : `${label}=${hex(byte)} (${n})`;
  };
  return `${one('P1', form.p1, p1)} ${one('P2', form.p2, p2)}`;
}

function valuesText(f: ParamField): string {
  const d = digits(f);
  const parts = (f.values ?? []).map((n) => (n.name ? `${hex(n.value, d)} ${n.name}` : hex(n.value, d)));
  if (f.range) parts.unshift(`${hex(f.range[0], d)}..${hex(f.range[1], d)}`);
  return parts.join(', ');
}

function fieldText(f: ParamField): string {
  const where = f.mask === undefined || f.mask === 0xff ? '' : `${bitRange(f.mask)} `;
  const vals = valuesText(f);
  const open = f.open === true || (f.values === undefined && f.range === undefined);
  if (open) return `${where}${f.name}${vals ? ` (${vals}${f.values?.length ? '; others: the handler decides' : ''})` : ''}`.trim();
  if (!f.name) return `${where}${vals}`;
  return `${where}${f.name}: ${vals}`;
}

function byteText(b: ParamByte): string {
  return b.map(fieldText).join('; ');
}

/** The human text of a declaration (command reference): `P1 04 by DF name; P2 …`, forms separated by " | ". */
export function p1p2Text(decl: P1P2Spec | undefined): string {
  if (typeof decl === 'string') return decl;
  const spec = declared(decl);
  if (spec === undefined) return '—';
  const text = spec.forms.map((f) => `P1 ${byteText(f.p1)}; P2 ${byteText(f.p2)}`).join(' | ');
  const sw = spec.sw !== undefined ? ` (else ${hex(spec.sw, 4)})` : '';
  const by = spec.checkedBy === 'handler' ? ' [checked by the command after its other checks]' : '';
  return `${text}${sw}${by}${spec.note ? ` — ${spec.note}` : ''}`;
}
