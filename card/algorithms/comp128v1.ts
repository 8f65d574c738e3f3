/**
 * COMP128-1 (COMP128v1), the GSM MoU example A3/A8: SRES (4 bytes) and Kc (8 bytes, last 10 bits
 * zero) from Ki and RAND (16 bytes each). No 3GPP clause publishes it: this follows the
 * description in the Racal "GSM System Security Study" (10-1617-01, Part I §20) as corrected by
 * Briceno, Goldberg and Wagner (1998):
 *  - x[0..15] = Ki, x[16..31] = RAND; 8 rounds of: reload Ki into x[0..15], compress x with the
 *    butterfly over T0..T4, and (rounds 1..7) permute the 128 nibble bits into x[16..31];
 *  - SRES = the first 8 nibbles of x; Kc = bits 74..127 of x (as 32 nibbles) then 10 zero bits.
 */

import { bytesOf } from './check.js';
import { COMP128V1_T0, COMP128V1_T1, COMP128V1_T2, COMP128V1_T3, COMP128V1_T4 } from './comp128v1-tables.js';
import type { GsmAuthOutput } from './types.js';

const TABLES = [COMP128V1_T0, COMP128V1_T1, COMP128V1_T2, COMP128V1_T3, COMP128V1_T4] as const;

/**
 * Five levels of butterflies. At level j the 32 bytes form 2^j blocks; each pairs byte a of the
 * first half with byte b of the second: a ← Tj[(a + 2b) mod 2^(9-j)], b ← Tj[(2a + b) mod 2^(9-j)].
 * After level 4 every byte is a nibble.
 */
function compress(x: Uint8Array): void {
  for (let level = 0; level < 5; level++) {
    const table = TABLES[level]!;
    const mask = table.length - 1;
    const half = 16 >> level;
    for (let block = 0; block < 32; block += 2 * half) {
      for (let a = block; a < block + half; a++) {
        const b = a + half;
        const xa = x[a]!;
        const xb = x[b]!;
        x[a] = table[(xa + 2 * xb) & mask]!;
        x[b] = table[(2 * xa + xb) & mask]!;
      }
    }
  }
}

/** Bit n (0..127, most significant first) of x read as 32 nibbles. */
function nibbleBit(x: Uint8Array, n: number): number {
  return (x[n >> 2]! >> (3 - (n & 3))) & 1;
}

/** x[16..31] ← the nibble bits of x, bit i of the result taken from bit 17·i mod 128. */
function permute(x: Uint8Array, scratch: Uint8Array): void {
  scratch.fill(0);
  for (let i = 0; i < 128; i++) scratch[i >> 3]! |= nibbleBit(x, (17 * i) & 127) << (7 - (i & 7));
  x.set(scratch, 16);
}

export function comp128v1(ki: Uint8Array, rand: Uint8Array): GsmAuthOutput {
  bytesOf('ki', ki, 16);
  bytesOf('rand', rand, 16);
  const x = new Uint8Array(32);
  const scratch = new Uint8Array(16);
  x.set(rand, 16);
  for (let round = 1; round <= 8; round++) {
    x.set(ki, 0);
    compress(x);
    if (round < 8) permute(x, scratch);
  }
  const sres = new Uint8Array(4);
  for (let i = 0; i < 4; i++) sres[i] = (x[2 * i]! << 4) | x[2 * i + 1]!;
  // 54 significant bits; the 10 bits after them stay zero (the deliberately shortened Kc).
  const kc = new Uint8Array(8);
  for (let i = 0; i < 54; i++) kc[i >> 3]! |= nibbleBit(x, 74 + i) << (7 - (i & 7));
  return { sres, kc };
}
