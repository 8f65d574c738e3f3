/**
 * Loading a profile file: YAML parsing (the `yaml` package, which keeps source positions) and
 * schema validation. Every problem becomes a ProfileError naming the file, the line, the field
 * path and the expected form, e.g.
 *   profile.yaml:9:7: auth.ki: expected 32 hex digits (16 bytes) of Ki, got "0011" (4 digits)
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, isMap, isSeq, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { profileSchema, type Profile } from './schema.js';
import { CardforgeError } from '../errors.js';

export interface ProfileIssue {
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export class ProfileError extends CardforgeError<'PROFILE_INVALID'> {
  constructor(readonly file: string, readonly issues: readonly ProfileIssue[]) {
    super('PROFILE_INVALID', issues.map((i) => `${file}${i.line ? `:${i.line}:${i.column ?? 1}` : ''}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'));
    this.name = 'ProfileError';
  }
}

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}

/** Position of the deepest node that exists along the path (the key itself when the value is missing). */
function position(doc: Document, lc: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]);
  }
  return undefined;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * The fields that are strings of digits or hex (IDs, PINs, codes, keys), as path patterns ('*' =
 * any key or index). YAML reads an unquoted `iccid: 8949000000000000001` as a float (…00f0 after
 * rounding) and `imsi: 001010123456789` as 1010123456789: such a scalar is refused before the
 * schema sees the damaged value, with its own text and the quoted form to write instead.
 */
export const STRING_FIELDS: readonly string[] = [
  'iccid', 'imsi', 'atr', 'msisdn',
  'auth.ki', 'auth.opc', 'auth.op', 'auth.sqn',
  'pins.pin1', 'pins.puk1', 'pins.pin2', 'pins.puk2', 'pins.adm1',
  'files.*', 'files.*.*',
  'payment.card_id', 'payment.payment_code', 'payment.unblock_code', 'payment.mac_key', 'payment.auth_server_public_key', 'payment.card_number', 'payment.card_number_key', 'payment.device_id', 'payment.users.*.user_id', 'payment.users.*.credential',
  'ledger.card_id', 'ledger.editor_root_key', 'ledger.issuer_key', 'ledger.server_key', 'ledger.consent.code',
  'wallet.wallet_id', 'wallet.issuer_key',
  'isd.key', 'isd.enc', 'isd.mac', 'isd.dek',
];

function matches(pattern: string, path: readonly (string | number)[]): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === String(path[i]));
}

/** Unquoted numbers (and booleans, nulls) where a string of digits or hex belongs. */
function unquotedIssues(doc: Document, lc: LineCounter, text: string): ProfileIssue[] {
  const out: ProfileIssue[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof k === 'string' || typeof k === 'number') walk(pair.value, [...path, k]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value !== 'string' && STRING_FIELDS.some((p) => matches(p, path))) {
      const src = node.range ? text.slice(node.range[0], node.range[1]).trim() : String(node.value);
      const kind = typeof node.value === 'number' || typeof node.value === 'bigint' ? 'a number' : typeof node.value === 'boolean' ? 'a boolean' : node.value === null ? 'null' : 'not a string';
      const last = path[path.length - 1];
      const write = typeof last === 'number' ? `- "${src}"` : `${last}: "${src}"`;
      const pos = node.range ? lc.linePos(node.range[0]) : undefined;
      out.push({ path: pathText(path), ...(pos ? { line: pos.line, column: pos.col } : {}), message: `${src} is ${kind} in YAML; quote it: ${write}` });
    }
  };
  walk(doc.contents, []);
  return out;
}

/** Where each parsed profile's fields are in its file, for problems found after parsing (keys vs back end). */
const SOURCES = new WeakMap<object, (path: string) => { line: number; col: number } | undefined>();

/** An issue about a parsed profile's field (dotted path), with the field's line when the profile came from a file. */
export function issueAt(profile: object, path: string, message: string): ProfileIssue {
  const pos = SOURCES.get(profile)?.(path);
  return { path, ...(pos ? { line: pos.line, column: pos.col } : {}), message };
}

export function parseProfileText<S extends z.ZodType = typeof profileSchema>(text: string, file: string, schema?: S): z.output<S> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ProfileError(
      file,
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: '', ...(pos ? { line: pos.line, column: pos.col } : {}), message: `YAML syntax: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` };
      }),
    );
  }
  const data = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ProfileError(file, [{ path: '', message: 'expected a mapping of profile keys (iccid, imsi, auth, pins, …)' }]);
  }
  const unquoted = unquotedIssues(doc, lc, text);
  const result = (schema ?? profileSchema).safeParse(data);
  if (result.success && !unquoted.length) {
    const parsed = result.data as z.output<S>;
    if (parsed !== null && typeof parsed === 'object') SOURCES.set(parsed, (path) => position(doc, lc, path.split('.')));
    return parsed;
  }
  const quotedPaths = new Set(unquoted.map((i) => i.path));
  const schemaIssues = result.success ? [] : result.error.issues.map((iss) => {
      const unknownKeys = iss.code === 'unrecognized_keys' ? iss.keys : [];
      const path = unknownKeys.length ? [...iss.path, unknownKeys[0]!] : iss.path;
      const pos = position(doc, lc, path);
      const missing = !unknownKeys.length && valueAt(data, path) === undefined;
      const message = missing ? `missing: ${iss.message}` : unknownKeys.length ? `unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')} (check the spelling; keys are snake_case)` : iss.message;
      return { path: pathText(path), ...(pos ? { line: pos.line, column: pos.col } : {}), message };
    });
  // An unquoted number's own issue says what to do; the schema's complaint about the damaged value adds nothing.
  const issues = [...unquoted, ...schemaIssues.filter((i) => !quotedPaths.has(i.path))];
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ProfileError(file, issues);
}

export function loadProfileFile(file: string): Profile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProfileError(file, [{ path: '', message: code === 'ENOENT' ? 'no such profile file' : `cannot read the profile (${code ?? (e as Error).message})` }]);
  }
  return parseProfileText(text, file);
}
