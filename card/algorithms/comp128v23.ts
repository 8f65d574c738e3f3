/**
 * COMP128-2 and COMP128-3 (A3/A8): SRES (4 bytes) and Kc (8 bytes) from Ki and RAND (16 bytes
 * each). Not published by 3GPP; this follows the algorithm recovered by Tamas Jos
 * (github.com/skelsec/COMP128):
 *  - Ki and RAND are byte-reversed; KXOR = Ki' ⊕ RAND';
 *  - the state (starting at RAND') goes 8 times through a 5-round butterfly network keyed by KXOR
 *    (tables T0, T1), then a bit selection: output bit n = state bit 19·(n+1) mod 256;
 *  - the final state reversed gives SRES = bytes 0..3 and Kc = bytes 8..15 (4..7 are unused).
 * COMP128-3 keeps the whole 64-bit Kc; COMP128-2 zeroes its last 10 bits, like COMP128-1.
 */

import { bytesOf } from './check.js';
import { COMP128V23_T0, COMP128V23_T1 } from './comp128v23-tables.js';
import type { GsmAuthOutput } from './types.js';

const T0 = COMP128V23_T0;
const T1 = COMP128V23_T1;

/** One pass: state (16 bytes) and KXOR in, new state out. */
function pass(state: Uint8Array, kxor: Uint8Array, w: Uint8Array, tmp: Uint8Array, out: Uint8Array): void {
  w.set(state, 0);
  w.set(kxor, 16);
  for (let i = 0; i < 5; i++) {
    for (let z = 0; z < 16; z++) tmp[z] = T0[T1[w[16 + z]!]! ^ w[z]!]!;
    // Every read below (tmp[src], w[16 + src]) precedes any write to that position in this
    // round, so updating w in place equals computing the round from the old w.
    for (let j = 0; j < 1 << i; j++) {
      for (let k = 0; k < 1 << (4 - i); k++) {
        const src = (k << i) + j;
        w[((2 * k + 1) << i) + j] = T0[T1[tmp[src]!]! ^ w[16 + src]!]!;
        w[(k << (i + 1)) + j] = tmp[src]!;
      }
    }
  }
  // Bits numbered from the least significant bit of each byte.
  out.fill(0);
  for (let n = 0; n < 128; n++) {
    const b = (19 * (n + 1)) & 255;
    out[n >> 3]! |= ((w[b >> 3]! >> (b & 7)) & 1) << (n & 7);
  }
}

function comp128v23(ki: Uint8Array, rand: Uint8Array, fullKc: boolean): { sres: Uint8Array; kc: Uint8Array } {
  bytesOf('ki', ki, 16);
  bytesOf('rand', rand, 16);
  const state = new Uint8Array(16);
  const kxor = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    state[i] = rand[15 - i]!;
    kxor[i] = ki[15 - i]! ^ rand[15 - i]!;
  }
  const w = new Uint8Array(32);
  const tmp = new Uint8Array(16);
  const next = new Uint8Array(16);
  for (let r = 0; r < 8; r++) {
    pass(state, kxor, w, tmp, next);
    state.set(next);
  }
  const sres = new Uint8Array(4);
  for (let i = 0; i < 4; i++) sres[i] = state[15 - i]!;
  const kc = new Uint8Array(8);
  for (let i = 0; i < 8; i++) kc[i] = state[7 - i]!;
  if (!fullKc) {
    kc[6]! &= 0xfc;
    kc[7] = 0;
  }
  return { sres, kc };
}

/** COMP128-2: Kc with its last 10 bits zero. */
export function comp128v2(ki: Uint8Array, rand: Uint8Array): GsmAuthOutput {
  return comp128v23(ki, rand, false);
}

/** COMP128-3: COMP128-2 with the full 64-bit Kc. */
export function comp128v3(ki: Uint8Array, rand: Uint8Array): GsmAuthOutput {
  return comp128v23(ki, rand, true);
}
