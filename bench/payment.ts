/**
 * Payment throughput (issue 5): SIGN TRANSACTION per second through the APDU interface (each
 * signature needs its own payment-code VERIFY, so one operation = VERIFY + SIGN, both through
 * Card.transmit), for the ECDSA and the AES-CMAC variants; and the payment server's verifications
 * per second (certificate cached, signature over the rebuilt record, replay checks). Floor from the
 * issue: 1,000 signatures/s.
 */
import { performance } from 'node:perf_hooks';
import { PAYMENT_AID } from '../apdu-specs/payment.js';
import { PaymentApplet } from '../card/applets/payment/index.js';
import { readU32 } from '../card/runtime/index.js';
import { sha256 } from '../card/algorithms/sha256.js';
import { Card, SeededRng, VirtualClock, hexToBytes } from '../card/runtime/index.js';
import { EmulatorTransport } from '../host/transport/emulator.js';
import { apdu } from '../host/backend/payment/card-client.js';
import { IssuerCA, PaymentServer, type Order } from '../host/backend/payment/index.js';
import { certifyPaymentCard, paymentParams, paymentPersonalization, paymentProfileSchema } from '../host/profile/payment.js';
import { opsPerSecond, type BenchRow } from './measure.js';
import { encodeSignFields } from '../card/protocol/index.js';

const MAC_KEY = '000102030405060708090a0b0c0d0e0f';

/** A payment card personalized for the benches (seeded RNG, virtual clock), connected, not yet certified. */
async function paymentBenchCard(): Promise<{ card: Card; transport: EmulatorTransport; issuer: IssuerCA; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const card = new Card({ rng: new SeededRng('bench'), clock });
  const issuer = new IssuerCA({ now: () => clock.now() });
  const section = paymentProfileSchema.parse({ card_id: '0102030405060708', payment_code: '1234', unblock_code: '12345678', mac_key: MAC_KEY });
  card.install(PaymentApplet, { aid: PAYMENT_AID, params: { ...paymentParams(section) }, personalization: paymentPersonalization(section, issuer), default: true });
  const transport = new EmulatorTransport(card);
  await transport.connect();
  return { card, transport, issuer, clock };
}

/**
 * A personalized payment card and one ECDSA signature through the APDU interface (VERIFY of the
 * payment code + SIGN TRANSACTION, both Card.transmit): `signOnce()` throws on a wrong answer.
 */
export async function ecdsaSigningCard(): Promise<{ signOnce(): void }> {
  const { card, transport, issuer } = await paymentBenchCard();
  await certifyPaymentCard(transport, issuer);
  card.powerOn();
  const order: Order = { merchantId: new TextEncoder().encode('bench-shop'), amount: 999, currency: 978, dateTime: new Date(Date.UTC(2026, 0, 1, 12)), orderHash: sha256(new Uint8Array(64)) };
  const verify = apdu(0x00, 0x20, 0x00, 0x81, new TextEncoder().encode('1234'));
  const ecdsa = apdu(0x80, 0x50, 0, 0x00, encodeSignFields({ ...order, challenge: new Uint8Array(16).fill(1) }), 0x100);
  return {
    signOnce(): void {
      card.transmit(verify);
      const r = card.transmit(ecdsa);
      if (r.length !== 70 || r[68] !== 0x90) throw new Error(`bench SIGN answered ${Buffer.from(r).toString('hex')}`);
    },
  };
}

export async function benchPayment(): Promise<BenchRow[]> {
  const { card, transport, issuer, clock } = await paymentBenchCard();
  const { certificate, cardId } = await certifyPaymentCard(transport, issuer);
  card.powerOn();

  const order: Order = { merchantId: new TextEncoder().encode('bench-shop'), amount: 999, currency: 978, dateTime: new Date(Date.UTC(2026, 0, 1, 12)), orderHash: sha256(new Uint8Array(64)) };
  const verify = apdu(0x00, 0x20, 0x00, 0x81, new TextEncoder().encode('1234'));
  const signCmd = (challenge: Uint8Array, p1 = 0): Uint8Array => apdu(0x80, 0x50, p1, 0x00, encodeSignFields({ ...order, challenge }), 0x100);
  const ecdsa = signCmd(new Uint8Array(16).fill(1));
  const cmac = signCmd(new Uint8Array(16).fill(2), 1);
  const run = (cmd: Uint8Array, len: number): void => {
    card.transmit(verify);
    const r = card.transmit(cmd);
    if (r.length !== len) throw new Error(`bench SIGN answered ${Buffer.from(r).toString('hex')}`);
  };
  run(ecdsa, 70);
  run(cmac, 22);
  const signRate = opsPerSecond(() => run(ecdsa, 70), { batch: 50 });
  const macRate = opsPerSecond(() => run(cmac, 22), { batch: 200 });

  // Server side: pre-sign fresh challenges, then time the verifications alone.
  const server = new PaymentServer({ issuerPublicKey: issuer.publicKey, now: () => clock.now(), challengeTtlMs: 3_600_000 });
  server.registerMacKey(cardId, hexToBytes(MAC_KEY));
  const make = (n: number, p1: number) =>
    Array.from({ length: n }, () => {
      const req = server.begin(order);
      card.transmit(verify);
      const r = card.transmit(signCmd(req.challenge, p1));
      return { challenge: req.challenge, response: r.subarray(0, r.length - 2) };
    });
  const timeAll = (subs: { challenge: Uint8Array; response: Uint8Array }[], mac: boolean): number => {
    // One timed pass over the submissions: each challenge verifies once (a replay is refused).
    const t0 = performance.now();
    for (const s of subs) server.verify(mac ? { cardId, ...s } : { certificate, ...s });
    return (subs.length * 1000) / (performance.now() - t0);
  };
  const ecdsaSubs = make(600, 0);
  const serverRate = timeAll(ecdsaSubs, false);
  const macSubs = make(3000, 1);
  const serverMacRate = timeAll(macSubs, true);
  if (server.proofs().length !== 3600 || readU32(macSubs[macSubs.length - 1]!.response) <= 3600) throw new Error('bench: server did not accept every submission');

  return [
    { name: 'payment: SIGN TRANSACTION ECDSA P-256 (VERIFY + SIGN APDUs)', ...signRate, unit: 'signatures/s', floor: 1_000, peer: 'issue 5 floor: 1,000/s' },
    { name: 'payment: SIGN TRANSACTION AES-CMAC (VERIFY + SIGN APDUs)', ...macRate, unit: 'signatures/s' },
    { name: 'payment server: ECDSA verification (cert cached, record rebuilt, replay checks)', value: serverRate, unit: 'verifications/s', method: `one pass over ${ecdsaSubs.length} pre-signed submissions` },
    { name: 'payment server: AES-CMAC verification (node:crypto)', value: serverMacRate, unit: 'verifications/s', method: `one pass over ${macSubs.length} pre-signed submissions` },
  ];
}
