/**
 * The e-wallet protocol's wire formats (SFR seed 000), shared by the card (card/applets/wallet)
 * and the host (host/backend/wallet): the AID, the byte layouts and the signing inputs.
 *
 * What each party signs: SHA-256 over a 4-byte domain tag and the fields (as the ledger does), so
 * a signature for one purpose is never valid for another.
 *   receipt (wallet): "CWRC" record(82)
 *   load    (issuer): "CWLD" walletId(8) challenge(16) amount(4) loadCounter(4)
 * The record binds the payment to the subscriber: it carries the SHA-256 of the IMSI stored at
 * personalization, and PAY runs only after the SIM authenticated the subscriber in this session.
 */
import { u32 } from '../runtime/bytes.js';
import { sha256 } from '../algorithms/sha256.js';
import { statement, tagged } from './tagged.js';

export { WALLET_AID } from '../../apdu-specs/wallet.js';

export const WALLET_ID_LENGTH = 8;
export const MERCHANT_ID_LENGTH = 8;
export const WALLET_CHALLENGE_LENGTH = 16;
export const IMSI_HASH_LENGTH = 32;

/** PAY command data (offsets). */
export const PAY = { amount: 0, currency: 4, merchantId: 6, hostChallenge: 14, length: 30 } as const;

/** LOAD command data (offsets). */
export const WALLET_LOAD = { amount: 0, loadCounter: 4, signature: 8, length: 72 } as const;

/** Payment record = receipt body (offsets); the receipt is record || wallet signature (64). */
export const WREC = {
  walletId: 0, counter: 8, amount: 12, currency: 16, merchantId: 18, before: 26, after: 30, hostChallenge: 34, imsiHash: 50, length: 82,
} as const;

/** GET INFO response (offsets). */
export const WINFO = { walletId: 0, currency: 8, balance: 10, threshold: 14, maxBalance: 18, txCounter: 22, loadCounter: 26, flags: 30, length: 31 } as const;

export const WALLET_FLAG = {
  /** The last PAY committed but its receipt was not released: GET LAST RECEIPT. */
  receiptPending: 0x01,
} as const;

export const walletReceiptDigest = (record: Uint8Array): Uint8Array => tagged('CWRC', record);
/** The signed bytes of a load (what the card verifies with p256VerifyMessage); walletLoadDigest is their SHA-256. */
export const walletLoadStatement = (walletId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array =>
  statement('CWLD', walletId, challenge, u32(amount), u32(loadCounter));
export const walletLoadDigest = (walletId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array =>
  sha256(walletLoadStatement(walletId, challenge, amount, loadCounter));

