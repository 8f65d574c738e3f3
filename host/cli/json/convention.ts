/**
 * One JSON convention for every command's `--json` (issue 19): the building blocks each output
 * schema uses, so a consumer learns the shapes once.
 *
 * - bytes are lower-case hex without separators (`bytesToHex`), status words 4 hex digits;
 * - a secret command's data is starred per hidden digit unless `--show-secrets` (host/trace/mask.ts);
 * - an error under `--json` is `{"error": {"code", "message"}}` on stdout (exit code unchanged);
 * - a streaming command (emulate) prints one JSON object per line (JSON lines), each with `event`.
 *
 * Schemas are zod (already the profile validator): `z.toJSONSchema` renders them into
 * docs/json.md, and every emitted value is parsed against its schema first — an output that
 * drifts from its documentation is a bug caught by the tests, never shipped silently.
 */
import { z } from 'zod';
import type { CliContext } from '../context.js';

export const hex = z.string().regex(/^(?:[0-9a-f]{2})*$/).describe('bytes as lower-case hex, no separators');
/** A command as shown: hex, with a secret's digits as '*' unless revealed. */
export const maskedHex = z.string().regex(/^[0-9a-f*]*$/).describe('command bytes as lower-case hex; a secret command\'s data digits are "*" unless --show-secrets');
export const sw = z.string().regex(/^[0-9a-f]{4}$/).describe('status word SW1SW2, 4 lower-case hex digits');

export const errorSchema = z
  .object({ error: z.object({ code: z.string().describe('stable error code (CliError codes, card error codes, commander.* for usage, INTERNAL for a bug)'), message: z.string() }).strict() })
  .strict();

/** One documented JSON output of a command. */
export interface JsonOutput<S extends z.ZodType = z.ZodType> {
  /** The command line that prints it, e.g. `send --json`. */
  readonly command: string;
  readonly description: string;
  readonly schema: S;
  /** JSON lines: one value per line (streaming commands). */
  readonly lines?: boolean;
}

export function jsonOutput<S extends z.ZodType>(o: JsonOutput<S>): JsonOutput<S> {
  return o;
}

function checked<S extends z.ZodType>(output: JsonOutput<S>, value: z.input<S>): unknown {
  const r = output.schema.safeParse(value);
  // A drift is a bug, not a user error: a plain Error, which describeError reports as INTERNAL.
  if (!r.success) throw new Error(`the JSON printed by \`${output.command}\` does not match its documented schema (docs/json.md): ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return value;
}

/** Prints one JSON document (pretty, 2 spaces) after checking it against its schema. */
export function emitJson<S extends z.ZodType>(ctx: CliContext, output: JsonOutput<S>, value: z.input<S>): void {
  ctx.out(JSON.stringify(checked(output, value), null, 2));
}

/** Prints one JSON line (a streaming command's event) after checking it against its schema. */
export function emitJsonLine<S extends z.ZodType>(ctx: CliContext, output: JsonOutput<S>, value: z.input<S>): void {
  ctx.out(JSON.stringify(checked(output, value)));
}

/** True when the command line asks for JSON (`--json` before any `--`): errors are then printed as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--json') return true;
  }
  return false;
}

export function errorJson(code: string, message: string): string {
  return JSON.stringify(errorSchema.parse({ error: { code, message } }));
}
