/**
 * E-wallet applet: personalization values (consumed once at install; the APDU path is
 * PERSO_STORE_DATA, store-data.ts). The wire formats shared with the host are in
 * card/protocol/wallet.ts (SFR JP 2000-69571, seed 000).
 */

/** Values written once at install. Amounts in the currency's minor units. */
export interface WalletPersonalization {
  /** 8 bytes. */
  readonly walletId: Uint8Array;
  /** ISO 4217 numeric code, e.g. 978 (EUR). */
  readonly currency: number;
  /** The largest amount the purse pays; above it PAY answers WALLET_USE_PAYMENT_CARD (the credit path). */
  readonly threshold: number;
  readonly maxBalance: number;
  /** The opening balance, <= maxBalance; default 0. */
  readonly initialBalance?: number;
  /** Verifies LOAD authorisations (uncompressed SEC 1 P-256 public key, 65 bytes). */
  readonly issuerKey: Uint8Array;
  /** SHA-256 of the subscriber's IMSI (card/protocol/wallet.ts imsiHash): the wallet's owner. */
  readonly imsiHash: Uint8Array;
}
