/**
 * Ledger applet: layout parameters (kept in the card image, no secrets), personalization values
 * (consumed once at install). The AID, the byte layouts and the signing inputs shared with the
 * host are in card/protocol/ledger.ts (France Telecom WO 00/63859; e-commerce seed's tickets).
 */

import type { LedgerMode } from '../../protocol/ledger.js';

/** Layout only. */
export interface LedgerParams {
  readonly [key: string]: unknown;
  readonly mode: LedgerMode;
  /** N: usage records kept; the cyclic file has N + 1 slots (one spare for the record being written). */
  readonly logSize: number;
  /** E-ticket slots. */
  readonly ticketSlots: number;
  // (Layouts 1 and 2 had `replayWindow`, a window of host randoms; DEBIT now answers the card's
  // one-use challenge (purse.ts) and images that still carry the parameter load with it ignored.)
}

export const DEFAULT_LEDGER_PARAMS: LedgerParams = { mode: 'prepaid', logSize: 16, ticketSlots: 4 };

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

export const CODE_MAX_LENGTH = 8;
