/**
 * Random source and clock, injectable so a run can be deterministic (seeded DRBG, virtual clock)
 * for trace replay and tests, and cryptographically strong by default (Web Crypto getRandomValues).
 * The seeded generator is HMAC-DRBG with SHA-256 (NIST SP 800-90A §10.1.2) without reseeding.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export interface Rng {
  /** Fill `out` with random bytes and return it. */
  fill(out: Uint8Array): Uint8Array;
  readonly deterministic: boolean;
}

export class CryptoRng implements Rng {
  readonly deterministic = false;
  fill(out: Uint8Array): Uint8Array {
    // getRandomValues accepts at most 65536 bytes per call.
    for (let off = 0; off < out.length; off += 65536) globalThis.crypto.getRandomValues(out.subarray(off, Math.min(out.length, off + 65536)));
    return out;
  }
}

export class SeededRng implements Rng {
  readonly deterministic = true;
  private k = new Uint8Array(32);
  private v = new Uint8Array(32).fill(1);
  constructor(seed: Uint8Array | string) {
    const s = typeof seed === 'string' ? new TextEncoder().encode(seed) : seed;
    this.update(s);
  }
  private update(data: Uint8Array): void {
    const a = new Uint8Array(this.v.length + 1 + data.length);
    a.set(this.v);
    a[this.v.length] = 0;
    a.set(data, this.v.length + 1);
    this.k = hmac(sha256, this.k, a);
    this.v = hmac(sha256, this.k, this.v);
    if (data.length) {
      a.set(this.v);
      a[this.v.length] = 1;
      this.k = hmac(sha256, this.k, a);
      this.v = hmac(sha256, this.k, this.v);
    }
  }
  fill(out: Uint8Array): Uint8Array {
    let off = 0;
    while (off < out.length) {
      this.v = hmac(sha256, this.k, this.v);
      const n = Math.min(32, out.length - off);
      out.set(this.v.subarray(0, n), off);
      off += n;
    }
    this.update(new Uint8Array(0));
    return out;
  }
  /** Internal state, so snapshots can rewind the generator too. */
  save(): [Uint8Array, Uint8Array] {
    return [this.k.slice(), this.v.slice()];
  }
  load(state: [Uint8Array, Uint8Array]): void {
    this.k = state[0].slice();
    this.v = state[1].slice();
  }
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  readonly virtual: boolean;
}

export class SystemClock implements Clock {
  readonly virtual = false;
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to: deterministic runs and replays. */
export class VirtualClock implements Clock {
  readonly virtual = true;
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`"ms" expected a non-negative number, got ${ms}`);
    this.t += ms;
  }
  set(t: number): void {
    this.t = t;
  }
}
