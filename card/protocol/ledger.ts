/**
 * The ledger protocol's wire formats, shared by the card (card/applets/ledger) and the host
 * back-end (host/backend/ledger): the AID, the byte layouts of commands, records, receipts,
 * exports and tickets, and the signing inputs.
 *
 * What each party signs in the ledger protocol: SHA-256 over a 4-byte domain tag and the fields,
 * so a signature made for one purpose can never be replayed as another. Shared by the card and the
 * host back-end (host/backend/ledger) so both sides hash the same bytes.
 *   offer    (editor key):  "CFOF" editorId(4) offerHash(32) price(4) currency(2) challenge(16) dateTime(4)
 *            (the registered editor's own key, else the editor root: REGISTER EDITOR, seed 004;
 *            the challenge is the card's one-use GET CHALLENGE value, so an offer signature
 *            is good for one DEBIT on one card: a captured DEBIT is never accepted again)
 *   editor   (issuer):      "CFED" editorId(4) keyVersion(4) editorPublicKey(65)
 *   receipt  (card):        "CFRC" record(82)
 *   load     (issuer):      "CFLD" cardId(8) challenge(16) amount(4) loadCounter(4)
 *   export   (card):        "CFEX" cardId(8) exportCounter(4) first(4) last(4) amount(4) recordsDigest(32)
 *   ack      (server):      "CFAK" cardId(8) exportCounter(4) last(4) recordsDigest(32)
 *   cert     (issuer):      "CFCT" cardId(8) cardPublicKey(65)
 *   ticket   (issuer):      "CFTI" cardId(8) challenge(16) ticket(24)
 *   validate (card):        "CFTV" cardId(8) ticketId(8) gateChallenge(16) gateTime(4)
 *   refund   (issuer):      "CFTR" cardId(8) ticketId(8) challenge(16)
 *   refunded (card):        "CFTD" cardId(8) ticketId(8) challenge(16)
 *   transfer (sender card): "CFTT" fromCardId(8) ticket(24) recipientKey(65) recipientNonce(16)
 */
import { sha256 } from '../algorithms/sha256.js';
import { concat, u16, u32 } from '../runtime/bytes.js';
import { statement, tagged } from './tagged.js';

export { LEDGER_AID } from '../../apdu-specs/ledger.js';

/** The two ledger modes (GET INFO mode byte: 1 prepaid, 2 postpaid). */
export const LEDGER_MODES = ['prepaid', 'postpaid'] as const;
export type LedgerMode = (typeof LEDGER_MODES)[number];

export const CARD_ID_LENGTH = 8;
export const CHALLENGE_LENGTH = 16;
export const MAX_AMOUNT = 0xffffffff;

// ---- DEBIT command data (offsets): the offer, signed by the editor over [0, signature) ----
/** `challenge`: the card's outstanding one-use GET CHALLENGE value (the seed's random, bound to the card). */
export const DEBIT = {
  editorId: 0, offerHash: 4, price: 36, currency: 40, challenge: 42, dateTime: 58, signature: 62, length: 126,
} as const;

// ---- REGISTER EDITOR command data (offsets): the issuer's card-verifiable editor certificate ----
/** keyVersion: u32 chosen by the issuer, higher for each new key of an editor (no rollback to an older certificate). */
export const EDITOR_CERT = { editorId: 0, keyVersion: 4, publicKey: 8, signature: 73, length: 137 } as const;
/** One entry of the card's editor-key table: editor id (4) || key version (4) || public key (65). */
export const EDITOR_ENTRY = { editorId: 0, keyVersion: 4, publicKey: 8, length: 73 } as const;
/** Editor keys a card holds (the bounded persistent table of REGISTER EDITOR). */
export const EDITOR_SLOTS = 8;

