/**
 * The one-shot SHA-256 against FIPS 180-4 examples (NIST CSRC example values) and two other
 * implementations (node:crypto, @noble/hashes) over every length around the padding boundaries.
 */
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { sha256 as noble } from '@noble/hashes/sha2.js';
import { sha256 } from '../../card/algorithms/index.js';
import { bytesToHex } from '../../card/runtime/bytes.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sha256 (one-shot)', () => {
  it('FIPS 180-4 example vectors', () => {
    expect(bytesToHex(sha256(enc('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(bytesToHex(sha256(enc('a'.repeat(1_000_000))))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('agrees with node:crypto and noble for every length 0..300', () => {
    for (let n = 0; n <= 300; n++) {
      const d = new Uint8Array(randomBytes(n));
      const ours = bytesToHex(sha256(d));
      expect(ours, `length ${n}`).toBe(createHash('sha256').update(d).digest('hex'));
      expect(ours).toBe(bytesToHex(noble(d)));
    }
  });

  it('returns a fresh array each call (no shared output buffer)', () => {
    const a = sha256(enc('x'));
    const b = sha256(enc('y'));
    expect(bytesToHex(a)).not.toBe(bytesToHex(b));
    expect(bytesToHex(a)).toBe(bytesToHex(sha256(enc('x'))));
  });

  it('rejects non-bytes with TypeError', () => {
    expect(() => sha256('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
