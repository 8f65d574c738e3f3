/**
 * The ledger's cryptography against second implementations: ECDSA P-256 (card side, precomputed
 * tables, hedged nonces) against noble's p256 and node:crypto; the ticket seal round trip and its
 * tamper checks (its AES-CTR and AES-CMAC are tested in test/algorithms/aes-ctr.test.ts and
 * aes-cmac.test.ts). Guards: a wrong table/nonce/low-S detail producing signatures other verifiers
 * reject (or accepting ones they reject), a seal that opens for the wrong card or after tampering.
 */
import { describe, expect, it } from 'vitest';
import { createPublicKey, verify as nodeVerify, createPrivateKey, sign as nodeSign } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes, bytesToHex } from '../../../card/runtime/index.js';
import { bytesToBig, publicKeyOf, signDigest, verifyDigest } from '../../../card/algorithms/index.js';
import { open as openSealed, seal } from '../../../card/applets/ledger/seal.js';

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
function nodeKey(pub: Uint8Array) {
  return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33)) }, format: 'jwk' });
}

describe('ECDSA P-256 (card side)', () => {
  const secret = hexToBytes('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721'); // RFC 6979 A.2.5 key
  const d = bytesToBig(secret);
  const pub = publicKeyOf(d);

  it('derives the RFC 6979 A.2.5 public key', () => {
    expect(bytesToHex(pub.subarray(1, 33))).toBe('60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6');
    expect(bytesToHex(pub.subarray(33))).toBe('7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299');
  });

  it('signatures verify with noble and node:crypto (sha256 prehash done by both), low-S', () => {
    const nodePub = nodeKey(pub);
    for (let i = 0; i < 20; i++) {
      const msg = Uint8Array.of(i, 1, 2, 3);
      const digest = sha256(msg);
      const sig = signDigest(d, digest, Uint8Array.of(i));
      expect(p256.verify(sig, digest, pub, { prehash: false })).toBe(true);
      expect(nodeVerify('sha256', msg, { key: nodePub, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
      expect(bytesToBig(sig.subarray(32)) <= p256.Point.Fn.ORDER >> 1n).toBe(true);
    }
  });

  it('verifies node:crypto and noble signatures, and rejects tampering', () => {
    const priv = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(pub.subarray(1, 33)), y: b64u(pub.subarray(33)), d: b64u(secret) }, format: 'jwk' });
    const msg = new TextEncoder().encode('sample');
    const digest = sha256(msg);
    const s1 = new Uint8Array(nodeSign('sha256', msg, { key: priv, dsaEncoding: 'ieee-p1363' }));
    expect(verifyDigest(pub, digest, s1)).toBe(true);
    const s2 = p256.sign(digest, secret, { prehash: false });
    expect(verifyDigest(pub, digest, s2)).toBe(true);
    const bad = s2.slice();
    bad[5]! ^= 1;
    expect(verifyDigest(pub, digest, bad)).toBe(false);
    expect(verifyDigest(pub, sha256(Uint8Array.of(1)), s2)).toBe(false);
    expect(verifyDigest(pub, digest, new Uint8Array(64))).toBe(false); // r = s = 0
    const offCurve = pub.slice();
    offCurve[64]! ^= 1;
    expect(verifyDigest(offCurve, digest, s2)).toBe(false);
  });

  it('the nonce depends on the digest even with the same randomness (no k reuse)', () => {
    const a = signDigest(d, new Uint8Array(32).fill(1), new Uint8Array(16));
    const b = signDigest(d, new Uint8Array(32).fill(2), new Uint8Array(16));
    expect(bytesToHex(a.subarray(0, 32))).not.toBe(bytesToHex(b.subarray(0, 32)));
  });
});

describe('seal / open', () => {
  const dB = 0x42424242424242424242n;
  const pubB = publicKeyOf(dB);
  const plain = Uint8Array.from({ length: 225 }, (_, i) => i);
  const sealed = seal(pubB, plain, new Uint8Array(48).fill(5))!;

  it('opens for the recipient only', () => {
    expect(sealed.length).toBe(225 + 65 + 16);
    expect(openSealed(dB, sealed)).toEqual(plain);
    expect(openSealed(dB + 1n, sealed)).toBeUndefined();
  });

  it('refuses any flipped bit (ephemeral key, ciphertext, tag) and a truncation', () => {
    for (const i of [1, 70, 200, sealed.length - 1]) {
      const t = sealed.slice();
      t[i]! ^= 0x01;
      expect(openSealed(dB, t), `byte ${i}`).toBeUndefined();
    }
    expect(openSealed(dB, sealed.subarray(0, 50))).toBeUndefined();
  });

  it('refuses a recipient key that is not on the curve', () => {
    const bad = pubB.slice();
    bad[40]! ^= 1;
    expect(seal(bad, plain, new Uint8Array(48))).toBeUndefined();
  });
});
