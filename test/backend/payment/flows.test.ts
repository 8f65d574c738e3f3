/**
 * The seeds' payment flows end to end: emulated card through the Transport interface
 * (EmulatorTransport) ↔ the back-end actors. SFR remote payment (ECDSA and MAC variants,
 * identification before payment), NTT DoCoMo authentication result, Mall Service encrypted
 * profile. Each negative path names the bug it guards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '../../../card/algorithms/sha256.js';
import { concat, readU32, u32 } from '../../../card/runtime/index.js';
import { bytesToHex, hexToBytes } from '../../../card/runtime/index.js';
import { imsiHash } from '../../../card/protocol/index.js';
import { AuC } from '../../../host/backend/auc.js';
import { SIM_FACT_IMSI } from '../../applets/payment/sim-fact-applet.js';
import { apdu } from '../../../host/backend/payment/card-client.js';
import { openSettlementEnvelope, PaymentBackendError, PaymentGateway, PaymentServer, type Order } from '../../../host/backend/payment/index.js';
import { expectNoSecretsIn, fakeAuthCmd, makeRig, order, RESPONSES, SECRETS, SECTION, selectCmd, selectSimCmd, type Rig } from '../../applets/payment/fixture.js';
import { code, enc } from './verdict.js';



async function pay(rig: Rig, server: PaymentServer, o: Order, mode: 'ecdsa' | 'cmac' = 'ecdsa') {
  const req = server.begin(o);
  expect((await rig.client.verifyCode(enc('1234'))).sw).toBe(0x9000);
  const r = await rig.client.sign({ ...o, challenge: req.challenge }, mode);
  expect(r.sw).toBe(0x9000);
  return { challenge: req.challenge, response: r.data };
}

describe('SFR remote payment: signed purchase → payment server', () => {
  it('accepts the card signature, stores a proof that still verifies for a dispute', async () => {
    const rig = await makeRig();
    const server = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    const { challenge, response } = await pay(rig, server, order());
    const proof = server.verify({ certificate: rig.certificate, challenge, response });
    expect(proof.counter).toBe(1);
    expect(server.proofs()).toHaveLength(1);
    expect(PaymentServer.checkProof(proof, rig.issuer.publicKey)).toBe(true);
  });

  it('a replayed signature is rejected: same challenge (UNKNOWN_CHALLENGE), old answer to a new challenge, lower counter', async () => {
    const rig = await makeRig();
    const server = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    const a = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...a }))).toBe('ACCEPTED');
    expect(code(() => server.verify({ certificate: rig.certificate, ...a }))).toBe('UNKNOWN_CHALLENGE');
    const fresh = server.begin(order());
    expect(code(() => server.verify({ certificate: rig.certificate, challenge: fresh.challenge, response: a.response }))).toBe('SIGNATURE_INVALID');
    // Two signed orders delivered out of order: the older counter comes second and is refused.
    const b = await pay(rig, server, order({ amount: 1 }));
    const c = await pay(rig, server, order({ amount: 2 }));
    expect(readU32(c.response)).toBe(readU32(b.response) + 1);
    expect(code(() => server.verify({ certificate: rig.certificate, ...c }))).toBe('ACCEPTED');
    expect(code(() => server.verify({ certificate: rig.certificate, ...b }))).toBe('COUNTER_NOT_INCREASING');
  });

  it('any signed field changed → rejected (merchant, amount, currency, date-time, order hash, counter, challenge, identification)', async () => {
    const rig = await makeRig();
    const server = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    const o = order();
    const changes: Order[] = [
      { ...o, merchantId: enc('shop-8') },
      { ...o, amount: o.amount + 1 },
      { ...o, currency: 840 },
      { ...o, dateTime: new Date(o.dateTime.getTime() + 1000) },
      { ...o, orderHash: sha256(enc('order #2')) },
    ];
    for (const changed of changes) {
      const req = server.begin(changed);
      await rig.client.verifyCode(enc('1234'));
      const r = await rig.client.sign({ ...o, challenge: req.challenge });
      expect(code(() => server.verify({ certificate: rig.certificate, challenge: req.challenge, response: r.data }))).toBe('SIGNATURE_INVALID');
    }
    const { challenge, response } = await pay(rig, server, o);
    const bumped = concat(u32(readU32(response) + 1), response.slice(4));
    expect(code(() => server.verify({ certificate: rig.certificate, challenge, response: bumped }))).toBe('SIGNATURE_INVALID');
    expect(code(() => server.verify({ certificate: rig.certificate, challenge, response, identification: 1 }))).toBe('SIGNATURE_INVALID');
    const flipped = response.slice();
    flipped[10]! ^= 1;
    expect(code(() => server.verify({ certificate: rig.certificate, challenge, response: flipped }))).toBe('SIGNATURE_INVALID');
    expect(code(() => server.verify({ certificate: rig.certificate, challenge, response: response.slice(0, 60) }))).toBe('MALFORMED_RESPONSE');
    expect(code(() => server.verify({ certificate: rig.certificate, challenge, response }))).toBe('ACCEPTED');
  });

  it('a certificate from another issuer, or altered, is refused (CERT_INVALID)', async () => {
    const rig = await makeRig();
    const other = await makeRig({}, 'other-seed');
    const server = new PaymentServer({ issuerPublicKey: p256.getPublicKey(p256.utils.randomSecretKey(), false), now: () => rig.clock.now() });
    const a = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...a }))).toBe('CERT_INVALID');
    const good = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    const b = await pay(rig, good, order());
    expect(code(() => good.verify({ certificate: other.certificate, ...b }))).toBe('SIGNATURE_INVALID'); // valid cert, other card
    const tampered = rig.certificate.slice();
    tampered[tampered.length - 80]! ^= 0x01;
    expect(code(() => good.verify({ certificate: tampered, ...b }))).toBe('CERT_INVALID');
  });

  it('identification before payment: the server requires the SIM authentication the card attests (tag CA) and the AuC confirms its IMSI / RAND (issue 18)', async () => {
    const rig = await makeRig();
    const auc = new AuC({ now: () => rig.clock.now(), identificationTtlMs: 60_000 });
    auc.addSubscriber({ imsi: SIM_FACT_IMSI, ki: hexToBytes('000102030405060708090a0b0c0d0e0f'), algorithm: 'xor', gsmAlgorithm: 'xor2g' });
    expect(() => new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, requireIdentification: true })).toThrow(/needs "identification"/);
    const server = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, requireIdentification: true, identification: auc, now: () => rig.clock.now() });
    const a = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...a }))).toBe('IDENTIFICATION_REQUIRED');
    expect(code(() => server.verify({ certificate: rig.certificate, ...a, identification: 1 }))).toBe('SIGNATURE_INVALID'); // the card said 0
    const identify = async (rand: Uint8Array): Promise<void> => {
      await rig.transport.transmit(selectSimCmd());
      expect((await rig.client.send(fakeAuthCmd(1, rand))).sw).toBe(0x9000);
      await rig.transport.transmit(selectCmd());
    };
    const identity = (rand: Uint8Array) => ({ imsiHash: imsiHash(SIM_FACT_IMSI), rand });
    // The audit's gap: a RAND the host chose, never issued by the AuC, no SRES checked → refused.
    const hostRand = new Uint8Array(16).fill(0x42);
    await identify(hostRand);
    const h = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...h, identification: 1 }))).toBe('SIGNATURE_INVALID'); // the card signed CB / CC
    let err: unknown;
    try {
      server.verify({ certificate: rig.certificate, ...h, identification: 1, identity: identity(hostRand) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PaymentBackendError);
    expect((err as PaymentBackendError).code).toBe('IDENTIFICATION_NOT_CONFIRMED');
    expect((err as Error).message).toMatch(/never issued this RAND/);
    // Issued by the AuC but the answer never verified → refused; a wrong SRES → refused.
    const t1 = auc.triplet(SIM_FACT_IMSI);
    await identify(t1.rand);
    const u = await pay(rig, server, order());
    expect(() => server.verify({ certificate: rig.certificate, ...u, identification: 1, identity: identity(t1.rand) })).toThrow(/never verified an answer/);
    expect(auc.checkSres(t1, new Uint8Array(4))).toBe(false);
    const w = await pay(rig, server, order());
    expect(() => server.verify({ certificate: rig.certificate, ...w, identification: 1, identity: identity(t1.rand) })).toThrow(/did not match/);
    // The network flow: RAND issued, SRES verified and logged → accepted while the log entry lives.
    const t2 = auc.triplet(SIM_FACT_IMSI);
    await identify(t2.rand);
    expect(auc.checkSres(t2, t2.sres)).toBe(true);
    expect(auc.identificationLog().at(-1)).toMatchObject({ imsi: SIM_FACT_IMSI, rand: bytesToHex(t2.rand), context: 'gsm', outcome: 'verified' });
    const b = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...b, identification: 1, identity: identity(t2.rand) }))).toBe('ACCEPTED');
    // The card claims 3G but the AuC verified a GSM triplet → refused (context is part of the pair).
    await rig.transport.transmit(selectSimCmd());
    await rig.client.send(fakeAuthCmd(2, t2.rand));
    await rig.transport.transmit(selectCmd());
    const g = await pay(rig, server, order());
    expect(() => server.verify({ certificate: rig.certificate, ...g, identification: 2, identity: identity(t2.rand) })).toThrow(/gsm context, the card claims 3g/);
    // Expired: the AuC no longer confirms it.
    await identify(t2.rand);
    rig.clock.advance(61_000);
    const x = await pay(rig, server, order());
    expect(() => server.verify({ certificate: rig.certificate, ...x, identification: 1, identity: identity(t2.rand) })).toThrow(/expired/);
    await rig.transport.reset(); // a new session forgets the identification
    await rig.client.select();
    const c = await pay(rig, server, order());
    expect(code(() => server.verify({ certificate: rig.certificate, ...c, identification: 1, identity: identity(t2.rand) }))).toBe('SIGNATURE_INVALID');
  });

  it('MAC variant: the server recomputes the CMAC with the card key (node:crypto); altered or unknown card refused', async () => {
    const rig = await makeRig();
    const server = new PaymentServer({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    const a = await pay(rig, server, order(), 'cmac');
    expect(code(() => server.verify({ cardId: rig.cardId, ...a }))).toBe('UNKNOWN_CARD');
    server.registerMacKey(rig.cardId, hexToBytes(SECTION.mac_key));
    const bad = a.response.slice();
    bad[19]! ^= 0x80;
    expect(code(() => server.verify({ cardId: rig.cardId, challenge: a.challenge, response: bad }))).toBe('SIGNATURE_INVALID');
    expect(code(() => server.verify({ cardId: rig.cardId, ...a }))).toBe('ACCEPTED');
    expect(code(() => server.verify({ cardId: rig.cardId, ...a }))).toBe('UNKNOWN_CHALLENGE');
  });
});

describe('NTT DoCoMo: authentication result → payment gateway', () => {
  async function setup(deviceId = 'handset-42') {
    const rig = await makeRig();
    const gw = new PaymentGateway({ issuerPublicKey: rig.issuer.publicKey, now: () => rig.clock.now() });
    gw.register({ userId: enc('alice'), deviceId: enc(deviceId), certificate: rig.certificate });
    gw.register({ userId: enc('bob'), deviceId: enc(deviceId), certificate: rig.certificate });
    return { rig, gw };
  }

  it('VERIFY of the user credential, then the token answers the gateway challenge', async () => {
    const { rig, gw } = await setup();
    let ch = gw.challenge(enc('alice'));
    expect((await rig.client.getAuthResult(0, ch)).sw).toBe(0x6982); // before VERIFY
    expect((await rig.client.verifyUser(0, enc('wrong'))).sw).toBe(0x63c2);
    expect((await rig.client.verifyUser(0, enc('opensesame'))).sw).toBe(0x9000);
    const r = await rig.client.getAuthResult(0, ch);
    expect(r.sw).toBe(0x9000);
    const token = gw.verifyAuthResult(enc('alice'), r.data);
    expect(token.expiry).toBe(rig.clock.now() + 600_000);
    expect(code(() => gw.verifyAuthResult(enc('alice'), r.data))).toBe('UNKNOWN_CHALLENGE'); // replay
    ch = gw.challenge(enc('bob'));
    const asAlice = await rig.client.getAuthResult(0, ch);
    expect(code(() => gw.verifyAuthResult(enc('bob'), asAlice.data))).toBe('UNKNOWN_USER'); // alice's result is not bob's
    expect((await rig.client.getAuthResult(1, ch)).sw).toBe(0x6982); // bob never verified
    expect((await rig.client.getAuthResult(5, ch)).sw).toBe(0x6a88);
    expect((await rig.client.getAuthResult(0, new Uint8Array(8))).sw).toBe(0x6700);
    expect((await rig.client.send(apdu(0x80, 0x52, 0x01, 0x00, ch, 0x100))).sw).toBe(0x6a86);
  });

  it('device id mismatch → DEVICE_MISMATCH (guards: a token from another handset accepted)', async () => {
    const { rig, gw } = await setup('handset-99');
    const ch = gw.challenge(enc('alice'));
    await rig.client.verifyUser(0, enc('opensesame'));
    expect(code(() => gw.verifyAuthResult(enc('alice'), new Uint8Array(0)))).toBe('MALFORMED_RESPONSE');
    const r = await rig.client.getAuthResult(0, ch);
    expect(code(() => gw.verifyAuthResult(enc('alice'), r.data))).toBe('DEVICE_MISMATCH');
  });

  it('expiry: the card refuses after the lifetime (6982), the gateway refuses an expired token, reset clears the result', async () => {
    const { rig, gw } = await setup();
    await rig.client.verifyUser(0, enc('opensesame'));
    let ch = gw.challenge(enc('alice'));
    const r = await rig.client.getAuthResult(0, ch);
    rig.clock.advance(600_000);
    expect(code(() => gw.verifyAuthResult(enc('alice'), r.data))).toBe('TOKEN_EXPIRED');
    expect((await rig.client.getAuthResult(0, ch)).sw).toBe(0x6982);
    expect((await rig.client.send(apdu(0x00, 0x20, 0x00, 0x90))).sw).toBe(0x63c3); // retry query: no longer verified
    await rig.client.verifyUser(0, enc('opensesame'));
    await rig.transport.reset();
    await rig.client.select();
    ch = gw.challenge(enc('alice'));
    expect((await rig.client.getAuthResult(0, ch)).sw).toBe(0x6982);
  });
});

describe('Mall Service: encrypted profile → authentication server → settlement server', () => {
  const info = enc('name=Alice Martin;card=4111111111111111;exp=12/29');
  const settlementKey = p256.utils.randomSecretKey();
  const settlementPub = p256.getPublicKey(settlementKey, false);

  async function enrolled() {
    const rig = await makeRig();
    const ch = await rig.client.getChallenge();
    expect((await rig.client.storeProfile(rig.auth.enrol(rig.cardId, ch, info))).sw).toBe(0x9000);
    return rig;
  }

  it('released after the payment code approves the shown order; re-enciphered for settlement; one approval, one release', async () => {
    const rig = await enrolled();
    const digest = sha256(enc('order 77: 2 tickets, 80.00 EUR'));
    const ch = rig.auth.releaseChallenge(digest);
    expect((await rig.client.getProfile(digest, ch)).sw).toBe(0x6982);
    await rig.client.verifyCode(enc('1234'));
    const r = await rig.client.getProfile(digest, ch);
    expect(r.sw).toBe(0x9000);
    expect((await rig.client.getProfile(digest, ch)).sw).toBe(0x6982); // approval used
    const env = rig.auth.release({ certificate: rig.certificate, challenge: ch, response: r.data }, settlementPub);
    expect(openSettlementEnvelope(settlementKey, env)).toEqual(info);
    expect(code(() => rig.auth.release({ certificate: rig.certificate, challenge: ch, response: r.data }, settlementPub))).toBe('UNKNOWN_CHALLENGE');
    // The blob on the card and every server field hold no plaintext.
    expect(Buffer.from(r.data).includes(Buffer.from(info))).toBe(false);
    const dump = JSON.stringify(rig.auth, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v instanceof Map ? [...v.entries()] : v));
    expect(dump.includes(Buffer.from(info).toString('hex'))).toBe(false);
  });

  it('an approval for another order is refused by the authentication server (SIGNATURE_INVALID)', async () => {
    const rig = await enrolled();
    const shown = sha256(enc('order 1'));
    const ch = rig.auth.releaseChallenge(sha256(enc('order 2')));
    await rig.client.verifyCode(enc('1234'));
    const r = await rig.client.getProfile(shown, ch);
    expect(code(() => rig.auth.release({ certificate: rig.certificate, challenge: ch, response: r.data }, settlementPub))).toBe('SIGNATURE_INVALID');
  });

  it('STORE PROFILE needs the authentication server signature over a fresh card challenge (6982 / 6985); GET PROFILE errors', async () => {
    const rig = await makeRig();
    const digest = new Uint8Array(32);
    expect((await rig.client.getProfile(digest, new Uint8Array(16))).sw).toBe(0x6a88); // nothing stored
    const ch = await rig.client.getChallenge();
    const forged = rig.auth.enrol(rig.cardId, new Uint8Array(16), info);
    expect((await rig.client.storeProfile(forged)).sw).toBe(0x6982);
    expect((await rig.client.storeProfile(rig.auth.enrol(rig.cardId, ch, info))).sw).toBe(0x6985); // challenge consumed
    expect((await rig.client.storeProfile(Uint8Array.of(0xdb, 0x01, 0x00))).sw).toBe(0x6a80);
    expect((await rig.client.send(apdu(0x80, 0xe6, 0x00, 0x00, new Uint8Array(47), 0x100))).sw).toBe(0x6700);
    expect((await rig.client.send(apdu(0x80, 0xe6, 0x00, 0x01, new Uint8Array(48), 0x100))).sw).toBe(0x6a86);
  });
});

afterAll(() => expectNoSecretsIn(RESPONSES, SECRETS));
