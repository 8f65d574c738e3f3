/**
 * Field validators shared by every profile section (hex of a fixed or bounded length, decimal
 * digit strings), with the house message shape:
 *   `expected 32 hex digits (16 bytes) of Ki, got "0011" (4 digits)`
 *   `expected 32 hex digits (16 bytes) of Ki; "g" at column 5 is not a hex digit`
 * IDs, PINs and keys are strings: a number would already have lost leading zeros or precision
 * (YAML `iccid: 8949000000000000001` is a float), so a number is refused with "quote it"
 * (load.ts reports the same for YAML with the scalar's own text and line).
 */
import { z } from 'zod';

const HEX = /^[0-9a-fA-F]*$/;

/** The first character of `s` (spaces allowed between bytes) that is not a hex digit, with its 1-based column. */
export function badChar(s: string, ok: RegExp): { char: string; column: number } | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!ok.test(c) && !/\s/.test(c)) return { char: c, column: i + 1 };
  }
  return undefined;
}

function notAString(v: unknown, what: string): string {
  if (typeof v === 'number' || typeof v === 'bigint') return `${what} must be a quoted string; got the number ${String(v)} (quote it: a number loses leading zeros and digits beyond 15)`;
  return `expected ${what} as a quoted string, got ${v === null ? 'nothing' : typeof v}`;
}

/** Hex of exactly n bytes; spaces allowed between bytes. */
export function hexBytes(n: number, what = 'hex'): z.ZodType<string> {
  return z
    .string({ error: (iss) => notAString(iss.input, `${2 * n} hex digits (${n} bytes) of ${what}`) })
    .superRefine((raw, ctx) => {
      const bad = badChar(raw, /[0-9a-fA-F]/);
      if (bad) ctx.addIssue({ code: 'custom', message: `expected ${2 * n} hex digits (${n} bytes) of ${what}; "${bad.char}" at column ${bad.column} is not a hex digit` });
    })
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => !HEX.test(s) || s.length === 2 * n, { error: (iss) => `expected ${2 * n} hex digits (${n} bytes) of ${what}, got ${describe(iss.input)}` });
}

/** Hex of any whole number of bytes within [min, max]. */
export function hexRange(min: number, max: number): z.ZodType<string> {
  return z
    .string({ error: (iss) => notAString(iss.input, 'hex') })
    .superRefine((raw, ctx) => {
      const bad = badChar(raw, /[0-9a-fA-F]/);
      if (bad) ctx.addIssue({ code: 'custom', message: `expected ${min}..${max} bytes as hex; "${bad.char}" at column ${bad.column} is not a hex digit` });
    })
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => !HEX.test(s) || (s.length % 2 === 0 && s.length / 2 >= min && s.length / 2 <= max), {
      error: (iss) => `expected ${min}..${max} bytes as hex (an even number of hex digits), got ${describe(iss.input)}`,
    });
}

/** A string of min..max decimal digits (an ICCID, IMSI, PIN, PUK, code); a non-digit is named with its column. */
export function digitString(min: number, max: number, what: string): z.ZodType<string> {
  return z
    .string({ error: (iss) => notAString(iss.input, `${what} (${min}..${max} decimal digits)`) })
    .superRefine((s, ctx) => {
      const bad = badChar(s, /[0-9]/) ?? (/\s/.test(s) ? { char: ' ', column: s.search(/\s/) + 1 } : undefined);
      if (bad) ctx.addIssue({ code: 'custom', message: `expected ${what}: ${min}..${max} decimal digits; "${bad.char}" at column ${bad.column} is not a decimal digit` });
      else if (s.length < min || s.length > max) ctx.addIssue({ code: 'custom', message: `expected ${what}: ${min}..${max} decimal digits, got ${describe(s)}` });
    });
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}…" (${v.length} characters)` : `"${v}" (${v.replace(/\s+/g, '').length} digits)`;
  return JSON.stringify(v) ?? String(v);
}
