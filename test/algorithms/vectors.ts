/** Loads the shared test-vector files (../shared/vectors beside the repo) for the algorithm suites. */

import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { hexToBytes } from '../../card/runtime/bytes.js';

export function loadVectors<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../../shared/vectors/${file}`, import.meta.url), 'utf8')) as T;
}

export const h = hexToBytes;

export interface MilenageSet {
  set: number;
  k: string;
  rand: string;
  sqn: string;
  amf: string;
  op: string;
  opc: string;
  f1: string;
  f1star: string;
  f2: string;
  f3: string;
  f4: string;
  f5: string;
  f5star: string;
}
export interface GsmMilenageSet {
  k: string;
  rand: string;
  opc: string;
  sres1: string;
  sres2: string;
  kc: string;
}
export interface A3A8Vector {
  ki: string;
  rand: string;
  sres: string;
  kc: string;
}
export interface XorAndComp128 {
  xor3g: {
    k: string;
    rand: string;
    sqn: string;
    amf: string;
    autn: string;
    res: string;
    ck: string;
    ik: string;
    sres: string;
    kc: string;
  };
  xor2g: A3A8Vector;
  comp128v1: A3A8Vector[];
  comp128v2: A3A8Vector[];
  comp128v3: A3A8Vector[];
}

export const milenageSets = (): MilenageSet[] => loadVectors<{ sets: MilenageSet[] }>('milenage-ts35207.json').sets;
export const gsmMilenageSets = (): GsmMilenageSet[] =>
  loadVectors<{ sets: GsmMilenageSet[] }>('gsm-milenage-ts55205.json').sets;
export const xorAndComp128 = (): XorAndComp128 => loadVectors<XorAndComp128>('xor-and-comp128.json');

/** Deterministic pseudo-random bytes (xorshift32) so failures reproduce. */
export function prng(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}

/** Asserts that `fn` throws exactly this error class with exactly this message. */
export function expectError(fn: () => unknown, type: typeof RangeError | typeof TypeError, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).message).toBe(message);
}
