/**
 * The payment applet (issue 5; seeds: SFR JP 2000-69571, NTT DoCoMo EP 1 280 115, Mall Service
 * JP 2001-076059). Commands and record layout: apdu-specs/payment.ts.
 * - ECDSA P-256 key pair generated on the card at install (ctx.rng seeds keygen); signing is
 *   RFC 6979 deterministic (card/algorithms/p256.ts), so no nonce comes from the RNG and a replayed RNG state
 *   cannot leak the key. The private key, the MAC key and the codes have no read path.
 * - SIGN TRANSACTION computes the signature first, then commits the counter step in one
 *   transaction, then answers: a tear before the commit leaves the old counter and no signature,
 *   a tear after it leaves the new counter and the signature never released. A counter value is
 *   signed at most once; at 2^32-1 the card stops signing for good (sticky overflow, 6984).
 * - One payment-code VERIFY authorises exactly one SIGN TRANSACTION or GET PROFILE; the flag is
 *   transient and cleared by reset and deselect. A failing command never consumes it.
 */
import { PAYMENT_COMMANDS, PAYMENT_DATA_OBJECTS as DO, PAYMENT_REFS, PAYMENT_TAGS as T, SIGN_MODES } from '../../../apdu-specs/payment.js';
import { PERSONALIZATION_COMMANDS } from '../../../apdu-specs/personalization.js';
import { SESSION_FACTS, type SubscriberAuthentication } from '../../../apdu-specs/session-facts.js';
import { SW } from '../../../apdu-specs/status-words.js';
import {
  Applet, CardError, OwnerPin, triesLeft, type AppletContext, type AppletParams, type CommandApdu, type LayoutFields, type PBool, type PBytes, type PU32, type PVarBytes, type Reply,
  storeDataBlock,
} from '../../runtime/index.js';
import { aesCmac } from '../../algorithms/aes-cmac.js';
import { bigToBytes, isValidPublicKey, scalarFromSeed } from '../../algorithms/p256.js';
import { cryptoOf } from '../../algorithms/provider.js';
import { buildCertificateGrant, buildProfileGrant, buildProfileRelease, buildRecord, buildToken, CARD_NUMBER_DIGITS, checkSignFields, encipherCardNumber, NO_IDENTITY, type RecordIdentity } from '../../protocol/payment.js';
import { concat, hexToBytes, readU48, u32, u48 } from '../../runtime/bytes.js';
import { parseFields, tlv, TlvError } from '../../protocol/index.js';
import { isPaymentFactory, paymentTable, PaymentStoreData } from './store-data.js';
import {
  CARD_ID_LENGTH, COUNTER_MAX, CREDENTIAL_MAX_LENGTH, ID_MAX_LENGTH, PAYMENT_CODE_LENGTH, PAYMENT_DEFAULTS as D, UNBLOCK_CODE_LENGTH, type PaymentParams, type PaymentPersonalization,
} from './types.js';

const IDENTIFICATION: Readonly<Record<SubscriberAuthentication, number>> = { gsm: 0x01, '3g': 0x02, 'gsm-context': 0x03 };
const CVM_PAYMENT_CODE = 0x01;

function intParam(p: AppletParams, name: keyof PaymentParams, def: number, min: number, max: number): number {
  const v = p[name] ?? def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`payment params: "${name}" expected ${min}..${max}, got ${String(v)}`);
  return v;
}

