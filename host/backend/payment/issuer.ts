/**
 * The issuer CA (design card: "an ECDSA P-256 key pair generated on the card … its public key in a
 * card certificate signed by an issuer CA"). Certificates are X.509 v3 (RFC 5280) built and parsed
 * with pkijs/asn1js; the signature is ecdsa-with-SHA256 (RFC 5758 §3.2) over the DER TBSCertificate,
 * made and checked with @noble/curves (DER-encoded Ecdsa-Sig-Value, RFC 5480 §2.2 key encoding).
 * The card id travels in the subject's serialNumber attribute (X.520 2.5.4.5) as upper-case hex.
 * RFC 5280 strict (`openssl verify -x509_strict`, test/backend/payment/x509-strict.test.ts): every
 * certificate carries a subjectKeyIdentifier (§4.2.1.2, method 1) and an authorityKeyIdentifier
 * (§4.2.1.1, the CA's key identifier; the self-signed CA's names itself), basicConstraints critical
 * (cA only for the CA), keyUsage critical (keyCertSign|cRLSign for the CA, digitalSignature for a
 * card or an editor), a positive serial. Editors (seed 004, per-editor keys) get an end-entity
 * certificate of their offer-signing key with the editor id as the subject's serialNumber.
 * authorizeStore() signs the card's STORE CERTIFICATE grant (card id, card challenge, certificate).
 */
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { p256 } from '@noble/curves/nist.js';
import { buildCertificateGrant } from '../../../card/protocol/index.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../../card/runtime/index.js';
import { PaymentBackendError } from './errors.js';

export const OID = {
  EC_PUBLIC_KEY: '1.2.840.10045.2.1', // RFC 5480 §2.1.1
  PRIME256V1: '1.2.840.10045.3.1.7', // RFC 5480 §2.1.1.1 secp256r1
  ECDSA_WITH_SHA256: '1.2.840.10045.4.3.2', // RFC 5758 §3.2
  COMMON_NAME: '2.5.4.3',
  SERIAL_NUMBER: '2.5.4.5',
  ORGANIZATION: '2.5.4.10',
  KEY_USAGE: '2.5.29.15',
  BASIC_CONSTRAINTS: '2.5.29.19',
  SUBJECT_KEY_IDENTIFIER: '2.5.29.14',
  AUTHORITY_KEY_IDENTIFIER: '2.5.29.35',
} as const;

/** The key identifier of RFC 5280 §4.2.1.2 method (1): SHA-1 over the subjectPublicKey BIT STRING's value. */
export function keyIdentifier(publicKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKey).digest());
}

export interface CardCertificateInfo {
  readonly cardId: Uint8Array;
  /** 65 bytes, 04‖X‖Y. */
  readonly publicKey: Uint8Array;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly issuer: string;
}

export interface IssuerOptions {
  readonly name?: string;
  /** Fixed CA key (32 bytes) for reproducible runs; default: fresh random. */
  readonly secretKey?: Uint8Array;
  readonly now?: () => number;
  readonly validityDays?: number;
}

function name(cn: string, org: string, serial?: string): pkijs.RelativeDistinguishedNames {
  const tv = [
    new pkijs.AttributeTypeAndValue({ type: OID.ORGANIZATION, value: new asn1js.Utf8String({ value: org }) }),
    new pkijs.AttributeTypeAndValue({ type: OID.COMMON_NAME, value: new asn1js.Utf8String({ value: cn }) }),
  ];
  if (serial !== undefined) tv.push(new pkijs.AttributeTypeAndValue({ type: OID.SERIAL_NUMBER, value: new asn1js.PrintableString({ value: serial }) }));
  return new pkijs.RelativeDistinguishedNames({ typesAndValues: tv });
}

function ecSpki(publicKey: Uint8Array): pkijs.PublicKeyInfo {
  return new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.EC_PUBLIC_KEY, algorithmParams: new asn1js.ObjectIdentifier({ value: OID.PRIME256V1 }) }),
    subjectPublicKey: new asn1js.BitString({ valueHex: publicKey }),
  });
}

function extension(id: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID: id, critical, extnValue: value.toBER(false) });
}

function attr(rdn: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  const v = rdn.typesAndValues.find((t) => t.type === type)?.value as { valueBlock?: { value?: unknown } } | undefined;
  const s = v?.valueBlock?.value;
  return typeof s === 'string' ? s : undefined;
}

