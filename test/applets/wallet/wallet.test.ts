/**
 * The e-wallet (seed 000, issue 18): purse below/at the threshold, the payment card above it (the
 * card's decision), tied to the subscriber (the SIM's session fact; the IMSI hash in every
 * receipt), insufficient balance and another currency refused with nothing changed, issuer-signed
 * LOAD with a one-use challenge and the next load counter (a replayed LOAD refused), GET LAST
 * RECEIPT after a lost answer, personalization over PERSO_STORE_DATA (threshold configurable),
 * and a card image round trip.
 */
import { describe, expect, it } from 'vitest';
import { Card, SeededRng, VirtualClock, buildCommand, hexToBytes, readU32 } from '../../../card/runtime/index.js';
import { APPLET_REGISTRY, WalletApplet } from '../../../card/applets/index.js';
import { installIsd } from '../../../card/applets/isd/index.js';
import { personalizeThroughIsd, tlvRecords } from '../../helpers/isd-perso.js';
import { parseImage, serializeImage } from '../../../card/image/index.js';
import { SIM_APPLET_AID, SW, WALLET_AID } from '../../../apdu-specs/index.js';
import { WREC, walletReceiptDigest } from '../../../card/protocol/index.js';
import { verifyDigest } from '../../../card/algorithms/index.js';
import { EmulatorTransport } from '../../../host/transport/index.js';
import { WalletCard, WalletCardError, checkWalletReceipt, decodeWalletRecord, walletPersoRecords } from '../../../host/backend/wallet/index.js';
import { SimFactApplet } from '../payment/sim-fact-applet.js';
import { EUR, IMSI_HASH, ISSUER, MERCHANT, WALLET_ID, apdu, authenticate, info, makeWalletCard, ok, payRequest, sw } from './fixture.js';

async function client(card: Card): Promise<WalletCard> {
  const t = new EmulatorTransport(card);
  await t.connect(); // a power-up: the session facts are gone
  authenticate(card);
  return new WalletCard(t);
}

