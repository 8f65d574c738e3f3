/**
 * The ledger applet's commands (card/applets/ledger): prepaid purse / postpaid usage with signed
 * receipts (France Telecom WO 00/63859), authorised reloads, the cyclic usage log with export and
 * settlement, e-tickets (e-commerce seed). Proprietary class 80 except the ISO VERIFY and READ
 * RECORD (ISO/IEC 7816-4 §11.5.6, §11.3.3). Message layouts and signing inputs:
 * card/protocol/ledger.ts. Signatures are ECDSA P-256, raw r || s.
 */
import { CLASS_80, CLASS_00, type CommandSpec } from './types.js';
import { anyByte, is, oneOf, params, P1P2_ANY, P1P2_ZERO, v, ZERO } from './p1p2.js';

/**
 * DEBIT, LOAD, ACK EXPORT and TRANSFER OUT check the data length before P1-P2 (and TRANSFER OUT's
 * case 2 ignores P1-P2): their handlers check the declared values (checkParams) after it. The
 * dispatcher checks the others, after the not-personalized gate (6985 on a blank applet).
 */
const LENGTH_FIRST = { checkedBy: 'handler' } as const;
/** Commands that ignore P1-P2. */
const IGNORED = P1P2_ANY;

/** F0 'cardfg' 04 00 01: proprietary RID range F0, like the loopback applet. */
export const LEDGER_AID = 'f0636172646667040001';

const C00 = CLASS_00;
const C80 = CLASS_80;
const REF = 'cardforge ledger (WO 00/63859)';
const TREF = 'cardforge ledger e-tickets';
const sig = (name: string): { name: string; length: number } => ({ name, length: 64 });

