/**
 * Loading a profile file: YAML parsing (the `yaml` package, which keeps source positions) and
 * schema validation. Every problem becomes a ProfileError naming the file, the line, the field
 * path and the expected form, e.g.
 *   profile.yaml:9:7: auth.ki: expected 32 hex digits (16 bytes) of Ki, got "0011" (4 digits)
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
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
  const result = (schema ?? profileSchema).safeParse(data);
  if (result.success) return result.data as z.output<S>;
  throw new ProfileError(
    file,
    result.error.issues.map((iss) => {
      const unknownKeys = iss.code === 'unrecognized_keys' ? iss.keys : [];
      const path = unknownKeys.length ? [...iss.path, unknownKeys[0]!] : iss.path;
      const pos = position(doc, lc, path);
      const missing = !unknownKeys.length && valueAt(data, path) === undefined;
      const message = missing ? `missing: ${iss.message}` : unknownKeys.length ? `unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.map((k) => `"${k}"`).join(', ')} (check the spelling; keys are snake_case)` : iss.message;
      return { path: pathText(path), ...(pos ? { line: pos.line, column: pos.col } : {}), message };
    }),
  );
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
