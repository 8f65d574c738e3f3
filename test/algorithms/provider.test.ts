/**
 * Issue 20: the card's crypto providers — the pure-TypeScript default (card/algorithms/provider.ts)
 * and the Node one (host/crypto/node-provider.ts) — each run over the published vectors (FIPS-197
 * C.1, FIPS 180-4 examples, RFC 6979 A.2.5) and node:crypto, and against each other byte for byte
 * (public keys, deterministic and hedged RFC 6979 signatures, verification verdicts, errors), so a
 * card gives the same image and the same responses whichever provider runs it.
 */
import { describe, expect, it } from 'vitest';
import { createCipheriv, createHash, createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { PURE_CRYPTO, P256_ORDER, bigToBytes, bytesToBig, cryptoOf, scalarFromSeed } from '../../card/algorithms/index.js';
import { Card, bytesToHex, defaultCryptoProvider, setDefaultCryptoProvider, type CryptoProvider } from '../../card/runtime/index.js';
import { NODE_CRYPTO, cryptoProvider, installCryptoFromEnv } from '../../host/crypto/node-provider.js';
import { expectError, h, prng } from './vectors.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const N = P256_ORDER;
// RFC 6979 Appendix A.2.5 (P-256, SHA-256 rows).
const A25 = {
  x: 'c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721',
  pub: '0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb67903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
  sample: 'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
  test: 'f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083',
};

function nodeKey(pub: Uint8Array): ReturnType<typeof createPublicKey> {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(pub.subarray(1, 33)).toString('base64url'), y: Buffer.from(pub.subarray(33)).toString('base64url') }, format: 'jwk' });
}