function checkLen(name: string, v: Uint8Array | undefined, min: number, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new TypeError(`payment personalization: "${name}" expected Uint8Array, got ${typeof v}`);
  if (v.length < min || v.length > max) throw new RangeError(`payment personalization: "${name}" expected ${min}..${max} bytes, got ${v.length}`);
  return v;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

export class PaymentApplet extends Applet {
  static readonly type = 'cardforge.payment';
  /** Layout 2 (issue 18) adds the card number, its key and the number counter (DoCoMo second embodiment). */
  static readonly layout = 2;
  /** Layout 1 images load with no card number personalized (ENCIPHER CARD NUMBER answers 6A88). */
  static migrateLayout(from: number, fields: LayoutFields): LayoutFields {
    return { ...fields, cardNumber: new Uint8Array(CARD_NUMBER_DIGITS.max + 2), 'cardNumber.key': new Uint8Array(16), 'cardNumber.counter': new Uint8Array(4) };
  }
  override readonly extendedLength = true;
  private readonly maxUsers: number; // layout (params), not state
  private readonly cardId: PVarBytes;
  private readonly privateKey: PBytes;
  private readonly publicKey: PBytes;
  private readonly macKey: PBytes;
  private readonly macKeySet: PBool;
  private readonly counter: PU32;
  private readonly issuerKey: PBytes;
  private readonly authKey: PBytes;
  private readonly authKeySet: PBool;
  private readonly certificate: PVarBytes;
  private readonly profile: PVarBytes;
  private readonly deviceId: PVarBytes;
  private readonly tokenLifetime: PU32;
  private readonly requireId: PBool;
  /** DoCoMo second embodiment: the card number, its key with the card company, the number counter. */
  private readonly cardNumber: PVarBytes;
  private readonly numberKey: PBytes;
  private readonly numberCounter: PU32;
  private readonly paymentCode: OwnerPin;
  private readonly unblockCode: OwnerPin;
  private readonly userIds: PVarBytes[] = [];
  private readonly credentials: OwnerPin[] = [];
  /** RAM: [length, challenge…] of the card challenge awaiting a STORE command. */
  private readonly challenge: Uint8Array;
  /** RAM: 6-byte expiry per user slot. */
  private readonly expiries: Uint8Array;
  /** PERSO_STORE_DATA and the blank state (store-data.ts, issue 8). */
  private readonly perso: PaymentStoreData;

  readonly commands = paymentTable([...PAYMENT_COMMANDS, ...PERSONALIZATION_COMMANDS], () => this.perso, {
    VERIFY: (a) => this.verify(a),
    RESET_RETRY_COUNTER: (a) => this.resetRetryCounter(a),
    GET_CHALLENGE: (a) => this.getChallenge(a),
    GET_DATA: (a) => this.getData(a),
    SIGN_TRANSACTION: (a) => this.sign(a),
    GET_AUTH_RESULT: (a) => this.getAuthResult(a),
    STORE_CERTIFICATE: (a) => this.storeCertificate(a),
    STORE_PROFILE: (a) => this.storeProfile(a),
    GET_PROFILE: (a) => this.getProfile(a),
    ENCIPHER_CARD_NUMBER: (a) => this.encipherCardNumber(a),
  });

  constructor(ctx: AppletContext, params: AppletParams = {}) {
    super(ctx, params);
    this.maxUsers = intParam(params, 'maxUsers', D.maxUsers, 0, 16);
    const s = ctx.persistent;
    this.cardId = s.varBytes('cardId', CARD_ID_LENGTH.max);
    this.privateKey = s.bytes('ecdsa.private', 32);
    this.publicKey = s.bytes('ecdsa.public', 65);
    this.macKey = s.bytes('mac.key', 16);
    this.macKeySet = s.bool('mac.set');
    this.counter = s.u32('counter');
    this.issuerKey = s.bytes('issuer.public', 65);
    this.authKey = s.bytes('auth.public', 65);
    this.authKeySet = s.bool('auth.set');
    this.certificate = s.varBytes('certificate', intParam(params, 'certificateMaxLength', D.certificateMaxLength, 64, 4096));
    this.profile = s.varBytes('profile', intParam(params, 'profileMaxLength', D.profileMaxLength, 0, 8192));
    this.deviceId = s.varBytes('deviceId', ID_MAX_LENGTH);
    this.tokenLifetime = s.u32('token.lifetime');
    this.requireId = s.bool('requireIdentification');
    this.cardNumber = s.varBytes('cardNumber', CARD_NUMBER_DIGITS.max);
    this.numberKey = s.bytes('cardNumber.key', 16);
    this.numberCounter = s.u32('cardNumber.counter');
    this.paymentCode = new OwnerPin(s, ctx.transient, 'paymentCode', { tryLimit: intParam(params, 'paymentCodeTryLimit', D.paymentCodeTryLimit, 1, 15), maxLength: PAYMENT_CODE_LENGTH.max, clearOn: 'deselect' });
    this.unblockCode = new OwnerPin(s, ctx.transient, 'unblockCode', { tryLimit: intParam(params, 'unblockCodeTryLimit', D.unblockCodeTryLimit, 1, 15), maxLength: UNBLOCK_CODE_LENGTH });
    const credLimit = intParam(params, 'credentialTryLimit', D.credentialTryLimit, 1, 15);
    for (let i = 0; i < this.maxUsers; i++) {
      this.userIds.push(s.varBytes(`user${i}.id`, ID_MAX_LENGTH));
      this.credentials.push(new OwnerPin(s, ctx.transient, `user${i}.credential`, { tryLimit: credLimit, maxLength: CREDENTIAL_MAX_LENGTH }));
    }
    this.challenge = ctx.transient.bytes('challenge', 33);
    this.expiries = ctx.transient.bytes('expiries', 6 * Math.max(1, this.maxUsers));
    this.perso = new PaymentStoreData(ctx, {
      cardId: this.cardId, paymentCode: this.paymentCode, unblockCode: this.unblockCode, macKey: this.macKey, macKeySet: this.macKeySet, issuerKey: this.issuerKey,
      authKey: this.authKey, authKeySet: this.authKeySet, userIds: this.userIds, credentials: this.credentials, deviceId: this.deviceId,
      tokenLifetime: this.tokenLifetime, requireId: this.requireId, counter: this.counter, cardNumber: this.cardNumber, numberKey: this.numberKey, generateKeys: () => this.generateKeys(),
    });
  }

  /** STORE DATA blocks forwarded by the ISD (INSTALL [for personalization]; perso.ts PersoBlocks). */
  override processData(command: Uint8Array): void {
    this.perso.processData(storeDataBlock(command));
  }

  override install(personalization: unknown): void {
    // Blank (issue 8): layout only; the ISD's STORE DATA personalizes it and generates the keys.
    if (isPaymentFactory(personalization)) return this.perso.factory();
    // Installed without personalization (an image template, the registry check): keys only.
    const empty = typeof personalization === 'object' && personalization !== null && Object.keys(personalization).length === 0;
    if (!empty) this.personalize(personalization as PaymentPersonalization);
    this.generateKeys();
  }

  /** ECDSA P-256 over SHA-256(message) with the card key (RFC 6979 nonce), through the card's crypto provider. */
  private ecdsaSign(message: Uint8Array): Uint8Array {
    const cp = cryptoOf(this.ctx);
    return cp.p256Sign(this.privateKey.view(), cp.sha256(message));
  }

  /** Verify r‖s over SHA-256(message) under a long-lived key (issuer, server: its table is kept). */
  private ecdsaVerify(key: Uint8Array, message: Uint8Array, sig: Uint8Array): boolean {
    return cryptoOf(this.ctx).p256VerifyMessage(key, message, sig, true);
  }

  private generateKeys(): void {
    // On-card key generation: the seed comes from the card's RNG and is wiped after use.
    const seed = this.ctx.rng.fill(new Uint8Array(48));
    const secretKey = bigToBytes(scalarFromSeed(seed), 32);
    this.privateKey.set(secretKey);
    this.publicKey.set(cryptoOf(this.ctx).p256PublicKey(secretKey));
    seed.fill(0);
    secretKey.fill(0);
  }

  private personalize(p: PaymentPersonalization): void {
    this.cardId.set(checkLen('cardId', p.cardId, CARD_ID_LENGTH.min, CARD_ID_LENGTH.max));
    this.paymentCode.update(checkLen('paymentCode', p.paymentCode, PAYMENT_CODE_LENGTH.min, PAYMENT_CODE_LENGTH.max));
    this.unblockCode.update(checkLen('unblockCode', p.unblockCode, UNBLOCK_CODE_LENGTH, UNBLOCK_CODE_LENGTH));
    if (p.macKey !== undefined) {
      this.macKey.set(checkLen('macKey', p.macKey, 16, 16));
      this.macKeySet.set(true);
    }
    this.issuerKey.set(checkLen('issuerPublicKey', p.issuerPublicKey, 65, 65));
    if (!isValidPublicKey(this.issuerKey.view())) throw new RangeError('"issuerPublicKey" expected an uncompressed P-256 public key on the curve');
    if (p.authServerPublicKey !== undefined) {
      this.authKey.set(checkLen('authServerPublicKey', p.authServerPublicKey, 65, 65));
      if (!isValidPublicKey(this.authKey.view())) throw new RangeError('"authServerPublicKey" expected an uncompressed P-256 public key on the curve');
      this.authKeySet.set(true);
    }
    const users = p.users ?? [];
    if (users.length > this.maxUsers) throw new RangeError(`payment personalization: "users" expected at most ${this.maxUsers} (params.maxUsers), got ${users.length}`);
    users.forEach((u, i) => {
      this.userIds[i]!.set(checkLen(`users[${i}].userId`, u.userId, 1, ID_MAX_LENGTH));
      this.credentials[i]!.update(checkLen(`users[${i}].credential`, u.credential, 1, CREDENTIAL_MAX_LENGTH));
    });
    if (p.deviceId !== undefined) this.deviceId.set(checkLen('deviceId', p.deviceId, 1, ID_MAX_LENGTH));
    const life = p.tokenLifetimeSeconds ?? D.tokenLifetimeSeconds;
    if (!Number.isInteger(life) || life < 1 || life > 86400 * 31) throw new RangeError(`payment personalization: "tokenLifetimeSeconds" expected 1..2678400, got ${life}`);
    this.tokenLifetime.set(life);
    this.requireId.set(p.requireIdentification === true);
    const counter = p.initialCounter ?? 0;
    if (!Number.isInteger(counter) || counter < 0 || counter > COUNTER_MAX) throw new RangeError(`payment personalization: "initialCounter" expected 0..${COUNTER_MAX}, got ${counter}`);
    this.counter.set(counter);
    if ((p.cardNumber === undefined) !== (p.cardNumberKey === undefined)) throw new TypeError('payment personalization: "cardNumber" and "cardNumberKey" go together');
    if (p.cardNumber !== undefined) {
      const digits = checkLen('cardNumber', p.cardNumber, CARD_NUMBER_DIGITS.min, CARD_NUMBER_DIGITS.max);
      if (digits.some((d) => d < 0x30 || d > 0x39)) throw new RangeError('payment personalization: "cardNumber" expected ASCII digits');
      this.numberKey.set(checkLen('cardNumberKey', p.cardNumberKey, 16, 16));
      this.cardNumber.set(digits);
    }
  }

  override deselect(): void {
    this.challenge.fill(0);
  }

  // ---- codes ----

  private pinFor(p2: number): OwnerPin {
    if (p2 === PAYMENT_REFS.PAYMENT_CODE) {
      if (!this.paymentCode.initialised) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
      return this.paymentCode;
    }
    // 90..9F (the dispatcher refused the rest by VERIFY's declaration): a user slot, 6A88 unless configured.
    const pin = this.credentials[p2 - PAYMENT_REFS.USER_BASE];
    if (pin === undefined || !pin.initialised) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
    return pin;
  }

  private verify(apdu: CommandApdu): Reply {
    const pin = this.pinFor(apdu.p2);
    const slot = apdu.p2 - PAYMENT_REFS.USER_BASE;
    if (apdu.apduCase === 1) {
      if (pin.isValidated && (pin === this.paymentCode || !this.expired(slot))) return {};
      if (pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
      throw triesLeft(pin.triesRemaining);
    }
    if (pin.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    const min = pin === this.paymentCode ? PAYMENT_CODE_LENGTH.min : 1;
    if (apdu.data.length < min || apdu.data.length > pin.maxLength) throw new CardError(SW.WRONG_LENGTH);
    if (!pin.check(apdu.data)) throw triesLeft(pin.triesRemaining);
    if (pin !== this.paymentCode) this.expiries.set(u48(this.ctx.clock.now() + this.tokenLifetime.get() * 1000), 6 * slot);
    return {};
  }

  private expired(slot: number): boolean {
    return this.ctx.clock.now() >= readU48(this.expiries.subarray(6 * slot, 6 * slot + 6));
  }

  private resetRetryCounter(apdu: CommandApdu): Reply {
    const d = apdu.data;
    const newLen = d.length - UNBLOCK_CODE_LENGTH;
    if (apdu.p1 === 0x01 ? newLen !== 0 : newLen < PAYMENT_CODE_LENGTH.min || newLen > PAYMENT_CODE_LENGTH.max) throw new CardError(SW.WRONG_LENGTH);
    if (this.unblockCode.blocked) throw new CardError(SW.AUTH_METHOD_BLOCKED);
    const ok = this.unblockCode.check(d.subarray(0, UNBLOCK_CODE_LENGTH));
    this.unblockCode.reset();
    if (!ok) throw triesLeft(this.unblockCode.triesRemaining);
    // The new value and its length change together, or not at all.
    this.ctx.beginTransaction();
    this.paymentCode.unblock(apdu.p1 === 0x00 ? d.subarray(UNBLOCK_CODE_LENGTH) : undefined);
    this.ctx.commitTransaction();
    // Unblocking is not an approval: the holder must VERIFY the (new) code for a payment.
    this.paymentCode.reset();
    return {};
  }

  // ---- challenge and data objects ----

  private getChallenge(apdu: CommandApdu): Reply {
    if (apdu.ne < 8 || apdu.ne > 32) throw new CardError(SW.WRONG_LENGTH);
    const c = this.ctx.rng.fill(new Uint8Array(apdu.ne));
    this.challenge[0] = c.length;
    this.challenge.set(c, 1);
    return { data: c };
  }

  /** The pending card challenge, consumed (single use); CardError 6985 when there is none. */
  private takeChallenge(): Uint8Array {
    const n = this.challenge[0]!;
    if (n === 0) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'GET CHALLENGE first');
    const c = this.challenge.slice(1, 1 + n);
    this.challenge.fill(0);
    return c;
  }

  private getData(apdu: CommandApdu): Reply {
    // P1-P2 is one of the declared objects: the dispatcher answered any other 6A88.
    switch ((apdu.p1 << 8) | apdu.p2) {
      case DO.STATUS: {
        const flags = (this.requireId.get() ? 1 : 0) | (this.counter.get() === COUNTER_MAX ? 2 : 0) | (this.certificate.length ? 4 : 0) | (this.profile.length ? 8 : 0);
        return { data: Uint8Array.of(this.paymentCode.triesRemaining, this.unblockCode.triesRemaining, flags) };
      }
      case DO.CARD_ID:
        return { data: this.cardId.get() };
      case DO.COUNTER:
        return { data: u32(this.counter.get()) };
      case DO.DEVICE_ID:
        return { data: this.deviceId.get() };
      case DO.PUBLIC_KEY:
        return { data: this.publicKey.get() };
      case DO.CERTIFICATE:
        if (this.certificate.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no certificate stored');
        return { data: this.certificate.get() };
      default: // not reached: the dispatcher refused every other P1-P2
        throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
    }
  }

  // ---- SIGN TRANSACTION (SFR: purchase signed after the payment code) ----

  private sign(apdu: CommandApdu): Reply {
    const mode = apdu.p1;
    try {
      checkSignFields(apdu.data);
    } catch (e) {
      if (e instanceof TlvError) throw new CardError(SW.WRONG_DATA, e.message);
      throw e;
    }
    if (mode === SIGN_MODES.CMAC && !this.macKeySet.get()) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no MAC key personalized');
    if (!this.paymentCode.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED);
    const ident = this.identification();
    if (this.requireId.get() && ident === 0) throw new CardError(SW.CONDITIONS_NOT_SATISFIED, 'subscriber not authenticated in this session');
    const last = this.counter.get();
    if (last >= COUNTER_MAX) throw new CardError(SW.REFERENCE_DATA_INVALIDATED, 'transaction counter exhausted');
    const next = last + 1;
    const record = buildRecord(this.cardId.get(), next, apdu.data, CVM_PAYMENT_CODE, ident, this.identity(ident));
    const proof = mode === SIGN_MODES.ECDSA ? this.ecdsaSign(record) : aesCmac(this.macKey.view(), record);
    this.ctx.beginTransaction();
    this.counter.set(next);
    this.ctx.commitTransaction();
    this.paymentCode.reset();
    return { data: concat(u32(next), proof) };
  }

  private identification(): number {
    const fact = this.ctx.session.get(SESSION_FACTS.SUBSCRIBER_AUTHENTICATED);
    if (fact === undefined) return 0;
    return IDENTIFICATION[fact] ?? 0xff;
  }

  /**
   * The IMSI hash and RAND the SIM applet published with its last successful authentication
   * (issue 18): signed in the record so the payment server can ask the AuC about that pair.
   */
  private identity(ident: number): RecordIdentity {
    if (ident === 0) return NO_IDENTITY;
    const rand = this.ctx.session.get(SESSION_FACTS.AUTHENTICATION_RAND) ?? '';
    const imsi = this.ctx.session.get(SESSION_FACTS.SUBSCRIBER_IMSI_HASH) ?? '';
    return { imsiHash: hexToBytes(imsi), rand: hexToBytes(rand) };
  }

  // ---- authentication-result token (DoCoMo) ----

  private getAuthResult(apdu: CommandApdu): Reply {
    const slot = apdu.p2;
    const pin = this.credentials[slot];
    if (pin === undefined || !pin.initialised) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND);
    if (apdu.data.length < 16 || apdu.data.length > 32) throw new CardError(SW.WRONG_LENGTH);
    if (!pin.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED);
    if (this.expired(slot)) {
      pin.reset();
      throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'authentication result expired');
    }
    const expiry = readU48(this.expiries.subarray(6 * slot, 6 * slot + 6));
    const token = buildToken({ cardId: this.cardId.get(), userId: this.userIds[slot]!.get(), deviceId: this.deviceId.get(), expiry, challenge: apdu.data });
    return { data: concat(token, tlv(T.SIGNATURE, this.ecdsaSign(token))) };
  }

  // ---- issuer-authorised stores ----

  private parseGranted(apdu: CommandApdu, tag: number, where: string): [Uint8Array, Uint8Array] {
    try {
      const [value, sig] = parseFields(apdu.data, [{ tag, length: [1, 0xffff] }, { tag: T.SIGNATURE, length: 64 }], where);
      return [value!, sig!];
    } catch (e) {
      if (e instanceof TlvError) throw new CardError(SW.WRONG_DATA, e.message);
      throw e;
    }
  }

  private storeCertificate(apdu: CommandApdu): Reply {
    const [cert, sig] = this.parseGranted(apdu, T.CERTIFICATE, 'STORE CERTIFICATE');
    if (cert.length > this.certificate.maxLength) throw new CardError(SW.NOT_ENOUGH_MEMORY);
    const grant = buildCertificateGrant(this.cardId.get(), this.takeChallenge(), cert);
    if (!this.ecdsaVerify(this.issuerKey.view(), grant, sig)) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'issuer signature invalid');
    if (!contains(cert, this.publicKey.view())) throw new CardError(SW.WRONG_DATA, 'the certificate is not for this card key');
    this.certificate.set(cert);
    return {};
  }

  // ---- encrypted profile (Mall Service) ----

  private storeProfile(apdu: CommandApdu): Reply {
    const [blob, sig] = this.parseGranted(apdu, T.PROFILE_BLOB, 'STORE PROFILE');
    if (!this.authKeySet.get()) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no authentication server key personalized');
    if (blob.length > this.profile.maxLength) throw new CardError(SW.NOT_ENOUGH_MEMORY);
    const grant = buildProfileGrant(this.cardId.get(), this.takeChallenge(), blob);
    if (!this.ecdsaVerify(this.authKey.view(), grant, sig)) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED, 'authentication server signature invalid');
    this.profile.set(blob);
    return {};
  }

  private getProfile(apdu: CommandApdu): Reply {
    if (apdu.data.length !== 48) throw new CardError(SW.WRONG_LENGTH);
    if (this.profile.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no profile stored');
    if (!this.paymentCode.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED);
    const blob = this.profile.get();
    const release = buildProfileRelease(this.cardId.get(), apdu.data.subarray(32, 48), apdu.data.subarray(0, 32), cryptoOf(this.ctx).sha256(blob));
    const sig = this.ecdsaSign(release);
    this.paymentCode.reset();
    // The approval is spent (RAM only): the release must be delivered, not answered 6Cxx and lost.
    this.ctx.stateChanged();
    return { data: concat(tlv(T.PROFILE_BLOB, blob), tlv(T.SIGNATURE, sig)) };
  }

  // ---- enciphered card number (DoCoMo second embodiment) ----

  /**
   * The card number enciphered for the card company under per-transaction keys (card/protocol
   * cardNumberKeys: the card-number key, the next number counter, the server challenge). The
   * counter is the card's own freshness (strictly increasing, committed before the answer, so a
   * counter value is used at most once, torn or not); the challenge is the server's. One
   * payment-code VERIFY authorises one encipherment, like one signature.
   */
  private encipherCardNumber(apdu: CommandApdu): Reply {
    if (apdu.data.length !== 16) throw new CardError(SW.WRONG_LENGTH);
    if (this.cardNumber.length === 0) throw new CardError(SW.REFERENCE_DATA_NOT_FOUND, 'no card number personalized');
    if (!this.paymentCode.isValidated) throw new CardError(SW.SECURITY_STATUS_NOT_SATISFIED);
    const last = this.numberCounter.get();
    if (last >= COUNTER_MAX) throw new CardError(SW.REFERENCE_DATA_INVALIDATED, 'card-number counter exhausted');
    const next = last + 1;
    const answer = encipherCardNumber(this.numberKey.view(), this.cardId.get(), next, apdu.data, this.cardNumber.get());
    this.ctx.beginTransaction();
    this.numberCounter.set(next);
    this.ctx.commitTransaction();
    this.paymentCode.reset();
    return { data: answer };
  }
}
