/**
 * The `payment:` section of a personalization profile (issue 5), validated with zod (snake_case
 * keys, errors with the field path), and what it becomes: PaymentParams (layout, kept in the
 * image) and PaymentPersonalization (values for install(), never stored elsewhere).
 *
 * Certificate flow (the private key never leaves the card, so the certificate can only be made
 * after install):
 *   1. install the applet with paymentParams(section) and paymentPersonalization(section, issuer):
 *      the card generates its P-256 key pair from its RNG and stores the issuer's public key;
 *   2. certifyPaymentCard(transport, issuer): SELECT, GET DATA 00C1 (card id) and 7F49 (public
 *      key), the issuer CA signs an X.509 certificate for that key, GET CHALLENGE, STORE CERTIFICATE
 *      with DA certificate ‖ 9E issuer signature over E5 (card id, challenge, certificate);
 *   3. the host saves the image. For a real card the same steps run through a PC/SC transport.
 *
 * Example:
 *   payment:
 *     card_id: "0102030405060708"
 *     payment_code: "1234"
 *     unblock_code: "12345678"
 *     mac_key: "000102030405060708090a0b0c0d0e0f"
 *     device_id: "handset-42"
 *     users: [{ user_id: "alice", credential: "s3cret" }]
 *     require_identification: true
 *     card_number: "4970123456789012"          # enciphered per transaction (DoCoMo second embodiment)
 *     card_number_key: "…32 hex digits…"       # shared with the card company's server
 */
import { z } from 'zod';
import { PAYMENT_TAGS } from '../../apdu-specs/index.js';
import { type PaymentParams, type PaymentPersonalization } from '../../card/applets/payment/index.js';
import { hexToBytes } from '../../card/runtime/index.js';
import { PaymentCardClient } from '../backend/payment/card-client.js';
import { verifyCardCertificate, type IssuerCA } from '../backend/payment/issuer.js';
import type { Transport } from '../transport/types.js';
import { digitString, hexBytes, hexRange } from './fields.js';
import { CardforgeError } from '../errors.js';
import { tlv } from '../../card/protocol/index.js';

const digits = digitString;

const text = (min: number, max: number, what: string) =>
  z
    .string({ error: `expected ${what} as a string` })
    .refine((s) => {
      const n = new TextEncoder().encode(s).length;
      return n >= min && n <= max;
    }, { error: `expected ${what}: ${min}..${max} bytes of UTF-8` });

const int = (min: number, max: number) => z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).min(min, { error: `expected ${min}..${max}` }).max(max, { error: `expected ${min}..${max}` });

export const paymentProfileSchema = z
  .object({
    card_id: hexRange(8, 16),
    payment_code: digits(4, 8, 'the payment code'),
    unblock_code: digits(8, 8, 'the unblock code'),
    payment_code_try_limit: int(1, 15).default(3),
    unblock_code_try_limit: int(1, 15).default(10),
    credential_try_limit: int(1, 15).default(3),
    mac_key: hexBytes(16, 'the AES-128 MAC key').optional(),
    auth_server_public_key: hexBytes(65, 'the authentication server P-256 public key (04‖X‖Y)').optional(),
    device_id: text(1, 32, 'the device id').optional(),
    users: z.array(z.object({ user_id: text(1, 32, 'the user id'), credential: text(1, 16, 'the credential') }).strict(), { error: 'expected a list of { user_id, credential }' }).max(16).default([]),
    token_lifetime_seconds: int(1, 2_678_400).default(3600),
    require_identification: z.boolean({ error: 'expected true or false' }).default(false),
    initial_counter: int(0, 0xffffffff).default(0),
    card_number: digits(12, 19, 'the credit card number (DoCoMo second embodiment)').optional(),
    card_number_key: hexBytes(16, 'the AES-128 card-number key shared with the card company').optional(),
    max_users: int(0, 16).optional(),
    certificate_max_length: int(64, 4096).default(1024),
    profile_max_length: int(0, 8192).default(2048),
  })
  .strict()
  .superRefine((s, ctx) => {
    const max = s.max_users ?? Math.max(4, s.users.length);
    if (s.users.length > max) ctx.addIssue({ code: 'custom', path: ['users'], message: `at most max_users (${max}) users` });
    if ((s.card_number === undefined) !== (s.card_number_key === undefined)) ctx.addIssue({ code: 'custom', path: [s.card_number === undefined ? 'card_number' : 'card_number_key'], message: 'card_number and card_number_key go together' });
  });

