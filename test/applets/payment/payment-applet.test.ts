/**
 * The payment applet command by command (apdu-specs/payment.ts): success and every error SW, and
 * that malformed or refused commands change nothing (persistent memory compared byte for byte).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { PAYMENT_DATA_OBJECTS as DO } from '../../../apdu-specs/payment.js';
import { PaymentApplet } from '../../../card/applets/payment/index.js';
import { readU32 } from '../../../card/runtime/index.js';
import { Card, hexToBytes } from '../../../card/runtime/index.js';
import { apdu } from '../../../host/backend/payment/card-client.js';
import { fakeAuthCmd, makeRig, order, RESPONSES, SECRETS, expectNoSecretsIn, selectCmd, selectSimCmd, sw, transmit } from './fixture.js';
import { buildRecord, encodeSignFields, imsiHash } from '../../../card/protocol/index.js';
import { SIM_FACT_DEFAULT_RAND, SIM_FACT_IMSI } from './sim-fact-applet.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const fields = (challenge = new Uint8Array(16).fill(7)) => ({ ...order(), challenge });

function persistent(card: Card): string {
  return [...card.memory.cells].map(([k, v]) => `${k}=${Buffer.from(v).toString('hex')}`).join(';');
}

describe('payment applet: codes', () => {
  it('VERIFY payment code: wrong counts down 63C2, 63C1, 63C0, then 6983; unblock restores (guards: counter not persisted / no block)', async () => {
    const { client } = await makeRig();
    expect((await client.verifyCode(enc('0000'))).sw).toBe(0x63c2);
    expect((await client.verifyCode(enc('1111'))).sw).toBe(0x63c1);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x81))).sw).toBe(0x63c1); // empty VERIFY: retry query
    expect((await client.verifyCode(enc('2222'))).sw).toBe(0x63c0);
    expect((await client.verifyCode(enc('1234'))).sw).toBe(0x6983); // blocked: even the right code fails
    expect((await client.getData(DO.STATUS)).data[0]).toBe(0);
    expect((await client.unblock(enc('00000000'), enc('4321'))).sw).toBe(0x63c9);
    expect((await client.unblock(enc('87654321'), enc('4321'))).sw).toBe(0x9000);
    expect((await client.sign(fields())).sw).toBe(0x6982); // unblocking is not an approval
    expect((await client.verifyCode(enc('1234'))).sw).toBe(0x63c2); // old code replaced
    expect((await client.verifyCode(enc('4321'))).sw).toBe(0x9000);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x81))).sw).toBe(0x9000);
  });

  it('unblock code blocks after 10 wrong tries (6983) and P1=01 keeps the code', async () => {
    const { client } = await makeRig();
    for (let i = 9; i >= 0; i--) expect((await client.unblock(enc('00000000'))).sw).toBe(0x63c0 | i);
    expect((await client.unblock(enc('87654321'))).sw).toBe(0x6983);
    const r2 = await makeRig();
    await r2.client.verifyCode(enc('0000'));
    expect((await r2.client.unblock(enc('87654321'))).sw).toBe(0x9000);
    expect((await r2.client.getData(DO.STATUS)).data[0]).toBe(3);
    expect((await r2.client.verifyCode(enc('1234'))).sw).toBe(0x9000);
  });

  it('malformed VERIFY / RESET RETRY COUNTER: 6A86 P1/P2, 6A88 unknown slot, 6700 lengths — nothing changes (guards: a bad length costs a try)', async () => {
    const { card, client } = await makeRig();
    const before = persistent(card);
    expect((await client.send(apdu(0x00, 0x20, 0x01, 0x81, enc('1234')))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x01, enc('1234')))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x95, enc('1234')))).sw).toBe(0x6a88);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x81, enc('123')))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x20, 0x00, 0x81, enc('123456789')))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x2c, 0x00, 0x81, enc('8765432')))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x2c, 0x01, 0x81, enc('876543211234')))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x2c, 0x02, 0x81, enc('87654321')))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x00, 0x2c, 0x00, 0x90, enc('87654321')))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x00, 0x2c, 0x00, 0x81))).sw).toBe(0x6700); // case 1: not declared
    expect((await client.send(apdu(0x84, 0x20, 0x00, 0x81, enc('1234')))).sw).toBe(0x6d00);
    expect(persistent(card)).toBe(before);
  });
});

describe('payment applet: SIGN TRANSACTION', () => {
  it('signs the canonical record with the next counter after VERIFY; the signature verifies under the card key', async () => {
    const { client } = await makeRig();
    const pub = await client.publicKey();
    const id = await client.cardId();
    expect((await client.verifyCode(enc('1234'))).sw).toBe(0x9000);
    const f = fields();
    const r = await client.sign(f);
    expect(r.sw).toBe(0x9000);
    expect(r.data.length).toBe(68);
    expect(readU32(r.data)).toBe(1);
    const record = buildRecord(id, 1, encodeSignFields(f), 1, 0);
    expect(p256.verify(r.data.slice(4), record, pub)).toBe(true);
    expect(readU32((await client.getData(DO.COUNTER)).data)).toBe(1);
  });

  it('one VERIFY authorises exactly one signature: a second SIGN answers 6982 (guards: approval reuse)', async () => {
    const { client } = await makeRig();
    await client.verifyCode(enc('1234'));
    expect((await client.sign(fields())).sw).toBe(0x9000);
    expect((await client.sign(fields())).sw).toBe(0x6982);
    await client.verifyCode(enc('1234'));
    expect(readU32((await client.sign(fields())).data)).toBe(2);
  });

  it('without VERIFY → 6982; after reset → 6982; after deselect → 6982', async () => {
    const { card, client, transport } = await makeRig();
    expect((await client.sign(fields())).sw).toBe(0x6982);
    await client.verifyCode(enc('1234'));
    await transport.reset();
    await client.select();
    expect((await client.sign(fields())).sw).toBe(0x6982);
    await client.verifyCode(enc('1234'));
    transmit(card, selectSimCmd());
    transmit(card, selectCmd());
    expect((await client.sign(fields())).sw).toBe(0x6982);
  });

  it('malformed records → 6A80, bad P1/P2 → 6A86; none consumes the approval or the counter', async () => {
    const { card, client } = await makeRig();
    await client.verifyCode(enc('1234'));
    const before = persistent(card);
    const good = encodeSignFields(fields());
    const bad: Uint8Array[] = [
      good.subarray(0, good.length - 1), // truncated
      Uint8Array.from([...good, 0x00]), // trailing byte
      Uint8Array.from([0xc4, ...good.subarray(1)]), // wrong first tag
      encodeSignFields({ ...fields(), dateTime: new Date(Date.UTC(2026, 0, 15)) }).map((b, i, a) => (i === a.length - 34 - 18 - 1 ? 0x99 : b)), // non-BCD date byte
      Uint8Array.from(good).fill(0xaa, good.length - 34 - 18 - 9 - 2, good.length - 34 - 18 - 9), // currency AA AA (not BCD)
    ];
    for (const d of bad) expect((await client.send(apdu(0x80, 0x50, 0x00, 0x00, d, 0x100))).sw).toBe(0x6a80);
    expect((await client.send(apdu(0x80, 0x50, 0x02, 0x00, good, 0x100))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x80, 0x50, 0x00, 0x01, good, 0x100))).sw).toBe(0x6a86);
    expect((await client.send(apdu(0x80, 0x50, 0x00, 0x00, undefined, 0x100))).sw).toBe(0x6700);
    expect(persistent(card)).toBe(before);
    expect((await client.sign(fields())).sw).toBe(0x9000);
  });

  it('identification before payment: 6985 until the SIM side authenticated the subscriber; the record carries it, the IMSI hash and the RAND (issue 18)', async () => {
    const { card, client } = await makeRig({ require_identification: true });
    await client.verifyCode(enc('1234'));
    expect((await client.sign(fields())).sw).toBe(0x6985);
    expect(sw(transmit(card, apdu(0x00, 0x70, 0x00, 0x01)))).toBe(0x9000);
    expect(sw(transmit(card, Uint8Array.of(0x01, ...selectSimCmd().subarray(1))))).toBe(0x9000);
    expect(sw(transmit(card, Uint8Array.of(0x81, ...fakeAuthCmd(2).subarray(1))))).toBe(0x9000);
    const r = await client.sign(fields());
    expect(r.sw).toBe(0x9000);
    const record = buildRecord(await client.cardId(), 1, encodeSignFields(fields()), 1, 2, { imsiHash: imsiHash(SIM_FACT_IMSI), rand: SIM_FACT_DEFAULT_RAND });
    expect(p256.verify(r.data.slice(4), record, await client.publicKey())).toBe(true);
    // Without CB / CC (the layout before issue 18) the signature does not verify: the pair is signed.
    expect(p256.verify(r.data.slice(4), buildRecord(await client.cardId(), 1, encodeSignFields(fields()), 1, 2), await client.publicKey())).toBe(false);
  });

  it('the counter overflow is sticky: 0xFFFFFFFF is signed once, then 6984 forever', async () => {
    const { client } = await makeRig({ initial_counter: 0xfffffffe });
    await client.verifyCode(enc('1234'));
    expect(readU32((await client.sign(fields())).data)).toBe(0xffffffff);
    await client.verifyCode(enc('1234'));
    expect((await client.sign(fields())).sw).toBe(0x6984);
    expect((await client.getData(DO.STATUS)).data[2]! & 2).toBe(2);
  });

  it('MAC variant: counter ‖ AES-CMAC; 6A88 without a MAC key', async () => {
    const { client } = await makeRig();
    await client.verifyCode(enc('1234'));
    const r = await client.sign(fields(), 'cmac');
    expect(r.sw).toBe(0x9000);
    expect(r.data.length).toBe(20);
    const noMac = await makeRig({ mac_key: undefined });
    await noMac.client.verifyCode(enc('1234'));
    expect((await noMac.client.sign(fields(), 'cmac')).sw).toBe(0x6a88);
  });
});

describe('payment applet: data objects, challenge, stores', () => {
  it('GET DATA: public objects; 6A88 for unknown tags; the certificate holds the card key', async () => {
    const { client, certificate } = await makeRig();
    expect((await client.cardId())).toEqual(hexToBytes('0102030405060708'));
    expect((await client.certificate())).toEqual(certificate);
    expect((await client.getData(DO.DEVICE_ID)).data).toEqual(enc('handset-42'));
    expect(Array.from((await client.getData(DO.STATUS)).data)).toEqual([3, 10, 4]);
    expect((await client.getData(0x0101)).sw).toBe(0x6a88);
    expect((await client.getData(0x00c3)).sw).toBe(0x6a88);
  });

  it('GET CHALLENGE: Le 8..32 else 6700, P1P2 0000 else 6A86', async () => {
    const { client } = await makeRig();
    expect((await client.getChallenge(16)).length).toBe(16);
    expect((await client.send(apdu(0x00, 0x84, 0x00, 0x00, undefined, 4))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x84, 0x00, 0x00, undefined, 0x100))).sw).toBe(0x6700);
    expect((await client.send(apdu(0x00, 0x84, 0x01, 0x00, undefined, 16))).sw).toBe(0x6a86);
  });

  it('STORE CERTIFICATE: 6985 without challenge, 6982 bad issuer signature, 6A80 not this key / malformed, challenge single use', async () => {
    const { card, client, issuer, cardId, certificate } = await makeRig();
    const { tlv } = await import('../../../card/protocol/index.js');
    const before = persistent(card);
    const cmd = (cert: Uint8Array, sig: Uint8Array) => Uint8Array.from([...tlv(0xda, cert), ...tlv(0x9e, sig)]);
    expect((await client.storeCertificate(cmd(certificate, new Uint8Array(64)))).sw).toBe(0x6985);
    let ch = await client.getChallenge();
    expect((await client.storeCertificate(cmd(certificate, issuer.authorizeStore(cardId, new Uint8Array(16), certificate)))).sw).toBe(0x6982);
    expect((await client.storeCertificate(cmd(certificate, issuer.authorizeStore(cardId, ch, certificate)))).sw).toBe(0x6985); // consumed
    const other = issuer.issueCardCertificate(cardId, p256.getPublicKey(p256.utils.randomSecretKey(), false));
    ch = await client.getChallenge();
    expect((await client.storeCertificate(cmd(other, issuer.authorizeStore(cardId, ch, other)))).sw).toBe(0x6a80);
    expect((await client.storeCertificate(Uint8Array.of(0xda, 0x05, 1, 2))).sw).toBe(0x6a80);
    expect((await client.send(apdu(0x80, 0xe2, 0x01, 0x00, cmd(certificate, new Uint8Array(64))))).sw).toBe(0x6a86);
    expect(persistent(card)).toBe(before);
  });

  it('an unpersonalized install has keys only: VERIFY 6A88, SIGN 6982', () => {
    const card = new Card();
    card.install(PaymentApplet, { aid: 'f0636172646667030001', default: true });
    card.powerOn();
    expect(sw(transmit(card, apdu(0x00, 0x20, 0x00, 0x81, enc('1234'))))).toBe(0x6a88);
    expect(sw(transmit(card, apdu(0x80, 0x50, 0x00, 0x00, encodeSignFields(fields()), 0x100)))).toBe(0x6982);
  });
});

afterAll(() => expectNoSecretsIn(RESPONSES, SECRETS));