describe.each([PURE_CRYPTO, NODE_CRYPTO])('crypto provider "$name"', (cp: CryptoProvider) => {
  it('AES-128: FIPS-197 C.1, node:crypto aes-128-ecb on 300 random keys and blocks, into `out`', () => {
    expect(bytesToHex(cp.aes128Encrypt(h('000102030405060708090a0b0c0d0e0f'), h('00112233445566778899aabbccddeeff')))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    for (let i = 0; i < 300; i++) {
      const key = new Uint8Array(randomBytes(16));
      const block = new Uint8Array(randomBytes(16));
      const c = createCipheriv('aes-128-ecb', key, null);
      c.setAutoPadding(false);
      const out = new Uint8Array(16);
      expect(cp.aes128Encrypt(key, block, out)).toBe(out);
      expect(bytesToHex(out)).toBe(c.update(block).toString('hex'));
    }
    expectError(() => cp.aes128Encrypt(new Uint8Array(16), new Uint8Array(15)), RangeError, '"block" expected 16 bytes, got 15');
  });

  it('SHA-256: FIPS 180-4 examples, node:crypto for every length 0..200, a fresh array each call', () => {
    expect(bytesToHex(cp.sha256(enc('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(cp.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(cp.sha256(enc('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    for (let n = 0; n <= 200; n++) {
      const d = new Uint8Array(randomBytes(n));
      expect(bytesToHex(cp.sha256(d)), `length ${n}`).toBe(createHash('sha256').update(d).digest('hex'));
    }
    const a = cp.sha256(enc('x'));
    cp.sha256(enc('y'));
    expect(bytesToHex(a)).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    expect(() => cp.sha256('abc' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('P-256: RFC 6979 A.2.5 public key and signatures ("sample", "test"; high-S as printed, low-S by default), verified', () => {
    const x = h(A25.x);
    expect(bytesToHex(cp.p256PublicKey(x))).toBe(A25.pub);
    for (const m of ['sample', 'test'] as const) {
      const digest = cp.sha256(enc(m));
      expect(bytesToHex(cp.p256Sign(x, digest, undefined, false))).toBe(A25[m]);
      const low = cp.p256Sign(x, digest);
      const s = bytesToBig(h(A25[m].slice(64)));
      expect(bytesToHex(low)).toBe(A25[m].slice(0, 64) + bytesToHex(bigToBytes(s > N >> 1n ? N - s : s, 32)));
      expect(cp.p256Verify(h(A25.pub), digest, low)).toBe(true);
      expect(cp.p256Verify(h(A25.pub), digest, low, false)).toBe(true);
      const bad = low.slice();
      bad[63]! ^= 1;
      expect(cp.p256Verify(h(A25.pub), digest, bad)).toBe(false);
    }
  });

  it('P-256: node:crypto verifies hedged signatures over 100 random keys and digests', () => {
    const rnd = prng(20);
    for (let i = 0; i < 100; i++) {
      const d = bigToBytes(scalarFromSeed(rnd(48)), 32);
      const pub = cp.p256PublicKey(d);
      const msg = rnd(1 + (i % 90));
      const sig = cp.p256Sign(d, cp.sha256(msg), rnd(16));
      expect(nodeVerify('sha256', msg, { key: nodeKey(pub), dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      expect(cp.p256Verify(pub, cp.sha256(msg), sig, false)).toBe(true);
    }
  });

  it('P-256: a scalar outside 1..n-1 or of the wrong length is refused with the same message', () => {
    for (const bad of [new Uint8Array(32), bigToBytes(N, 32), new Uint8Array(31).fill(1)]) {
      expectError(() => cp.p256PublicKey(bad), RangeError, '"secretKey" expected 32 bytes holding a scalar in 1..n-1');
      expectError(() => cp.p256Sign(bad, new Uint8Array(32)), RangeError, '"secretKey" expected 32 bytes holding a scalar in 1..n-1');
    }
    expectError(() => cp.p256Sign(h(A25.x), new Uint8Array(31)), RangeError, '"digest" expected 32 bytes, got 31');
  });
});

describe('the providers against each other', () => {
  it('give the same public keys, the same signatures (deterministic and hedged, low- and high-S) and the same verdicts on 100 random inputs', () => {
    const rnd = prng(2020);
    for (let i = 0; i < 100; i++) {
      const d = bigToBytes(scalarFromSeed(rnd(48)), 32);
      const digest = rnd(32);
      const extra = i % 3 === 0 ? undefined : rnd(16);
      const lowS = i % 5 !== 0;
      const pub = PURE_CRYPTO.p256PublicKey(d);
      expect(bytesToHex(NODE_CRYPTO.p256PublicKey(d))).toBe(bytesToHex(pub));
      const sig = PURE_CRYPTO.p256Sign(d, digest, extra, lowS);
      expect(bytesToHex(NODE_CRYPTO.p256Sign(d, digest, extra, lowS))).toBe(bytesToHex(sig));
      const tampered = i % 2 === 0 ? sig : Uint8Array.from(sig, (b, j) => (j === i % 64 ? b ^ 0x40 : b));
      expect(NODE_CRYPTO.p256Verify(pub, digest, tampered, false)).toBe(PURE_CRYPTO.p256Verify(pub, digest, tampered, false));
      expect(NODE_CRYPTO.p256Verify(pub, digest, tampered, false)).toBe(i % 2 === 0);
    }
  });
});

describe('choosing the provider', () => {
  it('by name, with a clear error for anything else', () => {
    expect(cryptoProvider('node')).toBe(NODE_CRYPTO);
    expect(cryptoProvider('pure')).toBe(PURE_CRYPTO);
    expectError(() => cryptoProvider('openssl', 'CARDFORGE_CRYPTO'), RangeError, 'CARDFORGE_CRYPTO: expected "node" or "pure", got "openssl"');
  });

  it('from CARDFORGE_CRYPTO into new cards (unset: the fallback); a card option or assignment overrides it', () => {
    const before = defaultCryptoProvider();
    try {
      expect(installCryptoFromEnv({ CARDFORGE_CRYPTO: 'node' }, 'pure')).toBe(NODE_CRYPTO);
      expect(new Card().crypto).toBe(NODE_CRYPTO);
      expect(installCryptoFromEnv({}, 'pure')).toBe(PURE_CRYPTO);
      expect(new Card().crypto).toBe(PURE_CRYPTO);
      expect(new Card({ crypto: NODE_CRYPTO }).crypto).toBe(NODE_CRYPTO);
      expectError(() => installCryptoFromEnv({ CARDFORGE_CRYPTO: 'fast' }), RangeError, 'CARDFORGE_CRYPTO: expected "node" or "pure", got "fast"');
      setDefaultCryptoProvider(undefined);
      expect(cryptoOf({ crypto: new Card().crypto })).toBe(PURE_CRYPTO);
    } finally {
      setDefaultCryptoProvider(before);
    }
  });
});