export type PaymentProfile = z.output<typeof paymentProfileSchema>;

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Layout for Card.install params (no secrets). */
export function paymentParams(section: PaymentProfile): PaymentParams {
  return {
    maxUsers: section.max_users ?? Math.max(4, section.users.length),
    certificateMaxLength: section.certificate_max_length,
    profileMaxLength: section.profile_max_length,
    paymentCodeTryLimit: section.payment_code_try_limit,
    unblockCodeTryLimit: section.unblock_code_try_limit,
    credentialTryLimit: section.credential_try_limit,
  };
}

/** Values for install(). `issuer` is the CA whose public key authorises STORE CERTIFICATE. */
export function paymentPersonalization(section: PaymentProfile, issuer: { readonly publicKey: Uint8Array }, authServer?: { readonly publicKey: Uint8Array }): PaymentPersonalization {
  const authKey = section.auth_server_public_key !== undefined ? hexToBytes(section.auth_server_public_key) : authServer?.publicKey;
  return {
    cardId: hexToBytes(section.card_id),
    paymentCode: utf8(section.payment_code),
    unblockCode: utf8(section.unblock_code),
    ...(section.mac_key !== undefined ? { macKey: hexToBytes(section.mac_key) } : {}),
    issuerPublicKey: issuer.publicKey.slice(),
    ...(authKey !== undefined ? { authServerPublicKey: authKey.slice() } : {}),
    users: section.users.map((u) => ({ userId: utf8(u.user_id), credential: utf8(u.credential) })),
    ...(section.device_id !== undefined ? { deviceId: utf8(section.device_id) } : {}),
    tokenLifetimeSeconds: section.token_lifetime_seconds,
    requireIdentification: section.require_identification,
    initialCounter: section.initial_counter,
    ...(section.card_number !== undefined && section.card_number_key !== undefined ? { cardNumber: utf8(section.card_number), cardNumberKey: hexToBytes(section.card_number_key) } : {}),
  };
}

export type CertifyErrorCode = 'CERTIFY_CARD_REFUSED' | 'CERTIFY_KEY_MISMATCH';

export class CertifyError extends CardforgeError<CertifyErrorCode> {
  constructor(code: CertifyErrorCode, message: string) {
    super(code, message);
    this.name = 'CertifyError';
  }
}

/** Step 2 of the flow above: certify the card's on-card key and store the certificate on it. */
export async function certifyPaymentCard(transport: Transport, issuer: IssuerCA): Promise<{ cardId: Uint8Array; publicKey: Uint8Array; certificate: Uint8Array }> {
  const card = new PaymentCardClient(transport);
  const sel = await card.select();
  if (sel.sw !== 0x9000) throw new CertifyError('CERTIFY_CARD_REFUSED', `SELECT payment applet answered ${sel.sw.toString(16)}: is the applet installed?`);
  const cardId = await card.cardId();
  const publicKey = await card.publicKey();
  const certificate = issuer.issueCardCertificate(cardId, publicKey);
  const info = verifyCardCertificate(certificate, issuer.publicKey);
  if (info.publicKey.length !== publicKey.length || info.publicKey.some((b, i) => b !== publicKey[i])) throw new CertifyError('CERTIFY_KEY_MISMATCH', 'issued certificate does not hold the card key');
  const challenge = await card.getChallenge(16);
  const sig = issuer.authorizeStore(cardId, challenge, certificate);
  const r = await card.storeCertificate(Uint8Array.from([...tlv(PAYMENT_TAGS.CERTIFICATE, certificate), ...tlv(PAYMENT_TAGS.SIGNATURE, sig)]));
  if (r.sw !== 0x9000) throw new CertifyError('CERTIFY_CARD_REFUSED', `STORE CERTIFICATE answered ${r.sw.toString(16)}`);
  return { cardId, publicKey, certificate };
}
