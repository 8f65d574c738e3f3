/**
 * Ledger applet: layout parameters (kept in the card image, no secrets), personalization values
 * (consumed once at install), the AID and the fixed byte layouts shared by the card and the host
 * (France Telecom WO 00/63859 "payment system for software use"; e-commerce seed's tickets).
 */

/** F0 'cardfg' 04 00 01: proprietary RID range F0, like the loopback applet. */
export const LEDGER_AID = 'f0636172646667040001';

export const LEDGER_MODES = ['prepaid', 'postpaid'] as const;
export type LedgerMode = (typeof LEDGER_MODES)[number];

/** Layout only. */
export interface LedgerParams {
  readonly [key: string]: unknown;
  readonly mode: LedgerMode;
  /** N: usage records kept; the cyclic file has N + 1 slots (one spare for the record being written). */
  readonly logSize: number;
  /** E-ticket slots. */
  readonly ticketSlots: number;
  /** K: the last K accepted host randoms are remembered; a repeat is refused (replay). */
  readonly replayWindow: number;
}

export const DEFAULT_LEDGER_PARAMS: LedgerParams = { mode: 'prepaid', logSize: 16, ticketSlots: 4, replayWindow: 16 };

export const CONSENT_MODES = ['none', 'always', 'above'] as const;
export type ConsentMode = (typeof CONSENT_MODES)[number];

/** Values written once at install. Keys are uncompressed SEC 1 P-256 public keys (65 bytes). */
export interface LedgerPersonalization {
  /** 8 bytes. */
  readonly cardId: Uint8Array;
  /** ISO 4217 numeric code, e.g. 978 (EUR). */
  readonly currency: number;
  /** Prepaid: maximum balance; postpaid: ceiling of the cumulative use. Minor units. */
  readonly limit: number;
  /** Prepaid only: the opening balance. */
  readonly initialBalance?: number;
  /** Verifies offers (the seed's authority root standing for the editors' certificate tree). */
  readonly editorRootKey: Uint8Array;
  /** Verifies LOAD authorisations, tickets, refunds and card certificates. */
  readonly issuerKey: Uint8Array;
  /** Verifies settlement acknowledgements. */
  readonly serverKey: Uint8Array;
  /** Consent by payment code: none, for every debit, or for debits above `threshold`. */
  readonly consent?: { readonly mode: ConsentMode; readonly threshold?: number; readonly code?: Uint8Array };
  // The payment code's try limit is fixed at 3 (product.md: its own counter).
}

export const CARD_ID_LENGTH = 8;
export const RANDOM_LENGTH = 16;
export const CHALLENGE_LENGTH = 16;
export const CODE_MAX_LENGTH = 8;
export const MAX_AMOUNT = 0xffffffff;

// ---- DEBIT command data (offsets) ----
export const DEBIT = {
  editorId: 0, offerHash: 4, price: 36, currency: 40, hostRandom: 42, dateTime: 58, signature: 62, length: 126,
} as const;

// ---- usage record = receipt body (offsets); the receipt is record || card signature ----
export const REC = {
  cardId: 0, counter: 8, editorId: 12, offerHash: 16, price: 48, currency: 52, before: 54, after: 58, hostRandom: 62, dateTime: 78, length: 82,
} as const;

// ---- GET INFO response (offsets) ----
export const INFO = {
  cardId: 0, mode: 8, currency: 9, value: 11, limit: 15, txCounter: 19, loadCounter: 23, exportCounter: 27, settled: 31, flags: 35, logSize: 36, ticketSlots: 37, length: 38,
} as const;

export const FLAG = {
  /** The last DEBIT committed but its receipt was not released: GET LAST RECEIPT. */
  receiptPending: 0x01,
  /** An export is waiting for the server's acknowledgement. */
  exportPending: 0x02,
  /** The issuer's certificate of the card key is stored. */
  certified: 0x04,
  /** A sealed ticket is waiting in the transfer outbox. */
  outbox: 0x08,
  /** A transfer nonce is outstanding (this card expects an incoming ticket). */
  inboxOpen: 0x10,
} as const;

// ---- EXPORT LOG response ----
export const EXPORT = { exportCounter: 0, first: 4, last: 8, amount: 12, digest: 16, signature: 48, length: 112 } as const;

// ---- ticket body (issuer-signed) and slot ----
export const TICKET = { id: 0, event: 8, seat: 12, validFrom: 16, validTo: 20, length: 24 } as const;
export const TICKET_STATE = { empty: 0, valid: 1, used: 2 } as const;
/** slot = state (1) || ticket (24) || gate challenge of the validation (16) || gate time (4) */
export const SLOT = { state: 0, ticket: 1, gateChallenge: 25, gateTime: 41, length: 45 } as const;

/** Transfer plaintext: ticket || sender card id || sender public key || certificate || transfer signature. */
export const TRANSFER = { ticket: 0, fromCard: 24, fromKey: 32, cert: 97, signature: 161, length: 225 } as const;
