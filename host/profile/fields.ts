/**
 * Field validators shared by every profile section (hex of a fixed or bounded length), with the
 * house message shape: `expected 32 hex digits (16 bytes) of Ki, got "0011" (4 digits)`.
 */
import { z } from 'zod';

const HEX = /^[0-9a-fA-F]*$/;

/** Hex of exactly n bytes; spaces allowed between bytes. */
export function hexBytes(n: number, what = 'hex'): z.ZodType<string> {
  return z
    .string({ error: `expected a string of ${2 * n} hex digits (${n} bytes)` })
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => HEX.test(s) && s.length === 2 * n, { error: (iss) => `expected ${2 * n} hex digits (${n} bytes) of ${what}, got ${describe(iss.input)}` });
}

/** Hex of any whole number of bytes within [min, max]. */
export function hexRange(min: number, max: number): z.ZodType<string> {
  return z
    .string({ error: 'expected a hex string' })
    .transform((s) => s.replace(/\s+/g, ''))
    .refine((s) => HEX.test(s) && s.length % 2 === 0 && s.length / 2 >= min && s.length / 2 <= max, {
      error: (iss) => `expected ${min}..${max} bytes as hex (an even number of hex digits), got ${describe(iss.input)}`,
    });
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `"${v.slice(0, 37)}…" (${v.length} characters)` : `"${v}" (${v.replace(/\s+/g, '').length} digits)`;
  return JSON.stringify(v) ?? String(v);
}

