/**
 * The card company's credit server of NTT DoCoMo EP 1 280 115, second embodiment ([0128]-[0157],
 * Fig. 22-27): the merchant's terminal never learns the card number — it receives a number
 * enciphered for this server, new for every transaction, and forwards it with the order.
 *
 * In the seed the payment gateway enciphers the card number and sends the decryption key to the
 * credit server ([0145]-[0148]); here the card does it (the number never leaves the card in
 * clear) with a key it shares with this server — as EMV's issuer master keys and session keys
 * work: per transaction the card derives K_enc and K_mac (SP 800-108 CMAC-KDF over the card-number
 * key, the card id, the card's number counter and this server's challenge; card/protocol
 * cardNumberKeys), enciphers a fixed-size block (AES-128-CTR) and MACs the E6 statement (AES-CMAC).
 *
 * decipher() accepts only when: the card is registered; the MAC verifies (tampering, wrong key);
 * the challenge is one this server issued and has not used (single use — a replayed blob finds it
 * consumed); the counter is strictly above the last one accepted for this card (a replay under a
 * new challenge cannot be made without the key, and the counter is the card's own freshness);
 * the block deciphers to a well-formed number. The number is returned to the caller (the credit
 * server's settlement), never logged.
 */
import { randomBytes } from 'node:crypto';
import { aesCmac } from '../../../card/algorithms/index.js';
import { cardNumberKeys, decipherCardNumber, parseCipheredNumber, TlvError, type CipheredNumber } from '../../../card/protocol/index.js';
import { bytesToHex, equalBytes } from '../../../card/runtime/index.js';
import { PaymentBackendError } from './errors.js';

export interface DecipheredCardNumber {
  readonly cardId: Uint8Array;
  /** The card number (ASCII digits). */
  readonly cardNumber: string;
  readonly counter: number;
}

export class CardCompanyServer {
  private readonly keys = new Map<string, Uint8Array>();
  private readonly lastCounter = new Map<string, number>();
  private readonly pending = new Set<string>();

  /** Register a card's card-number key (16 bytes), as personalized on the card. */
  register(cardId: Uint8Array, cardNumberKey: Uint8Array): void {
    if (cardNumberKey.length !== 16) throw new PaymentBackendError('BAD_INPUT', `"cardNumberKey" expected 16 bytes, got ${cardNumberKey.length}`);
    this.keys.set(bytesToHex(cardId), cardNumberKey.slice());
  }

  /** A fresh 16-byte challenge for one transaction (single use). */
  challenge(): Uint8Array {
    const c = new Uint8Array(randomBytes(16));
    this.pending.add(bytesToHex(c));
    return c;
  }

  /** Check and decipher the card's ENCIPHER CARD NUMBER answer as forwarded by the terminal. Throws PaymentBackendError. */
  decipher(response: Uint8Array): DecipheredCardNumber {
    let n: CipheredNumber;
    try {
      n = parseCipheredNumber(response);
    } catch (e) {
      if (e instanceof TlvError) throw new PaymentBackendError('MALFORMED_RESPONSE', e.message);
      throw e;
    }
    const card = bytesToHex(n.cardId);
    const key = this.keys.get(card);
    if (key === undefined) throw new PaymentBackendError('UNKNOWN_CARD', `card ${card} has no card-number key registered`);
    const k = cardNumberKeys(key, n.cardId, n.counter, n.challenge);
    if (!equalBytes(aesCmac(k.mac, n.statement), n.mac)) throw new PaymentBackendError('SIGNATURE_INVALID', 'the enciphered card number does not authenticate (altered, or another card or key)');
    const ch = bytesToHex(n.challenge);
    if (!this.pending.has(ch)) throw new PaymentBackendError('UNKNOWN_CHALLENGE', 'the enciphered card number answers no challenge this server has pending (replay?)');
    const last = this.lastCounter.get(card) ?? 0;
    if (n.counter <= last) throw new PaymentBackendError('COUNTER_NOT_INCREASING', `card-number counter ${n.counter} is not above the last accepted ${last} (replay)`);
    const digits = decipherCardNumber(key, n);
    if (digits === null) throw new PaymentBackendError('DECRYPTION_FAILED', 'the deciphered block is not a card number');
    this.pending.delete(ch);
    this.lastCounter.set(card, n.counter);
    return { cardId: n.cardId, cardNumber: new TextDecoder().decode(digits), counter: n.counter };
  }
}
