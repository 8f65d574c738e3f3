/**
 * NTT DoCoMo EP 1 280 115, second embodiment ([0128]-[0157]): a new enciphered card number per
 * transaction. The card enciphers its card number for the card company's server under keys
 * derived per transaction (card number counter + server challenge); the terminal forwards the
 * opaque answer; the server deciphers it, checks freshness and refuses replays and tampering.
 * Fails on main: ENCIPHER CARD NUMBER (80 54) and CardCompanyServer did not exist.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { hexToBytes, readU32, tearSweep } from '../../../card/runtime/index.js';
import { CardCompanyServer } from '../../../host/backend/payment/index.js';
import { PAYMENT_AID, parseCipheredNumber } from '../../../card/protocol/index.js';
import { PAYMENT_DATA_OBJECTS as DO } from '../../../apdu-specs/payment.js';
import { expectNoSecretsIn, makeRig, RESPONSES, SECRETS, SECTION, selectCmd, sw, transmit, type Rig } from '../../applets/payment/fixture.js';
import { apdu } from '../../../host/backend/payment/card-client.js';
import { code, enc } from './verdict.js';


async function setUp(): Promise<{ rig: Rig; server: CardCompanyServer }> {
  const rig = await makeRig();
  const server = new CardCompanyServer();
  server.register(rig.cardId, hexToBytes(SECTION.card_number_key));
  return { rig, server };
}

async function encipher(rig: Rig, challenge: Uint8Array): Promise<Uint8Array> {
  expect((await rig.client.verifyCode(enc(SECTION.payment_code))).sw).toBe(0x9000);
  const r = await rig.client.encipherCardNumber(challenge);
  expect(r.sw).toBe(0x9000);
  return r.data;
}

afterAll(() => expectNoSecretsIn(RESPONSES, SECRETS));

describe('DoCoMo second embodiment: enciphered card number per transaction → card company server', () => {
  it('the server recovers the card number; the terminal sees neither the number nor its length', async () => {
    const { rig, server } = await setUp();
    const blob = await encipher(rig, server.challenge());
    expect(Buffer.from(blob).includes(Buffer.from(SECTION.card_number))).toBe(false);
    const got = server.decipher(blob);
    expect(got.cardNumber).toBe(SECTION.card_number);
    expect(got.counter).toBe(1);
    expect(parseCipheredNumber(blob).ciphered.length).toBe(20);
  });

  it('never the same ciphertext twice: same challenge or not, the counter moves and the keys change', async () => {
    const { rig, server } = await setUp();
    const ch = server.challenge();
    const a = await encipher(rig, ch);
    const b = await encipher(rig, ch);
    const c = await encipher(rig, server.challenge());
    const blocks = [a, b, c].map((x) => Buffer.from(parseCipheredNumber(x).ciphered).toString('hex'));
    expect(new Set(blocks).size).toBe(3);
    expect([a, b, c].map((x) => parseCipheredNumber(x).counter)).toEqual([1, 2, 3]);
  });

  it('a replay is refused: the same blob again (UNKNOWN_CHALLENGE), an older counter (COUNTER_NOT_INCREASING)', async () => {
    const { rig, server } = await setUp();
    const ch1 = server.challenge();
    const ch2 = server.challenge();
    const first = await encipher(rig, ch1);
    const second = await encipher(rig, ch2);
    expect(code(() => server.decipher(second))).toBe('ACCEPTED');
    expect(code(() => server.decipher(second))).toBe('UNKNOWN_CHALLENGE');
    // ch1 is still pending, but counter 1 is below the accepted 2: captured earlier, replayed later.
    expect(code(() => server.decipher(first))).toBe('COUNTER_NOT_INCREASING');
    // A challenge the server never issued.
    const stray = await encipher(rig, new Uint8Array(16).fill(7));
    expect(code(() => server.decipher(stray))).toBe('UNKNOWN_CHALLENGE');
  });

  it('a tampered blob is refused (SIGNATURE_INVALID): any byte of the statement or the MAC', async () => {
    const { rig, server } = await setUp();
    const ch = server.challenge();
    const blob = await encipher(rig, ch);
    const len = blob.length;
    // Bytes inside the values (not the TLV headers): card id, counter, challenge, ciphertext, MAC.
    for (const i of [4, 15, 20, 40, len - 20, len - 1]) {
      const bad = blob.slice();
      bad[i]! ^= 0x01;
      expect(['SIGNATURE_INVALID', 'UNKNOWN_CARD'], `byte ${i}`).toContain(code(() => server.decipher(bad)));
    }
    expect(code(() => server.decipher(blob.subarray(0, len - 1)))).toBe('MALFORMED_RESPONSE');
    const other = new CardCompanyServer();
    other.register(rig.cardId, new Uint8Array(16));
    expect(code(() => other.decipher(blob))).toBe('SIGNATURE_INVALID');
    expect(code(() => new CardCompanyServer().decipher(blob))).toBe('UNKNOWN_CARD');
    expect(code(() => server.decipher(blob))).toBe('ACCEPTED');
  });

  it('the card: payment code first (6982), one VERIFY one encipherment, 16-byte challenge (6700), counter commits', async () => {
    const { rig } = await setUp();
    const ch = new Uint8Array(16);
    expect((await rig.client.encipherCardNumber(ch)).sw).toBe(0x6982);
    await rig.client.verifyCode(enc(SECTION.payment_code));
    expect((await rig.client.send(apdu(0x80, 0x54, 0, 0, new Uint8Array(15), 0x100))).sw).toBe(0x6700);
    expect((await rig.client.encipherCardNumber(ch)).sw).toBe(0x9000);
    expect((await rig.client.encipherCardNumber(ch)).sw).toBe(0x6982);
    // The purchase counter (GET DATA 00C2) is not the number counter: a SIGN and an encipherment do not share freshness.
    const c = await rig.client.getData(DO.COUNTER);
    expect(readU32(c.data, 0)).toBe(0);
  });

  it('a card personalized without a card number answers 6A88', async () => {
    const rig = await makeRig({ card_number: undefined, card_number_key: undefined }, 'no-card-number');
    await rig.client.verifyCode(enc(SECTION.payment_code));
    expect((await rig.client.encipherCardNumber(new Uint8Array(16))).sw).toBe(0x6a88);
  });

  it('tear sweep: every tear leaves number counter N or N+1 and no answer; the next encipherment takes the next value', async () => {
    const { rig, server } = await setUp();
    const { card } = rig;
    const cmd = (ch: Uint8Array): Uint8Array => apdu(0x80, 0x54, 0, 0, ch, 0x100);
    const verify = apdu(0x00, 0x20, 0x00, 0x81, enc(SECTION.payment_code));
    const counterOf = (): number => readU32(card.memory.cells.get(`${PAYMENT_AID}/cardNumber.counter`)!);
    transmit(card, selectCmd());
    expect(sw(transmit(card, verify))).toBe(0x9000);
    const seen: number[] = [];
    const res = tearSweep(card, cmd(new Uint8Array(16).fill(1)), (pt) => {
      if (!pt.torn) return;
      const after = counterOf();
      expect([0, 1]).toContain(after);
      seen.push(after);
      transmit(card, selectCmd());
      expect(sw(transmit(card, verify))).toBe(0x9000);
      const ch = server.challenge();
      const r = transmit(card, cmd(ch));
      expect(sw(r)).toBe(0x9000);
      const got = server.decipher(r.subarray(0, r.length - 2));
      expect(got.counter).toBe(after + 1);
      expect(got.cardNumber).toBe(SECTION.card_number);
    });
    expect(res.writes).toBe(2); // counter write + commit record
    expect(seen).toEqual([0, 1]);
    expect(parseCipheredNumber(res.response.subarray(0, res.response.length - 2)).counter).toBe(1);
  });
});