describe('e-wallet: purse below the threshold, payment card above', () => {
  it('below and at the threshold: paid from the purse, signed receipt bound to the subscriber', async () => {
    const card = makeWalletCard({ threshold: 500 });
    const pub = ok(card.transmit(apdu.pubKey()));
    const w = await client(card);
    for (const amount of [120, 500]) {
      const req = payRequest(amount);
      const out = await w.payOrCard(req);
      expect(out.path).toBe('purse');
      if (out.path !== 'purse') return;
      expect(checkWalletReceipt(pub, out.receipt, { hostChallenge: req.hostChallenge, imsiHash: IMSI_HASH })).toBe(true);
      const r = decodeWalletRecord(out.receipt.record);
      expect(r).toMatchObject({ amount, currency: EUR, merchantId: '4d45524348303031', after: r.before - amount });
    }
    expect(await w.info()).toMatchObject({ balance: 380, txCounter: 2, threshold: 500 });
  });

  it('above the threshold: WALLET_USE_PAYMENT_CARD, nothing changed', async () => {
    const card = makeWalletCard({ threshold: 500 });
    const before = info(card);
    const w = await client(card);
    expect(await w.payOrCard(payRequest(501))).toEqual({ path: 'payment-card' });
    expect(sw(card.transmit(apdu.pay(payRequest(5_000))))).toBe(SW.WALLET_USE_PAYMENT_CARD);
    expect(info(card)).toEqual(before);
  });

  it('insufficient balance, another currency, amount 0: refused, nothing changed', () => {
    const card = makeWalletCard({ threshold: 5_000, initialBalance: 100 });
    const before = info(card);
    expect(sw(card.transmit(apdu.pay(payRequest(101))))).toBe(SW.WALLET_INSUFFICIENT_FUNDS);
    expect(sw(card.transmit(apdu.pay(payRequest(50, { currency: 840 }))))).toBe(SW.WRONG_DATA);
    expect(sw(card.transmit(apdu.pay(payRequest(0))))).toBe(SW.WRONG_DATA);
    expect(info(card)).toEqual(before);
    expect(sw(card.transmit(apdu.pay(payRequest(100))))).toBe(0x9000);
    expect(info(card).balance).toBe(0);
  });

  it('tied to the subscriber: no PAY before the SIM authenticated the subscriber in this session (6982), none after a reset', () => {
    const card = makeWalletCard({ authenticated: false });
    expect(sw(card.transmit(apdu.pay(payRequest(10))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    authenticate(card);
    expect(sw(card.transmit(apdu.pay(payRequest(10))))).toBe(0x9000);
    card.reset();
    expect(sw(card.transmit(apdu.pay(payRequest(10))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(info(card).balance).toBe(990);
  });

  it("tied to the IMSI: another subscriber authenticated by the SIM cannot pay from this wallet (6982, nothing changes)", () => {
    const card = makeWalletCard({ imsi: '262019876543210' });
    const before = info(card);
    expect(sw(card.transmit(apdu.pay(payRequest(10))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(info(card)).toEqual(before);
  });

  it('a replayed PAY (same host challenge) is refused; GET LAST RECEIPT gives the lost receipt again', () => {
    const card = makeWalletCard();
    const pub = ok(card.transmit(apdu.pubKey()));
    const req = payRequest(30);
    const first = ok(card.transmit(apdu.pay(req)));
    expect(sw(card.transmit(apdu.pay(req)))).toBe(SW.WALLET_REPLAYED);
    const again = ok(card.transmit(apdu.lastReceipt()));
    expect(again.subarray(0, WREC.length)).toEqual(first.subarray(0, WREC.length));
    expect(verifyDigest(pub, walletReceiptDigest(again.subarray(0, WREC.length)), again.subarray(WREC.length))).toBe(true);
    expect(info(card).balance).toBe(970);
  });

  it('GET LAST RECEIPT before any payment: 6A83', () => {
    expect(sw(makeWalletCard().transmit(apdu.lastReceipt()))).toBe(SW.RECORD_NOT_FOUND);
  });
});

describe('e-wallet: LOAD', () => {
  it('issuer-signed reload for the card challenge and the next counter; a replayed LOAD is refused', async () => {
    const card = makeWalletCard();
    const w = await client(card);
    const { challenge, nextLoadCounter } = await w.challenge();
    expect(nextLoadCounter).toBe(1);
    const sig = ISSUER.authorizeLoad(WALLET_ID, challenge, 250, 1);
    expect(await w.load(250, 1, sig)).toBe(1_250);
    // The same APDU again: no challenge outstanding.
    await expect(w.load(250, 1, sig)).rejects.toMatchObject({ sw: SW.CONDITIONS_NOT_SATISFIED });
    // With a new challenge: the counter is not the next one any more.
    await w.challenge();
    await expect(w.load(250, 1, sig)).rejects.toMatchObject({ sw: SW.WALLET_REPLAYED });
    // The next counter with the old signature: it covers another challenge and counter.
    await w.challenge();
    await expect(w.load(250, 2, sig)).rejects.toMatchObject({ sw: SW.WALLET_BAD_SIGNATURE });
    expect(await w.info()).toMatchObject({ balance: 1_250, loadCounter: 1 });
  });

  it('past the maximum balance: refused', async () => {
    const card = makeWalletCard({ maxBalance: 1_100 });
    const w = await client(card);
    const { challenge } = await w.challenge();
    const e = await w.load(200, 1, ISSUER.authorizeLoad(WALLET_ID, challenge, 200, 1)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WalletCardError);
    expect((e as WalletCardError).sw).toBe(SW.WALLET_MAX_BALANCE);
    expect(info(card).balance).toBe(1_000);
  });
});

describe('e-wallet: personalization and image', () => {
  /** A blank wallet beside the Issuer Security Domain (the card's content manager). */
  const blankWalletCard = (): Card => {
    const card = new Card({ rng: new SeededRng('wallet-perso'), clock: new VirtualClock() });
    card.install(WalletApplet, { aid: WALLET_AID, default: true, personalization: { factory: {} } });
    card.appletClasses = APPLET_REGISTRY;
    installIsd(card);
    card.powerOn();
    return card;
  };

  it('personalized through the ISD only: blank answers 6985; its own PERSO_STORE_DATA 6982; INSTALL [for personalization] + STORE DATA under SCP03; the threshold is the personalized one; a second run 6985', async () => {
    const card = blankWalletCard();
    expect(sw(card.transmit(apdu.info()))).toBe(SW.CONDITIONS_NOT_SATISFIED);
    const tlv = walletPersoRecords({ walletId: WALLET_ID, currency: EUR, threshold: 250, maxBalance: 5_000, initialBalance: 700, issuerKey: ISSUER.publicKey, imsiHash: IMSI_HASH });
    expect(sw(card.transmit(buildCommand(0x80, 0xdb, 0x90, 0x00, { data: tlv })))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    expect(await personalizeThroughIsd(card, WALLET_AID, [{ recs: tlvRecords(tlv) }])).toEqual(['9000', '9000']);
    expect(await personalizeThroughIsd(card, WALLET_AID, [{ recs: tlvRecords(tlv) }])).toEqual(['9000', '6985']);
    ok(card.transmit(apdu.select()));
    expect(info(card)).toMatchObject({ threshold: 250, balance: 700, tx: 0 });
    expect(ok(card.transmit(apdu.pubKey())).length).toBe(65);
  });

  it('a missing mandatory record on the last block: 6A80, still blank', async () => {
    const card = blankWalletCard();
    expect(await personalizeThroughIsd(card, WALLET_AID, [{ recs: [[0xc1, WALLET_ID]] }])).toEqual(['9000', '6a80']);
    ok(card.transmit(apdu.select()));
    expect(sw(card.transmit(apdu.info()))).toBe(SW.CONDITIONS_NOT_SATISFIED);
  });

  it('card image round trip: balance, counters, last receipt and key survive', () => {
    const card = makeWalletCard();
    const pub = ok(card.transmit(apdu.pubKey()));
    const paid = ok(card.transmit(apdu.pay(payRequest(75))));
    const registry = new Map([...APPLET_REGISTRY, [SimFactApplet.type, SimFactApplet]]);
    const back = parseImage(serializeImage(card), { registry });
    back.powerOn();
    expect(info(back)).toMatchObject({ balance: 925, tx: 1, flags: 0 });
    expect(ok(back.transmit(apdu.pubKey()))).toEqual(pub);
    const again = ok(back.transmit(apdu.lastReceipt()));
    expect(again.subarray(0, WREC.length)).toEqual(paid.subarray(0, WREC.length));
    expect(readU32(again, WREC.amount)).toBe(75);
    expect(MERCHANT.length).toBe(8);
  });
});

describe('e-wallet: profile section', () => {
  it('wallet: installs the wallet bound to the profile IMSI with the configured threshold', async () => {
    const { join } = await import('node:path');
    const { loadProfileFile } = await import('../../../host/profile/load.js');
    const { personalizeCard } = await import('../../../host/profile/personalize.js');
    const { walletProfileSchema } = await import('../../../host/profile/wallet.js');
    const { REPO } = await import('../../cli/built-cli.js');
    const { bytesToHex } = await import('../../../card/runtime/index.js');
    const { imsiHash } = await import('../../../card/protocol/index.js');
    const file = join(REPO, 'profiles/example-sim.yaml');
    const base = loadProfileFile(file);
    const wallet = walletProfileSchema.parse({ wallet_id: bytesToHex(WALLET_ID), currency: EUR, threshold: 300, max_balance: 2_000, initial_balance: 400, issuer_key: bytesToHex(ISSUER.publicKey) });
    expect(() => walletProfileSchema.parse({ wallet_id: bytesToHex(WALLET_ID), currency: EUR, threshold: 300, max_balance: 200, initial_balance: 400, issuer_key: bytesToHex(ISSUER.publicKey) })).toThrow(/initial_balance/);
    const card = await personalizeCard({ ...base, wallet }, file, undefined, { rng: new SeededRng('wallet-profile'), clock: new VirtualClock() });
    ok(card.transmit(apdu.select()));
    expect(info(card)).toMatchObject({ threshold: 300, balance: 400, tx: 0 });
    // The real SIM on this card: PAY before RUN GSM ALGORITHM is 6982; after it the receipt
    // carries SHA-256 of the profile's IMSI.
    expect(sw(card.transmit(apdu.pay(payRequest(10))))).toBe(SW.SECURITY_STATUS_NOT_SATISFIED);
    const pin = bytesToHex(new TextEncoder().encode('1234')).padEnd(16, 'f');
    expect([0x90, 0x61]).toContain(sw(card.transmit(buildCommand(0x00, 0xa4, 0x04, 0x00, { data: hexToBytes(SIM_APPLET_AID) }))) >> 8);
    for (const c of ['a0a40000023f00', 'a0a40000027f20', `a020000108${pin}`]) expect(sw(card.transmit(hexToBytes(c)))).not.toBe(0x6d00);
    expect(sw(card.transmit(hexToBytes('a08800001000112233445566778899aabbccddeeff'))) >> 8).toBe(0x9f);
    ok(card.transmit(apdu.select()));
    // This card speaks T=0: the case-4 answer waits for GET RESPONSE (61xx).
    const first = card.transmit(apdu.pay(payRequest(10)));
    expect(sw(first) >> 8).toBe(0x61);
    const paid = ok(card.transmit(buildCommand(0x00, 0xc0, 0x00, 0x00, { ne: first[first.length - 1]! })));
    expect(paid.subarray(WREC.imsiHash, WREC.length)).toEqual(imsiHash(base.imsi));
    expect(info(card).balance).toBe(390);
  });
});
