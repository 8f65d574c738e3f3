/**
 * The one-shot SHA-256 against FIPS 180-4 examples (NIST CSRC example values) and two other
 * implementations (node:crypto, @noble/hashes) over every length around the padding boundaries.
 */
import { describe, expect, it } from 'vitest';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { sha256 as noble } from '@noble/hashes/sha2.js';
import { HmacSha256, sha256 } from '../../card/algorithms/index.js';
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

describe('HmacSha256 (pad states kept per key)', () => {
  const ref = (key: Uint8Array, msg: Uint8Array): string => createHmac('sha256', key).update(msg).digest('hex');

  it('RFC 4231 test case 2 and 6 (short key; key longer than a block)', () => {
    expect(bytesToHex(new HmacSha256().setKey(enc('Jefe')).mac(enc('what do ya want for nothing?')))).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(bytesToHex(new HmacSha256().setKey(new Uint8Array(131).fill(0xaa)).mac(enc('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('equals node:crypto HMAC for keys of 0..200 bytes and messages of 0..200 bytes, several MACs per key, one instance re-keyed', () => {
    const m = new HmacSha256();
    for (const kl of [0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 100, 200]) {
      const key = randomBytes(kl);
      m.setKey(key);
      for (const ml of [0, 1, 32, 33, 55, 56, 63, 64, 65, 97, 119, 120, 128, 161, 200]) {
        const msg = randomBytes(ml);
        expect(bytesToHex(m.mac(msg)), `key ${kl} B, message ${ml} B`).toBe(ref(key, msg));
      }
    }
  });

  it('macInto writes at the offset and may overwrite its own message (V = HMAC_K(V))', () => {
    const key = randomBytes(32);
    const v = randomBytes(32);
    const want = ref(key, v);
    const m = new HmacSha256().setKey(key);
    const buf = new Uint8Array(40);
    m.macInto(v, buf, 8);
    expect(bytesToHex(buf.subarray(8))).toBe(want);
    expect(bytesToHex(buf.subarray(0, 8))).toBe('0000000000000000');
    const same = new Uint8Array(v);
    m.macInto(same, same);
    expect(bytesToHex(same)).toBe(want);
  });

  it('a message hashed with sha256 between two MACs does not disturb the kept key state', () => {
    const key = randomBytes(32);
    const m = new HmacSha256().setKey(key);
    const a = m.mac(enc('first'));
    sha256(randomBytes(300));
    expect(bytesToHex(m.mac(enc('second')))).toBe(ref(key, enc('second')));
    expect(bytesToHex(a)).toBe(ref(key, enc('first')));
  });

  it('refuses a key that is not bytes', () => {
    expect(() => new HmacSha256().setKey('key' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