// ---- usage record = receipt body (offsets); the receipt is record || card signature ----
export const REC = {
  cardId: 0, counter: 8, editorId: 12, offerHash: 16, price: 48, currency: 52, before: 54, after: 58, challenge: 62, dateTime: 78, length: 82,
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

// ---- signing inputs ----
// xStatement: the signed bytes (tag ‖ fields), what the card verifies with p256VerifyMessage;
// xDigest: their SHA-256, what a signer signs (the same signature verifies against either).

export const offerStatement = (editorId: Uint8Array, offerHash: Uint8Array, price: number, currency: number, challenge: Uint8Array, dateTime: number): Uint8Array =>
  statement('CFOF', editorId, offerHash, u32(price), u16(currency), challenge, u32(dateTime));
export const offerDigest = (editorId: Uint8Array, offerHash: Uint8Array, price: number, currency: number, challenge: Uint8Array, dateTime: number): Uint8Array =>
  sha256(offerStatement(editorId, offerHash, price, currency, challenge, dateTime));
export const editorStatement = (editorId: Uint8Array, keyVersion: number, editorPublicKey: Uint8Array): Uint8Array => statement('CFED', editorId, u32(keyVersion), editorPublicKey);
export const editorDigest = (editorId: Uint8Array, keyVersion: number, editorPublicKey: Uint8Array): Uint8Array => sha256(editorStatement(editorId, keyVersion, editorPublicKey));
export const receiptDigest = (record: Uint8Array): Uint8Array => tagged('CFRC', record);
export const loadStatement = (cardId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array =>
  statement('CFLD', cardId, challenge, u32(amount), u32(loadCounter));
export const loadDigest = (cardId: Uint8Array, challenge: Uint8Array, amount: number, loadCounter: number): Uint8Array =>
  sha256(loadStatement(cardId, challenge, amount, loadCounter));
export const exportDigest = (cardId: Uint8Array, exportCounter: number, first: number, last: number, amount: number, recordsDigest: Uint8Array): Uint8Array =>
  tagged('CFEX', cardId, u32(exportCounter), u32(first), u32(last), u32(amount), recordsDigest);
export const ackStatement = (cardId: Uint8Array, exportCounter: number, last: number, recordsDigest: Uint8Array): Uint8Array =>
  statement('CFAK', cardId, u32(exportCounter), u32(last), recordsDigest);
export const ackDigest = (cardId: Uint8Array, exportCounter: number, last: number, recordsDigest: Uint8Array): Uint8Array =>
  sha256(ackStatement(cardId, exportCounter, last, recordsDigest));
export const certStatement = (cardId: Uint8Array, publicKey: Uint8Array): Uint8Array => statement('CFCT', cardId, publicKey);
export const certDigest = (cardId: Uint8Array, publicKey: Uint8Array): Uint8Array => sha256(certStatement(cardId, publicKey));
export const ticketStatement = (cardId: Uint8Array, challenge: Uint8Array, ticket: Uint8Array): Uint8Array => statement('CFTI', cardId, challenge, ticket);
export const ticketDigest = (cardId: Uint8Array, challenge: Uint8Array, ticket: Uint8Array): Uint8Array => sha256(ticketStatement(cardId, challenge, ticket));
export const validateDigest = (cardId: Uint8Array, ticketId: Uint8Array, gateChallenge: Uint8Array, gateTime: Uint8Array): Uint8Array =>
  tagged('CFTV', cardId, ticketId, gateChallenge, gateTime);
export const refundAuthStatement = (cardId: Uint8Array, ticketId: Uint8Array, challenge: Uint8Array): Uint8Array => statement('CFTR', cardId, ticketId, challenge);
export const refundAuthDigest = (cardId: Uint8Array, ticketId: Uint8Array, challenge: Uint8Array): Uint8Array => sha256(refundAuthStatement(cardId, ticketId, challenge));
export const refundedDigest = (cardId: Uint8Array, ticketId: Uint8Array, challenge: Uint8Array): Uint8Array => tagged('CFTD', cardId, ticketId, challenge);
export const transferStatement = (fromCardId: Uint8Array, ticket: Uint8Array, recipientKey: Uint8Array, recipientNonce: Uint8Array): Uint8Array =>
  statement('CFTT', fromCardId, ticket, recipientKey, recipientNonce);
export const transferDigest = (fromCardId: Uint8Array, ticket: Uint8Array, recipientKey: Uint8Array, recipientNonce: Uint8Array): Uint8Array =>
  sha256(transferStatement(fromCardId, ticket, recipientKey, recipientNonce));

/** Digest of exported records, oldest first (what EXPORT LOG and the server's ACK cover). */
export function recordsDigest(records: readonly Uint8Array[]): Uint8Array {
  return sha256(concat(...records));
}