export class IssuerCA {
  readonly name: string;
  /** 65 bytes, 04‖X‖Y: personalized into the card (STORE CERTIFICATE) and the servers' trust anchor. */
  readonly publicKey: Uint8Array;
  /** The self-signed CA certificate (DER). */
  readonly certificate: Uint8Array;
  private readonly secretKey: Uint8Array;
  private readonly now: () => number;
  private readonly validityMs: number;
  private serial = 1;

  constructor(opts: IssuerOptions = {}) {
    this.name = opts.name ?? 'cardforge issuer CA';
    this.secretKey = (opts.secretKey ?? p256.utils.randomSecretKey()).slice();
    if (this.secretKey.length !== 32) throw new PaymentBackendError('BAD_INPUT', `"secretKey" expected 32 bytes, got ${this.secretKey.length}`);
    this.publicKey = p256.getPublicKey(this.secretKey, false);
    this.now = opts.now ?? Date.now;
    this.validityMs = (opts.validityDays ?? 3650) * 86_400_000;
    this.certificate = this.build(name(this.name, 'cardforge'), this.publicKey, true);
  }

  /** X.509 v3 end-entity certificate for a card's on-card generated key. */
  issueCardCertificate(cardId: Uint8Array, cardPublicKey: Uint8Array): Uint8Array {
    if (cardId.length < 8 || cardId.length > 16) throw new PaymentBackendError('BAD_INPUT', `"cardId" expected 8..16 bytes, got ${cardId.length}`);
    if (cardPublicKey.length !== 65) throw new PaymentBackendError('BAD_INPUT', `"cardPublicKey" expected 65 bytes (04‖X‖Y), got ${cardPublicKey.length}`);
    p256.Point.fromBytes(cardPublicKey); // rejects points off the curve
    return this.build(name('cardforge payment card', 'cardforge', bytesToHex(cardId).toUpperCase()), cardPublicKey, false);
  }

  /** X.509 v3 end-entity certificate of an editor's offer-signing key (seed 004): editor id (4 bytes) as serialNumber. */
  issueEditorCertificate(editorId: Uint8Array, editorPublicKey: Uint8Array, editorName = 'cardforge editor'): Uint8Array {
    if (editorId.length !== 4) throw new PaymentBackendError('BAD_INPUT', `"editorId" expected 4 bytes, got ${editorId.length}`);
    if (editorPublicKey.length !== 65) throw new PaymentBackendError('BAD_INPUT', `"editorPublicKey" expected 65 bytes (04‖X‖Y), got ${editorPublicKey.length}`);
    p256.Point.fromBytes(editorPublicKey);
    return this.build(name(editorName, 'cardforge editors', bytesToHex(editorId).toUpperCase()), editorPublicKey, false);
  }

  /** The issuer signature (raw r‖s) over the card's STORE CERTIFICATE grant. */
  authorizeStore(cardId: Uint8Array, cardChallenge: Uint8Array, certificate: Uint8Array): Uint8Array {
    return p256.sign(buildCertificateGrant(cardId, cardChallenge, certificate), this.secretKey);
  }

  private build(subject: pkijs.RelativeDistinguishedNames, publicKey: Uint8Array, ca: boolean): Uint8Array {
    const t = this.now();
    const cert = new pkijs.Certificate();
    cert.version = 2;
    const serial = randomBytes(8);
    serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, no leading zero (RFC 5280 §4.1.2.2)
    cert.serialNumber = new asn1js.Integer({ valueHex: new Uint8Array([...serial.subarray(0, 4), (this.serial >>> 24) & 0xff, (this.serial >>> 16) & 0xff, (this.serial >>> 8) & 0xff, this.serial & 0xff]) });
    this.serial++;
    cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ECDSA_WITH_SHA256 });
    cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID.ECDSA_WITH_SHA256 });
    cert.issuer = name(this.name, 'cardforge');
    cert.subject = subject;
    cert.notBefore = new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: new Date(Math.floor(t / 1000) * 1000 - 60_000) });
    cert.notAfter = new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: new Date(Math.floor(t / 1000) * 1000 + this.validityMs) });
    cert.subjectPublicKeyInfo = ecSpki(publicKey);
    // keyUsage: keyCertSign|cRLSign for the CA, digitalSignature for a card (RFC 5280 §4.2.1.3).
    const ku = ca ? new asn1js.BitString({ valueHex: Uint8Array.of(0x06), unusedBits: 1 }) : new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 });
    const aki = new asn1js.Sequence({ value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyIdentifier(this.publicKey) })] });
    cert.extensions = [
      extension(OID.BASIC_CONSTRAINTS, true, (ca ? new pkijs.BasicConstraints({ cA: true }) : new pkijs.BasicConstraints({})).toSchema()),
      extension(OID.KEY_USAGE, true, ku),
      extension(OID.SUBJECT_KEY_IDENTIFIER, false, new asn1js.OctetString({ valueHex: keyIdentifier(publicKey) })),
      extension(OID.AUTHORITY_KEY_IDENTIFIER, false, aki),
    ];
    const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
    cert.signatureValue = new asn1js.BitString({ valueHex: p256.sign(tbs, this.secretKey, { format: 'der' }) });
    return new Uint8Array(cert.toSchema(true).toBER(false));
  }
}

