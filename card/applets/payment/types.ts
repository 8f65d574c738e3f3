/**
 * The payment applet's install inputs (issue 5). PaymentParams is layout only (kept in the card
 * image, no secrets); PaymentPersonalization carries the values install() writes once (codes,
 * keys, identities) and that are never stored anywhere else.
 *
 * Key flow (documented in host/profile/payment.ts): the ECDSA P-256 key pair is generated ON the
 * card at install from ctx.rng; the host reads the public key (GET DATA 7F49), the issuer CA signs
 * a certificate for it, and the host stores it with STORE CERTIFICATE, which the card accepts
 * only under the issuer's signature over (card id, a fresh card challenge, the certificate).
 */

export interface PaymentParams {
  /** Registered user credential slots for the authentication-result token (default 4, max 16). */
  readonly maxUsers?: number;
  /** Certificate store size in bytes (default 1024). */
  readonly certificateMaxLength?: number;
  /** Encrypted profile store size in bytes (default 2048). */
  readonly profileMaxLength?: number;
  /** Payment code try limit (default 3). */
  readonly paymentCodeTryLimit?: number;
  /** Unblock code try limit (default 10). */
  readonly unblockCodeTryLimit?: number;
  /** User credential try limit (default 3). */
  readonly credentialTryLimit?: number;
}

export interface RegisteredUser {
  /** User id as the gateway knows it (1..32 bytes). */
  readonly userId: Uint8Array;
  /** The user's password / credential (1..16 bytes); compared on the card, never readable. */
  readonly credential: Uint8Array;
}

export interface PaymentPersonalization {
  /** Card id (8..16 bytes): in every signed record and in the certificate subject. */
  readonly cardId: Uint8Array;
  /** Payment code, 4..8 bytes (ASCII digits by convention). */
  readonly paymentCode: Uint8Array;
  /** Unblock code, exactly 8 bytes (ASCII digits by convention). */
  readonly unblockCode: Uint8Array;
  /** AES-128 key of the MAC variant (the server holds the same key). Omit: MAC variant off (6A88). */
  readonly macKey?: Uint8Array;
  /** Issuer CA public key (65 bytes, 04‖X‖Y): authorises STORE CERTIFICATE. */
  readonly issuerPublicKey: Uint8Array;
  /** Authentication server public key (65 bytes): authorises STORE PROFILE. Omit: profile store off. */
  readonly authServerPublicKey?: Uint8Array;
  /** Registered users for the authentication-result token (at most params.maxUsers). */
  readonly users?: readonly RegisteredUser[];
  /** Device id given by the provider at registration (1..32 bytes, DoCoMo [0037]). */
  readonly deviceId?: Uint8Array;
  /** How long an authentication result stays usable after VERIFY (seconds, default 3600, DoCoMo [0074]). */
  readonly tokenLifetimeSeconds?: number;
  /** SFR identification before payment: SIGN needs the SIM's subscriber authentication in this session. */
  readonly requireIdentification?: boolean;
  /** Last consumed transaction counter (default 0: the first signature carries 1). */
  readonly initialCounter?: number;
  /**
   * The credit card number (12..19 ASCII digits, ISO/IEC 7812) the card enciphers per transaction
   * for the card company (DoCoMo second embodiment); with cardNumberKey. Omit: 6A88.
   */
  readonly cardNumber?: Uint8Array;
  /** AES-128 key shared with the card company's server (16 bytes); required with cardNumber. */
  readonly cardNumberKey?: Uint8Array;
}

export const PAYMENT_DEFAULTS = {
  maxUsers: 4,
  certificateMaxLength: 1024,
  profileMaxLength: 2048,
  paymentCodeTryLimit: 3,
  unblockCodeTryLimit: 10,
  credentialTryLimit: 3,
  tokenLifetimeSeconds: 3600,
} as const;

export const CARD_ID_LENGTH = { min: 8, max: 16 } as const;
export const PAYMENT_CODE_LENGTH = { min: 4, max: 8 } as const;
export const UNBLOCK_CODE_LENGTH = 8;
export const CREDENTIAL_MAX_LENGTH = 16;
export const ID_MAX_LENGTH = 32;
export const COUNTER_MAX = 0xffffffff;
