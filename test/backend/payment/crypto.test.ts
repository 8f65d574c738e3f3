/**
 * The payment cryptography against published vectors and second implementations: AES-CMAC
 * (RFC 4493 §4) on the card and on node:crypto, property cross-check; card ECDSA signatures
 * checked by node:crypto (IEEE P1363 r‖s); issuer certificates checked by node's X509Certificate;
 * the canonical TLV parser's strictness; the profile section's errors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify as nodeVerify, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { aesCmac, cmacSubkeys } from '../../../card/algorithms/index.js';
import { sign } from '../../../card/algorithms/p256.js';

const ecdsaSign = (m: Uint8Array, k: Uint8Array, lowS = true): Uint8Array => sign(m, k, { lowS });
import { p256 } from '@noble/curves/nist.js';
import { hexToBytes } from '../../../card/runtime/index.js';
import { IssuerCA, verifyCardCertificate, PaymentBackendError } from '../../../host/backend/payment/index.js';
import { paymentProfileSchema } from '../../../host/profile/payment.js';
import { makeRig, order } from '../../applets/payment/fixture.js';
import { buildRecord, decodeDateTime, encodeDateTime, encodeSignFields, parseFields, TlvError } from '../../../card/protocol/index.js';

const V = JSON.parse(readFileSync(new URL('./vectors/rfc4493.json', import.meta.url), 'utf8'));
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('AES-CMAC (RFC 4493)', () => {
  it('card subkeys K1, K2 match §4', () => {
    const [k1, k2] = cmacSubkeys(hexToBytes(V.key));
    expect(hex(k1)).toBe(V.k1);
    expect(hex(k2)).toBe(V.k2);
  });

  for (const ex of V.examples) {
    it(`example with ${ex.length} bytes (the one implementation, card/algorithms; node:crypto cross-check in test/algorithms/aes-cmac.test.ts)`, () => {
      expect(hex(aesCmac(hexToBytes(V.key), hexToBytes(ex.message)))).toBe(ex.mac);
    });
  }
});

describe('card ECDSA signing (RFC 6979)', () => {
  it('RFC 6979 A.2.5, P-256 / SHA-256, message "sample": k-derived r and s as published', () => {
    const x = hexToBytes('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
    const sig = ecdsaSign(new TextEncoder().encode('sample'), x, false);
    expect(hex(sig)).toBe('efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' + 'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8');
    const sig2 = ecdsaSign(new TextEncoder().encode('test'), x, false);
    expect(hex(sig2)).toBe('f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367' + '019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083');
  });

  it('equals noble p256.sign (low-S by default, high-S form with lowS false) and verifies strictly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ maxLength: 200 }), (seed, m) => {
        const { secretKey } = p256.keygen(seed);
        const sig = ecdsaSign(m, secretKey);
        expect(hex(sig)).toBe(hex(p256.sign(m, secretKey)));
        expect(hex(ecdsaSign(m, secretKey, false))).toBe(hex(p256.sign(m, secretKey, { lowS: false })));
        expect(p256.verify(sig, m, p256.getPublicKey(secretKey))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('ECDSA and certificates, second implementation', () => {
  it('node:crypto verifies the card signature (raw r‖s) with the key from the X.509 certificate', async () => {
    const rig = await makeRig();
    const x509 = new X509Certificate(Buffer.from(rig.certificate));
    const root = new X509Certificate(Buffer.from(rig.issuer.certificate));
    expect(x509.verify(root.publicKey)).toBe(true);
    expect(x509.checkIssued(root)).toBe(true);
    expect(x509.subject).toContain('serialNumber=0102030405060708');
    await rig.client.verifyCode(new TextEncoder().encode('1234'));
    const f = { ...order(), challenge: new Uint8Array(16).fill(3) };
    const r = await rig.client.sign(f);
    const record = buildRecord(rig.cardId, 1, encodeSignFields(f), 1, 0);
    const key = createPublicKey(x509.publicKey.export({ format: 'pem', type: 'spki' }));
    expect(nodeVerify('sha256', record, { key, dsaEncoding: 'ieee-p1363' }, r.data.slice(4))).toBe(true);
    record[record.length - 1]! ^= 1;
    expect(nodeVerify('sha256', record, { key, dsaEncoding: 'ieee-p1363' }, r.data.slice(4))).toBe(false);
  });

  it('verifyCardCertificate: refuses another issuer, expired certificates and garbage', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const ca = new IssuerCA({ now: () => t0, validityDays: 30 });
    const pub = hexToBytes('04' + '6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296' + '4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5');
    const der = ca.issueCardCertificate(hexToBytes('a1a2a3a4a5a6a7a8'), pub);
    expect(hex(verifyCardCertificate(der, ca.publicKey, t0 + 1000).cardId)).toBe('a1a2a3a4a5a6a7a8');
    const err = (fn: () => unknown): string => {
      try {
        fn();
        return 'ok';
      } catch (e) {
        return e instanceof PaymentBackendError ? e.code : String(e);
      }
    };
    expect(err(() => verifyCardCertificate(der, new IssuerCA().publicKey, t0))).toBe('CERT_INVALID');
    expect(err(() => verifyCardCertificate(der, ca.publicKey, t0 + 31 * 86_400_000))).toBe('CERT_INVALID');
    expect(err(() => verifyCardCertificate(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00), ca.publicKey, t0))).toBe('CERT_INVALID');
    expect(err(() => ca.issueCardCertificate(hexToBytes('a1a2a3a4a5a6a7a8'), new Uint8Array(65).fill(4)))).not.toBe('ok'); // not a curve point
  });
});

describe('canonical TLV and record fields', () => {
  it('rejects non-minimal lengths, trailing bytes, wrong order', () => {
    const f = [{ tag: 0xc1, length: [1, 200] as const }];
    expect(() => parseFields(Uint8Array.of(0xc1, 0x81, 0x01, 0xaa), f, 't')).toThrow(TlvError);
    expect(() => parseFields(Uint8Array.of(0xc1, 0x01, 0xaa, 0x00), f, 't')).toThrow(/unexpected bytes at offset 3/);
    expect(() => parseFields(Uint8Array.of(0xc2, 0x01, 0xaa), f, 't')).toThrow(/expected tag c1/);
    expect(() => parseFields(Uint8Array.of(0xc1, 0x05, 0xaa), f, 't')).toThrow(/runs past the end/);
    expect(parseFields(Uint8Array.of(0xc1, 0x01, 0xaa), f, 't')[0]).toEqual(Uint8Array.of(0xaa));
  });

  it('date-time BCD round trip and calendar checks', () => {
    const d = new Date(Date.UTC(2026, 1, 28, 23, 59, 59));
    expect(hex(encodeDateTime(d))).toBe('20260228235959');
    expect(decodeDateTime(encodeDateTime(d))?.getTime()).toBe(d.getTime());
    expect(decodeDateTime(hexToBytes('20260230000000'))).toBeNull();
    expect(decodeDateTime(hexToBytes('2026013124600a'))).toBeNull();
  });
});

describe('profile section', () => {
  it('errors name the field', () => {
    const r = paymentProfileSchema.safeParse({ card_id: '01', payment_code: '12a4', unblock_code: '123', users: [{ user_id: 'a', credential: '' }] });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['card_id', 'payment_code', 'unblock_code', 'users.0.credential']));
  });
});