/** Signature (by this issuer), P-256 subject key and validity of one issued certificate; throws CERT_INVALID. */
function checkIssued(der: Uint8Array, issuerPublicKey: Uint8Array, now: number, what: string): { cert: pkijs.Certificate; publicKey: Uint8Array } {
  const fail = (why: string): never => {
    throw new PaymentBackendError('CERT_INVALID', `${what} certificate: ${why}`);
  };
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(der);
  } catch (e) {
    return fail(`not a DER X.509 certificate (${(e as Error).message})`);
  }
  if (cert.signatureAlgorithm.algorithmId !== OID.ECDSA_WITH_SHA256 || cert.signature.algorithmId !== OID.ECDSA_WITH_SHA256) fail('signature algorithm is not ecdsa-with-SHA256');
  const sig = new Uint8Array(cert.signatureValue.valueBlock.valueHexView);
  let ok = false;
  try {
    ok = p256.verify(sig, cert.tbsView, issuerPublicKey, { format: 'der', lowS: false });
  } catch {
    ok = false;
  }
  if (!ok) fail('not signed by this issuer');
  const spki = cert.subjectPublicKeyInfo;
  const params = spki.algorithm.algorithmParams as asn1js.ObjectIdentifier | undefined;
  if (spki.algorithm.algorithmId !== OID.EC_PUBLIC_KEY || params?.valueBlock?.toString() !== OID.PRIME256V1) fail('subject key is not an EC P-256 key');
  const publicKey = new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView);
  if (publicKey.length !== 65 || publicKey[0] !== 0x04) fail('subject key is not an uncompressed P-256 point');
  const notBefore = cert.notBefore.value;
  const notAfter = cert.notAfter.value;
  if (now < notBefore.getTime() || now > notAfter.getTime()) fail(`outside its validity (${notBefore.toISOString()} .. ${notAfter.toISOString()})`);
  return { cert, publicKey };
}

/**
 * Parse and check a card certificate against the issuer's public key: ecdsa-with-SHA256 signature
 * over the TBS, P-256 subject key, validity at `now`, card id in the subject. Throws CERT_INVALID.
 */
export function verifyCardCertificate(der: Uint8Array, issuerPublicKey: Uint8Array, now: number = Date.now()): CardCertificateInfo {
  const { cert, publicKey } = checkIssued(der, issuerPublicKey, now, 'card');
  const idHex = attr(cert.subject, OID.SERIAL_NUMBER);
  if (idHex === undefined || !/^[0-9A-F]{16,32}$/.test(idHex)) throw new PaymentBackendError('CERT_INVALID', 'card certificate: subject has no card id (serialNumber attribute)');
  return {
    cardId: hexToBytes(idHex),
    publicKey,
    serial: bytesToHex(new Uint8Array(cert.serialNumber.valueBlock.valueHexView)),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    issuer: attr(cert.issuer, OID.COMMON_NAME) ?? '',
  };
}

/** An editor certificate checked (seed 004): the editor id (4 bytes) and its offer-signing key. */
export interface EditorCertificateInfo {
  readonly editorId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly name: string;
}

/** Parse and check an editor certificate (issueEditorCertificate) against the issuer's key. Throws CERT_INVALID. */
export function verifyEditorCertificate(der: Uint8Array, issuerPublicKey: Uint8Array, now: number = Date.now()): EditorCertificateInfo {
  const { cert, publicKey } = checkIssued(der, issuerPublicKey, now, 'editor');
  const idHex = attr(cert.subject, OID.SERIAL_NUMBER);
  if (idHex === undefined || !/^[0-9A-F]{8}$/.test(idHex)) throw new PaymentBackendError('CERT_INVALID', 'editor certificate: subject has no editor id (serialNumber attribute, 4 bytes)');
  return { editorId: hexToBytes(idHex), publicKey, name: attr(cert.subject, OID.COMMON_NAME) ?? '' };
}

/** Whether a certificate's subject key is exactly this key (for the card-read key check). */
export function certificateHoldsKey(info: CardCertificateInfo, publicKey: Uint8Array): boolean {
  return equalBytes(info.publicKey, publicKey);
}