export const LEDGER_COMMANDS: readonly CommandSpec[] = [
  { name: 'LEDGER_VERIFY_CODE', cla: C00, ins: 0x20, cases: [1, 3], p1p2: params(ZERO, is(0x81, 'payment code')), description: 'Present the payment code (consent for the next DEBIT); empty data: retry query (63Cx)', ref: 'ISO/IEC 7816-4 §11.5.6',
    command: [{ name: 'code', length: 'rest', secret: true }] },
  { name: 'LEDGER_READ_RECORD', cla: C00, ins: 0xb2, cases: [2], p1p2: params(anyByte('record number, 01 newest'), is(0x04, 'absolute'), { note: 'record number 00, or past the records written, is 6A83' }), description: 'Read one usage record of the cyclic log', ref: 'ISO/IEC 7816-4 §11.3.3',
    response: [{ name: 'record', length: 82 }] },
  { name: 'LEDGER_GET_INFO', cla: C80, ins: 0x40, cases: [2], p1p2: IGNORED, description: 'Card id, mode, currency, balance or cumulative use, limit, counters, flags (bit0: last transaction not completed)', ref: REF,
    response: [{ name: 'cardId', length: 8 }, { name: 'mode', length: 1 }, { name: 'currency', length: 2 }, { name: 'value', length: 4 }, { name: 'limit', length: 4 }, { name: 'txCounter', length: 4 },
      { name: 'loadCounter', length: 4 }, { name: 'exportCounter', length: 4 }, { name: 'settled', length: 4 }, { name: 'flags', length: 1 }, { name: 'logSize', length: 1 }, { name: 'ticketSlots', length: 1 }] },
  { name: 'LEDGER_GET_PUBLIC_KEY', cla: C80, ins: 0x42, cases: [2], p1p2: IGNORED, description: "The card's P-256 public key (uncompressed); the private key never leaves", ref: REF,
    response: [{ name: 'publicKey', length: 65 }] },
  { name: 'LEDGER_PUT_CERTIFICATE', cla: C80, ins: 0x44, cases: [3], p1p2: IGNORED, description: "Store the issuer's signature over (card id, card public key), checked on the card; once", ref: REF,
    command: [sig('issuerSignature')] },
  { name: 'LEDGER_GET_CERTIFICATE', cla: C80, ins: 0x46, cases: [2], p1p2: IGNORED, description: 'Card id, public key and the issuer certificate signature', ref: REF,
    response: [{ name: 'cardId', length: 8 }, { name: 'publicKey', length: 65 }, sig('issuerSignature')] },
  { name: 'LEDGER_GET_CHALLENGE', cla: C80, ins: 0x48, cases: [2], p1p2: IGNORED, description: 'A fresh card challenge (RAM, one use, replaces any earlier one, cleared on deselect and reset) and the next load counter, for DEBIT, LOAD, ISSUE and REFUND', ref: REF,
    response: [{ name: 'challenge', length: 16, random: true }, { name: 'nextLoadCounter', length: 4 }] },
  { name: 'LEDGER_REGISTER_EDITOR', cla: C80, ins: 0x4a, cases: [3], p1p2: P1P2_ZERO, description: "Register an editor's offer-signing key (seed 004): the issuer's signature over (editor id, key version, editor key), checked once on the card; the key is cached in the bounded editor table and DEBIT verifies that editor's offers with it; a known editor's version must go up (6912 otherwise: no rollback)", ref: REF,
    command: [{ name: 'editorId', length: 4 }, { name: 'keyVersion', length: 4 }, { name: 'editorPublicKey', length: 65 }, sig('issuerSignature')] },
  { name: 'LEDGER_DEBIT', cla: C80, ins: 0x50, cases: [4], p1p2: { ...P1P2_ZERO, ...LENGTH_FIRST }, description: "Debit (prepaid) or add to the cumulative use (postpaid) for an editor-signed offer answering the card's outstanding GET CHALLENGE (consumed: one DEBIT per challenge); one transaction; receipt signed after commit", ref: REF,
    command: [{ name: 'editorId', length: 4 }, { name: 'offerHash', length: 32 }, { name: 'price', length: 4 }, { name: 'currency', length: 2 }, { name: 'challenge', length: 16, random: true },
      { name: 'dateTime', length: 4, random: true }, sig('editorSignature')],
    response: [{ name: 'record', length: 82 }, { name: 'cardSignature', length: 64, random: true }] },
  { name: 'LEDGER_GET_LAST_RECEIPT', cla: C80, ins: 0x52, cases: [2], p1p2: IGNORED, description: 'The receipt of the last committed DEBIT again (after a lost response); clears the not-completed flag', ref: REF,
    response: [{ name: 'record', length: 82 }, { name: 'cardSignature', length: 64, random: true }] },
  { name: 'LEDGER_LOAD', cla: C80, ins: 0x54, cases: [3, 4], p1p2: { ...P1P2_ZERO, ...LENGTH_FIRST }, description: 'Reload the purse with the issuer signature over (card id, challenge, amount, load counter); refused while records are unexported', ref: REF,
    command: [{ name: 'amount', length: 4 }, { name: 'loadCounter', length: 4 }, sig('issuerSignature')], response: [{ name: 'balance', length: 4 }] },
  { name: 'LEDGER_EXPORT_LOG', cla: C80, ins: 0x56, cases: [2], p1p2: IGNORED, description: 'Start an export of the unexported records: export counter, range, amount, records digest, card signature', ref: REF,
    response: [{ name: 'exportCounter', length: 4 }, { name: 'first', length: 4 }, { name: 'last', length: 4 }, { name: 'amount', length: 4 }, { name: 'recordsDigest', length: 32 }, { name: 'cardSignature', length: 64, random: true }] },
  { name: 'LEDGER_ACK_EXPORT', cla: C80, ins: 0x58, cases: [3], p1p2: { ...P1P2_ZERO, ...LENGTH_FIRST }, description: "The payment server's signed settlement of an export: records settled; postpaid use reduced by the settled amount", ref: REF,
    command: [{ name: 'exportCounter', length: 4 }, { name: 'last', length: 4 }, sig('serverSignature')] },
  { name: 'LEDGER_ISSUE_TICKET', cla: C80, ins: 0x60, cases: [3], p1p2: IGNORED, description: 'Store an issuer-signed ticket (id, event, seat, validity) bound to this card', ref: TREF,
    command: [{ name: 'ticket', length: 24 }, sig('issuerSignature')] },
  { name: 'LEDGER_VALIDATE_TICKET', cla: C80, ins: 0x62, cases: [4], p1p2: IGNORED, description: "Validate at a gate: ticket marked used in one transaction, then the card's signature over the gate challenge; a retry with the same challenge re-answers", ref: TREF,
    command: [{ name: 'ticketId', length: 8 }, { name: 'gateChallenge', length: 16, random: true }, { name: 'gateTime', length: 4 }], response: [sig('cardSignature')] },
  { name: 'LEDGER_REFUND_TICKET', cla: C80, ins: 0x64, cases: [4], p1p2: IGNORED, description: 'Delete an unused ticket on the issuer signature over (card id, ticket id, card challenge); returns the card-signed refund proof', ref: TREF,
    command: [{ name: 'ticketId', length: 8 }, sig('issuerSignature')], response: [sig('cardSignature')] },
  { name: 'LEDGER_READ_TICKET', cla: C80, ins: 0x6c, cases: [2], p1p2: params(anyByte('slot, 00 first'), ZERO, { note: 'a slot past the ticket slots (params.ticketSlots) is 6A86' }), description: 'One ticket slot: state, ticket, last gate challenge and time', ref: TREF,
    response: [{ name: 'slot', length: 45 }] },
  { name: 'LEDGER_GET_TRANSFER_NONCE', cla: C80, ins: 0x68, cases: [2], p1p2: IGNORED, description: 'The receiving side: a persistent one-use nonce for an incoming ticket (the same one until a ticket arrives)', ref: TREF,
    response: [{ name: 'nonce', length: 16, random: true }] },
  { name: 'LEDGER_TRANSFER_OUT', cla: C80, ins: 0x66, cases: [2, 4], p1p2: params(oneOf('outbox', v(0x00, 'empty'), v(0x01, 'previous ticket delivered')), ZERO, { ...LENGTH_FIRST, note: 'case 4: new transfer; case 2: the sealed ticket in the outbox again (P1-P2 ignored)' }), description: 'Seal a valid ticket to the receiving card (ECDH P-256 + AES-CTR/CMAC) and delete it here in the same transaction', ref: TREF,
    command: [{ name: 'ticketId', length: 8 }, { name: 'recipientKey', length: 65 }, { name: 'recipientNonce', length: 16 }], response: [{ name: 'sealed', length: 'rest', random: true }] },
  { name: 'LEDGER_TRANSFER_IN', cla: C80, ins: 0x6a, cases: [3], p1p2: IGNORED, description: 'Open a sealed ticket addressed to this card and store it; consumes the transfer nonce (extended length)', ref: TREF,
    command: [{ name: 'sealed', length: 'rest' }] },
];

/**
 * PERSO_STORE_DATA records of the ledger applet (issue 8; block coding apdu-specs/personalization.ts).
 * The host sends block 0 (identity, amounts, consent) and block 1 (the three public keys); the
 * last block also generates the card's key pair. Mandatory over the run: C1, C2, C3, C5, C6, C7.
 */
export const LEDGER_PERSO_TAGS = {
  CARD_ID: 0xc1, // 8 bytes
  CURRENCY: 0xc2, // 2 bytes, ISO 4217 numeric 0..999
  LIMIT: 0xc3, // 4 bytes: prepaid maximum balance / postpaid ceiling
  INITIAL_BALANCE: 0xc4, // 4 bytes, prepaid only, <= limit
  EDITOR_ROOT_KEY: 0xc5, // 65 bytes
  ISSUER_KEY: 0xc6, // 65 bytes
  SERVER_KEY: 0xc7, // 65 bytes
  CONSENT: 0xc8, // 5 bytes: mode (00 none, 01 always, 02 above) ‖ threshold (4 bytes)
  CODE: 0xc9, // 4..8 bytes, secret
} as const;

export const LEDGER_PERSO_SECRET_TAGS: ReadonlySet<number> = new Set([LEDGER_PERSO_TAGS.CODE]);
